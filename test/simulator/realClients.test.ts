/**
 * The real clients, unchanged, against the HTTPS simulator: @azure/identity (ClientSecretCredential,
 * ClientCertificateCredential) with authorityHost = the simulator and disableInstanceDiscovery, and
 * @microsoft/microsoft-graph-client with customHosts. Needs NODE_EXTRA_CA_CERTS=test/fixtures/tls/ca.pem.
 */
import { ClientCertificateCredential, ClientSecretCredential } from '@azure/identity';
import { Client, GraphError } from '@microsoft/microsoft-graph-client';
import { TokenCredentialAuthenticationProvider } from '@microsoft/microsoft-graph-client/authProviders/azureTokenCredentials';
import type { TenantSimulator } from '../../src/simulator';
import { exchange, newUserBody, startSimulator } from './simulatorHarness';
import { assertTestCaTrusted, tls } from './tlsFixtures';

const CERT_CLIENT_ID = '8d6f0d3e-6f5c-4a3b-9c2e-3c1f2b4a5d6e';

function graphClient(
  sim: TenantSimulator,
  credential: ClientSecretCredential | ClientCertificateCredential,
): Client {
  return Client.initWithMiddleware({
    baseUrl: sim.graphEndpoint,
    customHosts: new Set([new URL(sim.graphEndpoint).hostname]),
    authProvider: new TokenCredentialAuthenticationProvider(credential, {
      scopes: [`${sim.graphEndpoint}/.default`],
    }),
  });
}

function secretCredential(
  sim: TenantSimulator,
  secret = sim.clientCredential.clientSecret,
): ClientSecretCredential {
  return new ClientSecretCredential(sim.tenantId, sim.clientCredential.clientId, secret, {
    authorityHost: sim.authorityHost,
    disableInstanceDiscovery: true,
  });
}

function decodePayload(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8')) as Record<
    string,
    unknown
  >;
}

