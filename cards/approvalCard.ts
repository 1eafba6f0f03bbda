/**
 * The approval card (Universal Actions): one card per request, drawn for whoever looks at it. The
 * approver sees the whole request with Approve and Reject; the requester sees it with Cancel and, in
 * their personal chat, Change the approver (and Resend when the approver could not be reached); a
 * former approver (after the requester chose another) is told who decides now; everyone else sees the
 * status. Once decided, every view shows the outcome, who decided and when. The card's data carries
 * only the request id.
 */
import { CONTACT_FIELDS, CONTACT_TITLES } from '../src/domain/tenant';
import { APPLICATION_ROLES, type AppAccessSpec, describeScope } from '../src/domain/appAccess';
import { FINDING_LABELS } from '../src/domain/preflight';
import {
  appGrant,
  appOnlyGrant,
  createsAccount,
  grantsAppOnly,
  isFinal,
  requestTitle,
  type ServiceAccountRequest,
} from '../src/domain/request';
import { ROLE_NAMES, ROLE } from '../src/domain/wellKnown';
import { utcMinutes } from '../src/domain/time';
import { type AdaptiveCardJson, type Fact, literal, renderCard, wrappable } from './renderCard';

/**
 * Who the card is drawn for. `channel` is the shared copy in the approvals channel; `formerApprover`
 * the copy of someone who was the approver until the requester chose another.
 */
export type ApprovalViewer =
  'approver' | 'requester' | 'groupApprover' | 'formerApprover' | 'other' | 'channel';

export interface ApprovalCardOptions {
  now: Date;
  /** Teams user ids (MRIs) whose clients refresh the card to their own view: approver and requester. */
  refreshUserIds: string[];
  /** Shown in the attention colour: why an action was refused, or a delivery problem. */
  notice?: string;
  /** Where the card stands with the approver: being sent, in front of them, or not deliverable (Resend). */
  delivery?: 'sending' | 'delivered' | 'failed';
  comment?: string;
  commentError?: string;
  /** The requester's form for a new approver is open, with what they typed and why it was refused. */
  changingApprover?: boolean;
  newApprover?: string;
  newApproverError?: string;
  /** Drawn in a shared conversation (the approvals channel): no Change the approver, which works only in a personal chat. */
  shared?: boolean;
}

function statusOf(request: ServiceAccountRequest, now: Date): { text: string; color: string } {
  const decision = request.decision;
  switch (request.state) {
    case 'PendingApproval':
      return now.getTime() >= Date.parse(request.expiresAt)
        ? { text: 'Expired before approval', color: 'Warning' }
        : { text: `Waiting for approval by ${literal(request.approver.name)}`, color: 'Accent' };
    case 'Rejected':
      return {
        text: `Rejected by ${literal(decision?.by.name ?? request.approver.name)}`,
        color: 'Attention',
      };
    case 'Expired':
      return { text: 'Expired before anyone approved it', color: 'Warning' };
    case 'Cancelled':
      return { text: `Cancelled by ${literal(request.requester.name)}`, color: 'Warning' };
    case 'Failed':
      return {
        text: grantsAppOnly(request)
          ? 'Approved — granting the app failed'
          : 'Approved — setting up the account failed',
        color: 'Attention',
      };
    case 'Ready':
      return {
        text: grantsAppOnly(request)
          ? 'Approved — the app’s roles are in place'
          : appGrant(request) !== undefined
            ? 'Approved — the account and the app’s roles are ready'
            : 'Approved — the account is ready',
        color: 'Good',
      };
    case 'Provisioning':
    case 'AwaitingReplication': {
      const by = literal(decision?.by.name ?? request.approver.name);
      const what =
        request.state === 'Provisioning'
          ? 'being set up'
          : appGrant(request) !== undefined
            ? 'waiting for Exchange to apply the app’s roles'
            : 'waiting for Exchange to replicate the role';
      return { text: `Approved by ${by} — ${what}`, color: 'Good' };
    }
  }
}

