/**
 * Where the bot keeps its data: everything in one SQLite file in `DATA_DIR` (`STORAGE=sqlite`), or
 * everything in one Azure storage account (`STORAGE=azure`): records in a Blob container, jobs in a
 * Table, reached with a connection string or with the account's URLs and a managed identity. The key
 * that seals passwords at rest must then come from the settings, never a per-instance file.
 */
import type { SettingsReader } from './reader';

export type StorageKind = 'sqlite' | 'azure';

/** How the bot reaches the storage account. */
export type AzureStorageAccess =
  | { kind: 'connectionString'; connectionString: string }
  /** Blob and Table endpoints with a managed identity (user-assigned when `clientId` is set). */
  | { kind: 'managedIdentity'; blobUrl: string; tableUrl: string; clientId?: string };

export type StorageSettings =
  | { kind: 'sqlite'; dataDir: string }
  | { kind: 'azure'; access: AzureStorageAccess; container: string; table: string };

const STORAGE_KINDS: readonly StorageKind[] = ['sqlite', 'azure'];

export const DEFAULT_CONTAINER = 'service-account-bot';
export const DEFAULT_JOB_TABLE = 'serviceaccountbotjobs';

export function readStorage(r: SettingsReader): StorageSettings {
  const storageKind = r.oneOf('STORAGE', STORAGE_KINDS, 'sqlite');
  if (storageKind !== 'azure') return { kind: 'sqlite', dataDir: r.read('DATA_DIR') ?? './data' };
  const container = r.read('AZURE_STORAGE_CONTAINER') ?? DEFAULT_CONTAINER;
  if (!/^(?!.*--)[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/.test(container)) {
    r.problem(
      `AZURE_STORAGE_CONTAINER: 3–63 lower-case letters, digits and single hyphens, starting and ending with a letter or digit (got "${container}")`,
    );
  }
  const table = r.read('AZURE_STORAGE_TABLE') ?? DEFAULT_JOB_TABLE;
  if (!/^[A-Za-z][A-Za-z0-9]{2,62}$/.test(table) || /^tables$/i.test(table)) {
    r.problem(
      `AZURE_STORAGE_TABLE: 3–63 letters and digits, starting with a letter, not "tables" (got "${table}")`,
    );
  }
  return { kind: 'azure', access: readAccess(r), container, table };
}

function readAccess(r: SettingsReader): AzureStorageAccess {
  const connectionString = r.read('AZURE_STORAGE_CONNECTION_STRING');
  const accountUrl = r.read('AZURE_STORAGE_ACCOUNT_URL');
  if (connectionString !== undefined && accountUrl !== undefined) {
    r.problem('AZURE_STORAGE_CONNECTION_STRING and AZURE_STORAGE_ACCOUNT_URL: set one of them, not both');
  }
  if (connectionString !== undefined) return { kind: 'connectionString', connectionString };
  if (accountUrl === undefined) {
    r.problem(
      'AZURE_STORAGE_CONNECTION_STRING: required when STORAGE=azure (or set AZURE_STORAGE_ACCOUNT_URL to reach the account with a managed identity)',
    );
    return { kind: 'connectionString', connectionString: '' };
  }
  const blobUrl = r.url('AZURE_STORAGE_ACCOUNT_URL', accountUrl);
  const tableFallback = tableUrlOf(blobUrl);
  const tableSetting = r.read('AZURE_STORAGE_TABLE_URL');
  if (tableSetting === undefined && tableFallback === undefined) {
    r.problem(
      `AZURE_STORAGE_TABLE_URL: required when AZURE_STORAGE_ACCOUNT_URL is not an https://<account>.blob.<suffix> address (got "${blobUrl}")`,
    );
  }
  const tableUrl = r.url('AZURE_STORAGE_TABLE_URL', tableSetting ?? tableFallback ?? blobUrl);
  const clientId = r.read('AZURE_CLIENT_ID');
  return { kind: 'managedIdentity', blobUrl, tableUrl, ...(clientId === undefined ? {} : { clientId }) };
}

/** `https://acct.blob.core.windows.net` → `https://acct.table.core.windows.net`; undefined otherwise. */
export function tableUrlOf(blobUrl: string): string | undefined {
  let url: URL;
  try {
    url = new URL(blobUrl);
  } catch {
    return undefined;
  }
  const labels = url.hostname.split('.');
  if (url.protocol !== 'https:' || labels.length < 3 || labels[1] !== 'blob') return undefined;
  labels[1] = 'table';
  return `https://${labels.join('.')}`;
}

export interface DataAtRest {
  /** Folder for the SQLite file (everything with STORAGE=sqlite) and the key file. */
  dataDir: string;
  /** 32-byte key (base64) that seals secrets at rest; unset = a key file in `dataDir` (SQLite only). */
  dataEncryptionKey?: string;
}

export function readDataAtRest(r: SettingsReader, storage: StorageSettings): DataAtRest {
  const dataDir = r.read('DATA_DIR') ?? './data';
  const dataEncryptionKey = r.read('DATA_ENCRYPTION_KEY') ?? r.read('SECRET_DATA_ENCRYPTION_KEY');
  if (
    dataEncryptionKey !== undefined &&
    (!/^[A-Za-z0-9+/]+={0,2}$/.test(dataEncryptionKey) ||
      Buffer.from(dataEncryptionKey, 'base64').length !== 32)
  ) {
    r.problem('DATA_ENCRYPTION_KEY: must be the base64 of exactly 32 bytes (openssl rand -base64 32)');
  }
  if (storage.kind === 'azure' && dataEncryptionKey === undefined) {
    r.problem(
      'DATA_ENCRYPTION_KEY: required when STORAGE=azure, so that every instance opens the passwords the others sealed (a Key Vault reference in the app settings works); a key file is per machine and is not used',
    );
  }
  return { dataDir, dataEncryptionKey };
}
