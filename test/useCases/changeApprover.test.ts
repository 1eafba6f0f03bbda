/**
 * Change the approver, in memory: the requester names another admin for a request that still waits;
 * who may, what the directory must say of the new approver, the compare-and-set (two changes from the
 * same version: one wins, and only it audits and tells), and that the new approver — not the former —
 * then decides, is reminded and is delivered to.
 */
import { directAccessChecks } from '../../src/domain/authorization';
import type { ServiceAccountRequest } from '../../src/domain/request';
import type { DirectoryUser } from '../../src/domain/tenant';
import { ROLE } from '../../src/domain/wellKnown';
import { changeApprover, type ChangeApproverInput } from '../../src/useCases/changeApprover';
import { decideRequest } from '../../src/useCases/decideRequest';
import { deliverApproval } from '../../src/useCases/deliverApproval';
import { remindApprover } from '../../src/useCases/remindApprover';
import { submitRequest } from '../../src/useCases/submitRequest';
import { memoryServices, type MemoryServices } from '../support/memoryServices';
import { ALEX, MEGAN, pendingIn } from '../support/memoryRequests';

const ADELE = { aadObjectId: '00000000-0000-0000-0000-0000000000022', name: 'Adele Vance' };
const LYNNE = { aadObjectId: '00000000-0000-0000-0000-0000000000025', name: 'Lynne Robbins' };
const PATTI = { aadObjectId: '00000000-0000-0000-0000-0000000000024', name: 'Patti Fernandez' };
const DIEGO = { aadObjectId: '6e2a1f37-4c1d-4a55-9a0b-3f7c2d9e8b14', name: 'Diego Siciliani' };

function person(
  who: { aadObjectId: string; name: string },
  upn: string,
  accountEnabled = true,
): DirectoryUser {
  return {
    id: who.aadObjectId,
    userPrincipalName: upn,
    displayName: who.name,
    accountEnabled,
    assignedLicenses: [],
  } as DirectoryUser;
}