function introFor(
  request: ServiceAccountRequest,
  viewer: ApprovalViewer,
  delivery: ApprovalCardOptions['delivery'],
): string {
  if (request.state !== 'PendingApproval') return '';
  const who = literal(request.requester.name);
  const approver = literal(request.approver.name);
  const app = appOnlyGrant(request);
  const appName = app === undefined ? '' : literal(app.displayName);
  if (app !== undefined && (viewer === 'approver' || viewer === 'groupApprover'))
    return `${who} asks you to approve granting the app **${appName}** Exchange Online application roles, for CiraSync Enterprise. No user and no Global Administrator is created. Nothing changes until you approve.`;
  if (app !== undefined && viewer === 'channel')
    return `${who} asks to grant the app ${appName} Exchange Online application roles. The approver, or a member of the approver group, opens it with Review.`;
  const alsoApp = appGrant(request);
  switch (viewer) {
    case 'approver':
    case 'groupApprover':
      return alsoApp === undefined
        ? `${who} asks you to approve a new cloud account that will be a **Global Administrator** of this tenant, for CiraSync Enterprise. Nothing is created until you approve. You cannot undo an approval from this card.`
        : `${who} asks you to approve a new cloud account that will be a **Global Administrator** of this tenant, and granting the app **${literal(alsoApp.displayName)}** Exchange Online application roles, for CiraSync Enterprise. Nothing is created until you approve. You cannot undo an approval from this card.`;
    case 'requester':
      if (delivery === 'failed') return `I could not deliver this request to ${approver} yet.`;
      if (delivery === 'sending') return `I am sending this request to ${approver}.`;
      return `${approver} has this card to approve or reject. I will tell you what they decide.`;
    case 'channel':
      return `${who} asks for a new Global Administrator service account. The approver, or a member of the approver group, opens it with Review.`;
    case 'formerApprover':
      return `${who} chose another approver: this request now goes to ${approver}, so you no longer need to decide it.`;
    default:
      return '';
  }
}

/** A pre-flight finding the requester acknowledged, in plain words. */
function acknowledged(code: string): string {
  return (FINDING_LABELS as Readonly<Record<string, string>>)[code] ?? code;
}

/** Which app gets which roles over which mailboxes. */
function appFacts(app: AppAccessSpec): Fact[] {
  return [
    { title: 'App', value: `${app.displayName} (application id ${app.appId})` },
    ...app.roles.map((role) => ({
      title: 'Exchange role',
      value: `${role}: ${APPLICATION_ROLES[role] ?? ''}`,
    })),
    { title: 'Over', value: describeScope(app.scope) },
  ];
}

/** Facts whose long values can wrap on the card. */
function wrapped(facts: Fact[]): Fact[] {
  return facts.map((f) => ({ title: f.title, value: literal(wrappable(f.value)) }));
}

function accountFacts(request: ServiceAccountRequest): Fact[] {
  const d = request.details;
  const app = appGrant(request);
  if (app !== undefined && !createsAccount(request))
    return [
      ...appFacts(app),
      { title: 'Account', value: 'None: no user and no Global Administrator is created' },
    ];
  return [
    { title: 'Display name', value: d.displayName },
    { title: 'User name', value: `${d.username}@${d.domain}` },
    { title: 'Role', value: `${ROLE_NAMES[ROLE.globalAdministrator]} (lowered after the first sign-in)` },
    { title: 'Password', value: 'Generated when the account is created; never posted in chat' },
    ...(app === undefined
      ? []
      : [{ title: 'Impersonation', value: 'None: the app’s roles below replace it' }, ...appFacts(app)]),
  ];
}

function contactFacts(request: ServiceAccountRequest): Fact[] {
  const contact = request.details.contact;
  return CONTACT_FIELDS.flatMap((field) => {
    const value = contact[field];
    return value === undefined || value === '' ? [] : [{ title: CONTACT_TITLES[field], value }];
  });
}

