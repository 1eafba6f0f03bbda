import fs from 'node:fs';
import path from 'node:path';
import {
  ConfigError,
  DOWNGRADE_ROLES,
  loadConfig,
  prepareTelemetryEnvironment,
  SETTINGS,
} from '../src/config';
import { ROLE } from '../src/domain/wellKnown';
import { AGENTS_PLAYGROUND_TENANT_ID } from '../src/simulator/scenarios';

const GUID_A = '11111111-2222-3333-4444-555555555555';
const GUID_B = '66666666-7777-8888-9999-000000000000';

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return [...error.problems];
    throw error;
  }
  throw new Error('expected loadConfig to refuse the configuration');
}

describe('loadConfig', () => {
  it('when nothing is set, then it runs the embedded default: local mode, simulated tenant, SQLite in ./data', () => {
    const config = loadConfig({});
    expect(config.port).toBe(3978);
    expect(config.host).toBe('127.0.0.1');
    expect(config.bot).toEqual({ mode: 'local' });
    expect(config.tenant).toEqual({
      mode: 'simulated',
      tenantId: AGENTS_PLAYGROUND_TENANT_ID,
      scenario: 'classic',
      replicationMs: 60_000,
    });
    expect(config.storage).toEqual({ kind: 'sqlite', dataDir: './data' });
    expect(config.dataDir).toBe('./data');
    expect(config.dataEncryptionKey).toBeUndefined();
    expect(config.replication).toEqual({
      settleMs: 15_000,
      pollMs: 5_000,
      timeoutMs: 7_200_000,
      confirmations: 2,
    });
    expect(config.approvalReminderMs).toBe(4 * 3_600_000);
    expect(config.passwordRevealMs).toBe(15 * 60_000);
    expect(config.approvalsChannelId).toBeUndefined();
    expect(config.logLevel).toBe('info');
    expect(config.version).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('when APPLICATIONINSIGHTS_CONNECTION_STRING is unset, then there is no telemetry; set, it is taken; malformed, it is refused', () => {
    expect(loadConfig({}).telemetryConnectionString).toBeUndefined();
    const connection = `InstrumentationKey=${GUID_A};IngestionEndpoint=https://westeurope-5.in.applicationinsights.azure.com/`;
    expect(loadConfig({ APPLICATIONINSIGHTS_CONNECTION_STRING: connection }).telemetryConnectionString).toBe(
      connection,
    );
    expect(problemsOf({ APPLICATIONINSIGHTS_CONNECTION_STRING: 'not-a-connection-string' })).toEqual([
      expect.stringMatching(
        /^APPLICATIONINSIGHTS_CONNECTION_STRING: must be an Application Insights connection string/,
      ),
    ]);
  });

  it('when telemetry is prepared, then the library gets the service name (unless one is set) and no usage reports to Microsoft', () => {
    const env: Record<string, string | undefined> = {};
    prepareTelemetryEnvironment(env);
    expect(env).toEqual({
      OTEL_SERVICE_NAME: 'service-account-bot',
      APPLICATION_INSIGHTS_NO_STATSBEAT: 'true',
    });
    const named: Record<string, string | undefined> = { OTEL_SERVICE_NAME: 'sab-prod' };
    prepareTelemetryEnvironment(named);
    expect(named.OTEL_SERVICE_NAME).toBe('sab-prod');
  });

  it('when AAD_APP_TENANT_ID is set in simulated mode, then the simulated tenant takes that id', () => {
    const config = loadConfig({ AAD_APP_TENANT_ID: GUID_A });
    expect(config.tenant).toMatchObject({ mode: 'simulated', tenantId: GUID_A });
  });

  it('when BOT_ID is set without BIND_ADDRESS, then it listens on every interface', () => {
    const config = loadConfig({ BOT_ID: GUID_A, BOT_PASSWORD: 'pw', BOT_TENANT_ID: GUID_B });
    expect(config.host).toBe('0.0.0.0');
  });

  it('when there is no BOT_ID, then BIND_ADDRESS cannot widen the listener beyond loopback', () => {
    expect(loadConfig({ BIND_ADDRESS: '0.0.0.0' }).host).toBe('127.0.0.1');
  });

  it.each([
    [{ BOT_ID: GUID_A, BOT_TYPE: 'MultiTenant' }, ['BOT_PASSWORD']],
    [{ BOT_ID: GUID_A, BOT_TYPE: 'SingleTenant' }, ['BOT_PASSWORD', 'BOT_TENANT_ID']],
    [{ BOT_ID: GUID_A }, ['BOT_PASSWORD', 'BOT_TENANT_ID']],
    [{ BOT_ID: GUID_A, BOT_TYPE: 'UserAssignedMsi' }, ['BOT_TENANT_ID']],
    [{ BOT_ID: 'not-a-guid', BOT_PASSWORD: 'x', BOT_TENANT_ID: GUID_B }, ['BOT_ID']],
    [{ BOT_PASSWORD: 'x' }, ['BOT_ID']],
  ])('when the bot registration is %j, then it names %j', (env, names) => {
    const problems = problemsOf(env);
    expect(problems.map((p) => p.split(':')[0]).sort()).toEqual([...names].sort());
  });

  it('when the bot password comes as SECRET_BOT_PASSWORD, then it is used', () => {
    const config = loadConfig({ BOT_ID: GUID_A, SECRET_BOT_PASSWORD: 's3cret', BOT_TENANT_ID: GUID_B });
    expect(config.bot).toEqual({
      mode: 'authenticated',
      appId: GUID_A,
      appType: 'SingleTenant',
      tenantId: GUID_B,
      password: 's3cret',
    });
  });

  it.each([
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['PORT', '-1'],
    ['PORT', '80.5'],
    ['BOT_TYPE', 'Tenantless'],
    ['TENANT_MODE', 'production'],
    ['STORAGE', 'postgres'],
    ['LOG_LEVEL', 'verbose'],
    ['SIMULATOR_SCENARIO', 'moon'],
    ['GRAPH_ENDPOINT', 'not a url'],
    ['GRAPH_ENDPOINT', 'http://graph.example.com'],
    ['EXCHANGE_ENDPOINT', 'ftp://outlook.office365.com'],
    ['AAD_APP_OAUTH_AUTHORITY_HOST', 'https://login.example.com/?x=1'],
    ['AAD_APP_TENANT_ID', 'not a tenant'],
    ['BOT_TENANT_ID', '123'],
    ['SHUTDOWN_GRACE_SECONDS', 'soon'],
    ['REQUESTER_GROUP_ID', 'CiraSync admins'],
    ['ALLOWED_TENANT_IDS', '11111111-2222-3333-4444-555555555555, partner.com'],
    ['APPROVAL_EXPIRY_HOURS', '0'],
    ['APPROVAL_REMINDER_HOURS', '24'],
    ['APPROVAL_REMINDER_HOURS', '-1'],
    ['APPROVALS_CHANNEL_ID', 'General'],
    ['APPROVER_GROUP_ID', 'approvers'],
    ['REPLICATION_SETTLE_MINUTES', 'half an hour'],
    ['REPLICATION_POLL_SECONDS', '0'],
    ['REPLICATION_TIMEOUT_MINUTES', '0'],
    ['PASSWORD_REVEAL_MINUTES', '0'],
    ['SIMULATOR_REPLICATION_SECONDS', 'fast'],
    ['DATA_ENCRYPTION_KEY', 'c2hvcnQ='],
    ['DOWNGRADE_ROLE', 'Janitor'],
    ['DOWNGRADE_ROLE', '62e90394-69f5-4237-9190-012177145e10'],
  ])('when %s is "%s", then the error names that setting', (name, value) => {
    const problems = problemsOf({ [name]: value });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(new RegExp(`^${name}: `));
  });

  it('when the replication settings are decimals, then they are taken as such; live defaults are minutes', () => {
    const config = loadConfig({
      REPLICATION_SETTLE_MINUTES: '0',
      REPLICATION_POLL_SECONDS: '0.5',
      REPLICATION_TIMEOUT_MINUTES: '1.5',
    });
    expect(config.replication).toMatchObject({ settleMs: 0, pollMs: 500, timeoutMs: 90_000 });
    const live = loadConfig({
      TENANT_MODE: 'live',
      AAD_APP_TENANT_ID: GUID_A,
      AAD_APP_CLIENT_ID: GUID_B,
      AAD_APP_CLIENT_SECRET: 's',
    });
    expect(live.replication).toMatchObject({ settleMs: 30 * 60_000, pollMs: 60_000 });
  });

  it('when DATA_ENCRYPTION_KEY is 32 bytes of base64 (or comes as SECRET_), then it is used and never echoed in errors', () => {
    const key = Buffer.alloc(32, 7).toString('base64');
    expect(loadConfig({ DATA_ENCRYPTION_KEY: key }).dataEncryptionKey).toBe(key);
    expect(loadConfig({ SECRET_DATA_ENCRYPTION_KEY: key }).dataEncryptionKey).toBe(key);
    const short = Buffer.alloc(16, 9).toString('base64');
    expect(problemsOf({ DATA_ENCRYPTION_KEY: short }).join('\n')).not.toContain(short);
  });

  it('when several settings are wrong, then one error lists every one of them', () => {
    let error: unknown;
    try {
      loadConfig({ PORT: 'x', STORAGE: 'azure', TENANT_MODE: 'live', LOG_LEVEL: 'loud', BOT_ID: GUID_A });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    for (const name of [
      'PORT',
      'AZURE_STORAGE_CONNECTION_STRING',
      'AAD_APP_TENANT_ID',
      'AAD_APP_CLIENT_SECRET',
      'LOG_LEVEL',
      'BOT_PASSWORD',
      'BOT_TENANT_ID',
    ]) {
      expect(message).toContain(`${name}:`);
    }
    expect(message).toMatch(/^Invalid configuration \(\d+ problems\)/);
  });

  it('when a tenant credential is set, then the tenant mode defaults to live and needs the rest', () => {
    const problems = problemsOf({ AAD_APP_CLIENT_ID: GUID_A });
    expect(problems.map((p) => p.split(':')[0]).sort()).toEqual([
      'AAD_APP_CLIENT_SECRET',
      'AAD_APP_TENANT_ID',
    ]);
  });

  it('when a live tenant uses a client secret from SECRET_AAD_APP_CLIENT_SECRET, then the credential is a secret', () => {
    const config = loadConfig({
      AAD_APP_TENANT_ID: 'contoso.onmicrosoft.com',
      AAD_APP_CLIENT_ID: GUID_A,
      SECRET_AAD_APP_CLIENT_SECRET: 'app-secret',
      GRAPH_ENDPOINT: 'https://graph.microsoft.us/',
    });
    expect(config.tenant).toEqual({
      mode: 'live',
      tenantId: 'contoso.onmicrosoft.com',
      credential: { kind: 'secret', clientId: GUID_A, clientSecret: 'app-secret' },
      authorityHost: 'https://login.microsoftonline.com',
      graphEndpoint: 'https://graph.microsoft.us',
      exchangeEndpoint: 'https://outlook.office365.com',
    });
  });

  it('when a certificate path is set, then the credential is a certificate', () => {
    const config = loadConfig({
      AAD_APP_TENANT_ID: GUID_B,
      AAD_APP_CLIENT_ID: GUID_A,
      AAD_APP_CERTIFICATE_PATH: '/etc/bot/app.pem',
    });
    expect(config.tenant).toMatchObject({
      credential: { kind: 'certificate', clientId: GUID_A, certificatePath: '/etc/bot/app.pem' },
    });
  });

  it('when both a secret and a certificate are set without a choice, then it asks for AAD_APP_CREDENTIAL', () => {
    const problems = problemsOf({
      AAD_APP_TENANT_ID: GUID_B,
      AAD_APP_CLIENT_ID: GUID_A,
      AAD_APP_CLIENT_SECRET: 'x',
      AAD_APP_CERTIFICATE_PATH: '/a.pem',
    });
    expect(problems).toEqual([expect.stringMatching(/^AAD_APP_CREDENTIAL: /)]);
  });

  it('when managed identity is chosen, then no secret is needed and the client id selects a user-assigned identity', () => {
    expect(
      loadConfig({ AAD_APP_TENANT_ID: GUID_B, AAD_APP_CREDENTIAL: 'managedIdentity' }).tenant,
    ).toMatchObject({
      mode: 'live',
      credential: { kind: 'managedIdentity', clientId: undefined },
    });
    expect(
      loadConfig({
        AAD_APP_TENANT_ID: GUID_B,
        AAD_APP_CREDENTIAL: 'managedidentity',
        AAD_APP_CLIENT_ID: GUID_A,
      }).tenant,
    ).toMatchObject({ credential: { kind: 'managedIdentity', clientId: GUID_A } });
  });

  it('when the simulator runs on loopback over http, then that endpoint is accepted', () => {
    const config = loadConfig({
      TENANT_MODE: 'live',
      AAD_APP_TENANT_ID: GUID_B,
      AAD_APP_CLIENT_ID: GUID_A,
      AAD_APP_CLIENT_SECRET: 'x',
      GRAPH_ENDPOINT: 'http://127.0.0.1:5300',
      EXCHANGE_ENDPOINT: 'http://localhost:5300',
    });
    expect(config.tenant).toMatchObject({
      graphEndpoint: 'http://127.0.0.1:5300',
      exchangeEndpoint: 'http://localhost:5300',
    });
  });

  it('when STORAGE=azure with a connection string, then it, the container and the table are taken, with the key from the settings', () => {
    const key = Buffer.alloc(32, 7).toString('base64');
    expect(
      loadConfig({
        STORAGE: 'azure',
        AZURE_STORAGE_CONNECTION_STRING: 'UseDevelopmentStorage=true',
        DATA_ENCRYPTION_KEY: key,
      }).storage,
    ).toEqual({
      kind: 'azure',
      access: { kind: 'connectionString', connectionString: 'UseDevelopmentStorage=true' },
      container: 'service-account-bot',
      table: 'serviceaccountbotjobs',
    });
    expect(
      problemsOf({
        STORAGE: 'azure',
        AZURE_STORAGE_CONNECTION_STRING: 'x',
        AZURE_STORAGE_CONTAINER: 'Bad_Name',
        AZURE_STORAGE_TABLE: '9jobs',
        DATA_ENCRYPTION_KEY: key,
      }),
    ).toEqual([
      expect.stringMatching(/^AZURE_STORAGE_CONTAINER: /),
      expect.stringMatching(/^AZURE_STORAGE_TABLE: /),
    ]);
  });

  it('when STORAGE=azure has no DATA_ENCRYPTION_KEY, then it is refused: a key file would differ per instance', () => {
    expect(
      problemsOf({ STORAGE: 'azure', AZURE_STORAGE_CONNECTION_STRING: 'UseDevelopmentStorage=true' }),
    ).toEqual([expect.stringMatching(/^DATA_ENCRYPTION_KEY: required when STORAGE=azure.*key file/)]);
    expect(
      loadConfig({
        STORAGE: 'azure',
        AZURE_STORAGE_CONNECTION_STRING: 'UseDevelopmentStorage=true',
        SECRET_DATA_ENCRYPTION_KEY: Buffer.alloc(32, 1).toString('base64'),
      }).dataEncryptionKey,
    ).toBe(Buffer.alloc(32, 1).toString('base64'));
  });

  it('when STORAGE=azure names the account by URL, then the managed identity reaches it and the table endpoint follows the blob one', () => {
    const key = Buffer.alloc(32, 7).toString('base64');
    expect(
      loadConfig({
        STORAGE: 'azure',
        AZURE_STORAGE_ACCOUNT_URL: 'https://contosobot.blob.core.windows.net/',
        AZURE_CLIENT_ID: '11111111-2222-3333-4444-555555555555',
        DATA_ENCRYPTION_KEY: key,
      }).storage,
    ).toMatchObject({
      access: {
        kind: 'managedIdentity',
        blobUrl: 'https://contosobot.blob.core.windows.net',
        tableUrl: 'https://contosobot.table.core.windows.net',
        clientId: '11111111-2222-3333-4444-555555555555',
      },
    });
    expect(
      problemsOf({
        STORAGE: 'azure',
        AZURE_STORAGE_ACCOUNT_URL: 'http://127.0.0.1:10000/devstoreaccount1',
        DATA_ENCRYPTION_KEY: key,
      }),
    ).toEqual([expect.stringMatching(/^AZURE_STORAGE_TABLE_URL: required/)]);
    expect(problemsOf({ STORAGE: 'azure', DATA_ENCRYPTION_KEY: key })).toEqual([
      expect.stringMatching(
        /^AZURE_STORAGE_CONNECTION_STRING: required when STORAGE=azure \(or set AZURE_STORAGE_ACCOUNT_URL/,
      ),
    ]);
    expect(
      problemsOf({
        STORAGE: 'azure',
        AZURE_STORAGE_CONNECTION_STRING: 'x',
        AZURE_STORAGE_ACCOUNT_URL: 'https://a.blob.core.windows.net',
        DATA_ENCRYPTION_KEY: key,
      }),
    ).toEqual([expect.stringMatching(/not both/)]);
    expect(
      problemsOf({
        STORAGE: 'azure',
        AZURE_STORAGE_ACCOUNT_URL: 'http://contoso.blob.core.windows.net',
        DATA_ENCRYPTION_KEY: key,
      }),
    ).toEqual(expect.arrayContaining([expect.stringMatching(/^AZURE_STORAGE_ACCOUNT_URL: must use https/)]));
  });

  it('when GA_REMINDER_HOURS and AUTO_DOWNGRADE_HOURS are read, then the reminder defaults to 24 hours and the bot never lowers the role on its own unless told', () => {
    expect(loadConfig({})).toMatchObject({ globalAdminReminderMs: 24 * 3_600_000 });
    expect(loadConfig({}).autoDowngradeMs).toBeUndefined();
    expect(loadConfig({ GA_REMINDER_HOURS: '0', AUTO_DOWNGRADE_HOURS: '72' })).toMatchObject({
      globalAdminReminderMs: 0,
      autoDowngradeMs: 72 * 3_600_000,
    });
    expect(problemsOf({ AUTO_DOWNGRADE_HOURS: '0' })).toEqual([
      expect.stringMatching(/^AUTO_DOWNGRADE_HOURS: /),
    ]);
    expect(problemsOf({ GA_REMINDER_HOURS: 'soon' })).toEqual([
      expect.stringMatching(/^GA_REMINDER_HOURS: /),
    ]);
  });

  it('when DOWNGRADE_ROLE names a role, then its template id is used; the default is Service Support Administrator', () => {
    expect(loadConfig({}).downgradeRoleId).toBe('f023fd81-a637-4b56-95fd-791ac0226033');
    expect(loadConfig({ DOWNGRADE_ROLE: 'exchangeadministrator' }).downgradeRoleId).toBe(
      '29232cdf-9323-42fd-ade2-1d097af3e4de',
    );
    expect(loadConfig({ DOWNGRADE_ROLE: 'FE930BE7-5E62-47DB-91AF-98C3A49A38B1' }).downgradeRoleId).toBe(
      'fe930be7-5e62-47db-91af-98c3a49a38b1',
    );
  });

  it('when the named downgrade roles are compared with the domain’s role ids, then they agree', () => {
    expect(DOWNGRADE_ROLES).toEqual({
      ServiceSupportAdministrator: ROLE.serviceSupportAdministrator,
      ExchangeAdministrator: ROLE.exchangeAdministrator,
    });
  });

  it('when a secret is present in a refused configuration, then the error never shows it', () => {
    let message = '';
    try {
      loadConfig({
        BOT_ID: 'bad',
        BOT_PASSWORD: 'hunter2-bot',
        AAD_APP_CLIENT_SECRET: 'hunter2-app',
        PORT: 'x',
      });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('PORT');
    expect(message).not.toContain('hunter2');
  });

  it('when the source reads a setting, then that setting is documented in SETTINGS', () => {
    const folder = path.join(__dirname, '..', 'src', 'config');
    const source = fs
      .readdirSync(folder)
      .filter((file) => file.endsWith('.ts'))
      .map((file) => fs.readFileSync(path.join(folder, file), 'utf8'))
      .join('\n');
    const read = new Set([...source.matchAll(/(?:read|oneOf|number|url)\('([A-Z_]+)'/g)].map((m) => m[1]));
    const documented = new Set(SETTINGS.map((s) => s.name));
    const undocumented = [...read].filter((name) => !documented.has(name) && !name.startsWith('SECRET_'));
    expect(read.size).toBeGreaterThan(15);
    expect(undocumented).toEqual([]);
  });
});
