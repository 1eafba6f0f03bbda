/**
 * After a failure, "Remove what was created" (confirmed). Story: the press gate admitted the actor →
 * only a `Failed` request → `Failed → Cancelled` first (compare-and-set): only the press that ends the
 * request deletes anything, so a Retry that won meanwhile keeps its account → the user this request
 * created deleted (never someone else's) → audited → the password forgotten.
 */
import { isAppError } from '../domain/errors';
import { type ProgressView, type ProvisionData, progressViewOf } from '../domain/progress';
import { removeCreatedAccount, specOf } from '../domain/provisionAccount';
import { userPrincipalName } from '../domain/provisioningSteps';
import {
  type Actor,
  type AuditRecord,
  auditRecord,
  createsAccount,
  type ServiceAccountRequest,
} from '../domain/request';
import type { Services } from './services';

export type RemoveOutcome =
  /** This press ended the request; `detail` says what was deleted. */
  | { kind: 'removed'; view: ProgressView }
  /** Nothing changed: the request is not (or no longer) failed. */
  | { kind: 'unchanged'; view: ProgressView };

/** The card that asks once more before anything is deleted. */
export async function confirmRemoval(
  services: Pick<Services, 'provisioning'>,
  request: ServiceAccountRequest,
): Promise<ProgressView> {
  const data = await services.provisioning.get(request);
  return { ...progressViewOf(request, data), confirmingRemove: request.state === 'Failed' };
}

/**
 * How long a removal that began may take before a later press takes it over: the press that ended the
 * request may have died before it deleted or audited anything.
 */
export const REMOVAL_LEASE_MS = 2 * 60_000;

export async function removeCreated(
  services: Pick<Services, 'requests' | 'audit' | 'provisioning' | 'passwords' | 'directory' | 'now'>,
  actor: Actor,
  request: ServiceAccountRequest,
): Promise<RemoveOutcome> {
  const data = await services.provisioning.get(request);
  const now = services.now();
  if (request.state === 'Cancelled') return finishOrTell(services, actor, request, now);
  if (request.state !== 'Failed') return { kind: 'unchanged', view: progressViewOf(request, data) };
  // The claim: only the press whose compare-and-set ends the request deletes and audits.
  const ended = await services.requests.transition(
    request.tenantId,
    request.id,
    { version: request.version, from: ['Failed'] },
    { state: 'Cancelled', at: now.toISOString() },
  );
  if (ended === undefined) {
    const current = (await services.requests.get(request.tenantId, request.id)) ?? request;
    if (current.state === 'Cancelled') return tell(services, current);
    return { kind: 'unchanged', view: progressViewOf(current, await services.provisioning.get(current)) };
  }
  return remove(services, actor, request, ended, now);
}

async function remove(
  services: Pick<Services, 'audit' | 'provisioning' | 'passwords' | 'directory'>,
  actor: Actor,
  request: ServiceAccountRequest,
  ended: ServiceAccountRequest,
  now: Date,
): Promise<RemoveOutcome> {
  let detail: string;
  try {
    // Deleting is idempotent: a user already gone (or gone meanwhile) counts as removed.
    detail = (await removeCreatedAccount(services.directory, specOf(request))).detail;
  } catch (error) {
    if (!isAppError(error)) throw error;
    detail = `The request is closed, but I could not delete ${userPrincipalName(request.details)}: ${error.userMessage} Delete it in the Microsoft 365 admin center.`;
  }
  await services.audit.append(auditRecord(request, actor, 'removed', ended.state, now.toISOString(), detail));
  await services.passwords.purge(request.tenantId, request.id, now);
  const data = await services.provisioning.get(ended);
  return { kind: 'removed', view: { ...progressViewOf(ended, data), removed: detail } };
}

/** A removal that began from a failed request: its audit record, if it was written. */
async function removalRecord(
  services: Pick<Services, 'audit'>,
  request: ServiceAccountRequest,
): Promise<AuditRecord | undefined> {
  return (await services.audit.forRequest(request.tenantId, request.id)).find((r) => r.event === 'removed');
}

/** Whether this cancelled request was ended by a removal (it got as far as creating the user). */
function endedByRemoval(request: ServiceAccountRequest, data: ProvisionData): boolean {
  return (
    createsAccount(request) &&
    data.removed === undefined &&
    (data.progress?.completed.some((r) => r.step === 'user') ?? false)
  );
}

/**
 * A press on a request another press has already ended: it is told what happened. When that removal
 * began longer ago than the lease and left no record (its press died), this press takes it over, again
 * through a compare-and-set, so only one finishes it.
 */
async function finishOrTell(
  services: Pick<Services, 'requests' | 'audit' | 'provisioning' | 'passwords' | 'directory'>,
  actor: Actor,
  request: ServiceAccountRequest,
  now: Date,
): Promise<RemoveOutcome> {
  const data = await services.provisioning.get(request);
  if (!endedByRemoval(request, data)) return { kind: 'unchanged', view: progressViewOf(request, data) };
  const stale = now.getTime() - Date.parse(request.updatedAt) >= REMOVAL_LEASE_MS;
  if (stale && (await removalRecord(services, request)) === undefined) {
    const claimed = await services.requests.amend(
      request.tenantId,
      request.id,
      { version: request.version, states: ['Cancelled'] },
      {},
      now.toISOString(),
    );
    if (claimed !== undefined) return remove(services, actor, request, claimed, now);
  }
  return tell(services, request);
}

/** The answer for a press that lost: removed already, or still being removed by another press. */
async function tell(
  services: Pick<Services, 'audit' | 'provisioning'>,
  request: ServiceAccountRequest,
): Promise<RemoveOutcome> {
  const data = await services.provisioning.get(request);
  const view = progressViewOf(request, data);
  const record = await removalRecord(services, request);
  const removed =
    record === undefined
      ? 'Someone else pressed Remove first: what this request created is being removed. Nothing more to do here.'
      : `This was already removed: ${record.detail ?? 'what this request created is gone.'}`;
  return { kind: 'unchanged', view: { ...view, removed } };
}
