/**
 * Who may press which button of a request's cards, and where: one rule per button (`PRESS_RULES`),
 * decided at the moment of the press from the stored request and the activity's actor — never from
 * card data.
 */
import { type AccessChecks, ADMIN_ROLE_NAMES, authorizeDecision, sameUser } from './authorization';
import { type Actor, isOwner, ownersOf, type ServiceAccountRequest } from './request';
import { literal } from './words';

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
  | 'changeApprover'
  | 'retry'
  | 'remove'
  | 'downgrade'
  | 'reveal'
  | 'reset'
  | 'fixHealth'
  | 'approveHealthFix'
  // The owners' buttons on the ready card: the owners list, disable or enable, the Key Vault hand-over.
  | 'owners'
  | 'ownerAdd'
  | 'ownerRemove'
  | 'disable'
  | 'enable'
  | 'rotate'
  | 'handOver';

/** Each button as the audit trail names it ("approve on the request of …"). */
export const PRESS_ACTION_NAMES: Readonly<Record<PressAction, string>> = {
  refresh: 'refresh',
  approve: 'approve',
  reject: 'reject',
  cancel: 'cancel',
  resend: 'send again',
  changeApprover: 'change the approver',
  retry: 'retry',
  remove: 'remove what was created',
  downgrade: 'downgrade role',
  reveal: 'reveal password',
  reset: 'reset password',
  fixHealth: 'fix a health problem',
  approveHealthFix: 'approve a health fix',
  owners: 'owners',
  ownerAdd: 'add an owner',
  ownerRemove: 'remove an owner',
  disable: 'disable account',
  enable: 'enable account',
  rotate: 'rotate password',
  handOver: 'hand over to Key Vault',
};

interface PressRule {
  /** Who may press it, told apart by the activity's Entra object id. */
  who: 'anyone' | 'decider' | 'requester' | 'owner';
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
  // Only in the personal chat: the answer to a press replaces the card it was pressed on, and in the
  // approvals channel that is the copy the approver group decides on, which must not turn into the
  // requester's form. Who approves is the requester's choice alone, made where nobody else acts; and
  // since it redirects who may create a Global Administrator, the requester's right is asked again.
  changeApprover: { who: 'requester', where: 'personal', stillEntitled: true },
  retry: { who: 'owner', where: 'personal', stillEntitled: true },
  remove: { who: 'owner', where: 'personal', stillEntitled: true },
  downgrade: { who: 'owner', where: 'personal', stillEntitled: true },
  reveal: { who: 'requester', where: 'personal', stillEntitled: true },
  reset: { who: 'requester', where: 'personal', stillEntitled: true },
  // The health card goes to each owner's personal chat; a fix changes the tenant, so the role is asked again.
  fixHealth: { who: 'owner', where: 'personal', stillEntitled: true },
  approveHealthFix: { who: 'owner', where: 'personal', stillEntitled: true },
  owners: { who: 'owner', where: 'personal', stillEntitled: true },
  ownerAdd: { who: 'owner', where: 'personal', stillEntitled: true },
  ownerRemove: { who: 'owner', where: 'personal', stillEntitled: true },
  disable: { who: 'owner', where: 'personal', stillEntitled: true },
  enable: { who: 'owner', where: 'personal', stillEntitled: true },
  rotate: { who: 'owner', where: 'personal', stillEntitled: true },
  handOver: { who: 'owner', where: 'personal', stillEntitled: true },
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
    case 'changeApprover':
      return 'Only the admin who asked for this request can change who approves it.';
    default:
      return `Only ${literal(request.requester.name)}, who asked for this account, can do that.`;
  }
}

/** Who may press an owner's button, by name: "Only A or B can do that.", "Only A, B or C …". */
export function ownerOnlyMessage(request: ServiceAccountRequest): string {
  const names = ownersOf(request).map((owner) => owner.name);
  const list =
    names.length <= 1
      ? (names[0] ?? 'the account’s owners')
      : `${names.slice(0, -1).join(', ')} or ${names.at(-1)}`;
  return `Only ${list}, who ${names.length === 1 ? 'looks' : 'look'} after this account, can do that.`;
}

function placeMessage(rule: PressRule, action: PressAction): string {
  if (action === 'reveal' || action === 'reset')
    return 'I hand over the password only in our personal chat, where nobody else can see it. Use the card I sent you there.';
  if (action === 'changeApprover')
    return 'You can change the approver only in our personal chat. Use the card I sent you there.';
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
    case 'owner':
      if (!isOwner(request, actor.aadObjectId))
        return { allowed: false, message: ownerOnlyMessage(request), why: 'person' };
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
