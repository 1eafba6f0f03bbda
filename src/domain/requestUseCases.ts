/**
 * The request's story before approval: who may ask, whether the name is free, who may approve, and
 * submitting. The actor is always the Teams user of the activity; nothing here trusts card data.
 */
import { randomUUID } from 'node:crypto';
import { type AccessChecks, ADMIN_ROLE_NAMES, authorizeRequesterAction } from './authorization';
import { isAppError } from './errors';
import type { Directory } from './ports';
import type { Actor, Approver, AuditRecord, RequestDetails, ServiceAccountRequest } from './request';
import type { AuditLog, RequestStore } from './requestPorts';
import type { DirectoryUser } from './tenant';

export interface UsernameCheck {
  available: boolean;
  /** Who holds the name, when it is taken. */
  holder?: string;
  suggestions: string[];
}

/** Is `username@domain` free? When it is not, up to three free variants are offered. */
export async function checkUsername(
  directory: Directory,
  username: string,
  domain: string,
  variants: (base: string) => string[],
): Promise<UsernameCheck> {
  const taken = await directory.findUser(`${username}@${domain}`);
  if (taken === undefined) return { available: true, suggestions: [] };
  const suggestions: string[] = [];
  for (const candidate of variants(username)) {
    if (suggestions.length === 3) break;
    if ((await directory.findUser(`${candidate}@${domain}`)) === undefined) suggestions.push(candidate);
  }
  return { available: false, holder: taken.displayName, suggestions };
}

export type ApproverResolution = { approver: Approver } | { error: string };

/** The approver the requester named (people picker object id, or a typed UPN or e-mail), checked. */
export async function resolveApprover(
  directory: Directory,
  checks: AccessChecks,
  requester: Actor,
  chosen: { objectId?: string; typed?: string },
): Promise<ApproverResolution> {
  let user: DirectoryUser | undefined;
  const typed = chosen.typed?.trim();
  try {
    if (chosen.objectId !== undefined && chosen.objectId !== '')
      user = await directory.findUser(chosen.objectId);
    else if (typed !== undefined && typed !== '') user = await directory.findUserBySignInName(typed);
    else return { error: 'Pick the approver, or type their e-mail address or user name.' };
  } catch (error) {
    if (isAppError(error, 'BadRequest'))
      return { error: 'That is not a user name or e-mail address I can look up.' };
    throw error;
  }
  if (user === undefined) {
    return {
      error: `I could not find ${typed ?? 'that person'} in your directory. Check the spelling, or pick them from the list.`,
    };
  }
  if (user.id === requester.aadObjectId) {
    return { error: 'You cannot approve your own request: pick a second administrator.' };
  }
  if (!user.accountEnabled)
    return { error: `${user.displayName}'s account is disabled, so they cannot approve.` };
  if (!(await checks.isAdmin(user.id))) {
    return {
      error: `${user.displayName} is not a ${ADMIN_ROLE_NAMES}, so they cannot approve creating a Global Administrator.`,
    };
  }
  return {
    approver: { aadObjectId: user.id, name: user.displayName, userPrincipalName: user.userPrincipalName },
  };
}

export interface SubmitRequestInput {
  /**
   * The request's id. Given by the caller when the same submission may arrive twice (a double press
   * racing itself): the second create then fails with `Conflict` instead of making a second request.
   */
  id?: string;
  tenantId: string;
  requester: Actor;
  approver: Approver;
  details: RequestDetails;
  now: Date;
  expiresInMs: number;
}

export async function submitRequest(
  store: RequestStore,
  audit: AuditLog,
  input: SubmitRequestInput,
): Promise<ServiceAccountRequest> {
  if (input.approver.aadObjectId === input.requester.aadObjectId) {
    throw new Error('The requester cannot approve their own request');
  }
  const at = input.now.toISOString();
  const request: ServiceAccountRequest = {
    id: input.id ?? randomUUID(),
    tenantId: input.tenantId,
    state: 'PendingApproval',
    version: 1,
    requester: input.requester,
    approver: input.approver,
    details: input.details,
    createdAt: at,
    updatedAt: at,
    expiresAt: new Date(input.now.getTime() + input.expiresInMs).toISOString(),
  };
  await store.create(request);
  const record: AuditRecord = {
    requestId: request.id,
    tenantId: request.tenantId,
    event: 'submitted',
    actor: input.requester,
    at,
    outcome: 'PendingApproval',
    detail: `${request.details.username}@${request.details.domain}, approver ${input.approver.userPrincipalName}`,
  };
  await audit.append(record);
  return request;
}

export type CancelOutcome = { cancelled: ServiceAccountRequest } | { refused: string };

/** The requester withdraws a request that is still waiting for approval. */
export async function cancelRequest(
  store: RequestStore,
  audit: AuditLog,
  input: { tenantId: string; requestId: string; actor: Actor; now: Date },
): Promise<CancelOutcome> {
  const request = await store.get(input.tenantId, input.requestId);
  if (request === undefined) return { refused: 'I cannot find that request.' };
  if (!authorizeRequesterAction(input.actor, request)) {
    return { refused: 'Only the admin who asked for this request can cancel it.' };
  }
  if (request.state !== 'PendingApproval') {
    return { refused: `That request can no longer be cancelled: it is ${request.state}.` };
  }
  const at = input.now.toISOString();
  const updated = await store.transition(
    input.tenantId,
    request.id,
    { version: request.version, from: ['PendingApproval'] },
    { state: 'Cancelled', at },
  );
  if (updated === undefined) return { refused: 'That request changed meanwhile; look at `status` again.' };
  await audit.append({
    requestId: request.id,
    tenantId: request.tenantId,
    event: 'cancelled',
    actor: input.actor,
    at,
    outcome: 'Cancelled',
  });
  return { cancelled: updated };
}
