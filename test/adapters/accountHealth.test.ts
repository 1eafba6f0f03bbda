/**
 * What the health watch reads of a ready service account, through the real Graph and Exchange adapters
 * against the simulator: the healthy account, each change an admin elsewhere can make showing in
 * exactly the field it should, and the round trips — Graph at most two (one when the user is gone),
 * Exchange exactly one — with throttled sub-requests retried and absent answers read as answers.
 */
import { isAppError } from '../../src/domain/errors';
import { provisionAccount } from '../../src/domain/provisionAccount';
import type { DirectoryAccountReading, ExchangeAccountQuery } from '../../src/domain/tenant';
import { IMPERSONATION_ROLE_GROUP, ROLE } from '../../src/domain/wellKnown';
import {
  APPROVERS_GROUP_ID,
  CIRASYNC_SERVICE_PRINCIPAL,
  REQUESTERS_GROUP_ID,
  SKUS,
  type TenantSimulator,
} from '../../src/simulator';
import { type Harness, spec, startHarness } from '../support/tenantHarness';

const UPN = 'cirasync-svc@contoso.com';
const QUERY: ExchangeAccountQuery = {
  user: UPN,
  roleGroup: IMPERSONATION_ROLE_GROUP,
  mailbox: true,
  publicFolder: '\\',
  appId: CIRASYNC_SERVICE_PRINCIPAL.appId,
};
const ALEX = '00000000-0000-0000-0000-0000000000020';
const ISAIAH = '00000000-0000-0000-0000-0000000000023';
const PATTI = '00000000-0000-0000-0000-0000000000024';

