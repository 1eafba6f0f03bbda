/**
 * The simulator's controls for an admin's changes elsewhere (`sim.change`), seen through the wire as
 * real clients see them, and the Graph reads the health watch makes that the other tests do not
 * cover: a user's `transitiveMemberOf`, and a mailbox kept 30 days after its licence goes.
 */
import {
  APPROVERS_GROUP_ID,
  MAILBOX_GRACE_MS,
  ROLE_IDS,
  SKUS,
  type TenantSimulator,
} from '../../src/simulator';
import { exchange, graph, startSimulator, tokenFor } from './simulatorHarness';

const ALEX = '00000000-0000-0000-0000-0000000000020';
const ISAIAH = '00000000-0000-0000-0000-0000000000023';

describe('changes made elsewhere, as the simulated tenant shows them', () => {
  let sim: TenantSimulator;
  let graphToken: string;
  let exchangeToken: string;

  beforeEach(async () => {
    sim = await startSimulator();
    graphToken = await tokenFor(sim, 'https://graph.microsoft.com');
    exchangeToken = await tokenFor(sim, 'https://outlook.office365.com');
  });
  afterEach(async () => sim.close());

  it('when a user’s memberships are listed, then groups and the roles held come as typed directory objects', async () => {
    const result = await graph(sim, graphToken, 'GET', `/users/${ALEX}/transitiveMemberOf?$select=id`);
    expect(result.status).toBe(200);
    expect(result.body['@odata.context']).toMatch(/\/v1\.0\/\$metadata#directoryObjects$/);
    expect(result.body.value).toEqual([
      { '@odata.type': '#microsoft.graph.group', id: APPROVERS_GROUP_ID },
      { '@odata.type': '#microsoft.graph.directoryRole', id: expect.any(String) },
    ]);
    const full = await graph(sim, graphToken, 'GET', `/users/${ALEX}/transitiveMemberOf`);
    expect(full.body.value[1].roleTemplateId).toBe(ROLE_IDS.globalAdministrator);
    const gone = await graph(
      sim,
      graphToken,
      'GET',
      '/users/00000000-0000-0000-0000-00000000dead/transitiveMemberOf',
    );
    expect(gone.status).toBe(404);
    expect(gone.body.error.code).toBe('Request_ResourceNotFound');
  });

  it('when an app has only GroupMember.Read.All or User.Read.All, then it may list memberships; with neither it is 403', async () => {
    for (const [clientId, graphRoles, status] of [
      ['6a1b2c3d-0000-4000-8000-000000000001', ['GroupMember.Read.All'], 200],
      ['6a1b2c3d-0000-4000-8000-000000000002', ['User.Read.All'], 200],
      ['6a1b2c3d-0000-4000-8000-000000000003', ['Policy.Read.All'], 403],
    ] as const) {
      sim.registerClient({ clientId, secret: 'secret-value-000000000000', graphRoles });
      const token = await tokenFor(sim, 'https://graph.microsoft.com', {
        clientId,
        clientSecret: 'secret-value-000000000000',
      });
      const result = await graph(sim, token, 'GET', `/users/${ISAIAH}/transitiveMemberOf?$select=id`);
      expect(result.status).toBe(status);
    }
  });

  it('when the Conditional Access and MFA controls are used, then Graph answers with the new values', async () => {
    sim.change.setSecurityDefaults(true);
    const id = sim.change.addConditionalAccessPolicy({
      displayName: 'Block the sync app',
      state: 'enabledForReportingButNotEnforced',
      includeGroups: [APPROVERS_GROUP_ID],
      includeApplications: ['00000002-0000-0ff1-ce00-000000000000'],
      requireMfa: false,
    });
    sim.change.setPerUserMfa(ISAIAH, 'enabled');
    const defaults = await graph(
      sim,
      graphToken,
      'GET',
      '/policies/identitySecurityDefaultsEnforcementPolicy',
    );
    expect(defaults.body.isEnabled).toBe(true);
    const policies = await graph(sim, graphToken, 'GET', '/identity/conditionalAccess/policies');
    const added = policies.body.value.find((p: { id: string }) => p.id === id);
    expect(added.state).toBe('enabledForReportingButNotEnforced');
    expect(added.conditions.users.includeGroups).toEqual([APPROVERS_GROUP_ID]);
    expect(added.conditions.applications.includeApplications).toEqual([
      '00000002-0000-0ff1-ce00-000000000000',
    ]);
    expect(added.grantControls.builtInControls).toEqual(['block']);
    sim.change.setConditionalAccessPolicyState(id, 'enabled');
    const again = await graph(sim, graphToken, 'GET', '/identity/conditionalAccess/policies');
    expect(again.body.value.find((p: { id: string }) => p.id === id).state).toBe('enabled');
    const mfa = await graph(sim, graphToken, 'GET', `/beta/users/${ISAIAH}/authentication/requirements`);
    expect(mfa.body.perUserMfaState).toBe('enabled');
  });

  it('when a mailbox user’s licence is removed, then Get-Mailbox finds the mailbox for 30 days and not after', async () => {
    sim.change.removeLicence(ALEX, SKUS.ENTERPRISEPACK.skuId);
    expect(sim.state().users.find((u) => u.id === ALEX)?.assignedLicenses).toEqual([]);
    const during = await exchange(sim, exchangeToken, 'Get-Mailbox', { Identity: 'alexw@contoso.com' });
    expect(during.status).toBe(200);
    sim.advance(MAILBOX_GRACE_MS + 1);
    const token = await tokenFor(sim, 'https://outlook.office365.com');
    const after = await exchange(sim, token, 'Get-Mailbox', { Identity: 'alexw@contoso.com' });
    expect(after.status).toBe(404);
    const recipient = await exchange(sim, token, 'Get-Recipient', { Identity: 'alexw@contoso.com' });
    expect(recipient.body.value[0].RecipientTypeDetails).toBe('User');
  });

  it('when a licence is removed through Graph, then the mailbox is kept the same way', async () => {
    const result = await graph(sim, graphToken, 'POST', `/users/${ALEX}/assignLicense`, {
      addLicenses: [],
      removeLicenses: [SKUS.ENTERPRISEPACK.skuId],
    });
    expect(result.status).toBe(200);
    expect(sim.state().users.find((u) => u.id === ALEX)?.exchange.mailbox).toBe(true);
    sim.advance(MAILBOX_GRACE_MS + 1);
    expect(sim.state().users.find((u) => u.id === ALEX)?.exchange.mailbox).toBe(false);
  });

  it('when sign-in, domain and role controls are used, then the state shows them', async () => {
    sim.change.setSignIn(ISAIAH, { accountEnabled: false, passwordPolicies: 'DisableStrongPassword' });
    sim.change.federateDomain('contoso.com');
    sim.change.addDirectoryRole(ISAIAH, ROLE_IDS.exchangeAdministrator);
    sim.change.removeDirectoryRole(ALEX, ROLE_IDS.globalAdministrator);
    const state = sim.state();
    const isaiah = state.users.find((u) => u.id === ISAIAH);
    expect([isaiah?.accountEnabled, isaiah?.passwordPolicies]).toEqual([false, 'DisableStrongPassword']);
    expect(state.domains.find((d) => d.id === 'contoso.com')?.authenticationType).toBe('Federated');
    expect(
      state.roleAssignments.filter((a) => a.principalId === ISAIAH).map((a) => a.roleDefinitionId),
    ).toEqual([ROLE_IDS.exchangeAdministrator]);
    expect(state.roleAssignments.some((a) => a.principalId === ALEX)).toBe(false);
    const user = await graph(
      sim,
      graphToken,
      'GET',
      `/users/${ISAIAH}?$select=accountEnabled,passwordPolicies`,
    );
    expect(user.body).toMatchObject({ accountEnabled: false, passwordPolicies: 'DisableStrongPassword' });
  });

  it('when a control names something the tenant does not have, then it throws instead of changing nothing', () => {
    expect(() => sim.change.setPerUserMfa('nobody@contoso.com', 'enforced')).toThrow(/no user/);
    expect(() => sim.change.removeLicence(ISAIAH, SKUS.EXCHANGEDESKLESS.skuId)).toThrow(/no licence/);
    expect(() => sim.change.removeRoleGroupMember('No Such Group', ISAIAH)).toThrow(/no role group/);
    expect(() => sim.change.removeRoleGroupMember('Organization Management', ISAIAH)).toThrow(/is not in/);
    expect(() => sim.change.removePublicFolderPermission(ISAIAH)).toThrow(/no public-folder permission/);
    expect(() => sim.change.removeAppRoleAssignments('no-such-app')).toThrow(/no service principal/);
    expect(() => sim.change.federateDomain('northwind.example')).toThrow(/no domain/);
    expect(() => sim.change.setConditionalAccessPolicyState('nope', 'enabled')).toThrow(
      /no Conditional Access/,
    );
    expect(() => sim.change.addDirectoryRole(ALEX, ROLE_IDS.globalAdministrator)).toThrow(/already holds/);
  });
});
