/**
 * A request for the service account, and its lifecycle (docs/architecture.md, "Request lifecycle").
 * Only the transitions listed in `TRANSITIONS` are legal; each one is a compare-and-set on `version`
 * and writes an audit record.
 */
import type { AppAccessSpec } from './appAccess';
import type { ContactDetails } from './tenant';

export type RequestState =
  | 'PendingApproval'
  | 'Rejected'
  | 'Expired'
  | 'Cancelled'
  | 'Provisioning'
  | 'Failed'
  | 'AwaitingReplication'
  | 'Ready';

/** Who did something: always from the Teams activity (`from.aadObjectId`), never from card data. */
export interface Actor {
  aadObjectId: string;
  name: string;
}

export interface Approver extends Actor {
  userPrincipalName: string;
}

export interface RequestDetails {
  displayName: string;
  username: string;
  domain: string;
  contact: ContactDetails;
  /** Public folders are synced: the mailbox licence and the usage location it needs. */
  publicFolders?: { skuId: string; skuName: string };
  usageLocation?: string;
  /** Pre-flight warnings the requester saw and acknowledged. */
  acknowledgedWarnings: string[];
  /**
   * RBAC for Applications: the sync product's own app is granted Exchange application roles (the
   * replacement for ApplicationImpersonation in today's Exchange Online).
   */
  appAccess?: Omit<AppAccessSpec, 'requestId'>;
  /**
   * False when only the app is granted: no user, no Global Administrator. Unset means true: with
   * `appAccess` too, the account is made (e.g. for public folders) without the impersonation step.
   */
  serviceAccount?: boolean;
}

/** What the request sets up, as admins read it: the account's name, the app it grants, or both. */
export function requestSubject(request: Pick<ServiceAccountRequest, 'details'>): string {
  const app = appGrant(request);
  if (app === undefined) return accountName(request);
  return createsAccount(request)
    ? `${accountName(request)} and the app ${app.displayName}`
    : `the app ${app.displayName}`;
}

/** The request's title on its cards: the account with its sign-in name, or the app with its id. */
export function requestTitle(request: Pick<ServiceAccountRequest, 'details'>): string {
  const app = appOnlyGrant(request);
  return app !== undefined
    ? `${app.displayName} (app ${app.appId})`
    : `${request.details.displayName} (${accountName(request)})`;
}

/** The request grants the app only: nothing is created in the directory. */
export function grantsAppOnly(request: Pick<ServiceAccountRequest, 'details'>): boolean {
  return appOnlyGrant(request) !== undefined;
}

/** The request makes a service account (a user and Global Administrator). Unset means it does. */
export function createsAccount(request: Pick<ServiceAccountRequest, 'details'>): boolean {
  return request.details.serviceAccount !== false;
}

/**
 * What the request grants the sync product's app, with its request id, whether or not it also makes
 * a service account; undefined when it grants no app.
 */
export function appGrant(
  request: Pick<ServiceAccountRequest, 'details'> & { id?: string },
): AppAccessSpec | undefined {
  const grant = request.details.appAccess;
  return grant === undefined ? undefined : { ...grant, requestId: request.id ?? '' };
}

/** What an app-only request grants, with its request id; undefined when it makes a service account. */
export function appOnlyGrant(
  request: Pick<ServiceAccountRequest, 'details'> & { id?: string },
): AppAccessSpec | undefined {
  return createsAccount(request) ? undefined : appGrant(request);
}

/**
 * The account is made a member of the "App Impersonation" role group: only where no app is granted,
 * since the app's roles replace ApplicationImpersonation (gone from Exchange Online).
 */
export function usesImpersonation(request: Pick<ServiceAccountRequest, 'details'>): boolean {
  return createsAccount(request) && request.details.appAccess === undefined;
}

/** The approver's decision, as recorded by the transition that made it. */
export interface Decision {
  outcome: 'approved' | 'rejected';
  by: Actor;
  at: string;
  comment?: string;
}

export interface ServiceAccountRequest {
  id: string;
  tenantId: string;
  state: RequestState;
  /** Incremented by every change; the compare-and-set token. */
  version: number;
  requester: Actor;
  approver: Approver;
  details: RequestDetails;
  createdAt: string;
  updatedAt: string;
  /** After this, a pending request can no longer be approved. */
  expiresAt: string;
  /** Set when the approver approved or rejected it. */
  decision?: Decision;
  /**
   * When both admins were told the account is ready (the ready message sent, or its failure to
   * arrive recorded). Unset on a Ready request means the announcement is still owed.
   */
  announcedAt?: string;
  /**
   * Who looks after the account once it is ready: told of its health, may press its buttons, add or
   * remove owners. Unset means the requester and the approver.
   */
  owners?: Actor[];
  /** Set while the account is disabled through the bot (who did it, when); cleared when enabled again. */
  accountDisabled?: { by: Actor; at: string };
}

