/**
 * The simulated tenant kept in one JSON file (`stateFile` of `startTenantSimulator`), so a restarted
 * simulator is the same tenant: its directory and Exchange records, the simulated Key Vault's secret
 * versions, how many object ids it has made, and how far its clock was moved. Read once at start;
 * written after changes, coalesced (one write for all the changes of an event-loop turn), as a temp
 * file renamed over the old one (mode 0600), and a request that changed the tenant is answered only
 * once the change is on disk. Faults, the call log, registered clients and vault role assignments are
 * not kept: they belong to the process that sets them up.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { SimulatorClock } from '../clock';
import type { IdGenerator } from '../idGenerator';
import type { KeyVaultSecretVersion, SecretStore } from '../keyvault/secretStore';
import type { SimulatorScenario } from '../scenarios';
import type { SimUser } from './stateTypes';
import type { TenantState } from './tenantState';

export const TENANT_STATE_FORMAT = 'simulated-microsoft-365-tenant';
/** The layout this code writes and reads; a file of another version is refused, never guessed at. */
export const TENANT_STATE_FORMAT_VERSION = 1;

const ABOUT =
  'The simulated Microsoft 365 tenant (TENANT_MODE=simulated) on this machine: not a real tenant. ' +
  'Users carry only a SHA-256 of their password; the simulated Key Vault secrets are kept as set ' +
  '(the service account password with KEY_VAULT_URL=simulator). ' +
  'It belongs with the database next to it: delete both to start over.';

/** The array-valued records of `TenantState`, kept as they are. */
const LISTS = [
  'domains',
  'skus',
  'roleDefinitions',
  'roleAssignments',
  'managementRoles',
  'roleGroups',
  'publicFolderPermissions',
  'conditionalAccessPolicies',
  'groups',
  'servicePrincipals',
  'exchangeServicePrincipals',
  'managementScopes',
  'appRoleAssignments',
] as const satisfies readonly (keyof TenantState)[];

type ListName = (typeof LISTS)[number];

interface SavedRecords extends Pick<TenantState, ListName | 'securityDefaultsEnabled' | 'customAttributes'> {
  version: number;
  users: SimUser[];
}

/** The file's content. */
export interface SavedTenant {
  about: string;
  format: typeof TENANT_STATE_FORMAT;
  formatVersion: typeof TENANT_STATE_FORMAT_VERSION;
  tenantId: string;
  scenario: SimulatorScenario;
  savedAt: string;
  /** `SimulatorClock` offset: records hold absolute simulator-clock times. */
  clockOffsetMs: number;
  /** Ids `IdGenerator` has made: a restarted simulator goes on from here, never repeating one. */
  idsIssued: number;
  tenant: SavedRecords;
  keyVault: { secrets: KeyVaultSecretVersion[] };
}

export type StateFileProblem = 'unreadable' | 'corrupt' | 'otherFormat' | 'otherTenant' | 'otherScenario';

/** The state file exists but cannot be taken up; `message` names the file and what is wrong. */
export class TenantStateFileError extends Error {
  constructor(
    readonly file: string,
    readonly problem: StateFileProblem,
    detail: string,
  ) {
    super(`The simulated tenant's file ${file} ${detail}`);
    this.name = 'TenantStateFileError';
  }
}

/** What the simulator holds that the file keeps. */
export interface TenantParts {
  tenantId: string;
  scenario: SimulatorScenario;
  state: TenantState;
  secrets: SecretStore;
  ids: IdGenerator;
  clock: SimulatorClock;
}

/** The file's text for the tenant as it is now. */
export function serialiseTenant(parts: TenantParts): string {
  const { state } = parts;
  const records: SavedRecords = {
    version: state.version,
    users: state.listUsers(),
    securityDefaultsEnabled: state.securityDefaultsEnabled,
    customAttributes: state.customAttributes,
    ...(Object.fromEntries(LISTS.map((name) => [name, state[name]])) as Pick<TenantState, ListName>),
  };
  const saved: SavedTenant = {
    about: ABOUT,
    format: TENANT_STATE_FORMAT,
    formatVersion: TENANT_STATE_FORMAT_VERSION,
    tenantId: parts.tenantId,
    scenario: parts.scenario,
    savedAt: new Date().toISOString(),
    clockOffsetMs: parts.clock.offset,
    idsIssued: parts.ids.issued,
    tenant: records,
    keyVault: { secrets: parts.secrets.all() },
  };
  return `${JSON.stringify(saved, null, 2)}\n`;
}

/**
 * The saved tenant in `file`, checked against the tenant and scenario asked for; undefined when there
 * is no file. Throws `TenantStateFileError` for a file that is there but cannot be taken up.
 */
export function readTenantStateFile(
  file: string,
  expected: { tenantId: string; scenario: SimulatorScenario },
): SavedTenant | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new TenantStateFileError(file, 'unreadable', `cannot be read (${errorCode(error)}).`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new TenantStateFileError(file, 'corrupt', 'is not valid JSON (damaged or cut short).');
  }
  if (!isObject(parsed) || parsed.format !== TENANT_STATE_FORMAT)
    throw new TenantStateFileError(file, 'corrupt', 'is not a simulated tenant’s file.');
  if (parsed.formatVersion !== TENANT_STATE_FORMAT_VERSION) {
    throw new TenantStateFileError(
      file,
      'otherFormat',
      `has format version ${JSON.stringify(parsed.formatVersion)}; this version of the simulator reads version ${TENANT_STATE_FORMAT_VERSION} only.`,
    );
  }
  if (
    typeof parsed.tenantId !== 'string' ||
    parsed.tenantId.toLowerCase() !== expected.tenantId.toLowerCase()
  ) {
    throw new TenantStateFileError(
      file,
      'otherTenant',
      `holds simulated tenant ${String(parsed.tenantId)}, not ${expected.tenantId}.`,
    );
  }
  if (parsed.scenario !== expected.scenario) {
    throw new TenantStateFileError(
      file,
      'otherScenario',
      `holds a tenant of the "${String(parsed.scenario)}" scenario, not of "${expected.scenario}".`,
    );
  }
  const wrong = shapeProblem(parsed);
  if (wrong !== undefined) throw new TenantStateFileError(file, 'corrupt', `is damaged: ${wrong}.`);
  return parsed as unknown as SavedTenant;
}

