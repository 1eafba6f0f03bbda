/**
 * The approval card reaches the approver. Story: only while the request waits for a decision → the
 * requester's copy posted (once) → the card put in front of the approver (their chat, a new chat, the
 * approvals channel) → audited either way, against the request as it is after the delivery (a
 * cancel or a decision may have come meanwhile) → the copies redrawn from that → while it is still
 * open, the requester told where it went, or, when every way failed for good, what to ask the
 * approver to do. A passing failure (429, 5xx) is tried again a few times.
 */
import { systemRecord } from '../domain/request';
import type { ApproverDelivery, WorkOutcome, WorkRun } from '../domain/workPorts';
import type { ServiceAccountRequest } from '../domain/request';
import { currentRequest, isOpen, isWorkOutcome, type RequestKey } from './pendingWork';
import type { Services } from './services';
import { literal } from '../domain/words';

/** A delivery that failed for a passing reason (429, 5xx) is tried again this many times. */
const DELIVERY_RETRIES = 5;

function deliveredText(request: ServiceAccountRequest, delivery: ApproverDelivery): string {
  if (!delivery.reached) return '';
  return delivery.where === 'approvals channel'
    ? `I could not reach ${literal(request.approver.name)} in a personal chat, so I posted your request in the approvals channel.`
    : `I sent your request to ${literal(request.approver.name)}. Nothing is created until they approve.`;
}

export async function deliverApproval(
  services: Pick<Services, 'requests' | 'audit' | 'notifier' | 'now'>,
  key: RequestKey,
  run: Pick<WorkRun, 'scheduledAt' | 'attempts'>,
): Promise<WorkOutcome> {
  const loaded = await currentRequest(services, key, run);
  if (isWorkOutcome(loaded)) return loaded;
  const request = loaded;
  if (!isOpen(request, services.now())) return { kind: 'done' };
  await services.notifier.postRequesterCopy(request);
  const delivery = await services.notifier.deliverToApprover(request);
  // The request may have been cancelled, decided or expired while the card was on its way: record
  // and draw what happened against the request as it is now, never the copy read before.
  const current = (await services.requests.get(key.tenantId, key.requestId)) ?? request;
  const stillOpen = isOpen(current, services.now());
  const at = services.now().toISOString();
  if (delivery.reached) {
    await services.audit.append(
      systemRecord(
        current,
        'delivered',
        current.state,
        at,
        `to ${current.approver.userPrincipalName} (${delivery.where})`,
      ),
    );
    await services.notifier.refreshApprovalCards(current);
    if (stillOpen) await services.notifier.tell(current, 'requester', deliveredText(current, delivery));
    return { kind: 'done' };
  }
  await services.audit.append(systemRecord(current, 'delivery failed', current.state, at, delivery.reason));
  await services.notifier.refreshApprovalCards(current);
  if (!stillOpen) return { kind: 'done' };
  if (!delivery.permanent && run.attempts < DELIVERY_RETRIES)
    return { kind: 'retryAt', at: services.now().getTime() + 60_000 * run.attempts, error: delivery.reason };
  await services.notifier.tell(
    current,
    'requester',
    `I could not deliver your request to ${literal(current.approver.name)}: ${delivery.reason}. ${services.notifier.installAdvice(current)}`,
  );
  return { kind: 'done' };
}
