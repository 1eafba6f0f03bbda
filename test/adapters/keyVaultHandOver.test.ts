/**
 * The real `SecretClient`, through `KeyVaultHandOver`, against the HTTPS simulator's Key Vault: the
 * bearer challenge, ClientSecretCredential against the simulator's authority, and the failures a user
 * would see. Needs NODE_EXTRA_CA_CERTS=test/fixtures/tls/ca.pem.
 */
import { inspect } from 'node:util';
import type { AccessToken, TokenCredential } from '@azure/core-auth';
import { ClientSecretCredential } from '@azure/identity';
import { SimulatorCredential } from '../../src/adapters/credentials';
import { KeyVaultHandOver } from '../../src/adapters/secrets/keyVaultHandOver';
import { AppError, isAppError } from '../../src/domain/errors';
import { GRAPH_RESOURCE, type TenantSimulator } from '../../src/simulator';
import { startSimulator, tokenFor } from '../simulator/simulatorHarness';
import { assertTestCaTrusted, tls } from '../simulator/tlsFixtures';

const PASSWORD = 'Xq7!vR2#mK9@wL4$hN6^';
const REQUEST_ID = '7f3c2a1b-5d4e-4f60-8a9b-0c1d2e3f4a5b';
const NO_ROLE_APP = { clientId: '0d9e8f7a-6b5c-4d3e-9f2a-1b0c9d8e7f6a', clientSecret: 'no~role~secret' };

function credentialFor(
  sim: TenantSimulator,
  app: { clientId: string; clientSecret: string } = sim.clientCredential,
): ClientSecretCredential {
  return new ClientSecretCredential(sim.tenantId, app.clientId, app.clientSecret, {
    authorityHost: sim.authorityHost,
    disableInstanceDiscovery: true,
  });
}

function handOverFor(
  sim: TenantSimulator,
  credential: TokenCredential = credentialFor(sim),
): KeyVaultHandOver {
  return new KeyVaultHandOver({
    vaultUrl: sim.keyVaultUrl,
    credential,
    disableChallengeResourceVerification: true,
  });
}

async function failureOf(work: Promise<unknown>): Promise<AppError> {
  const error = await work.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!isAppError(error)) throw new Error(`expected an AppError, got ${inspect(error)}`);
  return error;
}

/** Every string reachable from `value` through its own properties, non-enumerable ones included. */
function reachableStrings(value: unknown, depth = 5, seen = new WeakSet<object>()): string[] {
  if (typeof value === 'string') return [value];
  if (typeof value !== 'object' || value === null || depth === 0 || seen.has(value)) return [];
  seen.add(value);
  return Object.getOwnPropertyNames(value).flatMap((key) => {
    const descriptor = Object.getOwnPropertyDescriptor(value, key);
    return descriptor !== undefined && 'value' in descriptor
      ? reachableStrings(descriptor.value, depth - 1, seen)
      : [];
  });
}

/** Every text a log line, a card or an error reporter could take from the error (its cause included). */
function everythingSaidBy(error: AppError): string {
  return [
    JSON.stringify(error),
    inspect(error, { depth: 8 }),
    inspect(error.cause, { depth: 8 }),
    ...reachableStrings(error),
  ].join('\n');
}

