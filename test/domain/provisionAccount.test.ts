/**
 * The whole provisioning plan, through the real Graph and Exchange adapters, against the tenant
 * simulator over HTTP. Side effects are counted from the simulator's own log.
 */
import { isAppError } from '../../src/domain/errors';
import {
  BlockedError,
  downgradeAccount,
  PLAN,
  planOf,
  provisionAccount,
  type ProvisioningProgress,
} from '../../src/domain/provisionAccount';
import { userPrincipalName } from '../../src/domain/provisioningSteps';
import { IMPERSONATION_ROLE_GROUP, ROLE } from '../../src/domain/wellKnown';
import { SKUS } from '../../src/simulator';
import { committedWrites, type Harness, spec, startHarness, TENANT_ID } from '../support/tenantHarness';

const PASSWORD = 'Kx7#mP2$vQ9!wR4^tY6*zB8';
const UPN = 'cirasync-svc@contoso.com';

const ALL_WRITES_WITH_PUBLIC_FOLDERS = [
  'POST /v1.0/users',
  'POST /v1.0/roleManagement/directory/roleAssignments',
  'POST /v1.0/users/{id}/assignLicense',
  'Add-PublicFolderClientPermission',
  'New-RoleGroup',
];

function expectProvisioned(h: Harness, options: { publicFolders: boolean } = { publicFolders: true }): void {
  const state = h.simulator.state();
  const users = state.users.filter((u) => u.userPrincipalName.toLowerCase() === UPN);
  expect(users).toHaveLength(1);
  const user = users[0];
  expect(user.passwordPolicies).toContain('DisablePasswordExpiration');
  expect(user.accountEnabled).toBe(true);
  const globalAdmin = state.roleAssignments.filter(
    (a) => a.principalId === user.id && a.roleDefinitionId === ROLE.globalAdministrator,
  );
  expect(globalAdmin).toHaveLength(1);
  expect(user.assignedLicenses.map((l) => l.skuId)).toEqual(
    options.publicFolders ? [SKUS.EXCHANGESTANDARD.skuId] : [],
  );
  const reviewer = state.publicFolderPermissions.filter((p) => p.user === user.id);
  expect(reviewer.map((p) => p.accessRights)).toEqual(options.publicFolders ? [['Reviewer']] : []);
  const groups = state.roleGroups.filter((g) => g.name === IMPERSONATION_ROLE_GROUP);
  expect(groups).toHaveLength(1);
  expect(groups[0].roles).toEqual(['ApplicationImpersonation']);
  expect(groups[0].members.filter((m) => m.userId === user.id)).toHaveLength(1);
}

