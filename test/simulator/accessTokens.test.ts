import type { TenantSimulator } from '../../src/simulator';
import { graph, request, startSimulator, tokenFor } from './simulatorHarness';

describe('access tokens on Graph', () => {
  let sim: TenantSimulator;

  beforeEach(async () => {
    sim = await startSimulator();
  });
  afterEach(async () => {
    await sim.close();
  });

  test('when a token has expired on the simulator clock, then Graph answers 401 lifetime validation failed', async () => {
    const token = await tokenFor(sim, sim.graphEndpoint);
    expect((await graph(sim, token, 'GET', '/domains')).status).toBe(200);
    sim.advance(3600 * 1000);
    const result = await graph(sim, token, 'GET', '/domains');
    expect(result.status).toBe(401);
    expect(result.body.error).toMatchObject({
      code: 'InvalidAuthenticationToken',
      message: 'Lifetime validation failed, the token is expired.',
    });
  });

  test('when an Exchange-audience token is sent to Graph, then Graph answers 401 invalid audience', async () => {
    const token = await tokenFor(sim, 'https://outlook.office365.com');
    const result = await graph(sim, token, 'GET', '/domains');
    expect(result.status).toBe(401);
    expect(result.body.error.message).toBe('Access token validation failure. Invalid audience.');
  });

  test('when another simulator’s token is used, then the signature check fails', async () => {
    const other = await startSimulator();
    try {
      const foreign = await tokenFor(other, 'https://graph.microsoft.com');
      const result = await graph(sim, foreign, 'GET', '/domains');
      expect(result.status).toBe(401);
      expect(result.body.error.message).toBe('Access token validation failure.');
    } finally {
      await other.close();
    }
  });

  test('when there is no Authorization header, then Graph answers 401 access token is empty', async () => {
    const result = await request(`${sim.graphEndpoint}/v1.0/domains`);
    expect(result.status).toBe(401);
    expect(result.body.error.message).toBe('Access token is empty.');
    expect(result.headers.get('www-authenticate')).toContain('Bearer');
  });

  test('when the app lacks the permission a route needs, then Graph answers 403 Authorization_RequestDenied', async () => {
    sim.registerClient({
      clientId: 'a0a0a0a0-0000-4000-8000-000000000002',
      secret: 'reader',
      graphRoles: ['User.Read.All'],
    });
    const token = await tokenFor(sim, 'https://graph.microsoft.com', {
      clientId: 'a0a0a0a0-0000-4000-8000-000000000002',
      clientSecret: 'reader',
    });
    expect((await graph(sim, token, 'GET', '/users/alexw@contoso.com')).status).toBe(200);
    const denied = await graph(sim, token, 'POST', '/users', { displayName: 'x' });
    expect(denied.status).toBe(403);
    expect(denied.body.error).toMatchObject({
      code: 'Authorization_RequestDenied',
      message: 'Insufficient privileges to complete the operation.',
    });
  });
});
