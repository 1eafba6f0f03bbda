/**
 * The requester names someone else to approve a request that still waits. Story: only the requester
 * (the actor of the activity, never card data) → only while it waits and is not out of time (one out
 * of time expires instead) → the new approver looked up in the directory by what the requester typed
 * and held to the rule submit uses (an admin, enabled, never the requester) and not the approver
 * already → the approver changed in one compare-and-set → audited → the card delivered to the new
 * approver by the delivery job (so its retries and audit apply) → off the answer's path, every copy
 * redrawn (the former approver's with nothing to press) and the former approver told. Two changes
 * from the same version: one wins, the other changes nothing and says so.
 */
import { type AccessChecks, sameUser } from '../domain/authorization';
import { isAppError } from '../domain/errors';
import {
  auditRecord,
  type Actor,
  type Approver,
  requestSubject,
  type RequestState,
  type ServiceAccountRequest,
} from '../domain/request';
import type { DirectoryUser } from '../domain/tenant';
import { approverRefusal } from './checkRequestForm';
import { expirePending } from './expireRequest';
import type { Services } from './services';
import { literal } from '../domain/words';

export interface ChangeApproverInput {
  tenantId: string;
  requestId: string;
  /** From the Teams activity (`from.aadObjectId`), never from card data. */
  actor: Actor;
  /** What the requester typed: the new approver's user principal name, email address or user name. */
  typed: string;
}

export type ChangeApproverOutcome =
  /** This call changed the approver. */
  | { kind: 'changed'; request: ServiceAccountRequest; former: Approver }
  /**
   * Nothing changed, and why in words: on the typed name (`field`), or about the request, with the
   * request as it is now when there is one to show.
   */
  | { kind: 'refused'; message: string; field?: 'newApprover'; request?: ServiceAccountRequest };

/** The longest sign-in name worth looking up (a user principal name is at most 113 characters, an address 320). */
const TYPED_MAX = 320;

/** Why a request no longer waiting cannot get another approver, in words. */
const NOT_WAITING: Readonly<Record<RequestState, string>> = {
  PendingApproval: 'it is waiting for approval',
  Rejected: 'it was rejected',
  Expired: 'it expired before anyone approved it',
  Cancelled: 'it was cancelled',
  Provisioning: 'it was already approved',
  Failed: 'it was already approved',
  AwaitingReplication: 'it was already approved',
  Ready: 'it was already approved',
};

function notWaiting(request: ServiceAccountRequest): ChangeApproverOutcome {
  return {
    kind: 'refused',
    request,
    message: `The approver can no longer be changed: ${NOT_WAITING[request.state]}.`,
  };
}

function fieldError(request: ServiceAccountRequest, message: string): ChangeApproverOutcome {
  return { kind: 'refused', field: 'newApprover', request, message };
}

/** Who is named, as the audit trail and the notes write it. */
function named(approver: Approver): string {
  return `${approver.name} (${approver.userPrincipalName})`;
}

export async function changeApprover(
  services: Pick<
    Services,
    'requests' | 'audit' | 'directory' | 'scheduler' | 'notifier' | 'background' | 'now'
  > & { access: AccessChecks },
  input: ChangeApproverInput,
): Promise<ChangeApproverOutcome> {
  const request = await services.requests.get(input.tenantId, input.requestId);
  if (request === undefined) return { kind: 'refused', message: 'I cannot find that request.' };
  if (
    input.actor.aadObjectId.trim() === '' ||
    !sameUser(input.actor.aadObjectId, request.requester.aadObjectId)
  )
    return {
      kind: 'refused',
      message: 'Only the admin who asked for this request can change who approves it.',
    };
  if (request.state !== 'PendingApproval') return notWaiting(request);
  const now = services.now();
  if (now.getTime() >= Date.parse(request.expiresAt))
    return notWaiting(await expirePending(services, request, now));

  const typed = input.typed.trim();
  if (typed === '') return fieldError(request, 'Type the new approver’s email address or user name.');
  if (typed.length > TYPED_MAX)
    return fieldError(request, 'That is not a user name or email address I can look up.');
  let user: DirectoryUser | undefined;
  try {
    user = await services.directory.findUserBySignInName(typed);
  } catch (error) {
    if (isAppError(error, 'BadRequest'))
      return fieldError(request, 'That is not a user name or email address I can look up.');
    throw error;
  }
  if (user === undefined)
    return fieldError(request, `I could not find ${literal(typed)} in your directory. Check the spelling.`);
  if (sameUser(user.id, request.approver.aadObjectId))
    return fieldError(request, `${literal(user.displayName)} is already the approver of this request.`);
  const refusal = await approverRefusal(services.access, request.requester, user);
  if (refusal !== undefined) return fieldError(request, refusal);

  const former = request.approver;
  const approver: Approver = {
    aadObjectId: user.id,
    name: user.displayName,
    userPrincipalName: user.userPrincipalName,
  };
  const at = now.toISOString();
  const changed = await services.requests.amend(
    request.tenantId,
    request.id,
    { version: request.version, states: ['PendingApproval'] },
    { approver },
    at,
  );
  if (changed === undefined) {
    const current = (await services.requests.get(request.tenantId, request.id)) ?? request;
    if (current.state !== 'PendingApproval') return notWaiting(current);
    return {
      kind: 'refused',
      request: current,
      message: `Nothing changed: the request was changed meanwhile, and ${literal(current.approver.name)} is its approver now.`,
    };
  }
  await services.audit.append(
    auditRecord(
      request,
      input.actor,
      'approver changed',
      changed.state,
      at,
      `from ${named(former)} to ${named(approver)}`,
    ),
  );
  // The delivery job puts the card in front of whoever the request names when it runs: the new
  // approver, with the delivery's retries, audit and note to the requester.
  await services.scheduler.deliverAgain(changed, now);
  services.scheduler.wake();
  services.background.run('approver change notice', async () => {
    await services.notifier.refreshApprovalCards(changed);
    await services.notifier.tellPerson(
      changed,
      former,
      `${literal(changed.requester.name)} chose another approver for their request for ${requestSubject(changed)}: it now goes to ${literal(approver.name)}, so you no longer need to decide it.`,
    );
  });
  return { kind: 'changed', request: changed, former };
}