/** What `RequestStore.amend` may change: the people on a request and the account's marks, never its state. */
export interface RequestAmendment {
  approver?: Approver;
  owners?: Actor[];
  /** `null` clears the mark. */
  accountDisabled?: { by: Actor; at: string } | null;
}

/** The account's owners: the ones recorded, else the requester and the approver (one entry per person). */
export function ownersOf(request: Pick<ServiceAccountRequest, 'owners' | 'requester' | 'approver'>): Actor[] {
  const listed = request.owners ?? [request.requester, request.approver];
  const seen = new Set<string>();
  return listed.filter((owner) => {
    const id = owner.aadObjectId.toLowerCase();
    if (id === '' || seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}

/** True when the user (by Entra object id) is one of the account's owners. */
export function isOwner(
  request: Pick<ServiceAccountRequest, 'owners' | 'requester' | 'approver'>,
  userId: string,
): boolean {
  return ownersOf(request).some((owner) => owner.aadObjectId.toLowerCase() === userId.toLowerCase());
}

export const TRANSITIONS: Readonly<Record<RequestState, readonly RequestState[]>> = {
  PendingApproval: ['Provisioning', 'Rejected', 'Expired', 'Cancelled'],
  Provisioning: ['AwaitingReplication', 'Failed', 'Cancelled'],
  // Failed → Cancelled: "Remove what was created" ended it.
  Failed: ['Provisioning', 'Cancelled'],
  AwaitingReplication: ['Ready', 'Failed'],
  Ready: [],
  Rejected: [],
  Expired: [],
  Cancelled: [],
};

/** The service account's sign-in name, `username@domain`. */
export function accountName(request: Pick<ServiceAccountRequest, 'details'>): string {
  return `${request.details.username}@${request.details.domain}`;
}

export function canTransition(from: RequestState, to: RequestState): boolean {
  return TRANSITIONS[from].includes(to);
}

/** States in which nothing more will happen to the request. */
export function isFinal(state: RequestState): boolean {
  return TRANSITIONS[state].length === 0;
}

/** What an admin reads for each state. */
export const STATE_LABELS: Readonly<Record<RequestState, string>> = {
  PendingApproval: 'Waiting for approval',
  Rejected: 'Rejected',
  Expired: 'Expired before approval',
  Cancelled: 'Cancelled',
  Provisioning: 'Being set up',
  Failed: 'Failed',
  AwaitingReplication: 'Waiting for Exchange to replicate',
  Ready: 'Ready',
};

/** An audit record's outcome in words: a request state by its label, anything else as written. */
export function outcomeLabel(outcome: string): string {
  return Object.hasOwn(STATE_LABELS, outcome) ? STATE_LABELS[outcome as RequestState] : outcome;
}

export type AuditEvent =
  | 'submitted'
  | 'delivered'
  | 'delivery failed'
  | 'reminded'
  | 'approved'
  | 'rejected'
  | 'cancelled'
  | 'expired'
  | 'provisioned'
  | 'failed'
  | 'retried'
  | 'removed'
  | 'ready'
  | 'password revealed'
  | 'password reset'
  | 'password handed over'
  | 'password purged'
  | 'downgraded'
  | 'downgrade reminded'
  | 'escalated'
  | 'approver changed'
  | 'owner added'
  | 'owner removed'
  | 'password rotated'
  | 'account disabled'
  | 'account enabled'
  | 'health problem'
  | 'health fix asked'
  | 'health fixed'
  | 'healthy again';

/** One append-only audit record. Never holds a password, a token or a card payload. */
export interface AuditRecord {
  requestId: string;
  tenantId: string;
  event: AuditEvent | string;
  actor: Actor;
  at: string;
  /** The state after the event, or what the event resulted in. */
  outcome: string;
  detail?: string;
}

/** The bot itself, as the actor of what it does on its own (deliveries, expiry, provisioning). */
export const SYSTEM_ACTOR: Actor = { aadObjectId: 'system', name: 'Service Account Bot' };

/** An audit record of what `actor` did to the request. */
export function auditRecord(
  request: Pick<ServiceAccountRequest, 'id' | 'tenantId'>,
  actor: Actor,
  event: AuditEvent,
  outcome: string,
  at: string,
  detail?: string,
): AuditRecord {
  return {
    requestId: request.id,
    tenantId: request.tenantId,
    event,
    actor,
    at,
    outcome,
    ...(detail === undefined || detail === '' ? {} : { detail }),
  };
}

/** An audit record of something the bot did on its own. */
export function systemRecord(
  request: Pick<ServiceAccountRequest, 'id' | 'tenantId'>,
  event: AuditEvent,
  outcome: string,
  at: string,
  detail?: string,
): AuditRecord {
  return auditRecord(request, SYSTEM_ACTOR, event, outcome, at, detail);
}
