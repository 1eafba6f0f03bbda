/**
 * Every setting, documented: its name, what it means and its default. The README's settings table
 * lists exactly these (test/readme.test.ts).
 */
import { AGENTS_PLAYGROUND_TENANT_ID } from '../simulator/scenarios';

/** One documented setting. The README's settings table lists exactly these. */
export interface SettingDoc {
  name: string;
  meaning: string;
  default: string;
}

export const SETTINGS: readonly SettingDoc[] = [
  {
    name: 'PORT',
    meaning: 'HTTP port of the bot endpoint (`/api/messages`, `/healthz`, `/readyz`); 0 picks a free port.',
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
    meaning:
      '`sqlite` (everything in one file under `DATA_DIR`, one instance) or `azure` (records in an Azure Blob container and jobs in an Azure Table of one storage account, shared by several instances).',
    default: 'sqlite',
  },
  {
    name: 'DATA_DIR',
    meaning:
      'Folder for the SQLite database (bot state, requests, audit, jobs), with `TENANT_MODE=simulated` the simulated tenant `simulated-tenant.json`, and without `DATA_ENCRYPTION_KEY` the key file `encryption.key`: beside the database, so a copy of this folder opens the sealed password (a local or single-machine trial only). Delete the folder to start over. Not used with `STORAGE=azure`.',
    default: './data',
  },
  {
    name: 'DATA_ENCRYPTION_KEY',
    meaning:
      'Base64 of 32 random bytes (`openssl rand -base64 32`) that encrypts the service account’s password at rest until it is handed over; read from `SECRET_DATA_ENCRYPTION_KEY` when unset. The production choice: kept in Azure Key Vault and given as a Key Vault reference in the app settings. Required with `STORAGE=azure`. Unset with `STORAGE=sqlite` = a key file made once in `DATA_DIR` (mode 0600), for a local or single-machine trial: with `BOT_ID` set, the bot warns at start-up that the key sits beside the database.',
    default: '(key file)',
  },
  {
    name: 'AZURE_STORAGE_CONNECTION_STRING',
    meaning:
      'With `STORAGE=azure`: connection string of the storage account (its Blob and Table endpoints). Set this or `AZURE_STORAGE_ACCOUNT_URL`.',
    default: '(unset)',
  },
  {
    name: 'AZURE_STORAGE_ACCOUNT_URL',
    meaning:
      'With `STORAGE=azure`: the account’s Blob endpoint, e.g. `https://<account>.blob.core.windows.net`, reached with the app’s managed identity (roles Storage Blob Data Contributor and Storage Table Data Contributor). Set this or `AZURE_STORAGE_CONNECTION_STRING`.',
    default: '(unset)',
  },
  {
    name: 'AZURE_STORAGE_TABLE_URL',
    meaning:
      'With `AZURE_STORAGE_ACCOUNT_URL`: the account’s Table endpoint. Unset = the Blob endpoint with `.blob.` changed to `.table.`.',
    default: '(from the Blob endpoint)',
  },
  {
    name: 'AZURE_CLIENT_ID',
    meaning:
      'With `AZURE_STORAGE_ACCOUNT_URL`: client id of the user-assigned managed identity that reaches storage. Unset = the system-assigned identity.',
    default: '(unset)',
  },
  {
    name: 'AZURE_STORAGE_CONTAINER',
    meaning: 'With `STORAGE=azure`: the Blob container for bot state and records (made if missing).',
    default: 'service-account-bot',
  },
  {
    name: 'AZURE_STORAGE_TABLE',
    meaning: 'With `STORAGE=azure`: the Table for jobs (made if missing).',
    default: 'serviceaccountbotjobs',
  },
  {
    name: 'GA_REMINDER_HOURS',
    meaning:
      'Hours after the account is ready when the requester is reminded, once, that it is still a Global Administrator and can be downgraded. 0 = no reminder.',
    default: '24',
  },
  {
    name: 'AUTO_DOWNGRADE_HOURS',
    meaning:
      'Hours after the account is ready when the bot lowers it to `DOWNGRADE_ROLE` by itself if it is still a Global Administrator (audited; both admins are told). Unset = only when an admin presses Downgrade role.',
    default: '(unset)',
  },
  {
    name: 'HEALTH_CHECK_HOURS',
    meaning:
      'Hours between two health checks of each ready account (sign-in, password policy, MFA, domain, licence and mailbox, Reviewer, role group or the app’s roles, its role); the owners get a card when something breaks sync.',
    default: '24',
  },
  {
    name: 'GA_HEALTH_FLAG_HOURS',
    meaning:
      'Hours after the account is ready when the health watch reports it as a problem that it is still a Global Administrator. 0 = never.',
    default: '168',
  },
  {
    name: 'LOG_LEVEL',
    meaning:
      '`debug`, `info`, `warn`, `error` or `silent`. `debug` adds a line per Graph, Exchange and Teams round trip and per job claimed and finished (see "Security", Logs).',
    default: 'info',
  },
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
    name: 'APPLICATIONINSIGHTS_CONNECTION_STRING',
    meaning:
      'Connection string of an Application Insights resource. When set, the bot sends it traces (each Teams request, each background job, each Graph and Exchange call), metrics (jobs due, running and failed; approvals pending; throttling) and adds trace ids to its log lines — never message text, card contents, job data or secrets. Unset = nothing is sent.',
    default: '(unset: no telemetry)',
  },
  {
    name: 'SHUTDOWN_GRACE_SECONDS',
    meaning: 'On SIGTERM/SIGINT, how long to wait for turns in flight before closing.',
    default: '10',
  },
];
