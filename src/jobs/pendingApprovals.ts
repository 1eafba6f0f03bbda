/**
 * How many requests wait for their approver, for the metrics, without a scan of every request: each
 * request waiting for approval has a queued expiry job (kind `approval.expire`, due when it expires),
 * so only the requests of those jobs are read — requests submitted within the last
 * `APPROVAL_EXPIRY_HOURS` — and those still PendingApproval are counted.
 */
import type { RequestStore } from '../domain/requestPorts';
import { JOB_KINDS } from './jobKinds';
import type { JobStore } from './jobs';

/** Most requests read for one count. */
export const MAX_PENDING_READ = 1_000;

/** Undefined when the job store cannot list queued jobs by kind. */
export async function countPendingApprovals(
  jobs: JobStore,
  requests: RequestStore,
): Promise<number | undefined> {
  if (jobs.queuedOfKind === undefined) return undefined;
  const waiting = await jobs.queuedOfKind(JOB_KINDS.expireRequest, MAX_PENDING_READ);
  const found = await Promise.all(waiting.map((job) => requests.get(job.tenantId, job.requestId)));
  return found.filter((request) => request?.state === 'PendingApproval').length;
}
