/**
 * The bot's settings. This module is the only reader of `process.env`: everything else receives a
 * validated, typed `Config`. `loadConfig` checks every setting at once and throws one `ConfigError`
 * that names each missing or malformed setting, so an operator fixes them all in one go.
 */
import packageJson from '../package.json';
import {
  AGENTS_PLAYGROUND_TENANT_ID,
  SIMULATOR_SCENARIOS,
  type SimulatorScenario,
} from './simulator/scenarios';
import type { LogLevel } from './logger';

export type { LogLevel };

export type BotType = 'MultiTenant' | 'SingleTenant' | 'UserAssignedMsi';
export type TenantMode = 'simulated' | 'live';
export type StorageKind = 'sqlite' | 'azure';

/** How the bot authenticates to the Bot Framework / Teams channel. */
export type BotAuth =
  /** No `BOT_ID`: authentication off, loopback only. For the Agents Playground and tests. */
  | { mode: 'local' }
  | {
      mode: 'authenticated';
      appId: string;
      appType: BotType;
      /** Required for SingleTenant and UserAssignedMsi. */
      tenantId?: string;
      /** Client secret of the bot's app registration (absent for UserAssignedMsi). */
      password?: string;
      /** Where the signing keys of Teams' tokens are published (Bot Framework's, unless overridden). */
      openIdMetadataUrl?: string;
      /** The issuer Teams' tokens must carry (Bot Framework's, unless overridden). */
      tokenIssuer?: string;
    };

/** The credential the bot uses for Microsoft Graph and Exchange Online in a live tenant. */
export type TenantCredential =
  | { kind: 'secret'; clientId: string; clientSecret: string }
  | { kind: 'certificate'; clientId: string; certificatePath: string }
  /** System-assigned when `clientId` is absent, user-assigned otherwise. */
  | { kind: 'managedIdentity'; clientId?: string };

export type TenantConnection =
  | {
      mode: 'simulated';
      tenantId: string;
      scenario: SimulatorScenario;
      /** How long the simulated Exchange takes to replicate a role group member. */
      replicationMs: number;
    }
  | {
      mode: 'live';
      tenantId: string;
      credential: TenantCredential;
      authorityHost: string;
      graphEndpoint: string;
      exchangeEndpoint: string;
    };

export type StorageSettings =
  { kind: 'sqlite'; dataDir: string } | { kind: 'azure'; connectionString: string; container: string };

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
  replication: { settleMs: number; pollMs: number; timeoutMs: number; confirmations: number };
  /** How long the password may be revealed once the account is ready. */
  passwordRevealMs: number;
  /** A job runner's claim on a job; after a crash another start takes the job over once it lapses. */
  jobLeaseMs: number;
  /** Hand the password over in Azure Key Vault instead of the Reveal button. */
  keyVault?: { url: string; secretExpiryMs: number };
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
}

/** One documented setting. The README's settings table lists exactly these. */
export interface SettingDoc {
  name: string;
  meaning: string;
  default: string;
}

/**
 * Tenant id the Microsoft 365 Agents Playground puts in `channelData.tenant.id` and
 * `conversation.tenantId` with its built-in configuration.
 */

