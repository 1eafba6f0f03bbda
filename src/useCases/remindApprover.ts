/**
 * Before a pending request expires, the approver is reminded once. Story: only while it still waits →
 * the approver told how long is left → audited (also when they could not be reached).
 */
import { accountName, systemRecord } from '../domain/request';
import { utcMinutes } from '../domain/time';
import type { WorkOutcome, WorkRun } from '../domain/workPorts';
import { currentRequest, isOpen, isWorkOutcome, type RequestKey } from './pendingWork';
import type { Services } from './services';

export async function remindApprover(
  services: Pick<Services, 'requests' | 'audit' | 'notifier' | 'now'>,
  key: RequestKey,
  run: Pick<WorkRun, 'scheduledAt'>,
): Promise<WorkOutcome> {
  const loaded = await currentRequest(services, key, run);
  if (isWorkOutcome(loaded)) return loaded;
  const request = loaded;
  const now = services.now();
  if (!isOpen(request, now)) return { kind: 'done' };
  const hours = Math.max(1, Math.round((Date.parse(request.expiresAt) - now.getTime()) / 3_600_000));
  const told = await services.notifier.tell(
    request,
    'approver',
    `Reminder: ${request.requester.name}’s request for the service account ${accountName(request)} is waiting for your decision. It expires in about ${hours} hour${hours === 1 ? '' : 's'} (${utcMinutes(request.expiresAt)}); the card is above in this chat.`,
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
  return { kind: 'done' };
}
