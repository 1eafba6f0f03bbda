/**
 * After a failure, the requester or the approver presses Retry. Story: the press gate admitted the
 * actor → only a `Failed` request → `Failed → Provisioning` (compare-and-set; only the winner goes on)
 * → audited → the provisioning job resumed from its saved progress.
 */
import { type ProgressView, progressViewOf } from '../domain/progress';
import { type Actor, auditRecord, type ServiceAccountRequest } from '../domain/request';
import type { Services } from './services';

export type RetryOutcome =
  /** This press restarted provisioning. */
  | { kind: 'retried'; view: ProgressView }
  /** Nothing changed: the request is not (or no longer) failed. */
  | { kind: 'unchanged'; view: ProgressView };

export async function retryProvisioning(
  services: Pick<Services, 'requests' | 'audit' | 'scheduler' | 'provisioning' | 'now'>,
  actor: Actor,
  request: ServiceAccountRequest,
): Promise<RetryOutcome> {
  const data = await services.provisioning.get(request);
  if (request.state !== 'Failed') return { kind: 'unchanged', view: progressViewOf(request, data) };
  const now = services.now();
  const moved = await services.requests.transition(
    request.tenantId,
    request.id,
    { version: request.version, from: ['Failed'] },
    { state: 'Provisioning', at: now.toISOString() },
  );
  if (moved === undefined) {
    const current = (await services.requests.get(request.tenantId, request.id)) ?? request;
    return { kind: 'unchanged', view: progressViewOf(current, data) };
  }
  await services.audit.append(
    auditRecord(request, actor, 'retried', 'Provisioning', now.toISOString(), data.failure?.message),
  );
  await services.scheduler.resumeProvisioning(request, now);
  services.scheduler.wake();
  return { kind: 'retried', view: { ...progressViewOf(moved, data), current: undefined } };
}
