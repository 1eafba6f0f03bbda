/**
 * Everything that follows "Ready": the audit record, the password hand-over, the progress card, every
 * copy of the approval card, the "ready" message to both admins — then `announcedAt` on the request.
 * Each part before the message is safe to repeat, so a run that resumes after a crash in the middle
 * finishes what is missing; the message itself goes out again only if the crash came before it was
 * recorded.
 */
import { type ProgressView, progressViewOf } from '../domain/progress';
import { appOnlyGrant, requestSubject, type ServiceAccountRequest, systemRecord } from '../domain/request';
import { handOverPassword } from './handOverPassword';
import {
  appReadyApproverText,
  appReadyView,
  readyApproverText,
  readyForwardText,
  readyView,
} from './readyReport';
import { healthWatchStart } from './checkHealth';
import { globalAdminLimitStart } from './limitGlobalAdministrator';
import type { Services } from './services';

export type AnnounceServices = Pick<
  Services,
  | 'requests'
  | 'audit'
  | 'notifier'
  | 'scheduler'
  | 'provisioning'
  | 'passwords'
  | 'handOver'
  | 'health'
  | 'now'
  | 'settings'
>;

export async function announceReady(
  services: AnnounceServices,
  ready: ServiceAccountRequest,
  detail: string,
): Promise<void> {
  const trail = await services.audit.forRequest(ready.tenantId, ready.id);
  if (!trail.some((r) => r.event === 'ready'))
    await services.audit.append(systemRecord(ready, 'ready', 'Ready', services.now().toISOString(), detail));
  const data = await services.provisioning.get(ready);
  const grant = appOnlyGrant(ready);
  let message: { requester: ProgressView; approverText: string; forwardText: string };
  if (grant !== undefined) {
    // Nothing to hand over: the app signs in with its own credentials.
    const approverText = appReadyApproverText(ready, grant);
    message = { requester: appReadyView(ready, data, grant), approverText, forwardText: approverText };
  } else {
    const { where, problem } = await handOverPassword(services, ready);
    message = {
      requester: readyView(ready, data, where, {
        downgradeRoleId: services.settings.downgradeRoleId,
        problem,
        keyVault: services.handOver !== undefined,
      }),
      approverText: readyApproverText(ready),
      forwardText: readyForwardText(ready),
    };
  }
  if (grant === undefined) {
    // A Global Administrator from now on: the requester is reminded, and it is lowered when set to.
    // Scheduled before the message, so a run resumed after a crash still schedules it (once).
    const readyAt = services.now();
    const first = globalAdminLimitStart(services.settings, readyAt);
    if (first !== undefined) await services.scheduler.globalAdminLimit(ready, first, readyAt);
  }
  // Watched from now on, the account or the app alike (a second call changes nothing); listed by
  // `health` from now, before its first check.
  const readyAt = services.now();
  await services.health.update(ready.tenantId, ready.id, (current) =>
    current !== undefined
      ? undefined
      : { tenantId: ready.tenantId, requestId: ready.id, subject: requestSubject(ready), problems: [] },
  );
  await services.scheduler.healthWatch(ready, healthWatchStart(services.settings, readyAt), readyAt);
  await services.notifier.showProgress(ready, progressViewOf(ready, data));
  await services.notifier.refreshApprovalCards(ready);
  const sent = await services.notifier.sendReady(ready, message);
  for (const [who, reached] of [
    ['requester', sent.requester],
    ['approver', sent.approver],
  ] as const) {
    if (reached) continue;
    const person = who === 'requester' ? ready.requester.name : ready.approver.name;
    await services.audit.append(
      systemRecord(
        ready,
        'delivery failed',
        'Ready',
        services.now().toISOString(),
        `the ready message could not reach the ${who} (${person})`,
      ),
    );
  }
  await services.requests.recordAnnounced(ready.tenantId, ready.id, services.now().toISOString());
}
