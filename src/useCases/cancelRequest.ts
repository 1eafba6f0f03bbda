/**
 * The requester withdraws a request that is still waiting for approval. Story: only the requester →
 * `PendingApproval → Cancelled` (compare-and-set) → audited → off the answer's path, every copy of
 * the approval card redrawn and the approver told there is nothing to decide.
 */
import { authorizeRequesterAction } from '../domain/authorization';
import {
  accountName,
  auditRecord,
  type Actor,
  type RequestState,
  type ServiceAccountRequest,
} from '../domain/request';
import type { Services } from './services';
import { literal } from '../domain/words';

/** Why a request past its approval cannot be cancelled, in words. */
const NOT_CANCELLABLE: Readonly<Record<RequestState, string>> = {
  PendingApproval: 'it is waiting for approval',
  Rejected: 'it was rejected',
  Expired: 'it expired before anyone approved it',
  Cancelled: 'it is already cancelled',
  Provisioning: 'it was approved and is being set up',
  Failed: 'it was approved, and setting it up stopped (its progress card has Retry and Remove)',
  AwaitingReplication: 'it was approved and is set up; Exchange is applying it',
  Ready: 'it was approved and is ready',
};

export type CancelOutcome = { cancelled: ServiceAccountRequest } | { refused: string };

export async function cancelRequest(
  services: Pick<Services, 'requests' | 'audit' | 'notifier' | 'background' | 'now'>,
  input: { tenantId: string; requestId: string; actor: Actor },
): Promise<CancelOutcome> {
  const request = await services.requests.get(input.tenantId, input.requestId);
  if (request === undefined) return { refused: 'I cannot find that request.' };
  if (!authorizeRequesterAction(input.actor, request)) {
    return { refused: 'Only the admin who asked for this request can cancel it.' };
  }
  if (request.state !== 'PendingApproval') {
    return { refused: `That request can no longer be cancelled: ${NOT_CANCELLABLE[request.state]}.` };
  }
  const at = services.now().toISOString();
  const cancelled = await services.requests.transition(
    input.tenantId,
    request.id,
    { version: request.version, from: ['PendingApproval'] },
    { state: 'Cancelled', at },
  );
  if (cancelled === undefined) return { refused: 'That request changed meanwhile; look at `status` again.' };
  await services.audit.append(auditRecord(request, input.actor, 'cancelled', 'Cancelled', at));
  services.background.run('cancellation notice', async () => {
    await services.notifier.refreshApprovalCards(cancelled);
    await services.notifier.tell(
      cancelled,
      'approver',
      `${literal(cancelled.requester.name)} cancelled their request for ${accountName(cancelled)}; there is nothing to decide.`,
    );
  });
  return { cancelled };
}