describe('reading a service account’s health', () => {
  let harness: Harness;
  let sim: TenantSimulator;
  let userId: string;

  beforeAll(async () => {
    harness = await startHarness('classic');
    sim = harness.simulator;
    const progress = await provisionAccount(spec(), {
      ...harness,
      password: 'Kx7#mP2$vQ9!wR4^tY6*zB8',
      patience: harness.patience,
    });
    userId = progress.userId ?? '';
    await harness.appAccess.newServicePrincipal({
      appId: CIRASYNC_SERVICE_PRINCIPAL.appId,
      objectId: CIRASYNC_SERVICE_PRINCIPAL.id,
      displayName: CIRASYNC_SERVICE_PRINCIPAL.displayName,
    });
    await harness.appAccess.newAppRoleAssignment({
      name: 'CiraSync Mail.Read',
      servicePrincipalId: CIRASYNC_SERVICE_PRINCIPAL.id,
      role: 'Application Mail.Read',
    });
  });
  afterAll(async () => sim.close());

  /** The directory reading, and the Graph round trips and calls it took. */
  async function readDirectory(id = userId) {
    sim.resetCalls();
    const reading = await harness.directory.readAccountHealth(id, 'contoso.com');
    return { reading, trips: sim.roundTrips().graph, calls: sim.calls().filter((c) => c.api === 'graph') };
  }

  async function readExchange(query: ExchangeAccountQuery = QUERY) {
    sim.resetCalls();
    const reading = await harness.exchange.readAccountHealth(query);
    return {
      reading,
      trips: sim.roundTrips().exchange,
      cmdlets: sim
        .calls()
        .filter((c) => c.api === 'exchange' && c.viaBatch)
        .map((c) => c.cmdlet),
    };
  }

  /** Reads, makes the change, reads again: the readings differ in exactly the fields expected. */
  async function directoryChange(
    change: () => void,
  ): Promise<[DirectoryAccountReading, DirectoryAccountReading]> {
    const before = (await readDirectory()).reading;
    change();
    return [before, (await readDirectory()).reading];
  }

  it('when the account is ready, then Graph tells all of it in a $batch and the MFA read', async () => {
    const { reading, trips, calls } = await readDirectory();
    expect(reading).toEqual({
      user: {
        id: userId,
        userPrincipalName: UPN,
        accountEnabled: true,
        passwordPolicies: 'DisablePasswordExpiration',
        skuIds: [SKUS.EXCHANGESTANDARD.skuId],
      },
      groupIds: [],
      roleDefinitionIds: [ROLE.globalAdministrator],
      securityDefaultsEnabled: false,
      conditionalAccessPolicies: expect.arrayContaining([
        expect.objectContaining({ state: 'enabledForReportingButNotEnforced', requiresMfa: true }),
      ]),
      domain: expect.objectContaining({ id: 'contoso.com', authenticationType: 'Managed', isVerified: true }),
      perUserMfaState: 'disabled',
    });
    expect(trips).toBe(2);
    expect(calls.filter((c) => c.viaBatch)).toHaveLength(6);
    expect(
      calls.filter((c) => !c.viaBatch).map((c) => `${c.method} ${c.path.replace(userId, '{id}')}`),
    ).toEqual(['POST /v1.0/$batch', 'GET /beta/users/{id}/authentication/requirements']);
    expect(calls.every((c) => !c.mutating)).toBe(true);
  });

  it('when the account is ready, then Exchange answers all four questions in one $batch', async () => {
    const { reading, trips, cmdlets } = await readExchange();
    expect(reading).toEqual({
      roleGroupMember: true,
      mailbox: true,
      publicFolderRights: ['Reviewer'],
      appRoles: [{ role: 'Application Mail.Read' }],
    });
    expect(trips).toBe(1);
    expect(cmdlets).toEqual([
      'Get-RoleGroup',
      'Get-Mailbox',
      'Get-PublicFolderClientPermission',
      'Get-ManagementRoleAssignment',
    ]);
  });

  it('when only some things are asked, then Exchange is asked only those (and nothing at all for none)', async () => {
    const some = await readExchange({ user: UPN, mailbox: true });
    expect(some.reading).toEqual({ mailbox: true });
    expect(some.cmdlets).toEqual(['Get-Mailbox']);
    const none = await readExchange({ user: UPN });
    expect(none.reading).toEqual({});
    expect(none.trips).toBe(0);
  });

  it('when a user is in groups and holds a role, then the groups are groups only (no directory roles)', async () => {
    sim.resetCalls();
    const alex = await harness.directory.readAccountHealth(ALEX, 'contoso.com');
    expect(alex.groupIds).toEqual([APPROVERS_GROUP_ID]);
    expect(alex.roleDefinitionIds).toEqual([ROLE.globalAdministrator]);
    const isaiah = await harness.directory.readAccountHealth(ISAIAH, 'contoso.com');
    expect(isaiah.groupIds).toEqual([REQUESTERS_GROUP_ID]);
    expect(isaiah.roleDefinitionIds).toEqual([]);
  });

  it('when security defaults are turned on, then only securityDefaultsEnabled changes', async () => {
    const [before, after] = await directoryChange(() => sim.change.setSecurityDefaults(true));
    expect(after).toEqual({ ...before, securityDefaultsEnabled: true });
    sim.change.setSecurityDefaults(false);
  });

  it('when a Conditional Access policy is added and later turned off, then the policy list shows it as it is', async () => {
    let id = '';
    const [before, after] = await directoryChange(() => {
      id = sim.change.addConditionalAccessPolicy({
        displayName: 'MFA for the sync account',
        includeUsers: [userId],
        includeGroups: [REQUESTERS_GROUP_ID],
        includeRoles: [ROLE.globalAdministrator],
        excludeUsers: [ALEX],
        includeApplications: ['00000002-0000-0ff1-ce00-000000000000'],
      });
    });
    const added = {
      id,
      displayName: 'MFA for the sync account',
      state: 'enabled',
      includeUsers: [userId],
      excludeUsers: [ALEX],
      includeGroups: [REQUESTERS_GROUP_ID],
      excludeGroups: [],
      includeRoles: [ROLE.globalAdministrator],
      excludeRoles: [],
      includeApplications: ['00000002-0000-0ff1-ce00-000000000000'],
      requiresMfa: true,
    };
    expect(after).toEqual({
      ...before,
      conditionalAccessPolicies: [...before.conditionalAccessPolicies, added],
    });
    const [, off] = await directoryChange(() => sim.change.setConditionalAccessPolicyState(id, 'disabled'));
    expect(off).toEqual({
      ...after,
      conditionalAccessPolicies: [...before.conditionalAccessPolicies, { ...added, state: 'disabled' }],
    });
  });

  it('when per-user MFA is enforced, then only perUserMfaState changes', async () => {
    const [before, after] = await directoryChange(() => sim.change.setPerUserMfa(userId, 'enforced'));
    expect(after).toEqual({ ...before, perUserMfaState: 'enforced' });
    sim.change.setPerUserMfa(userId, 'disabled');
  });

  it('when the account is disabled and its password set to expire, then only those user fields change', async () => {
    const [before, after] = await directoryChange(() =>
      sim.change.setSignIn(userId, { accountEnabled: false, passwordPolicies: null }),
    );
    expect(after).toEqual({
      ...before,
      user: { ...before.user, accountEnabled: false, passwordPolicies: '' },
    });
    sim.change.setSignIn(userId, { accountEnabled: true, passwordPolicies: 'DisablePasswordExpiration' });
  });

  it('when Global Administrator is removed and Exchange Administrator given, then the roles say so', async () => {
    const [before, removed] = await directoryChange(() =>
      sim.change.removeDirectoryRole(userId, ROLE.globalAdministrator),
    );
    expect(removed).toEqual({ ...before, roleDefinitionIds: [] });
    const [, added] = await directoryChange(() =>
      sim.change.addDirectoryRole(userId, ROLE.exchangeAdministrator),
    );
    expect(added).toEqual({ ...before, roleDefinitionIds: [ROLE.exchangeAdministrator] });
    sim.change.removeDirectoryRole(userId, ROLE.exchangeAdministrator);
    sim.change.addDirectoryRole(userId, ROLE.globalAdministrator);
  });

  it('when the account is taken out of the role group, then only roleGroupMember turns false', async () => {
    const before = (await readExchange()).reading;
    sim.change.removeRoleGroupMember(IMPERSONATION_ROLE_GROUP, userId);
    expect((await readExchange()).reading).toEqual({ ...before, roleGroupMember: false });
    await harness.exchange.addRoleGroupMember(IMPERSONATION_ROLE_GROUP, UPN);
  });

  it('when the public-folder permission is removed, then the rights read null (no entry), not an error', async () => {
    const before = (await readExchange()).reading;
    sim.change.removePublicFolderPermission(userId);
    expect((await readExchange()).reading).toEqual({ ...before, publicFolderRights: null });
    await harness.exchange.addPublicFolderPermission('\\', UPN, 'Reviewer');
  });

  it('when a role group or an app is unknown to Exchange, then the answers are false and [] in the same round trip', async () => {
    const { reading, trips } = await readExchange({
      user: UPN,
      roleGroup: 'No Such Group',
      appId: '0d6f5b1e-7c2a-4b39-8e4f-a1b2c3d4e5f6',
    });
    expect(reading).toEqual({ roleGroupMember: false, appRoles: [] });
    expect(trips).toBe(1);
  });

  it('when a Graph sub-request is throttled, then only it is sent again and the reading is whole', async () => {
    const healthy = (await readDirectory()).reading;
    sim.faults.inject({
      api: 'graph',
      method: 'GET',
      pathPattern: /\/transitiveMemberOf$/,
      times: 1,
      status: 429,
      retryAfterSeconds: 0,
    });
    const { reading, trips, calls } = await readDirectory();
    expect(reading).toEqual(healthy);
    expect(trips).toBe(3);
    const memberOf = calls.filter((c) => c.path.endsWith('/transitiveMemberOf'));
    expect(memberOf.map((c) => c.status)).toEqual([429, 200]);
    expect(calls.filter((c) => c.viaBatch)).toHaveLength(7);
  });

  it('when an Exchange sub-request meets a passing outage, then only it is sent again', async () => {
    const healthy = (await readExchange()).reading;
    sim.faults.inject({ api: 'exchange', cmdlet: 'Get-Mailbox', times: 1, status: 503 });
    const { reading, trips, cmdlets } = await readExchange();
    expect(reading).toEqual(healthy);
    expect(trips).toBe(2);
    expect(cmdlets).toEqual([
      'Get-RoleGroup',
      'Get-Mailbox',
      'Get-PublicFolderClientPermission',
      'Get-ManagementRoleAssignment',
      'Get-Mailbox',
    ]);
  });

  it('when a sub-request fails for good, then the reading fails with the AppError (Graph and Exchange)', async () => {
    sim.faults.inject({
      api: 'graph',
      method: 'GET',
      pathPattern: /identitySecurityDefaultsEnforcementPolicy$/,
      times: 1,
      status: 500,
    });
    const graphError = await harness.directory
      .readAccountHealth(userId, 'contoso.com')
      .catch((e: unknown) => e);
    expect(isAppError(graphError, 'Unexpected')).toBe(true);
    sim.faults.inject({ api: 'exchange', cmdlet: 'Get-RoleGroup', times: 1, status: 500 });
    const exchangeError = await harness.exchange.readAccountHealth(QUERY).catch((e: unknown) => e);
    expect(isAppError(exchangeError, 'Unexpected')).toBe(true);
    expect(isAppError(exchangeError) ? exchangeError.details.operation : '').toBe('Get-RoleGroup');
  });

  it('when the licence is removed, then the skus empty at once while Exchange keeps the mailbox (grace period)', async () => {
    const [before, after] = await directoryChange(() =>
      sim.change.removeLicence(userId, SKUS.EXCHANGESTANDARD.skuId),
    );
    expect(after).toEqual({ ...before, user: { ...before.user, skuIds: [] } });
    expect((await readExchange({ user: UPN, mailbox: true })).reading).toEqual({ mailbox: true });
  });

  it('when the app’s Exchange role assignments are removed, then appRoles is empty', async () => {
    const before = (await readExchange()).reading;
    sim.change.removeAppRoleAssignments(CIRASYNC_SERVICE_PRINCIPAL.appId);
    expect((await readExchange()).reading).toEqual({ ...before, appRoles: [] });
  });

  it('when the domain is made federated, then only the domain changes', async () => {
    const [before, after] = await directoryChange(() => sim.change.federateDomain('contoso.com'));
    expect(after).toEqual({ ...before, domain: { ...before.domain, authenticationType: 'Federated' } });
  });

  it('when the domain is not the tenant’s, then domain is undefined (Graph 404), not an error', async () => {
    const reading = await harness.directory.readAccountHealth(userId, 'northwind.example');
    expect(reading.domain).toBeUndefined();
    expect(reading.user?.id).toBe(userId);
  });

  it('when the user was deleted, then it reads as user undefined in one Graph round trip, and Exchange finds nothing of it', async () => {
    await harness.directory.deleteUser(PATTI);
    const { reading, trips } = await readDirectory(PATTI);
    expect(reading).toEqual({
      user: undefined,
      groupIds: [],
      roleDefinitionIds: [],
      securityDefaultsEnabled: false,
      conditionalAccessPolicies: expect.any(Array),
      domain: expect.objectContaining({ id: 'contoso.com' }),
      perUserMfaState: 'disabled',
    });
    expect(trips).toBe(1);
    const exchange = await readExchange({ ...QUERY, user: 'pattif@contoso.com', appId: undefined });
    expect(exchange.reading).toEqual({ roleGroupMember: false, mailbox: false, publicFolderRights: null });
    expect(exchange.trips).toBe(1);
  });
});
