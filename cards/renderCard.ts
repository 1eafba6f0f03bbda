/**
 * Card templates are JSON files in this folder, bound only here through `adaptivecards-templating`.
 * Each card has a typed data shape; `renderCard` returns the expanded Adaptive Card.
 */
import { Template } from 'adaptivecards-templating';
import accountTemplate from './account.json';
import approvalTemplate from './approval.json';
import approverTemplate from './approver.json';
import auditListTemplate from './auditList.json';
import contactTemplate from './contact.json';
import formDoneTemplate from './formDone.json';
import healthTemplate from './health.json';
import ownersTemplate from './owners.json';
import helpTemplate from './help.json';
import preflightTemplate from './preflight.json';
import progressTemplate from './progress.json';
import requestListTemplate from './requestList.json';
import reviewTemplate from './review.json';
import syncTemplate from './sync.json';
import appAccessTemplate from './appAccess.json';

export { literal } from '../src/domain/words';

export interface HelpCardData {
  title: string;
  /** Shown above the intro in the attention colour; empty for none. */
  notice: string;
  intro: string;
  commands: { name: string; description: string }[];
  /** The main commands as buttons: pressing one sends its text, as if typed (Teams' imBack). */
  buttons: { title: string; text: string }[];
  footer: string;
}

/** Every form card: the step label, the form's id (stale-card detection) and a notice line. */
interface FormCardBase {
  step: string;
  formId: string;
  /** Shown in the attention colour above the fields; empty for none. */
  notice: string;
}

export interface Fact {
  title: string;
  value: string;
}

/**
 * A value as a card can wrap it: a run of more than 24 characters with neither a space nor a hyphen
 * (a long job title typed without spaces) gets invisible break opportunities (U+200B) every 24
 * characters; Teams would otherwise clip it and squeeze the fact titles out of sight. Ids and
 * addresses wrap at their hyphens already and are left exactly as they are, so a copy stays valid.
 */
export function wrappable(value: string): string {
  return value.replace(/[^\s-]{25,}/gu, (run) => (run.match(/[^\s-]{1,24}/gu) ?? [run]).join('\u200B'));
}

export interface Finding {
  problem: string;
  fix: string;
}

export interface PreflightCardData extends FormCardBase {
  summary: string;
  blockers: Finding[];
  warnings: Finding[];
  continueTitle: string;
}

export interface AccountCardData extends FormCardBase {
  displayName: string;
  username: string;
  domain: string;
  domains: { name: string }[];
  errors: { displayName: string; username: string; domain: string };
}

export interface ContactFields {
  jobTitle: string;
  department: string;
  businessPhone: string;
  mobilePhone: string;
  streetAddress: string;
  city: string;
  state: string;
  postalCode: string;
  country: string;
}

export interface ContactCardData extends FormCardBase, ContactFields {
  /** An error per field, '' where the field is fine. */
  errors: Record<keyof ContactFields, string>;
}

export interface SyncCardData extends FormCardBase {
  canSyncPublicFolders: boolean;
  /** Why public folders cannot be synced, when they cannot. */
  noSeatsText: string;
  publicFolders: 'true' | 'false';
  skuId: string;
  /** `title` is what the list shows (with free seats), `name` the licence alone. */
  licences: { skuId: string; title: string; name: string }[];
  usageLocation: string;
  countries: { code: string; name: string }[];
  errors: { skuId: string; usageLocation: string };
}

export interface AppAccessCardData extends FormCardBase {
  appId: string;
  appScope: 'organization' | 'group' | 'filter';
  appScopeValue: string;
  /** The chosen roles, comma-separated (a multi-select ChoiceSet's value). */
  appRoles: string;
  roles: { title: string; value: string }[];
  /** 'true' when a service account is made beside the grant (the card's toggle). */
  alsoAccount: string;
  /** Why no service account can be made beside the grant here, or '' when one can. */
  accountBlocked: string;
  errors: { appId: string; appScopeValue: string; appRoles: string; alsoAccount: string };
}

export interface ApproverCardData extends FormCardBase {
  approverId: string;
  approverUpn: string;
  errors: { approverId: string; approverUpn: string };
}

export interface ReviewCardData extends FormCardBase {
  account: Fact[];
  contact: Fact[];
  sync: Fact[];
  approver: Fact[];
}

/** A finished form, shown in place of the card that was submitted. */
export interface FormDoneCardData {
  title: string;
  facts: Fact[];
  note: string;
}

export interface RequestListCardData {
  title: string;
  intro: string;
  requests: {
    id: string;
    account: string;
    state: string;
    approver: string;
    created: string;
    cancellable: boolean;
  }[];
}

export interface AuditListCardData {
  title: string;
  intro: string;
  events: {
    when: string;
    event: string;
    outcome: string;
    actor: string;
    requestId: string;
    detail: string;
  }[];
}

