/**
 * After a failure, "Remove what was created" (confirmed). Story: the press gate admitted the actor →
 * only a `Failed` request → `Failed → Cancelled` first (compare-and-set): only the press that ends the
 * request deletes anything, so a Retry that won meanwhile keeps its account → the user this request
 * created deleted (never someone else's) → audited → the password forgotten.
 */
import { isAppError } from '../domain/errors';
import { type ProgressView, progressViewOf } from '../domain/progress';
import { removeCreatedAccount, specOf } from '../domain/provisionAccount';
import { userPrincipalName } from '../domain/provisioningSteps';
import { type Actor, auditRecord, type ServiceAccountRequest } from '../domain/request';
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

export async function removeCreated(
  services: Pick<Services, 'requests' | 'audit' | 'provisioning' | 'passwords' | 'directory' | 'now'>,
  actor: Actor,
  request: ServiceAccountRequest,
): Promise<RemoveOutcome> {
  const data = await services.provisioning.get(request);
  if (request.state !== 'Failed') return { kind: 'unchanged', view: progressViewOf(request, data) };
  const now = services.now();
  const ended = await services.requests.transition(
    request.tenantId,
    request.id,
    { version: request.version, from: ['Failed'] },
    { state: 'Cancelled', at: now.toISOString() },
  );
  if (ended === undefined) {
    const current = (await services.requests.get(request.tenantId, request.id)) ?? request;
    return { kind: 'unchanged', view: progressViewOf(current, await services.provisioning.get(current)) };
  }
  let detail: string;
  try {
    detail = (await removeCreatedAccount(services.directory, specOf(request))).detail;
  } catch (error) {
    if (!isAppError(error)) throw error;
    detail = `The request is closed, but I could not delete ${userPrincipalName(request.details)}: ${error.userMessage} Delete it in the Microsoft 365 admin center.`;
  }
  await services.audit.append(auditRecord(request, actor, 'removed', ended.state, now.toISOString(), detail));
  await services.passwords.purge(request.tenantId, request.id, now);
  return { kind: 'removed', view: { ...progressViewOf(ended, data), removed: detail } };
}