describe('changing the approver of a pending request', () => {
  let services: MemoryServices;
  let request: ServiceAccountRequest;

  const access = () => directAccessChecks(services.directory);
  const change = (overrides: Partial<ChangeApproverInput> = {}) =>
    changeApprover(
      { ...services, access: access() },
      {
        tenantId: request.tenantId,
        requestId: request.id,
        actor: ALEX,
        typed: 'adelev@contoso.com',
        ...overrides,
      },
    );
  const events = async (id = request.id) =>
    (await services.audit.forRequest(request.tenantId, id)).map((r) => r.event);
  const stored = async () => services.requests.get(request.tenantId, request.id);

  beforeEach(async () => {
    services = memoryServices();
    const directory = services.directory;
    directory.add(person(ALEX, 'alexw@contoso.com'));
    directory.add(person(MEGAN, 'meganb@contoso.com'));
    directory.add(person(ADELE, 'adelev@contoso.com'));
    directory.add(person(LYNNE, 'lynner@contoso.com'));
    directory.add(person(PATTI, 'pattif@contoso.com'));
    directory.add(person(DIEGO, 'diegos@contoso.com', false));
    for (const [who, role] of [
      [ALEX, ROLE.globalAdministrator],
      [MEGAN, ROLE.globalAdministrator],
      [ADELE, ROLE.privilegedRoleAdministrator],
      [LYNNE, ROLE.globalAdministrator],
      [DIEGO, ROLE.globalAdministrator],
    ] as const)
      await directory.createRoleAssignment(who.aadObjectId, role);
    request = await pendingIn(services);
    services.scheduler.scheduled.length = 0;
  });

  /** Nothing moved: the same approver and version, no audit but the submission, nothing said or scheduled. */
  async function expectNothingChanged(): Promise<void> {
    const now = await stored();
    expect([now?.approver.aadObjectId, now?.version, now?.state]).toEqual([
      MEGAN.aadObjectId,
      1,
      'PendingApproval',
    ]);
    expect(await events()).toEqual(['submitted']);
    expect(services.scheduler.works()).toEqual([]);
    await services.background.idle();
    expect(services.notifier.notices).toEqual([]);
  }

  it('when the requester names another admin, then the approver changes once, it is audited from whom to whom, the card goes to the new approver and the former is told', async () => {
    const outcome = await change({ typed: '  AdeleV@contoso.com ' });
    expect(outcome).toMatchObject({
      kind: 'changed',
      former: { aadObjectId: MEGAN.aadObjectId },
      request: { approver: { aadObjectId: ADELE.aadObjectId, name: 'Adele Vance' } },
    });
    expect(await stored()).toMatchObject({
      state: 'PendingApproval',
      version: 2,
      approver: {
        aadObjectId: ADELE.aadObjectId,
        name: 'Adele Vance',
        userPrincipalName: 'adelev@contoso.com',
      },
      requester: ALEX,
    });
    const last = (await services.audit.forRequest(request.tenantId, request.id)).at(-1);
    expect(last).toMatchObject({
      event: 'approver changed',
      actor: ALEX,
      outcome: 'PendingApproval',
      detail: 'from Megan Bowen (meganb@contoso.com) to Adele Vance (adelev@contoso.com)',
    });
    expect(services.scheduler.scheduled).toEqual([{ work: 'deliverAgain', requestId: request.id }]);
    expect(services.scheduler.wakes).toBeGreaterThan(0);
    await services.background.idle();
    expect(services.notifier.notices[0]).toMatchObject({ kind: 'cards', state: 'PendingApproval' });
    expect(services.notifier.toldPerson(MEGAN.aadObjectId)).toEqual([
      'Alex Wilber chose another approver for their request for cirasync-svc@contoso.com: it now goes to Adele Vance, so you no longer need to decide it.',
    ]);
    expect(services.notifier.toldPerson(ADELE.aadObjectId)).toEqual([]);
  });

  it('when the approver was changed, then the former approver’s stale Approve is refused and the new approver decides', async () => {
    await change();
    const decide = (actor: { aadObjectId: string; name: string }) =>
      decideRequest(services, {
        tenantId: request.tenantId,
        requestId: request.id,
        actor,
        decision: 'approve',
      });
    const stale = await decide(MEGAN);
    expect(stale).toEqual({
      kind: 'refused',
      status: 403,
      message: 'Only Adele Vance can decide this request.',
    });
    expect((await stored())?.state).toBe('PendingApproval');
    const approved = await decide(ADELE);
    expect(approved).toMatchObject({
      kind: 'decided',
      request: { state: 'Provisioning', decision: { by: { aadObjectId: ADELE.aadObjectId } } },
    });
  });

  it('when the approver was changed, then the delivery job and the reminder read the request afresh and reach the new approver', async () => {
    await change();
    const key = { tenantId: request.tenantId, requestId: request.id };
    const run = { scheduledAt: services.now().getTime(), attempts: 1, saved: {} };
    expect(await deliverApproval(services, key, run)).toEqual({ kind: 'done' });
    expect(await remindApprover(services, key, run)).toEqual({ kind: 'done' });
    const trail = await services.audit.forRequest(request.tenantId, request.id);
    expect(trail.find((r) => r.event === 'delivered')?.detail).toBe('to adelev@contoso.com (chat)');
    expect(trail.find((r) => r.event === 'reminded')?.detail).toBe('approver adelev@contoso.com');
    expect(services.notifier.told('requester')).toContain(
      'I sent your request to Adele Vance. Nothing is created until they approve.',
    );
  });

  it('when the requester types only a user name, then it is looked up as submit does', async () => {
    services.directory.findUserBySignInName = async (typed) =>
      typed === 'lynner' ? services.directory.findUser('lynner@contoso.com') : undefined;
    const outcome = await change({ typed: 'lynner' });
    expect(outcome).toMatchObject({ kind: 'changed', request: { approver: { name: 'Lynne Robbins' } } });
  });

  it.each([
    [
      'nobody by that name',
      'nobody@contoso.com',
      'I could not find nobody@contoso.com in your directory. Check the spelling.',
    ],
    [
      'someone without an admin role',
      'pattif@contoso.com',
      'Patti Fernandez is not a Global Administrator or Privileged Role Administrator, so they cannot approve creating a Global Administrator.',
    ],
    [
      'the requester',
      'alexw@contoso.com',
      'You cannot approve your own request: pick a second administrator.',
    ],
    ['the approver already', 'MeganB@contoso.com', 'Megan Bowen is already the approver of this request.'],
    [
      'a disabled admin',
      'diegos@contoso.com',
      "Diego Siciliani's account is disabled, so they cannot approve.",
    ],
    ['nothing', '   ', 'Type the new approver’s email address or user name.'],
    [
      'something far too long',
      `${'a'.repeat(400)}@contoso.com`,
      'That is not a user name or email address I can look up.',
    ],
  ])(
    'when the new approver is %s, then it is refused on the field in plain words and nothing changes',
    async (_case, typed, message) => {
      const outcome = await change({ typed });
      expect(outcome).toMatchObject({ kind: 'refused', field: 'newApprover', message });
      await expectNothingChanged();
    },
  );

  it.each([
    ['the approver', MEGAN],
    ['another admin', ADELE],
    ['nobody known', { aadObjectId: '', name: '' }],
  ])('when %s asks to change the approver, then it is refused and nothing changes', async (_who, actor) => {
    const outcome = await change({ actor, typed: 'lynner@contoso.com' });
    expect(outcome).toEqual({
      kind: 'refused',
      message: 'Only the admin who asked for this request can change who approves it.',
    });
    await expectNothingChanged();
  });

  it('when the card names another admin’s request (a forged request id), then the requester of that request is asked for, and it is refused', async () => {
    const adeles = await submitRequest(services, {
      requester: ADELE,
      approver: { ...MEGAN },
      details: { ...request.details, username: 'adele-svc' },
    });
    const outcome = await change({ requestId: adeles.id, typed: 'lynner@contoso.com' });
    expect(outcome).toMatchObject({
      kind: 'refused',
      message: expect.stringMatching(/^Only the admin who asked/),
    });
    expect((await services.requests.get(adeles.tenantId, adeles.id))?.approver.aadObjectId).toBe(
      MEGAN.aadObjectId,
    );
    expect(await events(adeles.id)).toEqual(['submitted']);
  });

  it('when the request id names no request, then it is refused', async () => {
    expect(await change({ requestId: 'no-such-request' })).toEqual({
      kind: 'refused',
      message: 'I cannot find that request.',
    });
  });

  it.each([
    ['Cancelled', 'The approver can no longer be changed: it was cancelled.'],
    ['Rejected', 'The approver can no longer be changed: it was rejected.'],
    ['Provisioning', 'The approver can no longer be changed: it was already approved.'],
  ] as const)(
    'when the request is already %s, then it is refused in words and nothing changes',
    async (state, message) => {
      await services.requests.transition(
        request.tenantId,
        request.id,
        { version: 1, from: ['PendingApproval'] },
        { state, at: services.now().toISOString() },
      );
      const outcome = await change();
      expect(outcome).toMatchObject({ kind: 'refused', message, request: { state } });
      expect((await stored())?.approver.aadObjectId).toBe(MEGAN.aadObjectId);
      expect(await events()).toEqual(['submitted']);
    },
  );

  it('when the request is past its expiry, then it expires instead (audited once) and the approver stays', async () => {
    services.setNow(new Date(Date.parse(request.expiresAt) + 1_000));
    const outcome = await change();
    expect(outcome).toMatchObject({
      kind: 'refused',
      message: 'The approver can no longer be changed: it expired before anyone approved it.',
      request: { state: 'Expired', approver: { aadObjectId: MEGAN.aadObjectId } },
    });
    expect(await change()).toMatchObject({ kind: 'refused', request: { state: 'Expired' } });
    expect(await events()).toEqual(['submitted', 'expired']);
    expect(services.scheduler.works()).toEqual([]);
  });

  it('when two changes start from the same version, then exactly one wins, and only it audits, schedules and tells', async () => {
    // Both changes read version 1 before either writes: each waits at the write until both are there.
    const amend = services.requests.amend.bind(services.requests);
    let arrived = 0;
    let release: () => void = () => undefined;
    const bothThere = new Promise<void>((resolve) => (release = resolve));
    services.requests.amend = async (...args) => {
      arrived += 1;
      if (arrived === 2) release();
      await bothThere;
      return amend(...args);
    };
    const [toAdele, toLynne] = await Promise.all([
      change({ typed: 'adelev@contoso.com' }),
      change({ typed: 'lynner@contoso.com' }),
    ]);
    expect(arrived).toBe(2);
    const kinds = [toAdele.kind, toLynne.kind].sort();
    expect(kinds).toEqual(['changed', 'refused']);
    const winner = (toAdele.kind === 'changed' ? toAdele : toLynne) as Extract<
      typeof toAdele,
      { kind: 'changed' }
    >;
    const loser = toAdele.kind === 'changed' ? toLynne : toAdele;
    expect(loser).toMatchObject({
      kind: 'refused',
      message: `Nothing changed: the request was changed meanwhile, and ${winner.request.approver.name} is its approver now.`,
    });
    expect(loser).not.toHaveProperty('field');
    const now = await stored();
    expect([now?.version, now?.approver.aadObjectId]).toEqual([2, winner.request.approver.aadObjectId]);
    const trail = await services.audit.forRequest(request.tenantId, request.id);
    expect(trail.filter((r) => r.event === 'approver changed').map((r) => r.detail)).toEqual([
      `from Megan Bowen (meganb@contoso.com) to ${winner.request.approver.name} (${winner.request.approver.userPrincipalName})`,
    ]);
    expect(services.scheduler.works()).toEqual(['deliverAgain']);
    await services.background.idle();
    expect(services.notifier.notices.filter((n) => n.kind === 'tellPerson')).toHaveLength(1);
    expect(services.notifier.notices.filter((n) => n.kind === 'cards')).toHaveLength(1);
  });
});
