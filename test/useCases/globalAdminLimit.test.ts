/**
 * A Global Administrator only for as long as it is needed (issue 16): the job scheduled at "ready"
 * reminds the requester once after GA_REMINDER_HOURS and, with AUTO_DOWNGRADE_HOURS, lowers the role
 * itself — audited as the bot, both admins told — unless the account was lowered meanwhile. In memory,
 * through the ports.
 */
import { ROLE } from '../../src/domain/wellKnown';
import type { WorkRun } from '../../src/domain/workPorts';
import { announceReady } from '../../src/useCases/announceReady';
import { downgradeRole } from '../../src/useCases/downgradeRole';
import { limitGlobalAdministrator } from '../../src/useCases/limitGlobalAdministrator';
import { memoryServices, type MemoryServices } from '../support/memoryServices';
import { ALEX, requestIn } from '../support/memoryRequests';

const HOUR = 3_600_000;
let services: MemoryServices;
let saved: Record<string, unknown>;

beforeEach(() => {
  services = memoryServices();
  saved = {};
});

/** A ready account holding Global Administrator, announced now, with the job's first run scheduled. */
async function readyGlobalAdmin(settings: { reminderHours: number; autoHours?: number }) {
  services.settings.globalAdminReminderMs = settings.reminderHours * HOUR;
  if (settings.autoHours !== undefined) services.settings.autoDowngradeMs = settings.autoHours * HOUR;
  const ready = await requestIn(services, 'Ready');
  await services.directory.createRoleAssignment(`user-${ready.id}`, ROLE.globalAdministrator);
  await announceReady(services, ready, 'replication seen');
  const scheduled = services.scheduler.scheduled.find((s) => s.work === 'globalAdminLimit');
  if (scheduled === undefined || scheduled.work !== 'globalAdminLimit') throw new Error('not scheduled');
  saved = { readyAt: scheduled.readyAt };
  services.notifier.notices.length = 0;
  services.directory.calls.length = 0;
  return { ready, firstAt: Date.parse(scheduled.at), readyAt: Date.parse(scheduled.readyAt) };
}

/** One run of the job at `at`, keeping what it saves, as the job runner would. */
async function runAt(ready: { tenantId: string; id: string }, at: number) {
  services.setNow(new Date(at));
  const run: WorkRun = { attempts: 1, scheduledAt: at, saved, checkpoint: async () => undefined };
  const outcome = await limitGlobalAdministrator(
    services,
    { tenantId: ready.tenantId, requestId: ready.id },
    run,
  );
  if (outcome.data !== undefined) saved = outcome.data;
  return outcome;
}

const events = async (requestId: string) =>
  (await services.audit.forRequest(services.tenantId, requestId)).map((r) => [r.event, r.actor.name]);

