/**
 * The approval's background work, as durable jobs: delivering the card to the approver (with the
 * fallbacks and the requester told when it fails), the reminder before expiry, and the expiry itself.
 * Each handler reloads the request and acts only if the request still needs it, so a job that runs
 * twice, late, or after a decision changes nothing.
 */
import type { ApproverDelivery, RequestMessages } from '../adapters/teams/requestMessages';
import type { CardCopyStore } from '../adapters/teams/cardCopies';
import { expireRequest } from '../domain/decideRequest';
import { type ServiceAccountRequest, systemRecord } from '../domain/request';
import type { AuditLog, RequestStore } from '../domain/requestPorts';
import type { JobRecord, JobStore } from './jobs';
import type { JobHandler, JobOutcome } from './jobRunner';
import { utcMinutes } from '../../cards/renderCard';

export const APPROVAL_JOBS = {
  deliver: 'approval.deliver',
  remind: 'approval.remind',
  expire: 'approval.expire',
} as const;

/** A delivery that failed for a passing reason (429, 5xx) is tried again this many times. */
const DELIVERY_RETRIES = 5;

export function approvalJobId(kind: string, tenantId: string, requestId: string): string {
  return `${kind}:${tenantId}:${requestId}`;
}

export interface ApprovalJobDeps {
  requests: RequestStore;
  audit: AuditLog;
  messages: RequestMessages;
  copies: CardCopyStore;
  now: () => Date;
}

/**
 * Schedules what a submitted request needs: delivery now, a reminder and the expiry later. Idempotent
 * (job ids are derived from the request), so it may run before the request is stored.
 */
export async function scheduleApproval(
  jobs: JobStore,
  request: Pick<ServiceAccountRequest, 'id' | 'tenantId'> & { expiresAt: string },
  options: { now: Date; reminderMs: number },
): Promise<void> {
  const base = { tenantId: request.tenantId, requestId: request.id };
  const now = options.now.getTime();
  const expiresAt = Date.parse(request.expiresAt);
  await jobs.enqueue(
    {
      ...base,
      id: approvalJobId(APPROVAL_JOBS.deliver, base.tenantId, base.requestId),
      kind: APPROVAL_JOBS.deliver,
      runAt: now,
    },
    now,
  );
  if (options.reminderMs > 0 && expiresAt - options.reminderMs > now) {
    await jobs.enqueue(
      {
        ...base,
        id: approvalJobId(APPROVAL_JOBS.remind, base.tenantId, base.requestId),
        kind: APPROVAL_JOBS.remind,
        runAt: expiresAt - options.reminderMs,
      },
      now,
    );
  }
  await jobs.enqueue(
    {
      ...base,
      id: approvalJobId(APPROVAL_JOBS.expire, base.tenantId, base.requestId),
      kind: APPROVAL_JOBS.expire,
      runAt: expiresAt,
    },
    now,
  );
}

/**
 * Loads the job's request. A delivery scheduled just before its request was stored waits a little;
 * a request that never appeared ends the job.
 */
async function requestOf(deps: ApprovalJobDeps, job: JobRecord): Promise<ServiceAccountRequest | JobOutcome> {
  const request = await deps.requests.get(job.tenantId, job.requestId);
  if (request !== undefined) return request;
  const now = deps.now().getTime();
  return now - job.createdAt < 5 * 60_000
    ? { kind: 'retryAt', at: now + 2_000, error: 'request not stored yet' }
    : { kind: 'cancelled' };
}

function isOutcome(value: ServiceAccountRequest | JobOutcome): value is JobOutcome {
  return 'kind' in value;
}

function isOpen(request: ServiceAccountRequest, now: Date): boolean {
  return request.state === 'PendingApproval' && now.getTime() < Date.parse(request.expiresAt);
}

function deliveredText(request: ServiceAccountRequest, delivery: ApproverDelivery): string {
  if (!delivery.reached) return '';
  return delivery.where === 'approvals channel'
    ? `I could not reach ${request.approver.name} in a personal chat, so I posted your request in the approvals channel.`
    : `I sent your request to ${request.approver.name}. Nothing is created until they approve.`;
}

