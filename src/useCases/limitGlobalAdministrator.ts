/**
 * A Global Administrator only for as long as it is needed. Story: one job per ready account → when
 * `globalAdminReminderMs` has passed since "ready", the requester is told once that the account is
 * still a Global Administrator and how to lower it → when `autoDowngradeMs` has passed, the bot lowers
 * it itself (the same downgrade as the button: audited as the bot, both admins told).
 *
 * Each run reads the request and asks the tenant now: a request that is no longer Ready, an app-only
 * grant, or an account that holds no Global Administrator assignment any more (someone pressed
 * Downgrade role, or lowered it by hand) ends the job without a word.
 */
import type { WorkOutcome, WorkRun } from '../domain/workPorts';
import { userPrincipalName } from '../domain/provisioningSteps';
import { appOnlyGrant, systemRecord, SYSTEM_ACTOR } from '../domain/request';
import { utcMinutes } from '../domain/time';
import { ROLE, ROLE_NAMES } from '../domain/wellKnown';
import { count } from '../domain/words';
import { downgradeRole, type DowngradeServices } from './downgradeRole';
import type { Services } from './services';

export type LimitServices = DowngradeServices & Pick<Services, 'requests'>;

/** When the account became ready, as the job was given it; else the request's announcement. */
function readyAtOf(run: WorkRun, announcedAt: string | undefined): number | undefined {
  const saved = typeof run.saved.readyAt === 'string' ? Date.parse(run.saved.readyAt) : NaN;
  if (Number.isFinite(saved)) return saved;
  const announced = announcedAt === undefined ? NaN : Date.parse(announcedAt);
  return Number.isFinite(announced) ? announced : undefined;
}

/** The first moment this job has something to do, from "ready": the reminder, the downgrade. */
export function globalAdminLimitStart(
  settings: Pick<Services['settings'], 'globalAdminReminderMs' | 'autoDowngradeMs'>,
  readyAt: Date,
): Date | undefined {
  const { reminderAt, downgradeAt } = moments(settings, readyAt.getTime());
  const first = Math.min(reminderAt ?? Infinity, downgradeAt ?? Infinity);
  return Number.isFinite(first) ? new Date(first) : undefined;
}

function moments(
  settings: Pick<Services['settings'], 'globalAdminReminderMs' | 'autoDowngradeMs'>,
  readyAt: number,
): { reminderAt?: number; downgradeAt?: number } {
  const downgradeAt = settings.autoDowngradeMs === undefined ? undefined : readyAt + settings.autoDowngradeMs;
  const reminderAt =
    settings.globalAdminReminderMs > 0 &&
    (downgradeAt === undefined || settings.globalAdminReminderMs < (settings.autoDowngradeMs ?? 0))
      ? readyAt + settings.globalAdminReminderMs
      : undefined;
  return { reminderAt, downgradeAt };
}

export async function limitGlobalAdministrator(
  services: LimitServices,
  key: { tenantId: string; requestId: string },
  run: WorkRun,
): Promise<WorkOutcome> {
  const request = await services.requests.get(key.tenantId, key.requestId);
  if (request === undefined || request.state !== 'Ready' || appOnlyGrant(request) !== undefined)
    return { kind: 'done' };
  const readyAt = readyAtOf(run, request.announcedAt);
  if (readyAt === undefined) return { kind: 'done' };
  const { reminderAt, downgradeAt } = moments(services.settings, readyAt);
  const now = services.now().getTime();

  const data = await services.provisioning.get(request);
  const userId = data.progress?.userId;
  if (userId === undefined) return { kind: 'done' };
  const held = await services.directory.listRoleAssignments({
    principalId: userId,
    roleDefinitionId: ROLE.globalAdministrator,
  });
  if (held.length === 0) return { kind: 'done' };

  if (downgradeAt !== undefined && now >= downgradeAt) {
    const hours = Math.round((downgradeAt - readyAt) / 3_600_000);
    const outcome = await downgradeRole(services, SYSTEM_ACTOR, request, {
      reason: `automatically, ${count(hours, 'hour')} after it was ready`,
    });
    return outcome.kind === 'refused'
      ? { kind: 'done' }
      : { kind: 'done', data: { downgradedAt: new Date(now).toISOString() } };
  }

  const reminded = typeof run.saved.remindedAt === 'string';
  if (reminderAt !== undefined && !reminded && now >= reminderAt) {
    const role = ROLE_NAMES[services.settings.downgradeRoleId] ?? services.settings.downgradeRoleId;
    const hours = Math.round((now - readyAt) / 3_600_000);
    const then =
      downgradeAt === undefined
        ? ''
        : ` If it still is at ${utcMinutes(new Date(downgradeAt).toISOString())}, I will lower it myself.`;
    await services.notifier.tell(
      request,
      'requester',
      `${userPrincipalName(request.details)} has been a Global Administrator for ${count(hours, 'hour')}. Once CiraSync Enterprise has signed in with it, press Downgrade role on the ready message (or type \`status\` to see it again) to lower it to ${role}.${then}`,
    );
    const at = new Date(now).toISOString();
    await services.audit.append(
      systemRecord(
        request,
        'downgrade reminded',
        'Ready',
        at,
        `still a Global Administrator ${count(hours, 'hour')} after it was ready`,
      ),
    );
    if (downgradeAt === undefined) return { kind: 'done', data: { ...run.saved, remindedAt: at } };
    return { kind: 'retryAt', at: downgradeAt, data: { ...run.saved, remindedAt: at } };
  }

  const next = [reminded ? undefined : reminderAt, downgradeAt].filter(
    (at): at is number => at !== undefined && at > now,
  );
  return next.length === 0 ? { kind: 'done' } : { kind: 'retryAt', at: Math.min(...next) };
}
