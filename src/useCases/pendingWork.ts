/**
 * The request a piece of approval work is about, as stored now. Delivery is scheduled just before its
 * request is stored: work that finds no request yet waits a little, and ends when none ever appeared.
 */
import type { ServiceAccountRequest } from '../domain/request';
import type { WorkOutcome, WorkRun } from '../domain/workPorts';
import type { Services } from './services';

export type RequestKey = { tenantId: string; requestId: string };

export async function currentRequest(
  services: Pick<Services, 'requests' | 'now'>,
  key: RequestKey,
  run: Pick<WorkRun, 'scheduledAt'>,
): Promise<ServiceAccountRequest | WorkOutcome> {
  const request = await services.requests.get(key.tenantId, key.requestId);
  if (request !== undefined) return request;
  const now = services.now().getTime();
  return now - run.scheduledAt < 5 * 60_000
    ? { kind: 'retryAt', at: now + 2_000, error: 'request not stored yet' }
    : { kind: 'cancelled' };
}

export function isWorkOutcome(value: ServiceAccountRequest | WorkOutcome): value is WorkOutcome {
  return !('state' in value);
}

/** Still waiting for a decision, and not out of time. */
export function isOpen(request: ServiceAccountRequest, now: Date): boolean {
  return request.state === 'PendingApproval' && now.getTime() < Date.parse(request.expiresAt);
}