describe('KeyVaultHandOver against the simulated Key Vault over HTTPS', () => {
  let sim: TenantSimulator;

  beforeAll(async () => {
    assertTestCaTrusted();
    sim = await startSimulator({ https: { key: tls.key, cert: tls.cert } });
    sim.registerClient({ clientId: NO_ROLE_APP.clientId, secret: NO_ROLE_APP.clientSecret });
  });
  afterAll(async () => {
    await sim?.close();
  });
  beforeEach(() => {
    sim.resetCalls();
    sim.faults.clear();
  });

  test('when the password is handed over, then the vault holds it with the expiry and the request id tag, after the bearer challenge', async () => {
    const expiresOn = new Date(Date.now() + 7 * 86_400_000);
    const name = KeyVaultHandOver.secretName('svc-backup@contoso.com', REQUEST_ID);
    const stored = await handOverFor(sim).store({
      name,
      value: PASSWORD,
      requestId: REQUEST_ID,
      expiresOn,
      contentType: 'password',
    });

    expect(stored).toEqual({
      name: 'sab-svc-backup-contoso-com-7f3c2a1b',
      version: expect.stringMatching(/^[0-9a-f]{32}$/),
      id: `${sim.keyVaultUrl}/secrets/sab-svc-backup-contoso-com-7f3c2a1b/${stored.version}`,
    });
    expect(JSON.stringify(stored)).not.toContain(PASSWORD);
    const [secret] = sim.keyVaultSecrets().filter((item) => item.name === name);
    expect(secret).toMatchObject({
      value: PASSWORD,
      version: stored.version,
      exp: Math.floor(expiresOn.getTime() / 1000),
      contentType: 'password',
      tags: { requestId: REQUEST_ID, createdBy: 'service-account-bot' },
      setBy: sim.clientCredential.clientId,
    });
    expect(sim.calls().map((call) => `${call.api} ${call.method} ${call.status}`)).toEqual([
      'keyvault PUT 401',
      `token GET 200`,
      'token POST 200',
      'keyvault PUT 200',
    ]);
    expect(JSON.stringify(sim.calls())).not.toContain(PASSWORD);
  });

  test('when the password is handed over again under the same name, then Key Vault keeps both as versions and the newer is current', async () => {
    const handOver = handOverFor(sim);
    const name = KeyVaultHandOver.secretName('svc-reset@contoso.com', REQUEST_ID);
    const input = { name, requestId: REQUEST_ID, expiresOn: new Date(Date.now() + 86_400_000) };
    const first = await handOver.store({ ...input, value: 'first-Password-1!' });
    const second = await handOver.store({ ...input, value: 'second-Password-2!' });
    expect(second.version).not.toBe(first.version);
    expect(
      sim
        .keyVaultSecrets()
        .filter((item) => item.name === name)
        .map((item) => [item.version, item.value]),
    ).toEqual([
      [first.version, 'first-Password-1!'],
      [second.version, 'second-Password-2!'],
    ]);
  });

  test('when the bot’s app has no role on the vault, then the hand-over fails Forbidden, names the Key Vault role, and never says the password', async () => {
    const handOver = handOverFor(sim, credentialFor(sim, NO_ROLE_APP));
    const error = await failureOf(
      handOver.store({
        name: 'sab-denied-7f3c2a1b',
        value: PASSWORD,
        requestId: REQUEST_ID,
        expiresOn: new Date(Date.now() + 86_400_000),
      }),
    );
    expect(error.code).toBe('Forbidden');
    expect(error.retryable).toBe(false);
    expect(error.userMessage).toContain('Key Vault Secrets Officer');
    expect(error.userMessage).toMatch(/access polic/);
    expect(error.details).toMatchObject({ status: 403, serviceCode: 'Forbidden' });
    expect(error.details.requestId).toEqual(expect.any(String));
    expect(everythingSaidBy(error)).not.toContain(PASSWORD);
    expect(sim.keyVaultSecrets().some((item) => item.name === 'sab-denied-7f3c2a1b')).toBe(false);
  });

  test.each([
    [429, 'Throttled', 2_000],
    [503, 'ServiceUnavailable', 2_000],
  ] as const)(
    'when Key Vault answers %i, then the hand-over fails %s, retryable with the advised wait, after one attempt',
    async (status, code, retryAfterMs) => {
      sim.faults.inject({ api: 'keyvault', method: 'PUT', times: Infinity, status, retryAfterSeconds: 2 });
      const error = await failureOf(
        handOverFor(sim).store({
          name: `sab-busy-${status}`,
          value: PASSWORD,
          requestId: REQUEST_ID,
          expiresOn: new Date(Date.now() + 86_400_000),
        }),
      );
      expect(error).toMatchObject({ code, retryable: true });
      expect(error.details.retryAfterMs).toBe(retryAfterMs);
      expect(everythingSaidBy(error)).not.toContain(PASSWORD);
      expect(sim.calls().filter((call) => call.fault !== undefined)).toHaveLength(1);
    },
  );

  test('when the token is not for Key Vault, then the hand-over fails Unauthorized', async () => {
    const graphOnly: TokenCredential = {
      getToken: async (): Promise<AccessToken> => ({
        token: await tokenFor(sim, GRAPH_RESOURCE),
        expiresOnTimestamp: Date.now() + 3_600_000,
      }),
    };
    const error = await failureOf(
      handOverFor(sim, graphOnly).store({
        name: 'sab-wrong-token',
        value: PASSWORD,
        requestId: REQUEST_ID,
        expiresOn: new Date(Date.now() + 86_400_000),
      }),
    );
    expect(error).toMatchObject({ code: 'Unauthorized', retryable: false });
    expect(error.message).toContain('AKV10022');
    expect(everythingSaidBy(error)).not.toContain(PASSWORD);
  });

  test('when the name is not a valid Key Vault name, then the hand-over is refused before anything is sent', async () => {
    const error = await failureOf(
      handOverFor(sim).store({
        name: 'svc_backup@contoso.com',
        value: PASSWORD,
        requestId: REQUEST_ID,
        expiresOn: new Date(Date.now() + 86_400_000),
      }),
    );
    expect(error.code).toBe('BadRequest');
    expect(sim.calls()).toEqual([]);
  });
});