export const SETTINGS: readonly SettingDoc[] = [
  {
    name: 'PORT',
    meaning: 'HTTP port of the bot endpoint (`/api/messages`, `/healthz`); 0 picks a free port.',
    default: '3978',
  },
  {
    name: 'BIND_ADDRESS',
    meaning:
      'Interface to listen on when `BOT_ID` is set. Without `BOT_ID` the bot always listens on 127.0.0.1.',
    default: '0.0.0.0',
  },
  {
    name: 'BOT_ID',
    meaning:
      'Microsoft App ID of the Azure Bot registration. Unset = local mode: Bot Framework authentication off, loopback only.',
    default: '(unset)',
  },
  {
    name: 'BOT_PASSWORD',
    meaning: 'Client secret of the bot registration; read from `SECRET_BOT_PASSWORD` when unset.',
    default: '(unset)',
  },
  {
    name: 'BOT_TENANT_ID',
    meaning: 'Entra tenant of the bot registration; required for `SingleTenant` and `UserAssignedMsi`.',
    default: '(unset)',
  },
  {
    name: 'BOT_TYPE',
    meaning: '`MultiTenant`, `SingleTenant` or `UserAssignedMsi` — the app type of the bot registration.',
    default: 'SingleTenant',
  },
  {
    name: 'BOT_OPENID_METADATA_URL',
    meaning:
      'With `BOT_ID`: the OpenID metadata document whose keys sign the tokens Teams sends (for national clouds or a test issuer). Unset = Bot Framework’s public-cloud document.',
    default: '(Bot Framework)',
  },
  {
    name: 'BOT_TOKEN_ISSUER',
    meaning: 'With `BOT_ID`: the issuer those tokens must carry. Unset = `https://api.botframework.com`.',
    default: '(Bot Framework)',
  },
  {
    name: 'TEAMS_APP_ID',
    meaning: 'Teams app id (manifest `id`); used in install links.',
    default: '(unset)',
  },
  {
    name: 'TENANT_MODE',
    meaning:
      '`simulated` (the built-in Microsoft 365 tenant simulator on loopback) or `live` (a real tenant through Graph and Exchange Online).',
    default: '`live` when any `AAD_APP_*` credential is set, else `simulated`',
  },
  {
    name: 'AAD_APP_TENANT_ID',
    meaning:
      'Tenant to provision in (GUID, or a domain such as `contoso.onmicrosoft.com`, resolved to the GUID at start-up). In simulated mode, the simulated tenant’s id.',
    default: `simulated: \`${AGENTS_PLAYGROUND_TENANT_ID}\` (the Agents Playground’s tenant); live: required`,
  },
  {
    name: 'AAD_APP_CLIENT_ID',
    meaning: 'Application (client) id of the Entra app that calls Graph and Exchange Online.',
    default: '(unset)',
  },
  {
    name: 'AAD_APP_CLIENT_SECRET',
    meaning: 'Client secret of that app; read from `SECRET_AAD_APP_CLIENT_SECRET` when unset.',
    default: '(unset)',
  },
  {
    name: 'AAD_APP_CERTIFICATE_PATH',
    meaning: 'PEM file holding the app’s certificate and private key, instead of a secret.',
    default: '(unset)',
  },
  {
    name: 'AAD_APP_CREDENTIAL',
    meaning:
      '`secret`, `certificate` or `managedIdentity`. Inferred from which of the two above is set; managed identity must be chosen explicitly (user-assigned when `AAD_APP_CLIENT_ID` is set).',
    default: '(inferred)',
  },
  {
    name: 'AAD_APP_OAUTH_AUTHORITY_HOST',
    meaning: 'Entra authority host; change it for national clouds.',
    default: 'https://login.microsoftonline.com',
  },
  { name: 'GRAPH_ENDPOINT', meaning: 'Microsoft Graph base URL.', default: 'https://graph.microsoft.com' },
  {
    name: 'EXCHANGE_ENDPOINT',
    meaning: 'Exchange Online base URL (admin API).',
    default: 'https://outlook.office365.com',
  },
  {
    name: 'SIMULATOR_SCENARIO',
    meaning:
      'Simulated mode only: `classic`, `current`, `mfa-enforced`, `ca-mfa`, `federated-only`, `no-seats` or `throttled`.',
    default: 'classic',
  },
  {
    name: 'SIMULATOR_REPLICATION_SECONDS',
    meaning:
      'Simulated mode only: how long the simulated Exchange takes to show a new role group member as an effective user of ApplicationImpersonation (a third of it to know the recipient, half of it for the mailbox).',
    default: '60',
  },
  {
    name: 'REPLICATION_SETTLE_MINUTES',
    meaning:
      'After the role group step, the least time before the account is called ready, even when Exchange already shows it (decimals allowed; 0 allowed).',
    default: '30 (live), 0.25 (simulated)',
  },
  {
    name: 'REPLICATION_POLL_SECONDS',
    meaning:
      'First delay between Exchange polls while waiting for replication; it doubles up to 10 minutes (decimals allowed).',
    default: '60 (live), 5 (simulated)',
  },
  {
    name: 'REPLICATION_TIMEOUT_MINUTES',
    meaning:
      'How long to wait for replication before the request fails with what to check (decimals allowed).',
    default: '120',
  },
  {
    name: 'PASSWORD_REVEAL_MINUTES',
    meaning:
      'How long after the account is ready the requester can reveal its password (without Key Vault); then it is purged for good. Reset password starts a new window.',
    default: '15',
  },
  {
    name: 'KEY_VAULT_URL',
    meaning:
      'Azure Key Vault (`https://<name>.vault.azure.net`) that receives the service account’s password as a secret (with expiry, tagged with the request id) instead of the Reveal button. The bot’s app needs the “Key Vault Secrets Officer” role on it. In simulated mode, `simulator` uses the simulated vault.',
    default: '(unset: Reveal password)',
  },
  {
    name: 'KEY_VAULT_SECRET_EXPIRY_DAYS',
    meaning: 'How long the Key Vault secret stays readable (decimals allowed).',
    default: '7',
  },
  {
    name: 'JOB_LEASE_SECONDS',
    meaning:
      'How long a runner holds a background job between renewals (renewed every third of it). After a crash, a restarted bot takes unfinished jobs over once this has passed.',
    default: '60',
  },
  {
    name: 'STORAGE',
    meaning: '`sqlite` (one file under `DATA_DIR`) or `azure` (Azure Blob Storage).',
    default: 'sqlite',
  },
  {
    name: 'DATA_DIR',
    meaning:
      'Folder for the SQLite database (bot state, requests, audit, jobs) and, without `DATA_ENCRYPTION_KEY`, the key file `encryption.key`. Jobs live here with either `STORAGE`.',
    default: './data',
  },
  {
    name: 'DATA_ENCRYPTION_KEY',
    meaning:
      'Base64 of 32 random bytes (`openssl rand -base64 32`) that encrypts the service account’s password at rest until it is handed over; read from `SECRET_DATA_ENCRYPTION_KEY` when unset. Unset = a key file made once in `DATA_DIR` (mode 0600).',
    default: '(key file)',
  },
  {
    name: 'AZURE_STORAGE_CONNECTION_STRING',
    meaning: 'Connection string of the storage account; required when `STORAGE=azure`.',
    default: '(unset)',
  },
  {
    name: 'AZURE_STORAGE_CONTAINER',
    meaning: 'Blob container for bot state when `STORAGE=azure`.',
    default: 'service-account-bot',
  },
  { name: 'LOG_LEVEL', meaning: '`debug`, `info`, `warn`, `error` or `silent`.', default: 'info' },
  {
    name: 'DOWNGRADE_ROLE',
    meaning:
      'Role the account gets when it is downgraded from Global Administrator: `ServiceSupportAdministrator`, `ExchangeAdministrator`, or a directory role template id.',
    default: 'ServiceSupportAdministrator',
  },
  {
    name: 'ALLOWED_TENANT_IDS',
    meaning:
      'Comma-separated tenant ids whose Teams activities are accepted besides the bot’s own tenant (activities from any other tenant are refused and audited).',
    default: '(none)',
  },
  {
    name: 'REQUESTER_GROUP_ID',
    meaning:
      'Object id of an Entra security group whose members may ask for the service account, besides Global and Privileged Role Administrators.',
    default: '(unset)',
  },
  {
    name: 'APPROVAL_EXPIRY_HOURS',
    meaning: 'How long a request waits for its approver before it expires (decimals allowed).',
    default: '24',
  },
  {
    name: 'APPROVAL_REMINDER_HOURS',
    meaning:
      'How long before a request expires its approver gets a reminder (decimals allowed); 0 sends none. Must be less than `APPROVAL_EXPIRY_HOURS`.',
    default: '4',
  },
  {
    name: 'APPROVALS_CHANNEL_ID',
    meaning:
      'Teams channel id (`19:…@thread.tacv2`) where the approval card is posted when the approver cannot be reached in a personal chat. The app must be installed in that team.',
    default: '(unset)',
  },
  {
    name: 'APPROVER_GROUP_ID',
    meaning:
      'Object id of an Entra security group whose members may decide requests posted in `APPROVALS_CHANNEL_ID` (never their own). Without it, only the named approver decides.',
    default: '(unset)',
  },
  {
    name: 'SHUTDOWN_GRACE_SECONDS',
    meaning: 'On SIGTERM/SIGINT, how long to wait for turns in flight before closing.',
    default: '10',
  },
];

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