describe('a Global Administrator left too long', () => {
  it('when GA_REMINDER_HOURS pass and it is still a Global Administrator, then the requester is reminded once and nothing is lowered', async () => {
    const { ready, firstAt, readyAt } = await readyGlobalAdmin({ reminderHours: 24 });
    expect(firstAt - readyAt).toBe(24 * HOUR);

    expect(await runAt(ready, firstAt)).toMatchObject({ kind: 'done' });
    expect(services.notifier.told('requester')).toEqual([
      'cirasync-svc@contoso.com has been a Global Administrator for 24 hours. Once CiraSync Enterprise has signed in with it, press Downgrade role on the ready message (or type `status` to see it again) to lower it to Service Support Administrator.',
    ]);
    expect(services.notifier.told('approver')).toEqual([]);
    expect(services.directory.calls).toEqual([]);
    expect((await events(ready.id)).at(-1)).toEqual(['downgrade reminded', 'Service Account Bot']);
  });

  it('when AUTO_DOWNGRADE_HOURS is set, then the reminder says when, and at that time the bot lowers it, audited as the bot, both admins told', async () => {
    const { ready, firstAt, readyAt } = await readyGlobalAdmin({ reminderHours: 24, autoHours: 48 });
    const reminded = await runAt(ready, firstAt);
    expect(reminded).toEqual({
      kind: 'retryAt',
      at: readyAt + 48 * HOUR,
      data: expect.objectContaining({ remindedAt: expect.any(String) }),
    });
    expect(services.notifier.told('requester')[0]).toMatch(
      /If it still is at 2026-11-28 12:00 UTC, I will lower it myself\.$/,
    );

    // A run a little early (a restart) waits again, without a second reminder.
    expect(await runAt(ready, readyAt + 30 * HOUR)).toEqual({ kind: 'retryAt', at: readyAt + 48 * HOUR });
    expect(services.notifier.told('requester')).toHaveLength(1);

    await services.passwords.getOrCreate(services.tenantId, ready.id, () => 'Secret-1!', services.now());
    expect(await runAt(ready, readyAt + 48 * HOUR)).toMatchObject({ kind: 'done' });
    expect(services.directory.assignments.map((a) => a.roleDefinitionId)).toEqual([
      ROLE.serviceSupportAdministrator,
    ]);
    const text =
      'I lowered cirasync-svc@contoso.com to Service Support Administrator automatically, 48 hours after it was ready; it is no longer a Global Administrator.';
    expect(services.notifier.told('requester').at(-1)).toBe(text);
    expect(services.notifier.told('approver')).toEqual([text]);
    const trail = await services.audit.forRequest(services.tenantId, ready.id);
    expect(trail.at(-1)).toMatchObject({
      event: 'downgraded',
      actor: { aadObjectId: 'system', name: 'Service Account Bot' },
      detail: expect.stringMatching(
        /^automatically, 48 hours after it was ready: Service Support Administrator granted; Global Administrator assignments removed: 1$/,
      ),
    });
    expect((await services.passwords.state(services.tenantId, ready.id)).kind).toBe('purged');
    expect(services.notifier.notices.some((n) => n.kind === 'readyUpdated')).toBe(true);
  });

  it('when an admin pressed Downgrade role before the time, then the job ends without a word or a change', async () => {
    const { ready, firstAt } = await readyGlobalAdmin({ reminderHours: 24, autoHours: 48 });
    expect((await downgradeRole(services, ALEX, ready)).kind).toBe('downgraded');
    services.notifier.notices.length = 0;
    services.directory.calls.length = 0;
    const before = (await events(ready.id)).length;

    expect(await runAt(ready, firstAt)).toEqual({ kind: 'done' });
    expect(services.notifier.notices).toEqual([]);
    expect(services.directory.calls).toEqual([]);
    expect(await events(ready.id)).toHaveLength(before);
  });

  it('when the auto-downgrade comes before the reminder would, then there is no reminder, only the downgrade', async () => {
    const { ready, firstAt, readyAt } = await readyGlobalAdmin({ reminderHours: 24, autoHours: 12 });
    expect(firstAt - readyAt).toBe(12 * HOUR);
    expect(await runAt(ready, firstAt)).toMatchObject({ kind: 'done' });
    expect(services.notifier.told('requester')).toEqual([
      'I lowered cirasync-svc@contoso.com to Service Support Administrator automatically, 12 hours after it was ready; it is no longer a Global Administrator.',
    ]);
    expect((await events(ready.id)).map(([e]) => e)).not.toContain('downgrade reminded');
  });

  it('when neither is set, then nothing is scheduled at "ready"', async () => {
    services.settings.globalAdminReminderMs = 0;
    const ready = await requestIn(services, 'Ready');
    await announceReady(services, ready, 'replication seen');
    expect(services.scheduler.works()).not.toContain('globalAdminLimit');
  });

  it('when the account was deleted from the tenant meanwhile, then the job ends quietly', async () => {
    const { ready, firstAt } = await readyGlobalAdmin({ reminderHours: 24, autoHours: 48 });
    services.directory.users.delete(`user-${ready.id}`);
    services.directory.assignments.length = 0;
    expect(await runAt(ready, firstAt)).toEqual({ kind: 'done' });
    expect(services.notifier.notices).toEqual([]);
    expect(services.directory.calls).toEqual([]);
  });
});