/** Makes the simulator's parts the saved tenant (at start, before any request is served). */
export function restoreTenant(saved: SavedTenant, parts: TenantParts): void {
  const { state } = parts;
  const records = saved.tenant;
  state.version = records.version;
  state.users.clear();
  for (const user of records.users) state.users.set(user.id.toLowerCase(), user);
  state.securityDefaultsEnabled = records.securityDefaultsEnabled;
  state.customAttributes = records.customAttributes;
  for (const name of LISTS) (state[name] as unknown[]) = records[name];
  parts.secrets.restore(saved.keyVault.secrets);
  parts.ids.resume(saved.idsIssued);
  parts.clock.resume(saved.clockOffsetMs);
}

/** Why a parsed file of the right format is not a saved tenant, or undefined when it is one. */
function shapeProblem(saved: Record<string, unknown>): string | undefined {
  if (!isCount(saved.clockOffsetMs, false)) return 'clockOffsetMs is not a number >= 0';
  if (!isCount(saved.idsIssued, true)) return 'idsIssued is not a whole number >= 0';
  const tenant = saved.tenant;
  if (!isObject(tenant)) return 'tenant is missing';
  if (!isCount(tenant.version, true)) return 'tenant.version is not a whole number >= 0';
  if (typeof tenant.securityDefaultsEnabled !== 'boolean') return 'tenant.securityDefaultsEnabled is missing';
  if (!isObject(tenant.customAttributes)) return 'tenant.customAttributes is missing';
  for (const name of ['users', ...LISTS]) {
    const list = tenant[name];
    if (!Array.isArray(list) || !list.every(isObject)) return `tenant.${name} is not a list of records`;
  }
  const users = tenant.users as Record<string, unknown>[];
  if (!users.every((u) => typeof u.id === 'string' && typeof u.userPrincipalName === 'string'))
    return 'a user has no id or userPrincipalName';
  const keyVault = saved.keyVault;
  if (!isObject(keyVault) || !Array.isArray(keyVault.secrets)) return 'keyVault.secrets is missing';
  const secretsOk = keyVault.secrets.every(
    (s) =>
      isObject(s) &&
      typeof s.name === 'string' &&
      typeof s.version === 'string' &&
      typeof s.value === 'string',
  );
  if (!secretsOk) return 'a Key Vault secret has no name, version or value';
  return undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isCount(value: unknown, whole: boolean): value is number {
  return (
    typeof value === 'number' && Number.isFinite(value) && value >= 0 && (!whole || Number.isInteger(value))
  );
}

function errorCode(error: unknown): string {
  return (error as NodeJS.ErrnoException).code ?? 'error';
}

/**
 * Writes the tenant to its file after changes: `changed()` marks it, one write a turn follows, and
 * `flush()` resolves once every change made before it is on disk.
 */
export class TenantStateFile {
  private dirty = false;
  private scheduled = false;
  private closed = false;
  private writing: Promise<void> = Promise.resolve();
  /** Bumped by every `changed()`: a request compares it to know whether it must wait for a write. */
  changes = 0;

  constructor(
    readonly file: string,
    private readonly capture: () => string,
  ) {}

  /** The tenant changed: write it soon (at the end of this event-loop turn, with any other changes). */
  changed(): void {
    if (this.closed) return;
    this.dirty = true;
    this.changes += 1;
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      // A failed write leaves the tenant marked changed: the next flush (a request's, close) retries
      // and reports it.
      this.flush().catch(() => undefined);
    });
  }

  /** Resolves once the tenant as it is now is on disk (rejects when the write fails). */
  flush(): Promise<void> {
    if (!this.dirty) return this.writing;
    this.dirty = false;
    const text = this.capture();
    this.writing = this.writing
      .catch(() => undefined)
      .then(() => this.write(text))
      .catch((error: unknown) => {
        this.dirty = true;
        throw new Error(`The simulated tenant could not be saved to ${this.file} (${errorCode(error)})`);
      });
    return this.writing;
  }

  /** The last write; later changes are no longer written. */
  async close(): Promise<void> {
    try {
      await this.flush();
    } finally {
      this.closed = true;
    }
  }

  private async write(text: string): Promise<void> {
    const temp = path.join(path.dirname(this.file), `.${path.basename(this.file)}.${process.pid}.tmp`);
    // No fsync: like the bot's SQLite (WAL, synchronous=NORMAL), what is written survives a killed
    // process, and a power cut may lose the last changes; the rename means a reader never sees half.
    const handle = await fs.promises.open(temp, 'w', 0o600);
    try {
      await handle.chmod(0o600);
      await handle.writeFile(text, 'utf8');
    } finally {
      await handle.close();
    }
    await fs.promises.rename(temp, this.file);
  }
}
