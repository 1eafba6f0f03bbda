/**
 * The health watch's story in memory (issue 16): a check records what it found by compare-and-set and
 * only the writer that changed the record tells the owners — one card per new problem, never the same
 * one again while it lasts, "healthy again" once; a fix runs at once unless it gives a right back, which
 * a second owner approves. The readings come from fakes here; test/e2e/healthWatch.test.ts reads a
 * simulated tenant through the real adapters.
 */
import type { DirectoryAccountReading, ExchangeAccountReading } from '../../src/domain/tenant';
import { ROLE } from '../../src/domain/wellKnown';
import type { WorkRun } from '../../src/domain/workPorts';
import { announceReady } from '../../src/useCases/announceReady';
import { decideRequest } from '../../src/useCases/decideRequest';
import { submitRequest } from '../../src/useCases/submitRequest';
import { checkHealth } from '../../src/useCases/checkHealth';
import { approveHealthFix, fixHealth } from '../../src/useCases/fixHealth';
import { healthOverview } from '../../src/useCases/healthOverview';
import { AppError } from '../../src/domain/errors';
import { memoryServices, type MemoryServices } from '../support/memoryServices';
import { ALEX, MEGAN, requestIn } from '../support/memoryRequests';

const HOUR = 3_600_000;
const ADELE = { aadObjectId: '00000000-0000-0000-0000-0000000000022', name: 'Adele Vance' };
let services: MemoryServices;
let directory: DirectoryAccountReading;
let exchange: ExchangeAccountReading;
let directoryFails: AppError | undefined;
const writes: string[] = [];

function healthy(userId: string): void {
  directory = {
    user: {
      id: userId,
      userPrincipalName: 'cirasync-svc@contoso.com',
      accountEnabled: true,
      passwordPolicies: 'DisablePasswordExpiration',
      skuIds: [],
    },
    groupIds: [],
    roleDefinitionIds: [ROLE.globalAdministrator],
    securityDefaultsEnabled: false,
    conditionalAccessPolicies: [],
    domain: {
      id: 'contoso.com',
      isVerified: true,
      isDefault: true,
      isInitial: false,
      authenticationType: 'Managed',
    },
    perUserMfaState: 'disabled',
  };
  exchange = { roleGroupMember: true };
}

beforeEach(() => {
  services = memoryServices();
  directoryFails = undefined;
  writes.length = 0;
  Object.assign(services.directory, {
    readAccountHealth: async (userId: string) => {
      if (directoryFails !== undefined) throw directoryFails;
      const reading = structuredClone(directory);
      // Roles as the memory directory holds them, when a test gave the account any there.
      const held = services.directory.assignments.filter((a) => a.principalId === userId);
      if (held.length > 0) reading.roleDefinitionIds = held.map((a) => a.roleDefinitionId);
      return reading;
    },
    updateUser: async (id: string, changes: Record<string, unknown>) => {
      writes.push(`updateUser ${JSON.stringify(changes)}`);
      if (changes.passwordPolicies !== undefined && directory.user !== undefined)
        directory.user.passwordPolicies = String(changes.passwordPolicies);
      if (changes.accountEnabled !== undefined && directory.user !== undefined)
        directory.user.accountEnabled = changes.accountEnabled === true;
      void id;
    },
  });
  Object.assign(services.exchange, {
    readAccountHealth: async (query: { appId?: string }) => ({
      ...structuredClone(exchange),
      ...(query.appId === undefined
        ? {}
        : { appRoles: services.appAccess.assignments.filter((a) => a.appId === query.appId) }),
    }),
    getRoleGroup: async () => ({
      name: 'App Impersonation',
      roles: [],
      members: exchange.roleGroupMember ? ['cirasync-svc'] : [],
    }),
    addRoleGroupMember: async (group: string, member: string) => {
      writes.push(`Add-RoleGroupMember ${group} ${member}`);
      exchange.roleGroupMember = true;
    },
  });
});

