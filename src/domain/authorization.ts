/**
 * Who may do what, in one place. The actor is always the Teams user of the activity
 * (`from.aadObjectId`), never anything a card sent. Admin roles and group membership come from
 * Microsoft Graph through `AccessChecks`, cached briefly so a busy conversation does not ask Graph
 * on every press.
 */
import type { Directory } from './ports';
import type { Actor, ServiceAccountRequest } from './request';
import { ROLE, ROLE_NAMES } from './wellKnown';

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
    message: `Only ${request.approver.name} can decide this request.`,
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

/** Where a conversation is: the bot's personal chat with one user, a group chat, or a team's channel. */
export type ConversationKind = 'personal' | 'groupChat' | 'channel';

/** How the audit trail names each kind of conversation ("pressed in a group chat"). */
export const CONVERSATION_NAMES: Readonly<Record<ConversationKind, string>> = {
  personal: 'a personal chat',
  groupChat: 'a group chat',
  channel: 'a channel',
};

/** Where a button was pressed. */
export interface PressPlace {
  kind: ConversationKind;
  /** The press comes from the configured approvals channel. */
  inApprovalsChannel: boolean;
}

/** Every button on a request's cards, by what it does. */
export type PressAction =
  | 'refresh'
  | 'approve'
  | 'reject'
  | 'cancel'
  | 'resend'
  | 'retry'
  | 'remove'
  | 'downgrade'
  | 'reveal'
  | 'reset';

interface PressRule {
  /** Who may press it, told apart by the activity's Entra object id. */
  who: 'anyone' | 'decider' | 'requester' | 'requesterOrApprover';
  /** Where it may be pressed: anywhere, the personal chat, or the personal chat and the approvals channel. */
  where: 'anywhere' | 'personal' | 'personalOrApprovals';
  /**
   * The presser must still hold the right they had when the request was made (an admin role, or the
   * requester or approver group), asked at the press. Approve leaves this to the provisioning job,
   * which asks Graph afresh before the first write, so the press itself never waits on Graph.
   */
  stillEntitled: boolean;
}

const PRESS_RULES: Readonly<Record<PressAction, PressRule>> = {
  refresh: { who: 'anyone', where: 'anywhere', stillEntitled: false },
  approve: { who: 'decider', where: 'personalOrApprovals', stillEntitled: false },
  reject: { who: 'decider', where: 'personalOrApprovals', stillEntitled: false },
  cancel: { who: 'requester', where: 'personalOrApprovals', stillEntitled: false },
  resend: { who: 'requester', where: 'personalOrApprovals', stillEntitled: false },
  retry: { who: 'requesterOrApprover', where: 'personal', stillEntitled: true },
  remove: { who: 'requesterOrApprover', where: 'personal', stillEntitled: true },
  downgrade: { who: 'requesterOrApprover', where: 'personal', stillEntitled: true },
  reveal: { who: 'requester', where: 'personal', stillEntitled: true },
  reset: { who: 'requester', where: 'personal', stillEntitled: true },
};

export interface PressGroups {
  requesterGroupId?: string;
  approverGroupId?: string;
}

export type PressRight =
  | { allowed: true; asGroupMember: boolean }
  | { allowed: false; message: string; why: 'person' | 'place' | 'role' };

function requesterOnlyMessage(action: PressAction, request: ServiceAccountRequest): string {
  switch (action) {
    case 'cancel':
      return 'Only the admin who asked for this request can cancel it.';
    case 'resend':
      return 'Only the admin who asked for this request can send it again.';
    default:
      return `Only ${request.requester.name}, who asked for this account, can do that.`;
  }
}

function placeMessage(rule: PressRule, action: PressAction): string {
  if (action === 'reveal' || action === 'reset')
    return 'I hand over the password only in our personal chat, where nobody else can see it. Use the card I sent you there.';
  return rule.where === 'personal'
    ? 'This button works only in our personal chat, where nobody else can see it. Use the card I sent you there.'
    : 'This button works only in our personal chat or in the approvals channel. Use the card I sent you there.';
}

/** Whether the presser still holds the right they acted on: admin, or a member of their group. */
async function stillEntitled(
  checks: AccessChecks,
  actor: Actor,
  request: ServiceAccountRequest,
  groups: PressGroups,
): Promise<boolean> {
  if (await checks.isAdmin(actor.aadObjectId)) return true;
  const group = sameUser(actor.aadObjectId, request.requester.aadObjectId)
    ? groups.requesterGroupId
    : groups.approverGroupId;
  return group !== undefined && (await checks.isMember(actor.aadObjectId, group));
}

/**
 * Whether this press of this button may go ahead, decided at the moment of the press from the stored
 * request and the activity's actor — never from card data. One rule per button: who may press it,
 * where, and whether their admin role or group is asked again.
 */
export async function authorizePress(
  checks: AccessChecks,
  press: { action: PressAction; actor: Actor; request: ServiceAccountRequest; place: PressPlace },
  groups: PressGroups = {},
): Promise<PressRight> {
  const { action, actor, request, place } = press;
  const rule = PRESS_RULES[action];
  const isRequester = sameUser(actor.aadObjectId, request.requester.aadObjectId);
  const isApprover = sameUser(actor.aadObjectId, request.approver.aadObjectId);
  let asGroupMember = false;
  switch (rule.who) {
    case 'anyone':
      break;
    case 'decider': {
      const right = await authorizeDecision(checks, actor, request, {
        inApprovalsChannel: place.inApprovalsChannel,
        approverGroupId: groups.approverGroupId,
      });
      if (!right.allowed) return { allowed: false, message: right.message, why: 'person' };
      asGroupMember = right.asGroupMember;
      break;
    }
    case 'requester':
      if (!isRequester)
        return { allowed: false, message: requesterOnlyMessage(action, request), why: 'person' };
      break;
    case 'requesterOrApprover':
      if (!isRequester && !isApprover)
        return {
          allowed: false,
          message: `Only ${request.requester.name} or ${request.approver.name} can do that.`,
          why: 'person',
        };
      break;
  }
  const placeAllowed =
    rule.where === 'anywhere' ||
    place.kind === 'personal' ||
    (rule.where === 'personalOrApprovals' && place.inApprovalsChannel);
  if (!placeAllowed) return { allowed: false, message: placeMessage(rule, action), why: 'place' };
  if (rule.stillEntitled && !(await stillEntitled(checks, actor, request, groups))) {
    return {
      allowed: false,
      why: 'role',
      message: `You no longer hold the ${ADMIN_ROLE_NAMES} role${groups.requesterGroupId !== undefined || groups.approverGroupId !== undefined ? ' or belong to the group that allowed you' : ''}, so I cannot do that for you.`,
    };
  }
  return { allowed: true, asGroupMember };
}

/** Requester-only actions on a pending request (Cancel, Send again). */
export function authorizeRequesterAction(actor: Actor, request: ServiceAccountRequest): boolean {
  return sameUser(actor.aadObjectId, request.requester.aadObjectId);
}