/** The approval card, drawn for one viewer (see approvalCard.ts). */
export interface ApprovalCardData {
  requestId: string;
  title: string;
  /** The heading of `account`: the account, the app's access, or both. */
  accountHeading: string;
  status: string;
  /** An Adaptive Card text colour: Accent, Good, Warning, Attention. */
  statusColor: string;
  intro: string;
  notice: string;
  people: Fact[];
  outcome: Fact[];
  account: Fact[];
  contact: Fact[];
  sync: Fact[];
  canDecide: boolean;
  comment: string;
  commentError: string;
  canCancel: boolean;
  canResend: boolean;
  canReview: boolean;
  /** The requester's Change the approver button (personal chat only). */
  canChangeApprover: boolean;
  /** The requester's form for a new approver is open: the field, Change the approver and Back. */
  changingApprover: boolean;
  /** The approver's name, for the form's words. */
  currentApprover: string;
  newApprover: string;
  newApproverError: string;
  refreshUserIds: string[];
}

/** The provisioning progress card (see progressCard.ts). */
export interface ProgressCardData {
  requestId: string;
  /** The small line above the title: what is being set up. */
  kicker: string;
  account: string;
  status: string;
  statusColor: string;
  /** One line per step: a mark (✓, ▶, ✗ or ·) and the step's title with what happened. */
  steps: { mark: string; title: string }[];
  failure: string;
  failureDetail: string;
  note: string;
  facts: Fact[];
  canRetry: boolean;
  canRemove: boolean;
  canConfirmRemove: boolean;
  canReveal: boolean;
  canReset: boolean;
  canDowngrade: boolean;
  /** The owners' buttons on the ready card. */
  canOwners: boolean;
  canDisable: boolean;
  canConfirmDisable: boolean;
  canEnable: boolean;
  canConfirmEnable: boolean;
  canRotate: boolean;
  canHandOver: boolean;
}

/** A ready account's owners (see ownersCard.ts). */
export interface OwnersCardData {
  requestId: string;
  account: string;
  /** What the last press did, in the good colour; '' for none. */
  notice: string;
  /** What was wrong with the last press, in the attention colour; '' for none. */
  error: string;
  owners: { id: string; name: string }[];
  /** More than one owner: each may be removed. */
  canRemove: boolean;
}

/** The health card (see healthCard.ts). */
export interface HealthCardData {
  requestId: string;
  subject: string;
  status: string;
  statusColor: string;
  headline: string;
  checkedAt: string;
  problems: {
    code: string;
    title: string;
    why: string;
    /** The Fix button's title; empty for none. */
    fixTitle: string;
    /** The Approve fix button's title; empty for none. */
    approveTitle: string;
    waitingText: string;
  }[];
}

export interface CardData {
  help: HelpCardData;
  preflight: PreflightCardData;
  account: AccountCardData;
  contact: ContactCardData;
  sync: SyncCardData;
  appAccess: AppAccessCardData;
  approver: ApproverCardData;
  review: ReviewCardData;
  formDone: FormDoneCardData;
  requestList: RequestListCardData;
  auditList: AuditListCardData;
  approval: ApprovalCardData;
  progress: ProgressCardData;
  health: HealthCardData;
  owners: OwnersCardData;
}

export type CardName = keyof CardData;

/** An expanded Adaptive Card, as sent in an attachment's `content`. */
export type AdaptiveCardJson = Record<string, unknown> & { type: 'AdaptiveCard'; version: string };

export const CARD_TEMPLATES: Readonly<Record<CardName, object>> = {
  help: helpTemplate,
  preflight: preflightTemplate,
  account: accountTemplate,
  contact: contactTemplate,
  sync: syncTemplate,
  appAccess: appAccessTemplate,
  approver: approverTemplate,
  review: reviewTemplate,
  formDone: formDoneTemplate,
  requestList: requestListTemplate,
  auditList: auditListTemplate,
  approval: approvalTemplate,
  progress: progressTemplate,
  health: healthTemplate,
  owners: ownersTemplate,
};

export const ADAPTIVE_CARD_CONTENT_TYPE = 'application/vnd.microsoft.card.adaptive';

/**
 * Each template prepared once: preparing parses every binding's expression, most of an expansion's
 * cost (tens of milliseconds for the approval card), while a prepared `Template` "can be bound to
 * different data objects in a loop" (its documentation); `expand` is synchronous, so nothing overlaps.
 */
const PREPARED = new Map<CardName, Template>();

function prepared(name: CardName): Template {
  let template = PREPARED.get(name);
  if (template === undefined) {
    template = new Template(CARD_TEMPLATES[name]);
    PREPARED.set(name, template);
  }
  return template;
}

export function renderCard<K extends CardName>(name: K, data: CardData[K]): AdaptiveCardJson {
  const expanded: unknown = prepared(name).expand({ $root: data });
  if (
    typeof expanded !== 'object' ||
    expanded === null ||
    (expanded as { type?: unknown }).type !== 'AdaptiveCard'
  ) {
    throw new Error(`Card template "${name}" did not expand to an Adaptive Card`);
  }
  return expanded as AdaptiveCardJson;
}

/** The card as a message attachment. */
export function cardAttachment<K extends CardName>(
  name: K,
  data: CardData[K],
): { contentType: string; content: AdaptiveCardJson } {
  return { contentType: ADAPTIVE_CARD_CONTENT_TYPE, content: renderCard(name, data) };
}
