import {
  createHash,
  createPublicKey,
  createSign,
  createVerify,
  randomUUID,
  X509Certificate,
} from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { TenantSimulator } from '../../src/simulator';
import { request, startSimulator, type HttpResult } from './simulatorHarness';
import { tls } from './tlsFixtures';

const CERT_CLIENT = '3c9a1d2e-4b5f-4a6b-8c7d-9e0f1a2b3c4d';

function decode(part: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>;
}

describe('Entra token endpoint', () => {
  let sim: TenantSimulator;

  beforeEach(async () => {
    sim = await startSimulator();
    sim.registerClient({ clientId: CERT_CLIENT, certificatePem: tls.clientCertificate });
  });
  afterEach(async () => {
    await sim.close();
  });

  function postToken(fields: Record<string, string>, tenant = sim.tenantId): Promise<HttpResult> {
    return request(`${sim.authorityHost}/${tenant}/oauth2/v2.0/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields).toString(),
    });
  }

  const secretFields = (overrides: Record<string, string> = {}) => ({
    grant_type: 'client_credentials',
    client_id: sim.clientCredential.clientId,
    client_secret: sim.clientCredential.clientSecret,
    scope: 'https://graph.microsoft.com/.default',
    ...overrides,
  });

  /** A client assertion signed with the test client certificate, as MSAL builds it. */
  function assertion(claims: Record<string, unknown> = {}, header: Record<string, unknown> = {}): string {
    const pem = readFileSync(tls.clientPemPath, 'utf8');
    const der = new X509Certificate(pem).raw;
    const now = Math.floor(Date.now() / 1000);
    const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const input = `${encode({ alg: 'RS256', typ: 'JWT', x5t: createHash('sha1').update(der).digest('base64url'), ...header })}.${encode(
      {
        aud: `${sim.authorityHost}/${sim.tenantId}/oauth2/v2.0/token`,
        iss: CERT_CLIENT,
        sub: CERT_CLIENT,
        jti: randomUUID(),
        nbf: now,
        exp: now + 600,
        ...claims,
      },
    )}`;
    return `${input}.${createSign('RSA-SHA256').update(input).sign(pem).toString('base64url')}`;
  }

  const assertionFields = (jwt: string) => ({
    grant_type: 'client_credentials',
    client_id: CERT_CLIENT,
    client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
    client_assertion: jwt,
    scope: `${sim.url}/.default`,
  });

  test('when the OpenID configuration is read, then it has the endpoints MSAL needs, all on the simulator', async () => {
    const result = await request(
      `${sim.authorityHost}/${sim.tenantId}/v2.0/.well-known/openid-configuration`,
    );
    expect(result.body).toMatchObject({
      token_endpoint: `${sim.url}/${sim.tenantId}/oauth2/v2.0/token`,
      authorization_endpoint: `${sim.url}/${sim.tenantId}/oauth2/v2.0/authorize`,
      jwks_uri: `${sim.url}/${sim.tenantId}/discovery/v2.0/keys`,
      issuer: `${sim.url}/${sim.tenantId}/v2.0`,
    });
    const discovery = await request(`${sim.authorityHost}/common/discovery/instance?api-version=1.1`);
    expect(discovery.body.tenant_discovery_endpoint).toBe(
      `${sim.url}/common/v2.0/.well-known/openid-configuration`,
    );
    const unknown = await request(
      `${sim.authorityHost}/not-a-tenant.example/v2.0/.well-known/openid-configuration`,
    );
    expect(unknown.status).toBe(400);
    expect(unknown.body.error_codes).toEqual([90002]);
  });

  test('when a client secret is exchanged, then the access token is an RS256 JWT verifiable with the published JWKS', async () => {
    const result = await postToken(secretFields());
    expect(result.status).toBe(200);
    expect(result.body).toMatchObject({ token_type: 'Bearer', expires_in: 3599, ext_expires_in: 3599 });
    const [headerPart, payloadPart, signature] = (result.body.access_token as string).split('.');
    const header = decode(headerPart);
    const payload = decode(payloadPart);
    expect(header.alg).toBe('RS256');
    expect(payload).toMatchObject({
      aud: 'https://graph.microsoft.com',
      tid: sim.tenantId,
      appid: sim.clientCredential.clientId,
      idtyp: 'app',
    });
    expect(payload.roles).toEqual(
      expect.arrayContaining(['User.ReadWrite.All', 'RoleManagement.ReadWrite.Directory', 'Policy.Read.All']),
    );
    expect(Number(payload.exp) - Number(payload.iat)).toBe(3599);
    const jwks = await request(`${sim.authorityHost}/${sim.tenantId}/discovery/v2.0/keys`);
    const jwk = jwks.body.keys.find((key: { kid: string }) => key.kid === header.kid);
    const key = createPublicKey({ key: { kty: 'RSA', n: jwk.n, e: jwk.e }, format: 'jwk' });
    expect(
      createVerify('RSA-SHA256')
        .update(`${headerPart}.${payloadPart}`)
        .verify(key, Buffer.from(signature, 'base64url')),
    ).toBe(true);
  });

  test('when the scope is the Exchange resource, then the token carries Exchange.ManageAsApp only', async () => {
    const result = await postToken(secretFields({ scope: 'https://outlook.office365.com/.default' }));
    const payload = decode((result.body.access_token as string).split('.')[1]);
    expect(payload.aud).toBe('https://outlook.office365.com');
    expect(payload.roles).toEqual(['Exchange.ManageAsApp']);
  });

  test.each([
    ['the secret is wrong', { client_secret: 'wrong' }, 401, 'invalid_client', 7000215],
    [
      'the client is unknown',
      { client_id: 'f0f0f0f0-0000-4000-8000-000000000000' },
      400,
      'unauthorized_client',
      700016,
    ],
    [
      'the scope lacks /.default',
      { scope: 'https://graph.microsoft.com/User.Read.All' },
      400,
      'invalid_scope',
      1002012,
    ],
    [
      'the resource is unknown',
      { scope: 'https://management.azure.com/.default' },
      400,
      'invalid_resource',
      500011,
    ],
    [
      'the grant type is not client credentials',
      { grant_type: 'password' },
      400,
      'unsupported_grant_type',
      70003,
    ],
    ['no credential is sent', { client_secret: '' }, 401, 'invalid_client', 7000218],
  ])(
    'when %s, then the token endpoint answers in Entra’s AADSTS shape',
    async (_case, overrides, status, error, code) => {
      const result = await postToken(secretFields(overrides));
      expect(result.status).toBe(status);
      expect(result.body).toMatchObject({ error, error_codes: [code] });
      expect(result.body.error_description).toMatch(
        new RegExp(`^AADSTS${code}: .*\\r\\nTrace ID: .*\\r\\nCorrelation ID: .*\\r\\nTimestamp: `, 's'),
      );
      expect(result.body.trace_id).toEqual(expect.any(String));
    },
  );

  test('when the tenant is unknown, then the token endpoint answers AADSTS90002', async () => {
    const result = await postToken(secretFields(), 'somewhere-else.onmicrosoft.com');
    expect(result.body.error_codes).toEqual([90002]);
  });

  test('when a certificate assertion is valid, then a token for the simulator resource is issued with both APIs’ roles', async () => {
    const result = await postToken(assertionFields(assertion()));
    expect(result.status).toBe(200);
    const payload = decode((result.body.access_token as string).split('.')[1]);
    expect(payload.aud).toBe(sim.url);
    expect(payload.appidacr).toBe('2');
    expect(payload.roles).toEqual(expect.arrayContaining(['User.ReadWrite.All', 'Exchange.ManageAsApp']));
  });

  test.each([
    [
      'its audience is another endpoint',
      { aud: 'https://login.microsoftonline.com/x/oauth2/v2.0/token' },
      {},
      70001,
    ],
    [
      'it has expired',
      { exp: Math.floor(Date.now() / 1000) - 3600, nbf: Math.floor(Date.now() / 1000) - 4000 },
      {},
      700024,
    ],
    ['iss is not the client id', { iss: 'someone-else' }, {}, 700021],
    ['its thumbprint names no registered certificate', {}, { x5t: 'AAAAAAAAAAAAAAAAAAAAAAAAAAA' }, 700027],
  ])(
    'when a client assertion is wrong because %s, then Entra refuses it',
    async (_case, claims, header, code) => {
      const result = await postToken(assertionFields(assertion(claims, header)));
      expect(result.body.error_codes).toEqual([code]);
    },
  );

  test('when an assertion’s signature is tampered with, then Entra says it failed signature validation', async () => {
    const jwt = assertion();
    const tampered = `${jwt.slice(0, jwt.lastIndexOf('.') + 1)}${Buffer.from('forged').toString('base64url')}`;
    const result = await postToken(assertionFields(tampered));
    expect(result.status).toBe(401);
    expect(result.body.error_description).toMatch(
      /^AADSTS700027: Client assertion failed signature validation\./,
    );
  });
});