describe('real Microsoft clients against the HTTPS simulator', () => {
  let sim: TenantSimulator;

  beforeAll(async () => {
    assertTestCaTrusted();
    sim = await startSimulator({ https: { key: tls.key, cert: tls.cert } });
    sim.registerClient({ clientId: CERT_CLIENT_ID, certificatePem: tls.clientCertificate });
  });
  afterAll(async () => {
    await sim?.close();
  });

  test('when the Graph client reads users through ClientSecretCredential, then it gets the seeded people', async () => {
    const client = graphClient(sim, secretCredential(sim));
    const page = await client.api('/users').select(['id', 'displayName', 'accountEnabled']).top(3).get();
    expect(page.value.map((user: { displayName: string }) => user.displayName)).toEqual([
      'Alex Wilber',
      'Megan Bowen',
      'Adele Vance',
    ]);
    expect(page['@odata.nextLink']).toContain('$skiptoken=');
    const tokenCalls = sim.calls().filter((call) => call.api === 'token');
    expect(tokenCalls.map((call) => `${call.method} ${call.path} ${call.status}`)).toEqual([
      `GET /${sim.tenantId}/v2.0/.well-known/openid-configuration 200`,
      `POST /${sim.tenantId}/oauth2/v2.0/token 200`,
    ]);
  });

  test('when the Graph client creates a user, then the user exists in the tenant and Graph answered 201', async () => {
    const client = graphClient(sim, secretCredential(sim));
    const created = await client.api('/users').post(newUserBody('svc-real-client'));
    expect(created.userPrincipalName).toBe('svc-real-client@contoso.com');
    const stored = sim.state().users.find((user) => user.id === created.id);
    expect(stored?.passwordPolicies).toBe('DisablePasswordExpiration');
    const post = sim.calls().find((call) => call.api === 'graph' && call.method === 'POST');
    expect(post).toMatchObject({
      status: 201,
      mutating: true,
      committed: true,
      appId: sim.clientCredential.clientId,
    });
  });

  test('when the Graph client creates a duplicate user, then it throws Graph’s ObjectConflict error', async () => {
    const client = graphClient(sim, secretCredential(sim));
    const error = await client
      .api('/users')
      .post(newUserBody('alexw'))
      .then(
        () => undefined,
        (err: unknown) => err,
      );
    expect(error).toBeInstanceOf(GraphError);
    expect((error as GraphError).statusCode).toBe(400);
    expect((error as GraphError).code).toBe('Request_BadRequest');
    expect((error as GraphError).body).toContain('ObjectConflict');
  });

  test('when ClientCertificateCredential asks for a token, then its client assertion is accepted', async () => {
    const credential = new ClientCertificateCredential(
      sim.tenantId,
      CERT_CLIENT_ID,
      { certificatePath: tls.clientPemPath },
      { authorityHost: sim.authorityHost, disableInstanceDiscovery: true },
    );
    const token = await credential.getToken(`${sim.graphEndpoint}/.default`);
    const claims = decodePayload(token.token);
    expect(claims.appid).toBe(CERT_CLIENT_ID);
    expect(claims.appidacr).toBe('2');
    expect(claims.roles).toContain('User.ReadWrite.All');
    const users = await graphClient(sim, credential).api('/users/alexw@contoso.com').get();
    expect(users.displayName).toBe('Alex Wilber');
  });

  test('when a certificate the app does not hold signs the assertion, then the token request fails with AADSTS700027', async () => {
    sim.registerClient({ clientId: '1b0e6a4f-2c3d-4e5f-8a9b-0c1d2e3f4a5b', certificatePem: tls.cert });
    const credential = new ClientCertificateCredential(
      sim.tenantId,
      '1b0e6a4f-2c3d-4e5f-8a9b-0c1d2e3f4a5b',
      { certificatePath: tls.clientPemPath },
      { authorityHost: sim.authorityHost, disableInstanceDiscovery: true },
    );
    await expect(credential.getToken(`${sim.graphEndpoint}/.default`)).rejects.toThrow(/AADSTS700027/);
  });

  test('when ClientSecretCredential has a wrong secret, then it fails with AADSTS7000215', async () => {
    await expect(
      secretCredential(sim, 'not-the-secret').getToken(`${sim.graphEndpoint}/.default`),
    ).rejects.toThrow(/AADSTS7000215/);
  });

  test('when the Graph client sends an invalid token, then Graph answers 401 InvalidAuthenticationToken', async () => {
    const client = Client.initWithMiddleware({
      baseUrl: sim.graphEndpoint,
      customHosts: new Set([new URL(sim.graphEndpoint).hostname]),
      authProvider: { getAccessToken: async () => 'eyJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJ4In0.c2lnbmF0dXJl' },
    });
    const error = await client
      .api('/users')
      .get()
      .then(
        () => undefined,
        (err: unknown) => err,
      );
    expect((error as GraphError).statusCode).toBe(401);
    expect((error as GraphError).code).toBe('InvalidAuthenticationToken');
  });

  test('when Exchange is called with a token from ClientSecretCredential, then InvokeCommand runs the cmdlet', async () => {
    const token = await secretCredential(sim).getToken(`${sim.exchangeEndpoint}/.default`);
    const result = await exchange(sim, token.token, 'Get-ManagementRole', {
      Identity: 'ApplicationImpersonation',
    });
    expect(result.status).toBe(200);
    expect(result.body.value[0].Name).toBe('ApplicationImpersonation');
  });
});

describe('real Graph client against the throttled HTTPS simulator', () => {
  test('when Graph answers 429 with Retry-After, then the client’s retry handler waits and succeeds', async () => {
    assertTestCaTrusted();
    const sim = await startSimulator({ scenario: 'throttled', https: { key: tls.key, cert: tls.cert } });
    try {
      const client = graphClient(sim, secretCredential(sim));
      for (let i = 0; i < 3; i += 1) await client.api('/domains').get();
      const statuses = sim
        .calls()
        .filter((call) => call.api === 'graph')
        .map((call) => call.status);
      expect(statuses).toEqual([200, 200, 429, 200]);
    } finally {
      await sim.close();
    }
  });
});

describe('real Graph client against a plain-HTTP simulator', () => {
  test('when the Graph endpoint is http, then the client sends no token and Graph answers 401 (use HTTPS or own middleware)', async () => {
    const sim = await startSimulator();
    try {
      const client = Client.initWithMiddleware({
        baseUrl: sim.graphEndpoint,
        customHosts: new Set([new URL(sim.graphEndpoint).hostname]),
        authProvider: { getAccessToken: async () => 'any-token' },
      });
      const error = await client
        .api('/users')
        .get()
        .then(
          () => undefined,
          (err: unknown) => err,
        );
      expect((error as GraphError).statusCode).toBe(401);
      expect((error as GraphError).message).toBe('Access token is empty.');
    } finally {
      await sim.close();
    }
  });
});
