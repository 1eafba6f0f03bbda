import { GRAPH_RESOURCE, KEY_VAULT_RESOURCE, type TenantSimulator } from '../../src/simulator';
import { request, startSimulator, tokenFor, type HttpResult } from './simulatorHarness';

const API_VERSION = '2025-07-01';
const PASSWORD = 'Kv7!pR2#mQ9@wL4$zT8%';
const OTHER_APP = { clientId: '3b0f6a52-9d41-4c1e-8f57-2a6d0e9c7b13', clientSecret: 'other~app~secret' };

describe('the simulated Key Vault', () => {
  let sim: TenantSimulator;
  let token: string;

  beforeEach(async () => {
    sim = await startSimulator();
    token = await tokenFor(sim, KEY_VAULT_RESOURCE);
    sim.resetCalls();
  });
  afterEach(async () => {
    await sim.close();
  });

  function vault(
    method: 'GET' | 'PUT',
    path: string,
    options: { token?: string | null; body?: unknown; apiVersion?: string | null } = {},
  ): Promise<HttpResult> {
    const bearer = options.token === undefined ? token : options.token;
    const apiVersion = options.apiVersion === undefined ? API_VERSION : options.apiVersion;
    return request(`${sim.keyVaultUrl}${path}${apiVersion === null ? '' : `?api-version=${apiVersion}`}`, {
      method,
      headers: {
        ...(bearer === null ? {} : { Authorization: `Bearer ${bearer}` }),
        ...(options.body !== undefined ? { 'Content-Type': 'application/json' } : {}),
      },
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
  }

  const inOneDay = (): number => Math.floor(Date.now() / 1000) + 86_400;

  test('when a request carries no token, then it gets 401 with the challenge naming the tenant’s authority and the vault resource', async () => {
    const result = await vault('PUT', '/secrets/sab-alex', { token: null, body: { value: PASSWORD } });
    expect(result.status).toBe(401);
    expect(result.headers.get('www-authenticate')).toBe(
      `Bearer authorization="${sim.authorityHost}/${sim.tenantId}", resource="https://vault.azure.net"`,
    );
    expect(result.body).toEqual({
      error: { code: 'Unauthorized', message: 'Request is missing a Bearer or PoP token.' },
    });
    expect(sim.keyVaultSecrets()).toEqual([]);
    expect(sim.calls()).toEqual([
      expect.objectContaining({
        api: 'keyvault',
        method: 'PUT',
        status: 401,
        mutating: true,
        committed: false,
      }),
    ]);
    expect(sim.roundTrips()).toMatchObject({ keyvault: 1, total: 1 });
  });

  test('when the token endpoint is asked for the vault scope, then the token is for https://vault.azure.net and carries no app roles', async () => {
    const payload = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'));
    expect(payload).toMatchObject({ aud: 'https://vault.azure.net', tid: sim.tenantId, roles: [] });
  });

  test('when the bot sets a secret with an expiry, tags and a content type, then Key Vault answers the SecretBundle of a new version', async () => {
    const exp = inOneDay();
    const result = await vault('PUT', '/secrets/sab-alex-1a2b3c4d', {
      body: {
        value: PASSWORD,
        contentType: 'password',
        attributes: { exp },
        tags: { requestId: '1a2b3c4d-0000-4000-8000-000000000001', createdBy: 'service-account-bot' },
      },
    });
    expect(result.status).toBe(200);
    expect(result.body).toEqual({
      value: PASSWORD,
      contentType: 'password',
      id: expect.stringMatching(new RegExp(`^${sim.keyVaultUrl}/secrets/sab-alex-1a2b3c4d/[0-9a-f]{32}$`)),
      attributes: {
        enabled: true,
        exp,
        created: expect.any(Number),
        updated: expect.any(Number),
        recoveryLevel: 'Recoverable+Purgeable',
        recoverableDays: 90,
      },
      tags: { requestId: '1a2b3c4d-0000-4000-8000-000000000001', createdBy: 'service-account-bot' },
    });
    expect(sim.keyVaultSecrets()).toEqual([
      expect.objectContaining({
        name: 'sab-alex-1a2b3c4d',
        value: PASSWORD,
        exp,
        setBy: sim.clientCredential.clientId,
      }),
    ]);
    const [call] = sim.calls();
    expect(call).toMatchObject({
      api: 'keyvault',
      method: 'PUT',
      path: '/secrets/sab-alex-1a2b3c4d',
      query: `api-version=${API_VERSION}`,
      status: 200,
      mutating: true,
      committed: true,
      appId: sim.clientCredential.clientId,
    });
    expect(JSON.stringify(sim.calls())).not.toContain(PASSWORD);
  });

  test('when a secret is set twice, then each PUT makes a new version, GET answers the latest and a version URL the older one', async () => {
    const first = await vault('PUT', '/secrets/sab-twice', { body: { value: 'first-value' } });
    const second = await vault('PUT', '/secrets/sab-twice', { body: { value: 'second-value' } });
    const firstVersion = String(first.body.id).split('/').pop();
    expect(second.body.id).not.toBe(first.body.id);
    expect(sim.keyVaultSecrets().map((secret) => secret.value)).toEqual(['first-value', 'second-value']);

    const latest = await vault('GET', '/secrets/SAB-TWICE');
    expect(latest.status).toBe(200);
    expect(latest.body).toMatchObject({ value: 'second-value', id: second.body.id });
    const older = await vault('GET', `/secrets/sab-twice/${firstVersion}`);
    expect(older.body).toMatchObject({ value: 'first-value', id: first.body.id });
    expect(sim.mutatingCalls()).toHaveLength(2);
  });

  test.each([
    ['the secret does not exist', '/secrets/sab-nobody', 'sab-nobody'],
    [
      'the version does not exist',
      '/secrets/sab-someone/0123456789abcdef0123456789abcdef',
      'sab-someone/0123456789abcdef0123456789abcdef',
    ],
  ])('when %s, then GET answers 404 SecretNotFound', async (_case, path, named) => {
    await vault('PUT', '/secrets/sab-someone', { body: { value: 'x' } });
    const result = await vault('GET', path);
    expect(result.status).toBe(404);
    expect(result.body.error.code).toBe('SecretNotFound');
    expect(result.body.error.message).toContain(`A secret with (name/id) ${named} was not found`);
  });

  test('when a secret has expired, then GET is refused with 403', async () => {
    await vault('PUT', '/secrets/sab-short', {
      body: { value: 'x', attributes: { exp: Math.floor(Date.now() / 1000) + 60 } },
    });
    sim.advance(120_000);
    const result = await vault('GET', '/secrets/sab-short');
    expect(result.status).toBe(403);
    expect(result.body.error).toEqual({
      code: 'Forbidden',
      message: 'Operation get is not allowed on an expired secret.',
    });
  });

  test.each([
    [
      'a Graph token',
      async (s: TenantSimulator) => tokenFor(s, GRAPH_RESOURCE),
      /^AKV10022: Invalid audience.*found: https:\/\/graph\.microsoft\.com/,
    ],
    ['a token that is not a JWT', async () => 'not-a-token', /malformed/],
    [
      'a token with a forged signature',
      async (s: TenantSimulator) => `${(await tokenFor(s, KEY_VAULT_RESOURCE)).slice(0, -8)}AAAAAAAA`,
      /not signed/,
    ],
  ])(
    'when the bearer is %s, then Key Vault answers 401 with its challenge',
    async (_case, makeToken, message) => {
      const result = await vault('PUT', '/secrets/sab-x', {
        token: await makeToken(sim),
        body: { value: 'x' },
      });
      expect(result.status).toBe(401);
      expect(result.body.error.code).toBe('Unauthorized');
      expect(result.body.error.message).toMatch(message);
      expect(result.headers.get('www-authenticate')).toContain('resource="https://vault.azure.net"');
      expect(sim.keyVaultSecrets()).toEqual([]);
    },
  );

  test('when the token has expired on the simulator clock, then Key Vault answers 401', async () => {
    sim.advance(2 * 3600_000);
    const result = await vault('PUT', '/secrets/sab-late', { body: { value: 'x' } });
    expect(result.status).toBe(401);
    expect(result.body.error.message).toMatch(/expired/);
  });

  test('when an app has no role on the vault, then setting a secret is 403 ForbiddenByRbac naming the setSecret action', async () => {
    sim.registerClient({ clientId: OTHER_APP.clientId, secret: OTHER_APP.clientSecret });
    const other = await tokenFor(sim, KEY_VAULT_RESOURCE, OTHER_APP);
    const result = await vault('PUT', '/secrets/sab-denied', { token: other, body: { value: PASSWORD } });
    expect(result.status).toBe(403);
    expect(result.body.error.code).toBe('Forbidden');
    expect(result.body.error.innererror).toEqual({ code: 'ForbiddenByRbac' });
    expect(result.body.error.message).toContain(`Caller: appid=${OTHER_APP.clientId};`);
    expect(result.body.error.message).toContain(
      "Action: 'Microsoft.KeyVault/vaults/secrets/setSecret/action'",
    );
    expect(result.body.error.message).not.toContain(PASSWORD);
    expect(sim.keyVaultSecrets()).toEqual([]);
    expect(sim.calls()[sim.calls().length - 1]).toMatchObject({ status: 403, committed: false });
  });

  test('when an app is a Key Vault Secrets User, then it may read secrets but not set them; removing the role removes both', async () => {
    sim.registerClient({ clientId: OTHER_APP.clientId, secret: OTHER_APP.clientSecret });
    sim.setKeyVaultRole(OTHER_APP.clientId, 'Key Vault Secrets User');
    const other = await tokenFor(sim, KEY_VAULT_RESOURCE, OTHER_APP);
    await vault('PUT', '/secrets/sab-shared', { body: { value: 'shared' } });
    expect((await vault('GET', '/secrets/sab-shared', { token: other })).body.value).toBe('shared');
    expect((await vault('PUT', '/secrets/sab-shared', { token: other, body: { value: 'x' } })).status).toBe(
      403,
    );
    sim.setKeyVaultRole(OTHER_APP.clientId, undefined);
    expect((await vault('GET', '/secrets/sab-shared', { token: other })).status).toBe(403);
  });

  test.each([
    ['the name has an underscore', '/secrets/sab_bad', { value: 'x' }, undefined, /invalid name: sab_bad/],
    ['the name is 128 characters', `/secrets/${'a'.repeat(128)}`, { value: 'x' }, undefined, /invalid name/],
    ['the value is missing', '/secrets/sab-novalue', { contentType: 'x' }, undefined, /'value' is required/],
    [
      'exp is not Unix seconds',
      '/secrets/sab-exp',
      { value: 'x', attributes: { exp: '2030-01-01' } },
      undefined,
      /attributes\.exp/,
    ],
    ['api-version is missing', '/secrets/sab-noversion', { value: 'x' }, null, /api-version/],
  ])(
    'when %s, then PUT answers 400 BadParameter and stores nothing',
    async (_case, path, body, apiVersion, message) => {
      const result = await vault('PUT', path, { body, apiVersion });
      expect(result.status).toBe(400);
      expect(result.body.error.code).toBe('BadParameter');
      expect(result.body.error.message).toMatch(message);
      expect(sim.keyVaultSecrets()).toEqual([]);
    },
  );

  test('when a 503 is injected for Key Vault, then the PUT fails in Key Vault’s shape with Retry-After and nothing is stored', async () => {
    sim.faults.inject({ api: 'keyvault', method: 'PUT', times: 1, status: 503, retryAfterSeconds: 3 });
    const failed = await vault('PUT', '/secrets/sab-busy', { body: { value: 'x' } });
    expect(failed.status).toBe(503);
    expect(failed.headers.get('retry-after')).toBe('3');
    expect(failed.body.error.code).toBe('ServiceUnavailable');
    expect(sim.keyVaultSecrets()).toEqual([]);
    expect((await vault('PUT', '/secrets/sab-busy', { body: { value: 'x' } })).status).toBe(200);
    expect(sim.calls().map((call) => call.fault)).toEqual(['injected 503', undefined]);
  });

  test('when a 504 after commit is injected, then the client sees 504 but the version was stored', async () => {
    sim.faults.inject({ api: 'keyvault', times: 1, status: 504, afterCommit: true });
    const failed = await vault('PUT', '/secrets/sab-ghost', { body: { value: 'x' } });
    expect(failed.status).toBe(504);
    expect(sim.keyVaultSecrets()).toHaveLength(1);
    expect(sim.calls()[0]).toMatchObject({ status: 504, committed: true, fault: 'injected 504 afterCommit' });
  });

  test('when another path is asked for, then Key Vault answers 404 without touching the vault', async () => {
    const result = await vault('GET', '/secrets');
    expect(result.status).toBe(404);
    expect(result.body.error.code).toBe('NotFound');
  });
});
