/**
 * The second admin's decision. Story: the stored request, as it is now, says who may decide (the
 * named approver, or an approver-group member in the approvals channel; the requester never, under
 * any name) → the comment is checked → a request out of time expires instead → for an approval, the
 * provisioning job is scheduled first (idempotent, so none is ever lost) → `PendingApproval →
 * Provisioning` or `→ Rejected` in one compare-and-set → audited → off the answer's path, every copy
 * of the card redrawn and the requester told. A second press, a retried invoke or a parallel press by
 * someone else gets the current state back and changes nothing.
 */
import { decisionRule } from '../domain/authorization';
import {
  auditRecord,
  type Actor,
  appGrant,
  grantsAppOnly,
  requestSubject,
  type ServiceAccountRequest,
} from '../domain/request';
import { expirePending } from './expireRequest';
import type { Services } from './services';
import { literal } from '../domain/words';

export const REJECT_COMMENT_MAX = 1000;

export interface DecisionInput {
  tenantId: string;
  requestId: string;
  /** From the Teams activity (`from.aadObjectId`), never from card data. */
  actor: Actor;
  decision: 'approve' | 'reject';
  comment?: string;
  /**
   * The actor is a member of the approver group and pressed the card in the approvals channel (the
   * caller checked both); such a member may decide in the named approver's place.
   */
  approverGroupMember?: boolean;
}

export type DecisionOutcome =
  /** This call made the decision. */
  | { kind: 'decided'; request: ServiceAccountRequest }
  /** Nothing changed: the request had already been decided, expired, or was cancelled. */
  | { kind: 'unchanged'; request: ServiceAccountRequest; reason: 'alreadyDecided' | 'expired' }
  /** The press was refused: who pressed, or what they sent, is not acceptable. */
  | { kind: 'refused'; status: 400 | 403 | 404; message: string; field?: 'comment' };

// Control characters in a comment become spaces: it is shown on cards and kept in the audit.
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]+/g;

function cleanComment(comment: string | undefined): string {
  return (comment ?? '').replace(CONTROL_CHARACTERS, ' ').trim();
}

export async function decideRequest(
  services: Pick<Services, 'requests' | 'audit' | 'scheduler' | 'notifier' | 'background' | 'now'>,
  input: DecisionInput,
): Promise<DecisionOutcome> {
  const request = await services.requests.get(input.tenantId, input.requestId);
  if (request === undefined) return { kind: 'refused', status: 404, message: 'I cannot find that request.' };
  if (input.actor.aadObjectId.trim() === '')
    return { kind: 'refused', status: 403, message: 'I could not tell who you are.' };
  const right = decisionRule(input.actor, request, input.approverGroupMember === true);
  if (!right.allowed) return { kind: 'refused', status: 403, message: right.message };
  const comment = cleanComment(input.comment);
  if (input.decision === 'reject' && comment === '') {
    return {
      kind: 'refused',
      status: 400,
      field: 'comment',
      message: 'Say why you reject it: the requester reads this.',
    };
  }
  if (comment.length > REJECT_COMMENT_MAX) {
    return {
      kind: 'refused',
      status: 400,
      field: 'comment',
      message: `Keep the comment under ${REJECT_COMMENT_MAX} characters.`,
    };
  }
  if (request.state !== 'PendingApproval') return { kind: 'unchanged', request, reason: 'alreadyDecided' };
  const now = services.now();
  if (now.getTime() >= Date.parse(request.expiresAt)) {
    return { kind: 'unchanged', request: await expirePending(services, request, now), reason: 'expired' };
  }

  if (input.decision === 'approve') await services.scheduler.provisioning(request, now);
  const at = now.toISOString();
  const outcome = input.decision === 'approve' ? 'approved' : 'rejected';
  const decided = await services.requests.transition(
    request.tenantId,
    request.id,
    { version: request.version, from: ['PendingApproval'] },
    {
      state: input.decision === 'approve' ? 'Provisioning' : 'Rejected',
      at,
      decision: { outcome, by: input.actor, at, ...(comment === '' ? {} : { comment }) },
    },
  );
  if (decided === undefined) {
    const current = (await services.requests.get(request.tenantId, request.id)) ?? request;
    return {
      kind: 'unchanged',
      request: current,
      reason: current.state === 'Expired' ? 'expired' : 'alreadyDecided',
    };
  }
  await services.audit.append(auditRecord(request, input.actor, outcome, decided.state, at, comment));
  services.scheduler.wake();
  services.background.run('decision notice', () => tellDecision(services, decided));
  return { kind: 'decided', request: decided };
}

async function tellDecision(
  services: Pick<Services, 'notifier'>,
  request: ServiceAccountRequest,
): Promise<void> {
  await services.notifier.refreshApprovalCards(request);
  const decision = request.decision;
  if (decision === undefined) return;
  await services.notifier.tell(
    request,
    'requester',
    decision.outcome === 'approved'
      ? `${literal(decision.by.name)} approved your request for ${requestSubject(request)}. I am ${grantsAppOnly(request) ? 'granting it' : appGrant(request) !== undefined ? 'setting up the account and granting the app' : 'setting up the account'} now and will keep you posted here.`
      : `${literal(decision.by.name)} rejected your request for ${requestSubject(request)}: “${literal(decision.comment ?? '')}”. Nothing was created.`,
  );
}