export function approvalJobHandlers(deps: ApprovalJobDeps): Record<string, JobHandler> {
  const deliver: JobHandler = async (job) => {
    const loaded = await requestOf(deps, job);
    if (isOutcome(loaded)) return loaded;
    const request = loaded;
    if (!isOpen(request, deps.now())) return { kind: 'done' };
    const cards = await deps.copies.get(request.tenantId, request.id);
    if (!cards.copies.some((c) => c.audience === 'requester' && c.card === 'approval'))
      await deps.messages.postRequesterCopy(request);
    const delivery = await deps.messages.deliverToApprover(request);
    const at = deps.now().toISOString();
    if (delivery.reached) {
      await deps.audit.append(
        systemRecord(
          request,
          'delivered',
          request.state,
          at,
          `to ${request.approver.userPrincipalName} (${delivery.where})`,
        ),
      );
      await deps.messages.updateCopies(request);
      await deps.messages.tell(request, 'requester', deliveredText(request, delivery));
      return { kind: 'done' };
    }
    const retry = !delivery.permanent && job.attempts < DELIVERY_RETRIES;
    await deps.audit.append(systemRecord(request, 'delivery failed', request.state, at, delivery.reason));
    await deps.messages.updateCopies(request);
    if (retry)
      return { kind: 'retryAt', at: deps.now().getTime() + 60_000 * job.attempts, error: delivery.reason };
    await deps.messages.tell(
      request,
      'requester',
      `I could not deliver your request to ${request.approver.name}: ${delivery.reason}. ${deps.messages.installAdvice(request)}`,
    );
    return { kind: 'done' };
  };

  const remind: JobHandler = async (job) => {
    const loaded = await requestOf(deps, job);
    if (isOutcome(loaded)) return loaded;
    const request = loaded;
    if (!isOpen(request, deps.now())) return { kind: 'done' };
    const hours = Math.max(1, Math.round((Date.parse(request.expiresAt) - deps.now().getTime()) / 3_600_000));
    const told = await deps.messages.tell(
      request,
      'approver',
      `Reminder: ${request.requester.name}’s request for the service account ${request.details.username}@${request.details.domain} is waiting for your decision. It expires in about ${hours} hour${hours === 1 ? '' : 's'} (${utcMinutes(request.expiresAt)}); the card is above in this chat.`,
    );
    await deps.audit.append(
      systemRecord(
        request,
        'reminded',
        request.state,
        deps.now().toISOString(),
        told ? `approver ${request.approver.userPrincipalName}` : 'approver could not be reached',
      ),
    );
    return { kind: 'done' };
  };

  const expire: JobHandler = async (job) => {
    const loaded = await requestOf(deps, job);
    if (isOutcome(loaded)) return loaded;
    const request = loaded;
    const now = deps.now();
    let expired = request;
    if (request.state === 'PendingApproval') {
      // A clock running a little behind the timer: come back when the request really is due.
      if (now.getTime() < Date.parse(request.expiresAt))
        return { kind: 'retryAt', at: Date.parse(request.expiresAt) };
      expired = await expireRequest(deps.requests, deps.audit, request, now);
    }
    // Expired here, or by a late press just before this timer ran: this job is the one that tells.
    if (expired.state !== 'Expired') return { kind: 'done' };
    await deps.messages.updateCopies(expired);
    const account = `${expired.details.username}@${expired.details.domain}`;
    await deps.messages.tell(
      expired,
      'requester',
      `Your request for ${account} expired: ${expired.approver.name} did not decide in time. Nothing was created. Type \`new service account\` to ask again.`,
    );
    await deps.messages.tell(
      expired,
      'approver',
      `${expired.requester.name}’s request for ${account} expired before a decision; it can no longer be approved.`,
    );
    return { kind: 'done' };
  };

  return { [APPROVAL_JOBS.deliver]: deliver, [APPROVAL_JOBS.remind]: remind, [APPROVAL_JOBS.expire]: expire };
}
