/**
 * The bot's settings. This folder is the only reader of `process.env`: everything else receives a
 * validated, typed `Config`. `loadConfig` checks every setting at once and throws one `ConfigError`
 * that names each missing or malformed setting, so an operator fixes them all in one go.
 */
import packageJson from '../../package.json';
import type { LogLevel } from '../logger';
import { type KeyVaultSettings, readDowngradeRole, readKeyVault } from './account';
import { readAccess } from './access';
import { type BotAuth, readBotAuth } from './botAuth';
import { type Env, settingsReader } from './reader';
import { readDataAtRest, readStorage, type StorageSettings } from './storage';
import { readTelemetry } from './telemetry';
import { readTenant, type TenantConnection } from './tenant';
import {
  readAccountTimers,
  readGlobalAdminTimers,
  readApprovalTimers,
  readShutdownGrace,
  type ReplicationTimers,
} from './timers';

export type { LogLevel };
export { DOWNGRADE_ROLES, type KeyVaultSettings } from './account';
export type { AccessSettings } from './access';
export type { BotAuth, BotType } from './botAuth';
export { childProcessEnvironment, isContinuousIntegration } from './environment';
export { type Env, GUID } from './reader';
export { SETTINGS, type SettingDoc } from './settings';
export { prepareTelemetryEnvironment } from './telemetry';
export type { StorageKind, StorageSettings } from './storage';
export type { TenantConnection, TenantCredential, TenantMode } from './tenant';
export type { ReplicationTimers } from './timers';

export interface Config {
  /** The product version, from package.json. */
  version: string;
  port: number;
  /** Interface the HTTP server binds to: 127.0.0.1 in local mode. */
  host: string;
  bot: BotAuth;
  teamsAppId?: string;
  tenant: TenantConnection;
  storage: StorageSettings;
  /** Folder for the SQLite files (bot state, jobs) and the key file; used whatever STORAGE says. */
  dataDir: string;
  /** 32-byte key (base64) that seals secrets at rest; unset = a key file in `dataDir`. */
  dataEncryptionKey?: string;
  logLevel: LogLevel;
  /** How long a shutdown waits for turns in flight before closing storage anyway. */
  shutdownGraceMs: number;
  /** Directory role template id the account is downgraded to after CiraSync's first sign-in. */
  downgradeRoleId: string;
  /** How long a request waits for its approver before it expires. */
  approvalExpiryMs: number;
  replication: ReplicationTimers;
  /** How long the password may be revealed once the account is ready. */
  passwordRevealMs: number;
  /** After "ready": when the requester is reminded to downgrade (0 = never). */
  globalAdminReminderMs: number;
  /** After "ready": when the bot lowers the role itself (unset = never). */
  autoDowngradeMs?: number;
  /** After "ready": how often the health watch checks the account. */
  healthCheckMs: number;
  /** The health watch flags Global Administrator held this long after "ready" (unset = never). */
  globalAdminFlagMs?: number;
  /** A job runner's claim on a job; after a crash another start takes the job over once it lapses. */
  jobLeaseMs: number;
  /** Hand the password over in Azure Key Vault instead of the Reveal button. */
  keyVault?: KeyVaultSettings;
  /** Members of this Entra group may ask for the service account, besides the admin roles. */
  requesterGroupId?: string;
  /** How long before expiry the approver is reminded; 0 for no reminder. */
  approvalReminderMs: number;
  /** A Teams channel (conversation id) that gets the approval card when the approver cannot be reached. */
  approvalsChannelId?: string;
  /** Members of this Entra group may decide requests posted in the approvals channel. */
  approverGroupId?: string;
  /** Tenants besides the bot's own whose Teams activities are accepted. */
  allowedTenantIds: string[];
  /** Application Insights connection string; unset = no telemetry, nothing sent. */
  telemetryConnectionString?: string;
}

/** Every problem found in the environment, reported together. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(
      `Invalid configuration (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n` +
        problems.map((p) => `  - ${p}`).join('\n'),
    );
    this.name = 'ConfigError';
  }
}

const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error', 'silent'];

/** Both sides of `npm run migrate`, read from one environment whatever STORAGE says. */
export interface MigrationSettings {
  sqlite: Extract<StorageSettings, { kind: 'sqlite' }>;
  azure: Extract<StorageSettings, { kind: 'azure' }>;
  /** DATA_ENCRYPTION_KEY is set (its value is not needed: sealed passwords are copied as they are). */
  dataEncryptionKeySet: boolean;
}

/**
 * The SQLite side (`DATA_DIR`) and the Azure side (the AZURE_STORAGE_* settings) of a migration, checked
 * as the bot checks them; every problem with either side is reported together.
 */
export function loadMigrationSettings(env: Env = process.env): MigrationSettings {
  const problems: string[] = [];
  const sqlite = readStorage(settingsReader({ ...env, STORAGE: 'sqlite' }, problems));
  const azure = readStorage(settingsReader({ ...env, STORAGE: 'azure' }, problems));
  const { dataEncryptionKey } = readDataAtRest(settingsReader(env, problems), sqlite);
  if (problems.length > 0) throw new ConfigError(problems);
  if (sqlite.kind !== 'sqlite' || azure.kind !== 'azure')
    throw new Error('Storage settings of the wrong kind');
  return { sqlite, azure, dataEncryptionKeySet: dataEncryptionKey !== undefined };
}

/** Reads the settings from `env` (the process environment by default) and validates them all. */
export function loadConfig(env: Env = process.env): Config {
  const problems: string[] = [];
  const r = settingsReader(env, problems);

  const port = r.number('PORT', 3978, 0, 65535, true);
  const logLevel = r.oneOf('LOG_LEVEL', LOG_LEVELS, 'info');
  const shutdownGraceMs = readShutdownGrace(r);
  const approval = readApprovalTimers(r);
  const { bot, host } = readBotAuth(r);
  const tenant = readTenant(r);
  const storage = readStorage(r);
  const access = readAccess(r);
  const dataAtRest = readDataAtRest(r, storage);
  const simulated = tenant.mode === 'simulated';
  const timers = readAccountTimers(r, simulated);
  const keyVault = readKeyVault(r, simulated);
  const downgradeRoleId = readDowngradeRole(r);
  const globalAdmin = readGlobalAdminTimers(r);
  const telemetry = readTelemetry(r);

  if (problems.length > 0) throw new ConfigError(problems);
  return {
    version: packageJson.version,
    port,
    host,
    bot,
    teamsAppId: r.read('TEAMS_APP_ID'),
    tenant,
    storage,
    ...dataAtRest,
    logLevel,
    shutdownGraceMs,
    downgradeRoleId,
    ...approval,
    ...timers,
    ...globalAdmin,
    keyVault,
    ...access,
    ...telemetry,
  };
}
