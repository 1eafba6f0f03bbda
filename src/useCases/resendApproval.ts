/**
 * The requester asks for the approval card to be sent again (after the approver installed the app).
 * Story: only the requester (the press gate admitted them) → only while the request still waits →
 * the delivery scheduled again now. The delivery itself is `deliverApproval`.
 */
import type { ServiceAccountRequest } from '../domain/request';
import { isOpen } from './pendingWork';
import type { Services } from './services';

export type ResendOutcome = { kind: 'sending' } | { kind: 'notWaiting' };

export async function resendApproval(
  services: Pick<Services, 'scheduler' | 'now'>,
  request: ServiceAccountRequest,
): Promise<ResendOutcome> {
  const now = services.now();
  if (!isOpen(request, now)) return { kind: 'notWaiting' };
  await services.scheduler.deliverAgain(request, now);
  services.scheduler.wake();
  return { kind: 'sending' };
}
