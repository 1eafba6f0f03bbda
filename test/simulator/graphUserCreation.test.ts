import type { TenantSimulator } from '../../src/simulator';
import { graph, newUserBody, startSimulator, tokenFor } from './simulatorHarness';

describe('Graph user creation', () => {
  let sim: TenantSimulator;
  let token: string;

  beforeEach(async () => {
    sim = await startSimulator({ pageSize: 4 });
    token = await tokenFor(sim, 'https://graph.microsoft.com');
  });
  afterEach(async () => {
    await sim.close();
  });

  test('when a valid user is created, then Graph answers 201 with the default view and the tenant holds the user', async () => {
    const result = await graph(
      sim,
      token,
      'POST',
      '/users',
      newUserBody('svc-cirasync', { jobTitle: 'Service account', city: 'Toronto' }),
    );
    expect(result.status).toBe(201);
    expect(result.body).toMatchObject({
      userPrincipalName: 'svc-cirasync@contoso.com',
      displayName: 'Service svc-cirasync',
      jobTitle: 'Service account',
      mail: null,
    });
    expect(result.body.city).toBeUndefined();
    const stored = sim.state().users.find((user) => user.userPrincipalName === 'svc-cirasync@contoso.com');
    expect(stored).toMatchObject({
      city: 'Toronto',
      passwordPolicies: 'DisablePasswordExpiration',
      forceChangePasswordNextSignIn: false,
      usageLocation: 'US',
    });
    expect(JSON.stringify(sim.state())).not.toContain('Xq7!vR2#mK9@wL4$');
  });

  test('when the UPN is already taken, then Graph answers 400 with an ObjectConflict detail on userPrincipalName', async () => {
    const result = await graph(sim, token, 'POST', '/users', newUserBody('meganb'));
    expect(result.status).toBe(400);
    expect(result.body.error.code).toBe('Request_BadRequest');
    expect(result.body.error.message).toBe(
      'Another object with the same value for property userPrincipalName already exists.',
    );
    expect(result.body.error.details).toEqual([
      expect.objectContaining({ code: 'ObjectConflict', target: 'userPrincipalName' }),
    ]);
  });

  test('when the body is not JSON, then Graph answers 400 BadRequest', async () => {
    const response = await fetch(`${sim.url}/v1.0/users`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: '{not json',
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('BadRequest');
  });
});
