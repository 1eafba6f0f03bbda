import { SKUS, type TenantSimulator } from '../../src/simulator';
import type { SimulatorScenario } from '../../src/simulator/scenarios';
import { exchange, graph, startSimulator, tokenFor, exchangeErrorText } from './simulatorHarness';

async function withScenario(
  scenario: SimulatorScenario,
  body: (sim: TenantSimulator, graphToken: string, exchangeToken: string) => Promise<void>,
): Promise<void> {
  const sim = await startSimulator({ scenario });
  try {
    await body(sim, await tokenFor(sim, sim.graphEndpoint), await tokenFor(sim, sim.exchangeEndpoint));
  } finally {
    await sim.close();
  }
}

interface Sku {
  skuId: string;
  consumedUnits: number;
  prepaidUnits: { enabled: number };
}

describe('scenarios', () => {
  test('when the tenant is classic, then ApplicationImpersonation exists, nothing forces MFA and there are free mailbox seats', async () => {
    await withScenario('classic', async (sim, graphToken, exchangeToken) => {
      expect(
        (await exchange(sim, exchangeToken, 'Get-ManagementRole', { Identity: 'ApplicationImpersonation' }))
          .status,
      ).toBe(200);
      expect(
        (await graph(sim, graphToken, 'GET', '/policies/identitySecurityDefaultsEnforcementPolicy')).body
          .isEnabled,
      ).toBe(false);
      const policies = (await graph(sim, graphToken, 'GET', '/identity/conditionalAccess/policies')).body
        .value;
      expect(policies.filter((policy: { state: string }) => policy.state === 'enabled')).toEqual([]);
      const skus: Sku[] = (await graph(sim, graphToken, 'GET', '/subscribedSkus')).body.value;
      expect(skus.every((sku) => sku.prepaidUnits.enabled > sku.consumedUnits)).toBe(true);
    });
  });

  test('when the tenant is current, then ApplicationImpersonation is gone with Exchange’s not-found error', async () => {
    await withScenario('current', async (sim, _graphToken, exchangeToken) => {
      const role = await exchange(sim, exchangeToken, 'Get-ManagementRole', {
        Identity: 'ApplicationImpersonation',
      });
      expect(role.status).toBe(404);
      expect(exchangeErrorText(role.body)).toMatch(
        /^The operation couldn't be performed because object 'ApplicationImpersonation' couldn't be found on '.+'\.$/,
      );
      const group = await exchange(sim, exchangeToken, 'New-RoleGroup', {
        Name: 'App Impersonation',
        Roles: ['ApplicationImpersonation'],
      });
      expect(group.status).toBe(404);
      expect(sim.state().roleGroups.some((candidate) => candidate.name === 'App Impersonation')).toBe(false);
    });
  });

  test('when the tenant is mfa-enforced, then security defaults are on', async () => {
    await withScenario('mfa-enforced', async (sim, graphToken) => {
      expect(
        (await graph(sim, graphToken, 'GET', '/policies/identitySecurityDefaultsEnforcementPolicy')).body
          .isEnabled,
      ).toBe(true);
    });
  });

  test('when the tenant is ca-mfa, then an enabled policy requires MFA for all users', async () => {
    await withScenario('ca-mfa', async (sim, graphToken) => {
      const policies = (await graph(sim, graphToken, 'GET', '/identity/conditionalAccess/policies')).body
        .value;
      const enabled = policies.filter((policy: { state: string }) => policy.state === 'enabled');
      expect(enabled).toHaveLength(1);
      expect(enabled[0].conditions.users.includeUsers).toEqual(['All']);
      expect(enabled[0].grantControls.builtInControls).toEqual(['mfa']);
      expect(
        (await graph(sim, graphToken, 'GET', '/policies/identitySecurityDefaultsEnforcementPolicy')).body
          .isEnabled,
      ).toBe(false);
    });
  });

  test('when the tenant is federated-only, then the only managed verified domain is *.onmicrosoft.com', async () => {
    await withScenario('federated-only', async (sim, graphToken) => {
      const domains: Array<{ id: string; isVerified: boolean; authenticationType: string }> = (
        await graph(sim, graphToken, 'GET', '/domains')
      ).body.value;
      const managed = domains
        .filter((domain) => domain.isVerified && domain.authenticationType === 'Managed')
        .map((domain) => domain.id);
      expect(managed).toEqual(['contoso.onmicrosoft.com']);
      const created = await graph(sim, graphToken, 'POST', '/users', {
        accountEnabled: true,
        displayName: 'Svc',
        mailNickname: 'svc',
        userPrincipalName: 'svc@contoso.com',
        passwordProfile: { password: 'Xq7!vR2#mK9@wL4$' },
      });
      expect(created.status).toBe(400);
    });
  });

  test('when the tenant is no-seats, then every mailbox SKU is fully consumed but M365_F1 (no mailbox) still has seats', async () => {
    await withScenario('no-seats', async (sim, graphToken) => {
      const skus: Sku[] = (await graph(sim, graphToken, 'GET', '/subscribedSkus')).body.value;
      for (const sku of skus) {
        const free = sku.prepaidUnits.enabled - sku.consumedUnits;
        if (sku.skuId === SKUS.M365_F1.skuId) expect(free).toBeGreaterThan(0);
        else expect(free).toBe(0);
      }
    });
  });

  test('when the tenant is throttled, then every third Graph request is answered 429 with Retry-After: 1', async () => {
    await withScenario('throttled', async (sim, graphToken) => {
      const results = [];
      for (let i = 0; i < 6; i += 1) results.push(await graph(sim, graphToken, 'GET', '/domains'));
      expect(results.map((result) => result.status)).toEqual([200, 200, 429, 200, 200, 429]);
      expect(results[2].headers.get('retry-after')).toBe('1');
      expect(results[2].body.error.code).toBe('TooManyRequests');
      expect(
        sim
          .calls()
          .filter((call) => call.status === 429)
          .every((call) => call.fault === 'throttled scenario'),
      ).toBe(true);
    });
  });

  test('when any scenario starts, then the Agents Playground people exist with their ids and roles', async () => {
    await withScenario('classic', async (sim) => {
      const state = sim.state();
      const people = Object.fromEntries(state.users.map((user) => [user.id, user.displayName]));
      expect(people).toMatchObject({
        '00000000-0000-0000-0000-0000000000020': 'Alex Wilber',
        '00000000-0000-0000-0000-0000000000021': 'Megan Bowen',
        '00000000-0000-0000-0000-0000000000022': 'Adele Vance',
        '00000000-0000-0000-0000-0000000000023': 'Isaiah Langer',
        '00000000-0000-0000-0000-0000000000024': 'Patti Fernandez',
        '00000000-0000-0000-0000-0000000000025': 'Lynne Robbins',
      });
      expect(state.users.filter((user) => !user.accountEnabled).map((user) => user.displayName)).toEqual([
        'Diego Siciliani',
      ]);
      const roleOf = (id: string) =>
        state.roleAssignments
          .filter((assignment) => assignment.principalId === id)
          .map((assignment) => assignment.roleDefinitionId);
      expect(roleOf('00000000-0000-0000-0000-0000000000020')).toEqual([
        '62e90394-69f5-4237-9190-012177145e10',
      ]);
      expect(roleOf('00000000-0000-0000-0000-0000000000021')).toEqual([
        '62e90394-69f5-4237-9190-012177145e10',
      ]);
      expect(roleOf('00000000-0000-0000-0000-0000000000022')).toEqual([
        'e8611ab8-c189-46e8-94e1-60213ab1f814',
      ]);
      expect(roleOf('00000000-0000-0000-0000-0000000000023')).toEqual([]);
    });
  });
});
