/**
 * Who may do what, in one place. The actor is always the Teams user of the activity
 * (`from.aadObjectId`), never anything a card sent. Admin roles and group membership come from
 * Microsoft Graph through `AccessChecks`, cached briefly so a busy conversation does not ask Graph
 * on every press.
 */
import type { Directory } from './ports';
import type { Actor, ServiceAccountRequest } from './request';
import { ROLE, ROLE_NAMES } from './wellKnown';
import { literal } from './words';

/** Roles that may request the service account, approve it, and read the audit trail. */
export const ADMIN_ROLES: readonly string[] = [ROLE.globalAdministrator, ROLE.privilegedRoleAdministrator];

export const ADMIN_ROLE_NAMES = ADMIN_ROLES.map((id) => ROLE_NAMES[id]).join(' or ');

export type Authorization = { allowed: true } | { allowed: false; message: string };

/** What authorization asks the directory. */
export interface AccessChecks {
  /** Holds Global Administrator or Privileged Role Administrator, tenant-wide. */
  isAdmin(userId: string): Promise<boolean>;
  isMember(userId: string, groupId: string): Promise<boolean>;
}

/** Asks Graph every time. */
export function directAccessChecks(directory: Directory): AccessChecks {
  return {
    async isAdmin(userId) {
      const assignments = await directory.listRoleAssignments({ principalId: userId });
      return assignments.some((a) => ADMIN_ROLES.includes(a.roleDefinitionId) && a.directoryScopeId === '/');
    },
    isMember: (userId, groupId) => directory.isMemberOfGroup(userId, groupId),
  };
}

/** Remembers answers for `ttlMs` (a minute by default); failures are not remembered. */
export class CachedAccessChecks implements AccessChecks {
  private readonly answers = new Map<string, { value: boolean; until: number }>();

  constructor(
    private readonly inner: AccessChecks,
    private readonly options: { ttlMs?: number; now?: () => number; maxEntries?: number } = {},
  ) {}

  isAdmin(userId: string): Promise<boolean> {
    return this.remember(`admin:${userId.toLowerCase()}`, () => this.inner.isAdmin(userId));
  }

  isMember(userId: string, groupId: string): Promise<boolean> {
    return this.remember(`member:${userId.toLowerCase()}:${groupId.toLowerCase()}`, () =>
      this.inner.isMember(userId, groupId),
    );
  }

  private async remember(key: string, load: () => Promise<boolean>): Promise<boolean> {
    const now = (this.options.now ?? Date.now)();
    const known = this.answers.get(key);
    if (known !== undefined && known.until > now) return known.value;
    const value = await load();
    if (this.answers.size >= (this.options.maxEntries ?? 10_000)) this.answers.clear();
    this.answers.set(key, { value, until: now + (this.options.ttlMs ?? 60_000) });
    return value;
  }
}

/** The same Entra user: object ids compare without regard to case. */
export function sameUser(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

/** Reading the audit trail: Global Administrators and Privileged Role Administrators only. */
export async function authorizeAuditReader(
  checks: AccessChecks,
  actor: Actor | undefined,
): Promise<Authorization> {
  if (actor !== undefined && actor.aadObjectId !== '' && (await checks.isAdmin(actor.aadObjectId)))
    return { allowed: true };
  return { allowed: false, message: `Only a ${ADMIN_ROLE_NAMES} can read the audit trail.` };
}

/**
 * Who may ask: a Global Administrator or Privileged Role Administrator of the tenant, or a member of
 * the configured requester group.
 */
export async function authorizeRequester(
  checks: AccessChecks,
  actor: Actor | undefined,
  options: { requesterGroupId?: string } = {},
): Promise<Authorization> {
  if (actor === undefined || actor.aadObjectId === '') {
    return {
      allowed: false,
      message: 'I could not tell who you are in Microsoft Entra ID, so I cannot take a request from you.',
    };
  }
  if (await checks.isAdmin(actor.aadObjectId)) return { allowed: true };
  const group = options.requesterGroupId;
  if (group !== undefined && (await checks.isMember(actor.aadObjectId, group))) return { allowed: true };
  const orGroup =
    group === undefined ? '' : ', or a member of the requester group your administrators chose,';
  return {
    allowed: false,
    message: `Only a ${ADMIN_ROLE_NAMES} of this tenant${orGroup} can ask for the service account, because it is created as a Global Administrator. Ask one of them to do it.`,
  };
}

export type DecisionRight =
  { allowed: true; asGroupMember: boolean } | { allowed: false; message: string; asRequester: boolean };

/**
 * Who may approve or reject, once group membership is known: the named approver, or a member of the
 * approver group deciding in the approvals channel. Never the requester, whatever group they are in.
 */
export function decisionRule(
  actor: Actor,
  request: ServiceAccountRequest,
  asGroupMember: boolean,
): DecisionRight {
  if (sameUser(actor.aadObjectId, request.requester.aadObjectId)) {
    return {
      allowed: false,
      asRequester: true,
      message: 'You asked for this account, so you cannot approve or reject it: a second administrator must.',
    };
  }
  if (sameUser(actor.aadObjectId, request.approver.aadObjectId))
    return { allowed: true, asGroupMember: false };
  if (asGroupMember) return { allowed: true, asGroupMember: true };
  return {
    allowed: false,
    asRequester: false,
    message: `Only ${literal(request.approver.name)} can decide this request.`,
  };
}

/**
 * `decisionRule` with the group asked of the directory — only for someone who is neither the
 * requester nor the named approver and pressed in the approvals channel, so a slow Graph never
 * delays the two people a request names.
 */
export async function authorizeDecision(
  checks: AccessChecks,
  actor: Actor,
  request: ServiceAccountRequest,
  place: { inApprovalsChannel: boolean; approverGroupId?: string },
): Promise<DecisionRight> {
  const named =
    sameUser(actor.aadObjectId, request.requester.aadObjectId) ||
    sameUser(actor.aadObjectId, request.approver.aadObjectId);
  const asGroupMember =
    !named &&
    place.inApprovalsChannel &&
    place.approverGroupId !== undefined &&
    (await checks.isMember(actor.aadObjectId, place.approverGroupId));
  return decisionRule(actor, request, asGroupMember);
}

/** Requester-only actions on a pending request (Cancel, Send again). */
export function authorizeRequesterAction(actor: Actor, request: ServiceAccountRequest): boolean {
  return sameUser(actor.aadObjectId, request.requester.aadObjectId);
}
