/**
 * The account's stories after approval, in memory through their ports: Retry and Remove after a
 * failure (and the race between them), Reveal inside and outside its window, Reset (and two resets
 * at once), Downgrade. No Teams, HTTP or SQLite: the request store, audit log and password vault run
 * on a MemoryStorage, the directory is a memory one.
 */
import { ROLE } from '../../src/domain/wellKnown';
import { downgradeRole } from '../../src/useCases/downgradeRole';
import { readyViewNow } from '../../src/useCases/readyReport';
import { REMOVAL_LEASE_MS, removeCreated } from '../../src/useCases/removeCreated';
import { resetPassword } from '../../src/useCases/resetPassword';
import { retryProvisioning } from '../../src/useCases/retryProvisioning';
import { revealPassword } from '../../src/useCases/revealPassword';
import { memoryServices, type MemoryServices } from '../support/memoryServices';
import { ALEX, MEGAN, requestIn } from '../support/memoryRequests';

let services: MemoryServices;
beforeEach(() => {
  services = memoryServices();
});

/** A ready request whose password is held, with a Reveal window of `windowMs` from now. */
async function readyWithPassword(windowMs: number) {
  const ready = await requestIn(services, 'Ready');
  await services.passwords.getOrCreate(services.tenantId, ready.id, () => 'Secret-1!', services.now());
  await services.passwords.setRevealUntil(
    services.tenantId,
    ready.id,
    new Date(services.now().getTime() + windowMs),
  );
  return ready;
}

const events = async (requestId: string) =>
  (await services.audit.forRequest(services.tenantId, requestId)).map((r) => r.event);