describe('provisioning against the simulated tenant', () => {
  let h: Harness;
  afterEach(async () => h?.simulator.close());

  it('when the classic tenant is provisioned with public folders, then it holds exactly the account, one write per thing', async () => {
    h = await startHarness('classic');
    const progress = await provisionAccount(spec(), { ...h, password: PASSWORD });
    expect(progress.completed.map((r) => [r.step, r.outcome])).toEqual([
      ['user', 'created'],
      ['globalAdministrator', 'created'],
      ['licence', 'created'],
      ['exchangeRecipient', 'existing'],
      ['publicFolderReviewer', 'created'],
      ['impersonationRoleGroup', 'created'],
    ]);
    expectProvisioned(h);
    expect(committedWrites(h.simulator)).toEqual(ALL_WRITES_WITH_PUBLIC_FOLDERS);
    const apiCalls = h.simulator.calls().filter((c) => c.api !== 'token' && !c.viaBatch);
    expect(apiCalls.every((c) => /^[0-9a-f-]{36}$/.test(c.clientRequestId ?? ''))).toBe(true);
    expect(new Set(apiCalls.map((c) => c.clientRequestId)).size).toBe(apiCalls.length);
    const exchangeCalls = apiCalls.filter((c) => c.api === 'exchange');
    expect(
      exchangeCalls.every(
        (c) => c.anchorMailbox === `APP:SystemMailbox{bb558c35-97f1-4cb9-8ff7-d53741dc928c}@${TENANT_ID}`,
      ),
    ).toBe(true);
  });

  it('when the plan runs twice, then the second run writes nothing', async () => {
    h = await startHarness('classic');
    await provisionAccount(spec(), { ...h, password: PASSWORD });
    h.simulator.resetCalls();
    const again = await provisionAccount(spec(), { ...h, password: 'another-Password#123456' });
    expect(again.completed.every((r) => r.outcome !== 'created')).toBe(true);
    expect(committedWrites(h.simulator)).toEqual([]);
    expectProvisioned(h);
  });

  it.each(PLAN.map((s, i) => [s.name, i] as const))(
    'when the process dies right after the %s step, then the resumed run completes without a duplicate',
    async (_name, index) => {
      h = await startHarness('classic');
      let saved: ProvisioningProgress = { completed: [] };
      const crash = new Error('simulated crash');
      await expect(
        provisionAccount(spec(), {
          ...h,
          password: PASSWORD,
          onStepDone: (progress, result) => {
            // The step's effect happened; the process dies before its progress is saved.
            if (result.step === PLAN[index].name) throw crash;
            saved = { userId: progress.userId, completed: [...progress.completed] };
          },
        }),
      ).rejects.toBe(crash);
      await provisionAccount(spec(), { ...h, password: PASSWORD, progress: saved });
      expectProvisioned(h);
      expect([...committedWrites(h.simulator)].sort()).toEqual([...ALL_WRITES_WITH_PUBLIC_FOLDERS].sort());
    },
  );

  it('when public folders are not synced, then no licence is assigned and no public-folder permission is given', async () => {
    h = await startHarness('classic');
    const progress = await provisionAccount(spec({ publicFolders: undefined }), { ...h, password: PASSWORD });
    expect(progress.completed.filter((r) => r.outcome === 'skipped').map((r) => r.step)).toEqual([
      'licence',
      'publicFolderReviewer',
    ]);
    expectProvisioned(h, { publicFolders: false });
    expect(committedWrites(h.simulator)).toEqual([
      'POST /v1.0/users',
      'POST /v1.0/roleManagement/directory/roleAssignments',
      'New-RoleGroup',
    ]);
  });

  it('when the account is made beside an app grant in a current tenant, then it gets everything but impersonation, and its plan has no role-group step', async () => {
    h = await startHarness('current');
    expect(planOf({ impersonation: false }).map((s) => s.name)).not.toContain('impersonationRoleGroup');
    expect(planOf({}).map((s) => s.name)).toContain('impersonationRoleGroup');
    const progress = await provisionAccount(spec({ impersonation: false }), { ...h, password: PASSWORD });
    expect(progress.completed.map((r) => r.step)).not.toContain('impersonationRoleGroup');
    expect(committedWrites(h.simulator)).toEqual(ALL_WRITES_WITH_PUBLIC_FOLDERS.slice(0, -1));
    expect(h.simulator.state().roleGroups.filter((g) => g.name === IMPERSONATION_ROLE_GROUP)).toEqual([]);
  });

  it('when the App Impersonation group already exists, then the account is added to it', async () => {
    h = await startHarness('classic');
    await provisionAccount(spec({ requestId: 'req-a', username: 'first-svc' }), { ...h, password: PASSWORD });
    h.simulator.resetCalls();
    await provisionAccount(spec(), { ...h, password: PASSWORD });
    expectProvisioned(h);
    expect(committedWrites(h.simulator)).toEqual([
      'POST /v1.0/users',
      'POST /v1.0/roleManagement/directory/roleAssignments',
      'POST /v1.0/users/{id}/assignLicense',
      'Add-PublicFolderClientPermission',
      'Add-RoleGroupMember',
    ]);
  });

  it.each([
    ['current', 'impersonationRetired'],
    ['mfa-enforced', 'securityDefaultsOn'],
    ['ca-mfa', 'conditionalAccessMfa'],
    ['no-seats', 'noMailboxSeats'],
  ] as const)(
    'when the tenant is %s, then pre-flight blocks with %s before any write',
    async (scenario, code) => {
      h = await startHarness(scenario);
      const error = await provisionAccount(spec(), { ...h, password: PASSWORD }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(BlockedError);
      expect((error as BlockedError).report.blockers.map((b) => b.code)).toContain(code);
      expect(h.simulator.mutatingCalls()).toEqual([]);
    },
  );

  it('when the tenant has no free mailbox seat and public folders are off, then provisioning goes ahead', async () => {
    h = await startHarness('no-seats');
    await provisionAccount(spec({ publicFolders: undefined }), { ...h, password: PASSWORD });
    expectProvisioned(h, { publicFolders: false });
  });

  it('when only the initial domain is managed, then a federated domain is refused and the initial one works', async () => {
    h = await startHarness('federated-only');
    const refused = await provisionAccount(spec(), { ...h, password: PASSWORD }).catch((e: unknown) => e);
    expect(isAppError(refused, 'Blocked')).toBe(true);
    expect((refused as Error).message).toMatch(/contoso\.com is not a verified, managed domain/);
    expect(h.simulator.mutatingCalls()).toEqual([]);
    const progress = await provisionAccount(spec({ domain: 'contoso.onmicrosoft.com' }), {
      ...h,
      password: PASSWORD,
    });
    expect(progress.completed[0].detail).toContain('cirasync-svc@contoso.onmicrosoft.com');
  });

  it('when Graph throttles every third request, then provisioning still completes, honouring Retry-After', async () => {
    h = await startHarness('throttled');
    await provisionAccount(spec(), { ...h, password: PASSWORD });
    expectProvisioned(h);
    expect(h.retries.count).toBeGreaterThan(0);
    expect(h.simulator.calls().filter((c) => c.status === 429).length).toBeGreaterThanOrEqual(
      h.retries.count,
    );
    expect(committedWrites(h.simulator)).toEqual(ALL_WRITES_WITH_PUBLIC_FOLDERS);
  });

  it('when the name is held by someone else, then it fails closed, names the holder and writes nothing', async () => {
    h = await startHarness('classic');
    const error = await provisionAccount(spec({ username: 'alexw' }), { ...h, password: PASSWORD }).catch(
      (e: unknown) => e,
    );
    expect(isAppError(error, 'UpnTaken')).toBe(true);
    expect((error as { userMessage: string }).userMessage).toMatch(
      /alexw@contoso\.com is already taken by "Alex Wilber"/,
    );
    expect(h.simulator.mutatingCalls()).toEqual([]);
  });

  it('when the account was created by another request, then this request does not adopt it', async () => {
    h = await startHarness('classic');
    await provisionAccount(spec({ requestId: 'req-other' }), { ...h, password: PASSWORD });
    h.simulator.resetCalls();
    const error = await provisionAccount(spec({ requestId: 'req-mine' }), { ...h, password: PASSWORD }).catch(
      (e: unknown) => e,
    );
    expect(isAppError(error, 'UpnTaken')).toBe(true);
    expect(h.simulator.mutatingCalls()).toEqual([]);
  });

  it('when the account is downgraded twice, then it holds the lesser role once and no Global Administrator', async () => {
    h = await startHarness('classic');
    const progress = await provisionAccount(spec({ publicFolders: undefined }), { ...h, password: PASSWORD });
    const userId = progress.userId as string;
    const first = await downgradeAccount({ ...h, userId, spec: spec() });
    const second = await downgradeAccount({ ...h, userId, spec: spec() });
    expect([first.granted.outcome, first.removedGlobalAdministrator]).toEqual(['created', 1]);
    expect([second.granted.outcome, second.removedGlobalAdministrator]).toEqual(['existing', 0]);
    const roles = h.simulator
      .state()
      .roleAssignments.filter((a) => a.principalId === userId)
      .map((a) => a.roleDefinitionId);
    expect(roles).toEqual([ROLE.serviceSupportAdministrator]);
  });

  it('when asked to downgrade to Global Administrator, then it refuses', async () => {
    h = await startHarness('classic');
    await expect(
      downgradeAccount({ ...h, userId: 'x', spec: spec(), targetRoleId: ROLE.globalAdministrator }),
    ).rejects.toMatchObject({ code: 'BadRequest' });
  });

  it('when the upn is computed, then it is lower case', () => {
    expect(userPrincipalName({ username: 'CiraSync-SVC', domain: 'Contoso.com' })).toBe(UPN);
  });
});
