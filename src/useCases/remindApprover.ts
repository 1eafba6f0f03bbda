/**
 * Before a pending request expires, the approver is reminded once; when that goes unanswered, the
 * request is offered to the approver group. Story: only while it still waits → the approver told how
 * long is left → audited (also when they could not be reached) → with `APPROVER_GROUP_ID`, halfway to
 * the expiry (at once when the approver could not be reached) the card is posted in the approvals
 * channel, where the group's members may decide — never the requester — audited, and the requester
 * told.
 */
import { accountName, systemRecord } from '../domain/request';
import { utcMinutes } from '../domain/time';
import type { WorkOutcome, WorkRun } from '../domain/workPorts';
import { currentRequest, isOpen, isWorkOutcome, type RequestKey } from './pendingWork';
import type { Services } from './services';
import { literal } from '../domain/words';

export async function remindApprover(
  services: Pick<Services, 'requests' | 'audit' | 'notifier' | 'now' | 'settings'>,
  key: RequestKey,
  run: Pick<WorkRun, 'scheduledAt' | 'saved'>,
): Promise<WorkOutcome> {
  const loaded = await currentRequest(services, key, run);
  if (isWorkOutcome(loaded)) return loaded;
  const request = loaded;
  const now = services.now();
  if (!isOpen(request, now)) return { kind: 'done' };
  const escalate = services.settings.approverGroupId !== undefined;

  if (typeof run.saved.remindedAt === 'string') {
    if (!escalate) return { kind: 'done' };
    const offered = await services.notifier.offerInApprovalsChannel(request);
    if (offered !== 'posted') return { kind: 'done' };
    await services.audit.append(
      systemRecord(
        request,
        'escalated',
        request.state,
        services.now().toISOString(),
        `offered to the approver group in the approvals channel; ${request.approver.name} had not decided`,
      ),
    );
    await services.notifier.tell(
      request,
      'requester',
      `${literal(request.approver.name)} has not decided on your request for ${accountName(request)} yet, so I also offered it to the approver group in the approvals channel. Any of them except you may approve it until ${utcMinutes(request.expiresAt)}.`,
    );
    return { kind: 'done' };
  }

  const hours = Math.max(1, Math.round((Date.parse(request.expiresAt) - now.getTime()) / 3_600_000));
  const told = await services.notifier.tell(
    request,
    'approver',
    `Reminder: ${literal(request.requester.name)}’s request for the service account ${accountName(request)} is waiting for your decision. It expires in about ${hours} hour${hours === 1 ? '' : 's'} (${utcMinutes(request.expiresAt)}); the card is above in this chat.`,
  );
  await services.audit.append(
    systemRecord(
      request,
      'reminded',
      request.state,
      services.now().toISOString(),
      told ? `approver ${request.approver.userPrincipalName}` : 'approver could not be reached',
    ),
  );
  if (!escalate) return { kind: 'done' };
  // Unanswered by halfway to the expiry (at once when the reminder did not reach them): the group.
  const at = told
    ? now.getTime() + Math.floor((Date.parse(request.expiresAt) - now.getTime()) / 2)
    : now.getTime();
  return { kind: 'retryAt', at, data: { ...run.saved, remindedAt: now.toISOString() } };
}