async function readyAccount() {
  const ready = await requestIn(services, 'Ready');
  healthy(`user-${ready.id}`);
  await announceReady(services, ready, 'replication seen');
  const announced = await services.requests.get(ready.tenantId, ready.id);
  services.notifier.notices.length = 0;
  return announced ?? ready;
}

const run: WorkRun = { attempts: 1, scheduledAt: 0, saved: {}, checkpoint: async () => undefined };
const check = (request: { tenantId: string; id: string }) =>
  checkHealth(services, { tenantId: request.tenantId, requestId: request.id }, run);
const cardsTo = (who: { aadObjectId: string }) => services.notifier.healthCards(who.aadObjectId);
const events = async (requestId: string) =>
  (await services.audit.forRequest(services.tenantId, requestId))
    .filter((r) => r.event.startsWith('health') || r.event === 'healthy again')
    .map((r) => [r.event, r.actor.name, r.detail]);

describe('the health watch', () => {
  it('when an account becomes ready, then its watch is scheduled HEALTH_CHECK_HOURS later and `health` lists it before its first check', async () => {
    const ready = await requestIn(services, 'Ready');
    healthy(`user-${ready.id}`);
    await announceReady(services, ready, 'replication seen');
    const watch = services.scheduler.scheduled.find((s) => s.work === 'healthWatch');
    expect(watch).toMatchObject({ requestId: ready.id });
    expect(Date.parse((watch as { at: string }).at) - services.now().getTime()).toBe(24 * HOUR);
    const overview = await healthOverview(services);
    expect(overview.lines).toEqual([
      expect.objectContaining({ subject: 'cirasync-svc@contoso.com', checked: 'not checked yet' }),
    ]);
  });

  it('when a check finds nothing wrong, then nobody is told, the record says when, and the next check is a day later', async () => {
    const ready = await readyAccount();
    const outcome = await check(ready);
    expect(outcome).toEqual({
      kind: 'retryAt',
      at: services.now().getTime() + 24 * HOUR,
      resetAttempts: true,
    });
    expect(services.notifier.notices).toEqual([]);
    const record = await services.health.get(ready.tenantId, ready.id);
    expect(record).toMatchObject({ problems: [], checkedAt: services.now().toISOString() });
    expect((await healthOverview(services)).text).toContain('The one account I look after is healthy.');
  });

  it('when a problem appears, then each owner gets one card; the same problem the next day sends nothing; a second one sends one more card; gone, "healthy again" is told once', async () => {
    const ready = await readyAccount();
    await check(ready);
    exchange.roleGroupMember = false;
    await check(ready);
    for (const owner of [ALEX, MEGAN]) {
      expect(cardsTo(owner)).toHaveLength(1);
      expect(cardsTo(owner)[0].problems.map((p) => p.code)).toEqual(['roleGroupMissing']);
    }
    expect(cardsTo(ALEX)[0].problems[0].fix).toEqual({
      title: 'Add it to the role group again',
      needsApproval: true,
    });

    services.setNow(new Date(services.now().getTime() + 24 * HOUR));
    await check(ready);
    expect(cardsTo(ALEX)).toHaveLength(1);

    directory.perUserMfaState = 'enforced';
    await check(ready);
    expect(cardsTo(ALEX)).toHaveLength(2);
    expect(cardsTo(ALEX)[1].headline).toBe(
      'Something changed that breaks sync for cirasync-svc@contoso.com.',
    );
    expect(cardsTo(ALEX)[1].problems.map((p) => p.code)).toEqual(['perUserMfa', 'roleGroupMissing']);
    const record = await services.health.get(ready.tenantId, ready.id);
    // The older problem keeps the time it was first seen.
    expect(record?.problems.find((p) => p.code === 'roleGroupMissing')?.since).not.toBe(record?.checkedAt);

    exchange.roleGroupMember = true;
    directory.perUserMfaState = 'disabled';
    await check(ready);
    await check(ready);
    expect(services.notifier.toldPerson(ALEX.aadObjectId)).toEqual([
      expect.stringMatching(/^cirasync-svc@contoso\.com is healthy again: every check passed at /),
    ]);
    expect(services.notifier.toldPerson(MEGAN.aadObjectId)).toHaveLength(1);
    expect((await events(ready.id)).map((e) => e[0])).toEqual([
      'health problem',
      'health problem',
      'healthy again',
    ]);
  });

  it('when the account has a third owner, then the health card reaches all three', async () => {
    const ready = await readyAccount();
    const owned = await services.requests.amend(
      ready.tenantId,
      ready.id,
      { version: ready.version, states: ['Ready'] },
      { owners: [ALEX, MEGAN, ADELE] },
      services.now().toISOString(),
    );
    directory.user!.accountEnabled = false;
    await check(owned!);
    expect([ALEX, MEGAN, ADELE].map((o) => cardsTo(o).length)).toEqual([1, 1, 1]);
  });

  it('when the tenant cannot be read, then the last problems stand, the record says why, nobody is told, and it tries again within 15 minutes', async () => {
    const ready = await readyAccount();
    exchange.roleGroupMember = false;
    await check(ready);
    services.notifier.notices.length = 0;
    directoryFails = new AppError(
      'Throttled',
      'Microsoft Graph is throttling requests; trying again shortly.',
      {
        retryable: true,
      },
    );
    const outcome = await check(ready);
    expect(outcome).toMatchObject({ kind: 'retryAt', at: services.now().getTime() + 15 * 60_000 });
    expect(services.notifier.notices).toEqual([]);
    const record = await services.health.get(ready.tenantId, ready.id);
    expect(record?.problems.map((p) => p.code)).toEqual(['roleGroupMissing']);
    expect(record?.unreadable).toBe('Microsoft Graph is throttling requests; trying again shortly.');
    expect((await healthOverview(services)).text).toContain('The last check could not read the tenant');
  });

  it('when the card cannot be sent (the check dies there), then the next check sends it, once', async () => {
    const ready = await readyAccount();
    exchange.roleGroupMember = false;
    const send = services.notifier.sendHealth.bind(services.notifier);
    let failures = 1;
    services.notifier.sendHealth = async (...args) => {
      if (failures-- > 0) throw new Error('storage went away');
      return send(...args);
    };
    await expect(check(ready)).rejects.toThrow('storage went away');
    expect(cardsTo(ALEX)).toHaveLength(0);
    await check(ready);
    await check(ready);
    expect(cardsTo(ALEX)).toHaveLength(1);
    expect(cardsTo(MEGAN)).toHaveLength(1);
    expect((await events(ready.id)).map((e) => e[0])).toEqual(['health problem']);
  });

  it('when the request is no longer Ready, then the watch ends without reading the tenant', async () => {
    const failed = await requestIn(services, 'Failed');
    directoryFails = new AppError('Unexpected', 'must not be read');
    expect(await check(failed)).toEqual({ kind: 'done' });
  });
});