function syncFacts(request: ServiceAccountRequest): Fact[] {
  const d = request.details;
  if (grantsAppOnly(request))
    return d.acknowledgedWarnings.map((warning) => ({ title: 'Acknowledged', value: acknowledged(warning) }));
  const facts: Fact[] = [
    { title: 'Public folders', value: d.publicFolders === undefined ? 'No' : 'Yes (read only, Reviewer)' },
  ];
  if (d.publicFolders !== undefined) facts.push({ title: 'Mailbox licence', value: d.publicFolders.skuName });
  if (d.usageLocation !== undefined) facts.push({ title: 'Usage location', value: d.usageLocation });
  for (const warning of d.acknowledgedWarnings)
    facts.push({ title: 'Acknowledged', value: acknowledged(warning) });
  return facts;
}

function peopleFacts(request: ServiceAccountRequest, now: Date): Fact[] {
  const facts: Fact[] = [
    { title: 'Requested by', value: literal(request.requester.name) },
    { title: 'Approver', value: literal(`${request.approver.name} (${request.approver.userPrincipalName})`) },
    { title: 'Submitted', value: utcMinutes(request.createdAt) },
  ];
  if (request.state === 'PendingApproval' && now.getTime() < Date.parse(request.expiresAt))
    facts.push({ title: 'Expires', value: utcMinutes(request.expiresAt) });
  if (request.state === 'Expired') facts.push({ title: 'Expired', value: utcMinutes(request.updatedAt) });
  if (request.state === 'Cancelled') facts.push({ title: 'Cancelled', value: utcMinutes(request.updatedAt) });
  return facts;
}

function outcomeFacts(request: ServiceAccountRequest): Fact[] {
  const decision = request.decision;
  if (decision === undefined) return [];
  const facts: Fact[] = [
    { title: 'Outcome', value: decision.outcome === 'approved' ? 'Approved' : 'Rejected' },
    { title: 'By', value: literal(decision.by.name) },
    { title: 'When', value: utcMinutes(decision.at) },
  ];
  if (decision.comment !== undefined) facts.push({ title: 'Comment', value: literal(decision.comment) });
  return facts;
}

export function approvalCard(
  request: ServiceAccountRequest,
  viewer: ApprovalViewer,
  options: ApprovalCardOptions,
): AdaptiveCardJson {
  const pending =
    request.state === 'PendingApproval' && options.now.getTime() < Date.parse(request.expiresAt);
  const mayDecide = viewer === 'approver' || viewer === 'groupApprover';
  const seesDetails = mayDecide || viewer === 'requester';
  const status = statusOf(request, options.now);
  const changing = pending && viewer === 'requester' && options.changingApprover === true;
  const card = renderCard('approval', {
    requestId: request.id,
    title: literal(requestTitle(request)),
    accountHeading: !createsAccount(request)
      ? 'App access'
      : appGrant(request) === undefined
        ? 'Account'
        : 'Account and app access',
    status: status.text,
    statusColor: status.color,
    intro: introFor(request, viewer, options.delivery),
    notice: options.notice ?? '',
    people: peopleFacts(request, options.now),
    outcome: outcomeFacts(request),
    account: seesDetails ? wrapped(accountFacts(request)) : [],
    contact: seesDetails && !isFinal(request.state) ? wrapped(contactFacts(request)) : [],
    sync: seesDetails && !isFinal(request.state) ? syncFacts(request) : [],
    canDecide: pending && mayDecide,
    comment: options.comment ?? '',
    commentError: options.commentError ?? '',
    canCancel: pending && viewer === 'requester' && !changing,
    canResend: pending && viewer === 'requester' && options.delivery === 'failed' && !changing,
    canChangeApprover: pending && viewer === 'requester' && options.shared !== true && !changing,
    changingApprover: changing,
    currentApprover: literal(request.approver.name),
    newApprover: options.newApprover ?? '',
    newApproverError: options.newApproverError ?? '',
    canReview: pending && viewer === 'channel',
    refreshUserIds: options.refreshUserIds,
  });
  // A settled card, or one nobody needs to refresh, carries no refresh block (none may be empty); nor
  // does the open form for a new approver, so a refresh does not close it while the requester types.
  if (options.refreshUserIds.length === 0 || isFinal(request.state) || changing) {
    const rest: Record<string, unknown> = { ...card };
    delete rest.refresh;
    return rest as AdaptiveCardJson;
  }
  return card;
}