describe('after a failure', () => {
  it('when the approver presses Retry, then the request provisions again from where it stopped, audited', async () => {
    const failed = await requestIn(services, 'Failed');
    const outcome = await retryProvisioning(services, MEGAN, failed);
    expect(outcome.kind).toBe('retried');
    expect((await services.requests.get(services.tenantId, failed.id))?.state).toBe('Provisioning');
    expect(services.scheduler.works()).toEqual(['resumeProvisioning']);
    expect((await services.audit.forRequest(services.tenantId, failed.id)).at(-1)).toMatchObject({
      event: 'retried',
      actor: { aadObjectId: MEGAN.aadObjectId, name: MEGAN.name },
      detail: 'Exchange did not answer.',
    });
  });

  it('when Remove is confirmed, then the request ends first, the user it made is deleted and its password forgotten', async () => {
    const failed = await requestIn(services, 'Failed');
    await services.passwords.getOrCreate(services.tenantId, failed.id, () => 'Secret-1!', services.now());
    const outcome = await removeCreated(services, ALEX, failed);
    expect(outcome.kind).toBe('removed');
    expect(outcome.view.removed).toContain('Deleted cirasync-svc@contoso.com');
    expect((await services.requests.get(services.tenantId, failed.id))?.state).toBe('Cancelled');
    expect(services.directory.calls).toEqual([`deleteUser user-${failed.id}`]);
    expect((await services.passwords.state(services.tenantId, failed.id)).kind).toBe('purged');
    expect((await events(failed.id)).at(-1)).toBe('removed');
  });

  it('when Retry wins and a Remove pressed on the same failed card comes second, then Remove deletes nothing', async () => {
    const failed = await requestIn(services, 'Failed');
    await services.passwords.getOrCreate(services.tenantId, failed.id, () => 'Secret-1!', services.now());
    // Both presses loaded the request while it was Failed; Retry's change lands first.
    expect((await retryProvisioning(services, MEGAN, failed)).kind).toBe('retried');
    const late = await removeCreated(services, ALEX, failed);
    expect(late.kind).toBe('unchanged');
    expect(late.view.request.state).toBe('Provisioning');
    expect(services.directory.calls).toEqual([]);
    expect((await services.passwords.state(services.tenantId, failed.id)).kind).toBe('held');
    expect(await events(failed.id)).not.toContain('removed');
  });

  it('when Retry and Remove are pressed at once, then exactly one changes the request, and the user is deleted only if Remove won', async () => {
    const failed = await requestIn(services, 'Failed');
    const [retry, remove] = await Promise.all([
      retryProvisioning(services, MEGAN, failed),
      removeCreated(services, ALEX, failed),
    ]);
    expect([retry.kind, remove.kind].filter((k) => k !== 'unchanged')).toHaveLength(1);
    const state = (await services.requests.get(services.tenantId, failed.id))?.state;
    expect(state).toBe(remove.kind === 'removed' ? 'Cancelled' : 'Provisioning');
    expect(services.directory.calls).toEqual(
      remove.kind === 'removed' ? [`deleteUser user-${failed.id}`] : [],
    );
  });

  it('when the press that ended the request died before it deleted anything, then a press within the lease is told it is being removed, and a later one finishes it once', async () => {
    const failed = await requestIn(services, 'Failed');
    // The crashed press: its compare-and-set ended the request, then nothing more.
    const ended = await services.requests.transition(
      services.tenantId,
      failed.id,
      { version: failed.version, from: ['Failed'] },
      { state: 'Cancelled', at: services.now().toISOString() },
    );
    expect(ended?.state).toBe('Cancelled');
    const soon = await removeCreated(services, ALEX, ended!);
    expect(soon.kind).toBe('unchanged');
    expect(soon.view.removed).toContain('being removed');
    expect(services.directory.calls).toEqual([]);

    services.setNow(new Date(services.now().getTime() + REMOVAL_LEASE_MS));
    const presses = await Promise.all([
      removeCreated(services, ALEX, ended!),
      removeCreated(services, MEGAN, ended!),
    ]);
    expect(presses.map((p) => p.kind).sort()).toEqual(['removed', 'unchanged']);
    expect(services.directory.calls).toEqual([`deleteUser user-${failed.id}`]);
    expect((await events(failed.id)).filter((e) => e === 'removed')).toHaveLength(1);
    const after = await removeCreated(
      services,
      ALEX,
      (await services.requests.get(services.tenantId, failed.id))!,
    );
    expect(after.view.removed).toContain('already removed');
    expect(services.directory.calls).toHaveLength(1);
  });

  it('when the request is not failed, then Retry and Remove change nothing', async () => {
    const ready = await requestIn(services, 'Ready');
    expect((await retryProvisioning(services, MEGAN, ready)).kind).toBe('unchanged');
    expect((await removeCreated(services, ALEX, ready)).kind).toBe('unchanged');
    expect(services.directory.calls).toEqual([]);
    expect(services.scheduler.scheduled).toEqual([]);
  });
});

