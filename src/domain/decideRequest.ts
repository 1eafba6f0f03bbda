/**
 * The second admin's decision. Only the designated approver decides; the requester never can, under
 * any name. `PendingApproval → Provisioning` (or `→ Rejected`) is one compare-and-set: a second press,
 * a retried invoke or a parallel press by someone else gets the current state back and changes nothing.
 */
import { decisionRule } from './authorization';
import { type Actor, type ServiceAccountRequest, systemRecord } from './request';
import type { AuditLog, RequestStore } from './requestPorts';

export const REJECT_COMMENT_MAX = 1000;

export interface DecisionInput {
  tenantId: string;
  requestId: string;
  /** From the Teams activity (`from.aadObjectId`), never from card data. */
  actor: Actor;
  decision: 'approve' | 'reject';
  comment?: string;
  now: Date;
  /**
   * The actor is a member of the approver group and pressed the card in the approvals channel (the
   * caller checked both); such a member may decide in the named approver's place.
   */
  approverGroupMember?: boolean;
  /**
   * Runs after every check passed and just before the approving compare-and-set: schedule the work an
   * approval starts here, idempotently (a parallel press runs it too, and then loses the race).
   */
  beforeApprove?: (request: ServiceAccountRequest) => Promise<void>;
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

/** Turns a pending request whose time is up into `Expired` (audited once); returns what is stored. */
export async function expireRequest(
  store: RequestStore,
  audit: AuditLog,
  request: ServiceAccountRequest,
  now: Date,
): Promise<ServiceAccountRequest> {
  const expired = await store.transition(
    request.tenantId,
    request.id,
    { version: request.version, from: ['PendingApproval'] },
    { state: 'Expired', at: now.toISOString() },
  );
  if (expired === undefined) return (await store.get(request.tenantId, request.id)) ?? request;
  await audit.append(systemRecord(request, 'expired', 'Expired', now.toISOString()));
  return expired;
}

export async function decideRequest(
  store: RequestStore,
  audit: AuditLog,
  input: DecisionInput,
): Promise<DecisionOutcome> {
  const request = await store.get(input.tenantId, input.requestId);
  if (request === undefined) return { kind: 'refused', status: 404, message: 'I cannot find that request.' };
  const actorId = input.actor.aadObjectId.toLowerCase();
  if (actorId === '') return { kind: 'refused', status: 403, message: 'I could not tell who you are.' };
  // The stored request, as it is now, decides who may: the same rule the press was admitted by.
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
  if (input.now.getTime() >= Date.parse(request.expiresAt)) {
    return {
      kind: 'unchanged',
      request: await expireRequest(store, audit, request, input.now),
      reason: 'expired',
    };
  }
  if (input.decision === 'approve') await input.beforeApprove?.(request);
  const at = input.now.toISOString();
  const outcome = input.decision === 'approve' ? 'approved' : 'rejected';
  const decided = await store.transition(
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
    const current = (await store.get(request.tenantId, request.id)) ?? request;
    return {
      kind: 'unchanged',
      request: current,
      reason: current.state === 'Expired' ? 'expired' : 'alreadyDecided',
    };
  }
  await audit.append({
    requestId: request.id,
    tenantId: request.tenantId,
    event: outcome,
    actor: input.actor,
    at,
    outcome: decided.state,
    ...(comment === '' ? {} : { detail: comment }),
  });
  return { kind: 'decided', request: decided };
}