describe('Fix on the health card', () => {
  it('when an owner fixes a problem that gives no right back, then it runs at once, is audited, and "healthy again" follows once', async () => {
    const ready = await readyAccount();
    directory.user!.passwordPolicies = 'None';
    await check(ready);
    const outcome = await fixHealth(services, MEGAN, ready, 'passwordExpires');
    expect(outcome).toMatchObject({ kind: 'fixed', message: 'Its password is set to never expire again.' });
    expect(writes).toEqual(['updateUser {"passwordPolicies":"DisablePasswordExpiration"}']);
    expect(outcome.kind === 'fixed' && outcome.view.problems).toEqual([]);
    expect(await events(ready.id)).toEqual([
      ['health problem', 'Service Account Bot', 'Its password can expire again'],
      ['health fixed', MEGAN.name, 'Set the password to never expire (Its password can expire again)'],
      ['healthy again', 'Service Account Bot', 'every health check passes again'],
    ]);
    expect(services.notifier.toldPerson(ALEX.aadObjectId)).toHaveLength(1);
  });

  it('when the fix gives a right back, then the owner only asks; they cannot approve it themselves; another owner approves and only then it runs', async () => {
    const ready = await readyAccount();
    exchange.roleGroupMember = false;
    await check(ready);
    services.notifier.notices.length = 0;

    const asked = await fixHealth(services, ALEX, ready, 'roleGroupMissing');
    expect(asked).toMatchObject({ kind: 'asked' });
    expect(writes).toEqual([]);
    expect(cardsTo(MEGAN)).toHaveLength(1);
    expect(cardsTo(MEGAN)[0].problems[0]).toMatchObject({ approve: { askedBy: ALEX.name } });
    expect(cardsTo(MEGAN)[0].problems[0].fix).toBeUndefined();
    expect(asked.kind === 'asked' && asked.view.problems[0].waiting).toBe(true);

    expect(await approveHealthFix(services, ALEX, ready, 'roleGroupMissing')).toEqual({
      kind: 'refused',
      message: 'You asked for this fix, so you cannot approve it: another owner of the account must.',
    });
    expect(await fixHealth(services, ALEX, ready, 'roleGroupMissing')).toMatchObject({
      kind: 'refused',
      message: 'You asked for this fix already; another owner of the account must approve it.',
    });
    expect(writes).toEqual([]);

    const approved = await approveHealthFix(services, MEGAN, ready, 'roleGroupMissing');
    expect(approved).toMatchObject({ kind: 'fixed' });
    expect(writes).toEqual(['Add-RoleGroupMember App Impersonation cirasync-svc@contoso.com']);
    expect(services.notifier.toldPerson(ALEX.aadObjectId)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^Megan Bowen approved your fix of cirasync-svc@contoso\.com/),
      ]),
    );
    const trail = await events(ready.id);
    expect(trail.map((e) => e[0])).toEqual([
      'health problem',
      'health fix asked',
      'health fixed',
      'healthy again',
    ]);
    expect(trail[2]).toEqual([
      'health fixed',
      MEGAN.name,
      'Add it to the role group again (It is no longer in the "App Impersonation" role group); asked by Alex Wilber, approved by Megan Bowen',
    ]);
    expect((await services.health.get(ready.tenantId, ready.id))?.pendingFix).toBeUndefined();
  });

  it('when two owners approve the same asked fix at once, then exactly one runs it', async () => {
    const ready = await readyAccount();
    const owned = await services.requests.amend(
      ready.tenantId,
      ready.id,
      { version: ready.version, states: ['Ready'] },
      { owners: [ALEX, MEGAN, ADELE] },
      services.now().toISOString(),
    );
    exchange.roleGroupMember = false;
    await check(owned!);
    await fixHealth(services, ALEX, owned!, 'roleGroupMissing');
    const outcomes = await Promise.all([
      approveHealthFix(services, MEGAN, owned!, 'roleGroupMissing'),
      approveHealthFix(services, ADELE, owned!, 'roleGroupMissing'),
    ]);
    expect(outcomes.map((o) => o.kind).sort()).toEqual(['fixed', 'refused']);
    expect(writes).toEqual(['Add-RoleGroupMember App Impersonation cirasync-svc@contoso.com']);
    expect((await events(ready.id)).filter((e) => e[0] === 'health fixed')).toHaveLength(1);
  });

  it('when the card names a problem the last check did not find, or one the bot cannot fix, then nothing is done', async () => {
    const ready = await readyAccount();
    directory.perUserMfaState = 'enforced';
    await check(ready);
    expect(await fixHealth(services, ALEX, ready, 'roleGroupMissing')).toMatchObject({ kind: 'refused' });
    expect(await fixHealth(services, ALEX, ready, 'perUserMfa')).toEqual({
      kind: 'refused',
      message: 'I cannot fix that one myself; the card says what to change.',
    });
    expect(await approveHealthFix(services, MEGAN, ready, 'perUserMfa')).toMatchObject({ kind: 'refused' });
    expect(writes).toEqual([]);
    expect((await events(ready.id)).map((e) => e[0])).toEqual(['health problem']);
  });

  it('when the account is still a Global Administrator a week after it was ready, then the card offers Downgrade role, which lowers it at once', async () => {
    const ready = await readyAccount();
    const userId = `user-${ready.id}`;
    await services.directory.createRoleAssignment(userId, ROLE.globalAdministrator);
    services.setNow(new Date(services.now().getTime() + 8 * 24 * HOUR));
    await check(ready);
    const [card] = cardsTo(ALEX);
    expect(card.problems).toEqual([
      expect.objectContaining({
        code: 'globalAdminTooLong',
        title: 'Still a Global Administrator 8 days after it was ready',
        fix: { title: 'Downgrade role', needsApproval: false },
      }),
    ]);
    const fixed = await fixHealth(services, MEGAN, ready, 'globalAdminTooLong');
    expect(fixed).toMatchObject({
      kind: 'fixed',
      message: 'The account is no longer a Global Administrator.',
    });
    const roles = services.directory.assignments
      .filter((a) => a.principalId === userId)
      .map((a) => a.roleDefinitionId);
    expect(roles).toEqual([ROLE.serviceSupportAdministrator]);
    const trail = (await services.audit.forRequest(services.tenantId, ready.id)).map((r) => r.event);
    expect(trail).toEqual(expect.arrayContaining(['downgraded', 'health fixed', 'healthy again']));
  });

  it('when an app grant loses its Exchange roles, then the fix is asked, approved by the other owner, and grants them again', async () => {
    const app = {
      appId: '7e2d1c4b-6a5f-4e3d-9c8b-1a2b3c4d5e6f',
      servicePrincipalId: '0f1e2d3c-4b5a-4968-8776-655443322110',
      displayName: 'CiraSync',
      roles: ['Application Contacts.ReadWrite'],
      scope: { kind: 'organization' as const },
    };
    const submitted = await submitRequest(services, {
      requester: ALEX,
      approver: MEGAN,
      details: {
        displayName: 'CiraSync',
        username: '',
        domain: 'contoso.com',
        contact: {},
        acknowledgedWarnings: [],
        serviceAccount: false,
        appAccess: app,
      },
    });
    await decideRequest(services, {
      tenantId: submitted.tenantId,
      requestId: submitted.id,
      actor: MEGAN,
      decision: 'approve',
    });
    let request = (await services.requests.get(submitted.tenantId, submitted.id))!;
    for (const next of ['AwaitingReplication', 'Ready'] as const) {
      request = (await services.requests.transition(
        request.tenantId,
        request.id,
        { version: request.version, from: [request.state] },
        { state: next, at: services.now().toISOString() },
      ))!;
    }
    services.appAccess.principals.push({
      appId: app.appId,
      objectId: app.servicePrincipalId,
      displayName: 'CiraSync',
    });
    await check(request);
    expect(cardsTo(ALEX)[0].problems.map((p) => [p.code, p.title])).toEqual([
      ['appRolesMissing', 'CiraSync lost Application Contacts.ReadWrite in Exchange Online'],
    ]);
    expect(await fixHealth(services, ALEX, request, 'appRolesMissing')).toMatchObject({ kind: 'asked' });
    expect(services.appAccess.writes).toEqual([]);
    expect(await approveHealthFix(services, MEGAN, request, 'appRolesMissing')).toMatchObject({
      kind: 'fixed',
    });
    expect(services.appAccess.writes).toEqual([
      'New-ManagementRoleAssignment Application Contacts.ReadWrite',
    ]);
    expect((await services.health.get(request.tenantId, request.id))?.problems).toEqual([]);
  });
});
