import type { TenantSimulator } from '../../src/simulator';
import { graph, startSimulator, tokenFor } from './simulatorHarness';

describe('Graph domains, organisation and policies', () => {
  let sim: TenantSimulator;
  let token: string;

  beforeEach(async () => {
    sim = await startSimulator();
    token = await tokenFor(sim, sim.graphEndpoint);
  });
  afterEach(async () => {
    await sim.close();
  });

  test('when domains are listed, then the initial, managed, federated and unverified domains show their real fields', async () => {
    const result = await graph(sim, token, 'GET', '/domains');
    expect(result.status).toBe(200);
    const byId = Object.fromEntries(
      (result.body.value as Array<{ id: string }>).map((domain) => [domain.id, domain]),
    );
    expect(byId['contoso.onmicrosoft.com']).toMatchObject({
      isInitial: true,
      isVerified: true,
      authenticationType: 'Managed',
    });
    expect(byId['contoso.com']).toMatchObject({
      isDefault: true,
      isVerified: true,
      authenticationType: 'Managed',
      supportedServices: expect.arrayContaining(['Email']),
    });
    expect(byId['fabrikam.com']).toMatchObject({ isVerified: true, authenticationType: 'Federated' });
    expect(byId['litware.com']).toMatchObject({ isVerified: false });
  });

  test('when the organisation is read, then it is the simulated tenant with its verified domains', async () => {
    const result = await graph(sim, token, 'GET', '/organization');
    expect(result.body.value[0]).toMatchObject({ id: sim.tenantId, displayName: 'Contoso (simulated)' });
    expect(result.body.value[0].verifiedDomains.map((domain: { name: string }) => domain.name)).not.toContain(
      'litware.com',
    );
  });

  test('when the security-defaults policy is read, then it is Graph’s object with isEnabled false', async () => {
    const result = await graph(sim, token, 'GET', '/policies/identitySecurityDefaultsEnforcementPolicy');
    expect(result.body).toMatchObject({
      '@odata.context': `${sim.url}/v1.0/$metadata#policies/identitySecurityDefaultsEnforcementPolicy/$entity`,
      id: '00000000-0000-0000-0000-000000000005',
      displayName: 'Security Defaults',
      isEnabled: false,
    });
  });

  test('when Conditional Access policies are listed, then none of the classic ones is an enabled MFA policy', async () => {
    const result = await graph(sim, token, 'GET', '/identity/conditionalAccess/policies');
    expect(result.body.value).toHaveLength(2);
    const states = result.body.value.map((policy: { state: string }) => policy.state);
    expect(states).toEqual(['enabledForReportingButNotEnforced', 'disabled']);
    expect(result.body.value[0].grantControls.builtInControls).toEqual(['mfa']);
    expect(result.body.value[0].conditions.users.includeRoles).toEqual([
      '62e90394-69f5-4237-9190-012177145e10',
    ]);
  });

  test('when per-user MFA is read on beta, then each user’s perUserMfaState comes back', async () => {
    const adele = await graph(
      sim,
      token,
      'GET',
      '/beta/users/adelev@contoso.com/authentication/requirements',
    );
    expect(adele.status).toBe(200);
    expect(adele.body.perUserMfaState).toBe('enforced');
    const alex = await graph(
      sim,
      token,
      'GET',
      '/beta/users/00000000-0000-0000-0000-0000000000020/authentication/requirements',
    );
    expect(alex.body.perUserMfaState).toBe('disabled');
    const missing = await graph(
      sim,
      token,
      'GET',
      '/beta/users/nobody@contoso.com/authentication/requirements',
    );
    expect(missing.status).toBe(404);
  });

  test('when per-user MFA is asked on v1.0, then Graph does not know the segment', async () => {
    const result = await graph(
      sim,
      token,
      'GET',
      '/v1.0/users/adelev@contoso.com/authentication/requirements',
    );
    expect(result.status).toBe(400);
    expect(result.body.error.message).toBe("Resource not found for the segment 'requirements'.");
  });
});