describe('the password hand-over', () => {
  it('when Reveal is pressed inside the window, then the password comes back once in the answer, audited without it', async () => {
    const ready = await readyWithPassword(60_000);
    const outcome = await revealPassword(services, ALEX, ready);
    expect(outcome).toMatchObject({
      kind: 'revealed',
      password: 'Secret-1!',
      account: 'cirasync-svc@contoso.com',
    });
    const trail = await services.audit.forRequest(services.tenantId, ready.id);
    expect(trail.at(-1)?.event).toBe('password revealed');
    expect(JSON.stringify(trail)).not.toContain('Secret-1!');
  });

  it('when Reveal is pressed after the window, or before the account is ready, then it is refused in plain words', async () => {
    const ready = await readyWithPassword(60_000);
    services.setNow(new Date(services.now().getTime() + 61_000));
    expect(await revealPassword(services, ALEX, ready)).toEqual({
      kind: 'refused',
      message: 'The time to reveal the password has passed. Press **Reset password** to set a new one.',
    });
    const waiting = await requestIn(services, 'AwaitingReplication', 'cirasync-two');
    expect(await revealPassword(services, ALEX, waiting)).toMatchObject({ kind: 'refused' });
  });

  it('when Reset is pressed, then Entra and the vault hold the same new password, with a new window and its purge', async () => {
    const ready = await requestIn(services, 'Ready');
    await services.passwords.getOrCreate(services.tenantId, ready.id, () => 'Secret-1!', services.now());
    const outcome = await resetPassword(services, ALEX, ready);
    expect(outcome.kind).toBe('reset');
    const inEntra = services.directory.passwords.get(`user-${ready.id}`);
    expect(inEntra).toBe('Memory-Password-1!');
    expect(await services.passwords.reveal(services.tenantId, ready.id)).toBe(inEntra);
    expect(services.scheduler.works()).toEqual(['passwordPurge']);
    expect((await events(ready.id)).at(-1)).toBe('password reset');
  });

  it('when two Resets are pressed at once, then one runs, the other is told to wait, and Entra and the vault agree', async () => {
    const ready = await requestIn(services, 'Ready');
    await services.passwords.getOrCreate(services.tenantId, ready.id, () => 'Secret-1!', services.now());
    // Hold the first reset inside Entra until the second press has been answered.
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let writes = 0;
    services.directory.beforeWrite = async () => {
      if (++writes === 1) await held;
    };
    const first = resetPassword(services, ALEX, ready);
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setTimeout(resolve, 20));
    const second = await resetPassword(services, ALEX, ready);
    release();
    expect((await first).kind).toBe('reset');
    expect(second).toMatchObject({ kind: 'refused', message: expect.stringContaining('already under way') });
    expect(writes).toBe(1);
    const inEntra = services.directory.passwords.get(`user-${ready.id}`);
    expect(await services.passwords.reveal(services.tenantId, ready.id)).toBe(inEntra);
    expect((await events(ready.id)).filter((e) => e === 'password reset')).toHaveLength(1);
  });
});

describe('Downgrade role', () => {
  it('when pressed by the requester, then the account gets the lesser role, loses Global Administrator, and the approver is told', async () => {
    const ready = await requestIn(services, 'Ready');
    const userId = `user-${ready.id}`;
    await services.directory.createRoleAssignment(userId, ROLE.globalAdministrator);
    services.directory.calls.length = 0;
    const outcome = await downgradeRole(services, ALEX, ready);
    expect(outcome).toMatchObject({ kind: 'downgraded', changed: true });
    expect(services.directory.assignments.map((a) => a.roleDefinitionId)).toEqual([
      ROLE.serviceSupportAdministrator,
    ]);
    expect(services.notifier.told('approver')).toEqual([
      'Alex Wilber lowered cirasync-svc@contoso.com to Service Support Administrator; it is no longer a Global Administrator.',
    ]);
    expect((await events(ready.id)).at(-1)).toBe('downgraded');

    const again = await downgradeRole(services, MEGAN, ready);
    expect(again).toMatchObject({ kind: 'downgraded', changed: false });
    expect((await events(ready.id)).filter((e) => e === 'downgraded')).toHaveLength(1);
  });

  it('when Reset is pressed after the downgrade, then the card says the account holds the lesser role, offers Reveal and no second Downgrade', async () => {
    const ready = await requestIn(services, 'Ready');
    await services.directory.createRoleAssignment(`user-${ready.id}`, ROLE.globalAdministrator);
    await downgradeRole(services, ALEX, ready);
    const outcome = await resetPassword(services, ALEX, ready);
    expect(outcome.kind).toBe('reset');
    const card = outcome.kind === 'reset' ? outcome.view.ready : undefined;
    expect(card?.note).toContain(
      'cirasync-svc@contoso.com is now Service Support Administrator and no longer a Global Administrator.',
    );
    expect(card?.note).toContain('press **Reveal password**');
    expect(card?.note).not.toContain('it is a Global Administrator');
    expect(card).toMatchObject({ canReveal: true, canDowngrade: false, canReset: true });
    // The card drawn again later (status) tells the same story.
    const later = await readyViewNow(services, ready);
    expect(later.ready?.note).toBe(card?.note);
    expect(later.ready).toMatchObject({ canReveal: true, canDowngrade: false });
  });
});
