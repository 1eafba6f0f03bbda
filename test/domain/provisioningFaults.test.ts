/**
 * Faults Microsoft 365 really produces, injected into the simulator: each is survived without a
 * duplicate, or reported as the documented error with Graph's request id.
 */
import { AppError, isAppError } from '../../src/domain/errors';
import { provisionAccount } from '../../src/domain/provisionAccount';
import { committedWrites, type Harness, spec, startHarness } from '../support/tenantHarness';

const PASSWORD = 'Kx7#mP2$vQ9!wR4^tY6*zB8';
const UPN = 'cirasync-svc@contoso.com';

function usersNamed(h: Harness): number {
  return h.simulator.state().users.filter((u) => u.userPrincipalName.toLowerCase() === UPN).length;
}

describe('provisioning when Microsoft 365 misbehaves', () => {
  let h: Harness;
  afterEach(async () => h?.simulator.close());

  it('when creating the user is throttled twice with Retry-After, then it waits and creates one user', async () => {
    h = await startHarness('classic');
    h.simulator.faults.inject({
      api: 'graph',
      method: 'POST',
      pathPattern: /\/users$/,
      times: 2,
      status: 429,
      retryAfterSeconds: 1,
    });
    const started = Date.now();
    await provisionAccount(spec(), { ...h, password: PASSWORD });
    expect(Date.now() - started).toBeGreaterThanOrEqual(1900);
    expect(usersNamed(h)).toBe(1);
    expect(h.simulator.calls().filter((c) => c.status === 429)).toHaveLength(2);
  });

  it('when the role assignment answers 503 once, then it is retried and assigned once', async () => {
    h = await startHarness('classic');
    h.simulator.faults.inject({
      api: 'graph',
      method: 'POST',
      pathPattern: /roleAssignments$/,
      times: 1,
      status: 503,
    });
    await provisionAccount(spec(), { ...h, password: PASSWORD });
    expect(committedWrites(h.simulator).filter((w) => w.includes('roleAssignments'))).toHaveLength(1);
  });

  it('when creating the user times out after it happened (504), then the user is adopted, not duplicated', async () => {
    h = await startHarness('classic');
    h.simulator.faults.inject({
      api: 'graph',
      method: 'POST',
      pathPattern: /\/users$/,
      times: 1,
      status: 504,
      afterCommit: true,
    });
    const progress = await provisionAccount(spec(), { ...h, password: PASSWORD });
    expect(progress.completed[0]).toMatchObject({ step: 'user', outcome: 'existing' });
    expect(usersNamed(h)).toBe(1);
    expect(committedWrites(h.simulator).filter((w) => w === 'POST /v1.0/users')).toHaveLength(1);
  });

  it('when the role assignment times out after it happened (504), then there is still one assignment', async () => {
    h = await startHarness('classic');
    h.simulator.faults.inject({
      api: 'graph',
      method: 'POST',
      pathPattern: /roleAssignments$/,
      times: 1,
      status: 504,
      afterCommit: true,
    });
    const progress = await provisionAccount(spec(), { ...h, password: PASSWORD });
    const userId = progress.userId as string;
    expect(h.simulator.state().roleAssignments.filter((a) => a.principalId === userId)).toHaveLength(1);
  });

  it('when New-RoleGroup times out after it happened (504), then the group exists once with the account', async () => {
    h = await startHarness('classic');
    h.simulator.faults.inject({
      api: 'exchange',
      cmdlet: 'New-RoleGroup',
      times: 1,
      status: 504,
      afterCommit: true,
    });
    await provisionAccount(spec(), { ...h, password: PASSWORD });
    const groups = h.simulator.state().roleGroups.filter((g) => g.name === 'App Impersonation');
    expect(groups).toHaveLength(1);
    expect(groups[0].members).toHaveLength(1);
  });

  it('when Exchange throttles a cmdlet with Retry-After, then it is retried and the group is created once', async () => {
    h = await startHarness('classic');
    h.simulator.faults.inject({
      api: 'exchange',
      cmdlet: 'New-RoleGroup',
      times: 1,
      status: 429,
      retryAfterSeconds: 1,
    });
    await provisionAccount(spec(), { ...h, password: PASSWORD });
    expect(
      h.simulator
        .calls()
        .filter((c) => c.cmdlet === 'New-RoleGroup')
        .map((c) => c.status),
    ).toEqual([429, 200]);
    expect(committedWrites(h.simulator).filter((w) => w === 'New-RoleGroup')).toHaveLength(1);
  });

  it('when giving Reviewer times out after it happened (504), then the permission is there once', async () => {
    h = await startHarness('classic');
    h.simulator.faults.inject({
      api: 'exchange',
      cmdlet: 'Add-PublicFolderClientPermission',
      times: 1,
      status: 504,
      afterCommit: true,
    });
    const progress = await provisionAccount(spec(), { ...h, password: PASSWORD });
    expect(progress.completed.find((r) => r.step === 'publicFolderReviewer')?.outcome).toBe('existing');
    const entries = h.simulator.state().publicFolderPermissions.filter((p) => p.user === progress.userId);
    expect(entries.map((p) => p.accessRights)).toEqual([['Reviewer']]);
  });

  it('when the fresh user is "not found" by the licence call, then it is retried until Graph catches up', async () => {
    h = await startHarness('classic');
    h.simulator.faults.inject({
      api: 'graph',
      method: 'POST',
      pathPattern: /assignLicense$/,
      times: 3,
      status: 404,
    });
    await provisionAccount(spec(), { ...h, password: PASSWORD });
    expect(committedWrites(h.simulator).filter((w) => w.endsWith('assignLicense'))).toHaveLength(1);
  });

  it('when Graph stays unavailable, then it gives up after bounded attempts with the error and its request id', async () => {
    h = await startHarness('classic');
    h.simulator.faults.inject({
      api: 'graph',
      method: 'POST',
      pathPattern: /\/users$/,
      times: Infinity,
      status: 503,
    });
    const error = await provisionAccount(spec(), { ...h, password: PASSWORD }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    const appError = error as AppError;
    expect(appError.code).toBe('ServiceUnavailable');
    expect(appError.details.operation).toBe('POST /users');
    expect(appError.details.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(h.simulator.calls().filter((c) => c.method === 'POST' && c.path.endsWith('/users'))).toHaveLength(
      6,
    );
    expect(usersNamed(h)).toBe(0);
  });

  it('when a Graph call fails with a 500, then it is reported, not retried', async () => {
    h = await startHarness('classic');
    h.simulator.faults.inject({
      api: 'graph',
      method: 'POST',
      pathPattern: /roleAssignments$/,
      times: 1,
      status: 500,
    });
    const error = await provisionAccount(spec(), { ...h, password: PASSWORD }).catch((e: unknown) => e);
    expect(isAppError(error, 'Unexpected')).toBe(true);
    expect(
      h.simulator.calls().filter((c) => c.path.endsWith('roleAssignments') && c.method === 'POST'),
    ).toHaveLength(1);
  });

  it('when Exchange does not know the new user for a while, then the plan waits for it', async () => {
    h = await startHarness('classic', {
      delays: { exchangeRecipientMs: 800, mailboxMs: 1200, replicationMs: 300 },
    });
    const progress = await provisionAccount(spec(), { ...h, password: PASSWORD });
    expect(progress.completed.map((r) => r.step)).toContain('impersonationRoleGroup');
    const mailboxPolls = h.simulator.calls().filter((c) => c.cmdlet === 'Get-Mailbox');
    expect(mailboxPolls.length).toBeGreaterThan(1);
    expect(mailboxPolls.at(-1)?.status).toBe(200);
  });
});