describe('KeyVaultHandOver against the embedded (plain HTTP) simulator', () => {
  test('when insecure loopback connections are allowed, then the hand-over works with the simulator credential', async () => {
    const sim = await startSimulator();
    try {
      const credential = new SimulatorCredential(
        sim.authorityHost,
        sim.tenantId,
        sim.clientCredential.clientId,
        sim.clientCredential.clientSecret,
      );
      const handOver = new KeyVaultHandOver({
        vaultUrl: sim.keyVaultUrl,
        credential,
        disableChallengeResourceVerification: true,
        allowInsecureConnection: true,
      });
      const stored = await handOver.store({
        name: 'sab-local-7f3c2a1b',
        value: PASSWORD,
        requestId: REQUEST_ID,
        expiresOn: new Date(Date.now() + 86_400_000),
      });
      expect(sim.keyVaultSecrets()).toEqual([
        expect.objectContaining({ name: 'sab-local-7f3c2a1b', version: stored.version, value: PASSWORD }),
      ]);
    } finally {
      await sim.close();
    }
  });
});

describe('KeyVaultHandOver.secretName', () => {
  const VALID = /^[0-9a-zA-Z-]{1,127}$/;

  test.each([
    ['alex.wilber@contoso.com', REQUEST_ID, 'sab-alex-wilber-contoso-com-7f3c2a1b'],
    ['Svc_Backup@Contoso.onmicrosoft.com', REQUEST_ID, 'sab-svc-backup-contoso-onmicrosoft-com-7f3c2a1b'],
    ['jörg..ü@contoso.com', REQUEST_ID, 'sab-j-rg-contoso-com-7f3c2a1b'],
    ['@@@', REQUEST_ID, 'sab-7f3c2a1b'],
    ['svc@contoso.com', 'ab-12', 'sab-svc-contoso-com-ab12'],
  ])('when the UPN is %s and the request %s, then the name is %s', (upn, requestId, expected) => {
    const name = KeyVaultHandOver.secretName(upn, requestId);
    expect(name).toBe(expected);
    expect(name).toMatch(VALID);
  });

  test('when the UPN is very long, then the name is cut to 127 characters, keeps the request id and does not end the UPN part on a dash', () => {
    for (const length of [100, 113, 114, 115, 200, 600]) {
      const upn = `${'a-'.repeat(length).slice(0, length)}@contoso.com`;
      const name = KeyVaultHandOver.secretName(upn, REQUEST_ID);
      expect(name).toMatch(VALID);
      expect(name.length).toBeLessThanOrEqual(127);
      expect(name.endsWith('-7f3c2a1b')).toBe(true);
      expect(name).not.toMatch(/--/);
    }
    expect(KeyVaultHandOver.secretName(`${'x'.repeat(300)}@contoso.com`, REQUEST_ID)).toHaveLength(127);
  });

  test('when the request id has no letters or digits, then no name is made', () => {
    expect(() => KeyVaultHandOver.secretName('svc@contoso.com', '---')).toThrow(RangeError);
  });
});
