/**
 * A pending request whose time is up. Story: `PendingApproval → Expired` (compare-and-set, audited
 * once) → both admins told, every copy of the approval card redrawn. `expirePending` is the change
 * alone, for a late press that finds the request out of time; `expireRequest` is the expiry timer,
 * the one that tells.
 */
import { accountName, type ServiceAccountRequest, systemRecord } from '../domain/request';
import type { WorkOutcome, WorkRun } from '../domain/workPorts';
import { currentRequest, isWorkOutcome, type RequestKey } from './pendingWork';
import type { Services } from './services';
import { literal } from '../domain/words';

/** Turns a pending request whose time is up into `Expired` (audited once); returns what is stored. */
export async function expirePending(
  services: Pick<Services, 'requests' | 'audit'>,
  request: ServiceAccountRequest,
  now: Date,
): Promise<ServiceAccountRequest> {
  const expired = await services.requests.transition(
    request.tenantId,
    request.id,
    { version: request.version, from: ['PendingApproval'] },
    { state: 'Expired', at: now.toISOString() },
  );
  if (expired === undefined) return (await services.requests.get(request.tenantId, request.id)) ?? request;
  await services.audit.append(systemRecord(request, 'expired', 'Expired', now.toISOString()));
  return expired;
}

export async function expireRequest(
  services: Pick<Services, 'requests' | 'audit' | 'notifier' | 'now'>,
  key: RequestKey,
  run: Pick<WorkRun, 'scheduledAt'>,
): Promise<WorkOutcome> {
  const loaded = await currentRequest(services, key, run);
  if (isWorkOutcome(loaded)) return loaded;
  const request = loaded;
  const now = services.now();
  let expired = request;
  if (request.state === 'PendingApproval') {
    // A clock running a little behind the timer: come back when the request really is due.
    if (now.getTime() < Date.parse(request.expiresAt))
      return { kind: 'retryAt', at: Date.parse(request.expiresAt) };
    expired = await expirePending(services, request, now);
  }
  // Expired here, or by a late press just before this timer ran: this timer is the one that tells.
  if (expired.state !== 'Expired') return { kind: 'done' };
  await services.notifier.refreshApprovalCards(expired);
  const account = accountName(expired);
  await services.notifier.tell(
    expired,
    'requester',
    `Your request for ${account} expired: ${literal(expired.approver.name)} did not decide in time. Nothing was created. Type \`new service account\` to ask again.`,
  );
  await services.notifier.tell(
    expired,
    'approver',
    `${literal(expired.requester.name)}’s request for ${account} expired before a decision; it can no longer be approved.`,
  );
  return { kind: 'done' };
}