type Env = Readonly<Record<string, string | undefined>>;

const BOT_TYPES: readonly BotType[] = ['MultiTenant', 'SingleTenant', 'UserAssignedMsi'];
const TENANT_MODES: readonly TenantMode[] = ['simulated', 'live'];
const STORAGE_KINDS: readonly StorageKind[] = ['sqlite', 'azure'];
const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error', 'silent'];
const SCENARIOS: readonly SimulatorScenario[] = SIMULATOR_SCENARIOS;
const CREDENTIAL_KINDS = ['secret', 'certificate', 'managedIdentity'] as const;
/** Role template ids (the same in every tenant) of the named downgrade roles. */
export const DOWNGRADE_ROLES: Readonly<Record<string, string>> = {
  ServiceSupportAdministrator: 'f023fd81-a637-4b56-95fd-791ac0226033',
  ExchangeAdministrator: '29232cdf-9323-42fd-ade2-1d097af3e4de',
};
const GLOBAL_ADMINISTRATOR_TEMPLATE_ID = '62e90394-69f5-4237-9190-012177145e10';

/** A GUID: tenant, app and object ids. */
export const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const TENANT_DOMAIN = /^(?=.{4,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i;
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** Reads the settings from `env` (the process environment by default) and validates them all. */
export function loadConfig(env: Env = process.env): Config {
  const problems: string[] = [];
  const read = (name: string): string | undefined => {
    const value = env[name]?.trim();
    return value === undefined || value === '' ? undefined : value;
  };

  function oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    const raw = read(name);
    if (raw === undefined) return fallback;
    const match = allowed.find((a) => a.toLowerCase() === raw.toLowerCase());
    if (match === undefined) {
      problems.push(`${name}: must be one of ${allowed.join(', ')} (got "${raw}")`);
      return fallback;
    }
    return match;
  }

  function number(name: string, fallback: number, min: number, max: number, integer: boolean): number {
    const raw = read(name);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!/^\d+(\.\d+)?$/.test(raw) || (integer && !Number.isInteger(value)) || value < min || value > max) {
      problems.push(
        `${name}: must be ${integer ? 'an integer' : 'a number'} from ${min} to ${max} (got "${raw}")`,
      );
      return fallback;
    }
    return value;
  }

  function url(name: string, fallback: string): string {
    const raw = read(name) ?? fallback;
    let parsed: URL;
    try {
      parsed = new URL(raw);
    } catch {
      problems.push(`${name}: must be an absolute URL (got "${raw}")`);
      return fallback;
    }
    const loopback = LOOPBACK_HOSTS.has(parsed.hostname);
    if (parsed.protocol !== 'https:' && !(parsed.protocol === 'http:' && loopback)) {
      problems.push(`${name}: must use https (http is accepted for loopback addresses only) (got "${raw}")`);
    }
    if (parsed.search !== '' || parsed.hash !== '') {
      problems.push(`${name}: must be a base URL without query or fragment (got "${raw}")`);
    }
    return raw.replace(/\/+$/, '');
  }

  function tenantId(name: string, value: string | undefined): string | undefined {
    if (value !== undefined && !GUID.test(value) && !TENANT_DOMAIN.test(value)) {
      problems.push(
        `${name}: must be a tenant GUID or a domain such as contoso.onmicrosoft.com (got "${value}")`,
      );
    }
    return value;
  }

  const port = number('PORT', 3978, 0, 65535, true);
  const logLevel = oneOf('LOG_LEVEL', LOG_LEVELS, 'info');
  const shutdownGraceMs = number('SHUTDOWN_GRACE_SECONDS', 10, 0, 600, false) * 1000;
  const approvalExpiryMs = number('APPROVAL_EXPIRY_HOURS', 24, 0.01, 24 * 30, false) * 3_600_000;
  const approvalReminderMs = number('APPROVAL_REMINDER_HOURS', 4, 0, 24 * 30, false) * 3_600_000;
  if (approvalReminderMs > 0 && approvalReminderMs >= approvalExpiryMs) {
    problems.push('APPROVAL_REMINDER_HOURS: must be less than APPROVAL_EXPIRY_HOURS (or 0 for no reminder)');
  }

  // --- Bot Framework registration -------------------------------------------------------------
  const botId = read('BOT_ID');
  const botType = oneOf('BOT_TYPE', BOT_TYPES, 'SingleTenant');
  const botPassword = read('BOT_PASSWORD') ?? read('SECRET_BOT_PASSWORD');
  const botTenantId = tenantId('BOT_TENANT_ID', read('BOT_TENANT_ID'));
  let bot: BotAuth = { mode: 'local' };
  if (botId !== undefined) {
    if (!GUID.test(botId))
      problems.push(`BOT_ID: must be the bot registration's app id, a GUID (got "${botId}")`);
    if (botType !== 'UserAssignedMsi' && botPassword === undefined) {
      problems.push(
        `BOT_PASSWORD: required with BOT_ID for BOT_TYPE=${botType} (or set SECRET_BOT_PASSWORD)`,
      );
    }
    if (botType !== 'MultiTenant' && botTenantId === undefined) {
      problems.push(`BOT_TENANT_ID: required with BOT_ID for BOT_TYPE=${botType}`);
    }
    const openIdMetadataUrl = read('BOT_OPENID_METADATA_URL');
    if (openIdMetadataUrl !== undefined) url('BOT_OPENID_METADATA_URL', openIdMetadataUrl);
    bot = {
      mode: 'authenticated',
      appId: botId,
      appType: botType,
      tenantId: botTenantId,
      password: botPassword,
      openIdMetadataUrl,
      tokenIssuer: read('BOT_TOKEN_ISSUER'),
    };
  } else if (botPassword !== undefined) {
    problems.push('BOT_ID: required when BOT_PASSWORD or SECRET_BOT_PASSWORD is set');
  }
  const host = bot.mode === 'local' ? '127.0.0.1' : (read('BIND_ADDRESS') ?? '0.0.0.0');

  // --- Tenant connection -----------------------------------------------------------------------
  const aadTenantId = tenantId('AAD_APP_TENANT_ID', read('AAD_APP_TENANT_ID'));
  const clientId = read('AAD_APP_CLIENT_ID');
  const clientSecret = read('AAD_APP_CLIENT_SECRET') ?? read('SECRET_AAD_APP_CLIENT_SECRET');
  const certificatePath = read('AAD_APP_CERTIFICATE_PATH');
  const credentialChoice = read('AAD_APP_CREDENTIAL');
  const anyCredential =
    clientId !== undefined ||
    clientSecret !== undefined ||
    certificatePath !== undefined ||
    credentialChoice !== undefined;
  const tenantMode = oneOf('TENANT_MODE', TENANT_MODES, anyCredential ? 'live' : 'simulated');
  const authorityHost = url('AAD_APP_OAUTH_AUTHORITY_HOST', 'https://login.microsoftonline.com');
  const graphEndpoint = url('GRAPH_ENDPOINT', 'https://graph.microsoft.com');
  const exchangeEndpoint = url('EXCHANGE_ENDPOINT', 'https://outlook.office365.com');
  const scenario = oneOf('SIMULATOR_SCENARIO', SCENARIOS, 'classic');

  let tenant: TenantConnection;
  if (tenantMode === 'simulated') {
    tenant = {
      mode: 'simulated',
      tenantId: aadTenantId ?? AGENTS_PLAYGROUND_TENANT_ID,
      scenario,
      replicationMs: number('SIMULATOR_REPLICATION_SECONDS', 60, 0, 86_400, false) * 1000,
    };
  } else {
    if (aadTenantId === undefined) problems.push('AAD_APP_TENANT_ID: required when TENANT_MODE=live');
    if (clientId !== undefined && !GUID.test(clientId)) {
      problems.push(`AAD_APP_CLIENT_ID: must be an application (client) id, a GUID (got "${clientId}")`);
    }
    let kind: TenantCredential['kind'] | undefined;
    if (credentialChoice !== undefined) {
      kind = CREDENTIAL_KINDS.find((k) => k.toLowerCase() === credentialChoice.toLowerCase());
      if (kind === undefined) {
        problems.push(
          `AAD_APP_CREDENTIAL: must be one of ${CREDENTIAL_KINDS.join(', ')} (got "${credentialChoice}")`,
        );
      }
    } else if (clientSecret !== undefined && certificatePath !== undefined) {
      problems.push(
        'AAD_APP_CREDENTIAL: both a client secret and AAD_APP_CERTIFICATE_PATH are set; choose one with AAD_APP_CREDENTIAL',
      );
    } else if (certificatePath !== undefined) {
      kind = 'certificate';
    } else {
      kind = 'secret';
    }
    let credential: TenantCredential = { kind: 'managedIdentity', clientId };
    if (kind === 'secret') {
      if (clientId === undefined)
        problems.push('AAD_APP_CLIENT_ID: required when TENANT_MODE=live with a client secret');
      if (clientSecret === undefined) {
        problems.push(
          'AAD_APP_CLIENT_SECRET: required when TENANT_MODE=live (or set SECRET_AAD_APP_CLIENT_SECRET, AAD_APP_CERTIFICATE_PATH, or AAD_APP_CREDENTIAL=managedIdentity)',
        );
      }
      credential = { kind, clientId: clientId ?? '', clientSecret: clientSecret ?? '' };
    } else if (kind === 'certificate') {
      if (clientId === undefined)
        problems.push('AAD_APP_CLIENT_ID: required when TENANT_MODE=live with a certificate');
      if (certificatePath === undefined)
        problems.push('AAD_APP_CERTIFICATE_PATH: required with AAD_APP_CREDENTIAL=certificate');
      credential = { kind, clientId: clientId ?? '', certificatePath: certificatePath ?? '' };
    }
    tenant = {
      mode: 'live',
      tenantId: aadTenantId ?? '',
      credential,
      authorityHost,
      graphEndpoint,
      exchangeEndpoint,
    };
  }

  // --- Storage ---------------------------------------------------------------------------------
  const storageKind = oneOf('STORAGE', STORAGE_KINDS, 'sqlite');
  let storage: StorageSettings;
  if (storageKind === 'azure') {
    const connectionString = read('AZURE_STORAGE_CONNECTION_STRING');
    if (connectionString === undefined)
      problems.push('AZURE_STORAGE_CONNECTION_STRING: required when STORAGE=azure');
    const container = read('AZURE_STORAGE_CONTAINER') ?? 'service-account-bot';
    if (!/^(?!.*--)[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/.test(container)) {
      problems.push(
        `AZURE_STORAGE_CONTAINER: 3–63 lower-case letters, digits and single hyphens, starting and ending with a letter or digit (got "${container}")`,
      );
    }
    storage = { kind: 'azure', connectionString: connectionString ?? '', container };
  } else {
    storage = { kind: 'sqlite', dataDir: read('DATA_DIR') ?? './data' };
  }

  const allowedTenantIds = (read('ALLOWED_TENANT_IDS') ?? '')
    .split(',')
    .map((t) => t.trim().toLowerCase())
    .filter((t) => t !== '');
  const badTenants = allowedTenantIds.filter((t) => !GUID.test(t));
  if (badTenants.length > 0) {
    problems.push(`ALLOWED_TENANT_IDS: each entry must be a tenant GUID (got "${badTenants.join('", "')}")`);
  }
  const requesterGroupId = read('REQUESTER_GROUP_ID')?.toLowerCase();
  if (requesterGroupId !== undefined && !GUID.test(requesterGroupId)) {
    problems.push(`REQUESTER_GROUP_ID: must be the group's object id, a GUID (got "${requesterGroupId}")`);
  }

  const approverGroupId = read('APPROVER_GROUP_ID')?.toLowerCase();
  if (approverGroupId !== undefined && !GUID.test(approverGroupId)) {
    problems.push(`APPROVER_GROUP_ID: must be the group's object id, a GUID (got "${approverGroupId}")`);
  }
  const approvalsChannelId = read('APPROVALS_CHANNEL_ID');
  if (approvalsChannelId !== undefined && !/^19:[^\s/]+@thread\.[a-z0-9]+$/i.test(approvalsChannelId)) {
    problems.push(
      `APPROVALS_CHANNEL_ID: must be a Teams channel id such as 19:…@thread.tacv2 (got "${approvalsChannelId}")`,
    );
  }

  const dataDir = read('DATA_DIR') ?? './data';
  const dataEncryptionKey = read('DATA_ENCRYPTION_KEY') ?? read('SECRET_DATA_ENCRYPTION_KEY');
  if (
    dataEncryptionKey !== undefined &&
    (!/^[A-Za-z0-9+/]+={0,2}$/.test(dataEncryptionKey) ||
      Buffer.from(dataEncryptionKey, 'base64').length !== 32)
  ) {
    problems.push('DATA_ENCRYPTION_KEY: must be the base64 of exactly 32 bytes (openssl rand -base64 32)');
  }

  const simulated = tenantMode === 'simulated';
  const replication = {
    settleMs: number('REPLICATION_SETTLE_MINUTES', simulated ? 0.25 : 30, 0, 24 * 60, false) * 60_000,
    pollMs: Math.max(100, number('REPLICATION_POLL_SECONDS', simulated ? 5 : 60, 0.1, 3_600, false) * 1000),
    timeoutMs: number('REPLICATION_TIMEOUT_MINUTES', 120, 0.01, 7 * 24 * 60, false) * 60_000,
    confirmations: 2,
  };
  const passwordRevealMs = number('PASSWORD_REVEAL_MINUTES', 15, 0.1, 24 * 60, false) * 60_000;
  const jobLeaseMs = number('JOB_LEASE_SECONDS', 60, 0.5, 3_600, false) * 1000;
  const keyVaultRaw = read('KEY_VAULT_URL');
  const secretExpiryMs = number('KEY_VAULT_SECRET_EXPIRY_DAYS', 7, 0.01, 365, false) * 86_400_000;
  let keyVault: Config['keyVault'];
  if (keyVaultRaw === 'simulator') {
    if (!simulated) problems.push('KEY_VAULT_URL: "simulator" is only possible with TENANT_MODE=simulated');
    keyVault = { url: 'simulator', secretExpiryMs };
  } else if (keyVaultRaw !== undefined) {
    keyVault = { url: url('KEY_VAULT_URL', keyVaultRaw), secretExpiryMs };
  }

  // --- Downgrade ------------------------------------------------------------------------------
  const downgradeRaw = read('DOWNGRADE_ROLE') ?? 'ServiceSupportAdministrator';
  const named = Object.entries(DOWNGRADE_ROLES).find(
    ([name]) => name.toLowerCase() === downgradeRaw.toLowerCase(),
  );
  const downgradeRoleId = named?.[1] ?? downgradeRaw.toLowerCase();
  if (named === undefined && !GUID.test(downgradeRaw)) {
    problems.push(
      `DOWNGRADE_ROLE: must be ${Object.keys(DOWNGRADE_ROLES).join(', ')} or a role template id (got "${downgradeRaw}")`,
    );
  } else if (downgradeRoleId === GLOBAL_ADMINISTRATOR_TEMPLATE_ID) {
    problems.push('DOWNGRADE_ROLE: must be a role other than Global Administrator');
  }

  if (problems.length > 0) throw new ConfigError(problems);
  return {
    version: packageJson.version,
    port,
    host,
    bot,
    teamsAppId: read('TEAMS_APP_ID'),
    tenant,
    storage,
    dataDir,
    dataEncryptionKey,
    logLevel,
    shutdownGraceMs,
    downgradeRoleId,
    approvalExpiryMs,
    replication,
    passwordRevealMs,
    jobLeaseMs,
    keyVault,
    requesterGroupId,
    approvalReminderMs,
    approvalsChannelId,
    approverGroupId,
    allowedTenantIds,
  };
}

/**
 * The environment for a child process this product starts (the Agents Playground in `npm run dev`):
 * the current environment plus `overrides`.
 */
export function childProcessEnvironment(overrides: Env): Record<string, string> {
  const merged: Record<string, string> = {};
  for (const [key, value] of Object.entries({ ...process.env, ...overrides })) {
    if (value !== undefined) merged[key] = value;
  }
  return merged;
}

/** Runtime facts the tools read from the environment, kept here with the rest of the reading. */
export function isContinuousIntegration(env: Env = process.env): boolean {
  return env.CI === 'true' || env.CI === '1';
}
