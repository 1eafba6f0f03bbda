/**
 * Where the bot keeps its data: bot state in SQLite or Azure Blob Storage (`STORAGE`), and the folder
 * and key for what stays on disk whatever `STORAGE` says (jobs, the sealed passwords' key).
 */
import type { SettingsReader } from './reader';

export type StorageKind = 'sqlite' | 'azure';

export type StorageSettings =
  { kind: 'sqlite'; dataDir: string } | { kind: 'azure'; connectionString: string; container: string };

const STORAGE_KINDS: readonly StorageKind[] = ['sqlite', 'azure'];

export function readStorage(r: SettingsReader): StorageSettings {
  const storageKind = r.oneOf('STORAGE', STORAGE_KINDS, 'sqlite');
  if (storageKind !== 'azure') return { kind: 'sqlite', dataDir: r.read('DATA_DIR') ?? './data' };
  const connectionString = r.read('AZURE_STORAGE_CONNECTION_STRING');
  if (connectionString === undefined)
    r.problem('AZURE_STORAGE_CONNECTION_STRING: required when STORAGE=azure');
  const container = r.read('AZURE_STORAGE_CONTAINER') ?? 'service-account-bot';
  if (!/^(?!.*--)[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/.test(container)) {
    r.problem(
      `AZURE_STORAGE_CONTAINER: 3–63 lower-case letters, digits and single hyphens, starting and ending with a letter or digit (got "${container}")`,
    );
  }
  return { kind: 'azure', connectionString: connectionString ?? '', container };
}

export interface DataAtRest {
  /** Folder for the SQLite files (bot state, jobs) and the key file; used whatever STORAGE says. */
  dataDir: string;
  /** 32-byte key (base64) that seals secrets at rest; unset = a key file in `dataDir`. */
  dataEncryptionKey?: string;
}

export function readDataAtRest(r: SettingsReader): DataAtRest {
  const dataDir = r.read('DATA_DIR') ?? './data';
  const dataEncryptionKey = r.read('DATA_ENCRYPTION_KEY') ?? r.read('SECRET_DATA_ENCRYPTION_KEY');
  if (
    dataEncryptionKey !== undefined &&
    (!/^[A-Za-z0-9+/]+={0,2}$/.test(dataEncryptionKey) ||
      Buffer.from(dataEncryptionKey, 'base64').length !== 32)
  ) {
    r.problem('DATA_ENCRYPTION_KEY: must be the base64 of exactly 32 bytes (openssl rand -base64 32)');
  }
  return { dataDir, dataEncryptionKey };
}
