/**
 * The tenant the bot connects to, from configuration: the embedded simulator by default, and a live
 * tenant through the real @azure/identity credentials (here: the simulator over HTTPS standing in
 * for Entra ID, Graph and Exchange Online).
 */
import { createLiveCredential, SimulatorCredential } from '../../src/adapters/credentials';
import { ROLE } from '../../src/domain/wellKnown';
import { createTenantPorts } from '../../src/adapters/tenantConnection';
import { createLogger } from '../../src/logger';
import { loadConfig } from '../../src/config';
import { systemClock } from '../../src/domain/ports';
import { runPreflight } from '../../src/domain/preflight';
import { provisionAccount } from '../../src/domain/provisionAccount';
import { openTenant } from '../../src/runtime/tenant';
import { startTenantSimulator, type TenantSimulator } from '../../src/simulator';
import { assertTestCaTrusted, tls } from '../simulator/tlsFixtures';
import { startTestBot } from '../support/botHarness';
import { FAST_RETRY, spec } from '../support/tenantHarness';

const TENANT = '3d9f1b7e-6a2c-4e8d-9f0a-5b4c3d2e1f00';
const APP = '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d';
const SECRET = 'live-like~secret-value-1234567890';

describe('the embedded default tenant', () => {
  it.each([
    ['classic', []],
    ['current', ['impersonationRetired']],
    ['mfa-enforced', ['securityDefaultsOn']],
  ])(
    'when the bot starts with SIMULATOR_SCENARIO=%s, then its pre-flight reads that simulated tenant',
    async (scenario, blockers) => {
      const running = await startTestBot({ settings: { SIMULATOR_SCENARIO: scenario }, known: [] });
      try {
        const { tenant } = running.bot;
        expect(tenant.simulator?.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
        const report = await runPreflight(tenant);
        expect(report.blockers.map((b) => b.code)).toEqual(blockers);
        expect(report.managedDomains).toContain('contoso.com');
      } finally {
        await running.close();
      }
    },
  );
});

describe('paging over the simulator on plain HTTP', () => {
  it('when a collection spans several pages, then every page is read through the configured endpoint', async () => {
    const sim = await startTenantSimulator({ tenantId: TENANT, scenario: 'classic', pageSize: 2 });
    try {
      const credential = new SimulatorCredential(
        sim.authorityHost,
        TENANT,
        sim.clientCredential.clientId,
        sim.clientCredential.clientSecret,
      );
      const ports = createTenantPorts(
        {
          tenantId: TENANT,
          graphEndpoint: sim.graphEndpoint,
          exchangeEndpoint: sim.exchangeEndpoint,
          credential,
        },
        { ...FAST_RETRY, clock: systemClock },
      );
      // Three more Global Administrators than one page holds.
      const seeded = sim.state();
      const others = seeded.users.filter(
        (user) =>
          !seeded.roleAssignments.some(
            (a) => a.principalId === user.id && a.roleDefinitionId === ROLE.globalAdministrator,
          ),
      );
      for (const user of others.slice(0, 3)) sim.change.addDirectoryRole(user.id, ROLE.globalAdministrator);
      const holders = new Set(
        sim
          .state()
          .roleAssignments.filter((a) => a.roleDefinitionId === ROLE.globalAdministrator)
          .map((a) => a.principalId),
      );
      expect(holders.size).toBeGreaterThanOrEqual(5);
      const overview = await ports.directory.readOverview();
      expect(new Set(overview.globalAdminPrincipalIds)).toEqual(holders);
      const pages = sim.calls().filter((call) => call.method === 'GET' && /roleAssignments/i.test(call.path));
      expect(pages.length).toBeGreaterThanOrEqual(3);
    } finally {
      await sim.close();
    }
  });
});

describe('a live tenant through the real credentials (simulator over HTTPS)', () => {
  let sim: TenantSimulator;

  beforeAll(async () => {
    assertTestCaTrusted();
    sim = await startTenantSimulator({
      tenantId: TENANT,
      scenario: 'classic',
      https: { key: tls.key, cert: tls.cert },
      delays: { exchangeRecipientMs: 100, mailboxMs: 150, replicationMs: 100 },
    });
    sim.registerClient({ clientId: APP, secret: SECRET });
    sim.registerClient({
      clientId: '2b3c4d5e-6f70-4812-9a3b-4c5d6e7f8091',
      certificatePem: tls.clientCertificate,
    });
  });
  afterAll(async () => sim?.close());

  function liveConfig(credential: Record<string, string>) {
    return loadConfig({
      AAD_APP_TENANT_ID: TENANT,
      AAD_APP_OAUTH_AUTHORITY_HOST: sim.url,
      GRAPH_ENDPOINT: sim.url,
      EXCHANGE_ENDPOINT: sim.url,
      ...credential,
    });
  }

  it.each([
    [
      'a client secret (ClientSecretCredential)',
      { AAD_APP_CLIENT_ID: APP, SECRET_AAD_APP_CLIENT_SECRET: SECRET },
    ],
    [
      'a certificate (ClientCertificateCredential)',
      {
        AAD_APP_CLIENT_ID: '2b3c4d5e-6f70-4812-9a3b-4c5d6e7f8091',
        AAD_APP_CERTIFICATE_PATH: tls.clientPemPath,
      },
    ],
  ])('when configured with %s, then pre-flight and provisioning run end to end', async (_name, settings) => {
    const credential: Record<string, string> = settings;
    sim.resetCalls();
    const config = liveConfig(credential);
    if (config.tenant.mode !== 'live') throw new Error('expected live mode');
    const ports = createTenantPorts(
      {
        tenantId: TENANT,
        graphEndpoint: config.tenant.graphEndpoint,
        exchangeEndpoint: config.tenant.exchangeEndpoint,
        credential: createLiveCredential(config.tenant),
      },
      { ...FAST_RETRY, clock: systemClock },
    );
    const report = await runPreflight(ports);
    expect(report.blockers).toEqual([]);
    const username = credential.AAD_APP_CERTIFICATE_PATH === undefined ? 'svc-secret' : 'svc-cert';
    const progress = await provisionAccount(spec({ username, requestId: username }), {
      ...ports,
      password: 'Kx7#mP2$vQ9!wR4^tY6*zB8',
      patience: { clock: systemClock, timeoutMs: 10_000, initialDelayMs: 25, maxDelayMs: 200 },
    });
    expect(progress.completed).toHaveLength(6);
    const calls = sim.calls().filter((c) => c.api !== 'token');
    expect(calls.every((c) => c.appId === credential.AAD_APP_CLIENT_ID)).toBe(true);
  });

  it('when the tenant is configured by its domain name, then it is resolved to the tenant id at start-up', async () => {
    const config = loadConfig({
      AAD_APP_TENANT_ID: 'contoso.onmicrosoft.com',
      AAD_APP_OAUTH_AUTHORITY_HOST: sim.url,
      GRAPH_ENDPOINT: sim.url,
      EXCHANGE_ENDPOINT: sim.url,
      AAD_APP_CLIENT_ID: APP,
      AAD_APP_CLIENT_SECRET: SECRET,
    });
    const tenant = await openTenant(config, systemClock, createLogger('silent'));
    expect(tenant.tenantId).toBe(TENANT);
    expect(tenant.describe).toBe(`tenant ${TENANT}`);
  });

  it('when the tenant name cannot be resolved, then start-up fails with the reason', async () => {
    const config = loadConfig({
      AAD_APP_TENANT_ID: 'contoso.onmicrosoft.com',
      AAD_APP_OAUTH_AUTHORITY_HOST: sim.url,
      GRAPH_ENDPOINT: sim.url,
      EXCHANGE_ENDPOINT: sim.url,
      AAD_APP_CLIENT_ID: APP,
      AAD_APP_CLIENT_SECRET: SECRET,
    });
    sim.faults.inject({ api: 'graph', pathPattern: /\/organization$/, times: 1, status: 404 });
    await expect(openTenant(config, systemClock, createLogger('silent'))).rejects.toThrow(
      /Could not resolve AAD_APP_TENANT_ID "contoso\.onmicrosoft\.com" to the tenant's id/,
    );
  });

  it('when the secret is wrong, then the Graph call fails as unauthorized without retrying forever', async () => {
    const config = liveConfig({ AAD_APP_CLIENT_ID: APP, AAD_APP_CLIENT_SECRET: 'wrong' });
    if (config.tenant.mode !== 'live') throw new Error('expected live mode');
    const ports = createTenantPorts(
      {
        tenantId: TENANT,
        graphEndpoint: sim.url,
        exchangeEndpoint: sim.url,
        credential: createLiveCredential(config.tenant),
      },
      { ...FAST_RETRY, clock: systemClock },
    );
    await expect(ports.directory.readOverview()).rejects.toThrow(/AADSTS7000215|invalid_client|secret/i);
  });

  it('when the app lacks a permission or holds a broader one, then start-up says which', async () => {
    const limitedApp = '6c5d4e3f-2a1b-4c0d-9e8f-7a6b5c4d3e2f';
    sim.registerClient({
      clientId: limitedApp,
      secret: SECRET,
      graphRoles: [
        'User.ReadWrite.All',
        'RoleManagement.ReadWrite.Directory',
        'Domain.Read.All',
        'Organization.Read.All',
        'UserAuthenticationMethod.Read.All',
        'Application.Read.All',
        'Directory.Read.All',
      ],
      exchangeRoles: ['Exchange.ManageAsApp'],
    });
    const lines: string[] = [];
    const running = await startTestBot({
      settings: {
        AAD_APP_TENANT_ID: TENANT,
        AAD_APP_OAUTH_AUTHORITY_HOST: sim.url,
        GRAPH_ENDPOINT: sim.url,
        EXCHANGE_ENDPOINT: sim.url,
        AAD_APP_CLIENT_ID: limitedApp,
        AAD_APP_CLIENT_SECRET: SECRET,
        LOG_LEVEL: 'info',
      },
      known: [],
      hooks: { logSink: (line) => lines.push(line) },
    });
    try {
      const warning = lines
        .map((l) => JSON.parse(l) as Record<string, unknown>)
        .find((l) => l.msg === 'The app is missing application permissions');
      expect(warning?.missing).toEqual(['Microsoft Graph: Policy.Read.All']);
    } finally {
      await running.close();
    }
  });
});
