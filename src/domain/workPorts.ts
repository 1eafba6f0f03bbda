/**
 * What the use cases need besides Microsoft 365 and the request store: the password store, the Key
 * Vault hand-over, telling admins in Teams, scheduling background work, and the provisioning record.
 * Adapters, the Teams layer and the job layer implement these (docs/architecture.md, "Layers").
 */
import type { ProgressView, ProvisionData } from './progress';
import type { Actor, ServiceAccountRequest } from './request';

export type PasswordState =
  { kind: 'absent' } | { kind: 'purged'; at: string } | { kind: 'held'; revealUntil?: string };

/** The service account's password until it is handed over: sealed, one per request. */
export interface PasswordStore {
  /** Made by `generate` the first time; every later call gets the same one. */
  getOrCreate(tenantId: string, requestId: string, generate: () => string, now: Date): Promise<string>;
  state(tenantId: string, requestId: string): Promise<PasswordState>;
  /** The password in clear; undefined when purged or absent. */
  reveal(tenantId: string, requestId: string): Promise<string | undefined>;
  /** Opens the hand-over window (keeps an earlier deadline). */
  setRevealUntil(tenantId: string, requestId: string, until: Date): Promise<void>;
  /** Compare-and-set: false while another reset holds the lease and it has not run out. */
  claimReset(
    tenantId: string,
    requestId: string,
    holder: string,
    now: Date,
    leaseMs: number,
  ): Promise<boolean>;
  releaseReset(tenantId: string, requestId: string, holder: string): Promise<void>;
  /** Replaces the password and opens a new hand-over window. */
  replace(tenantId: string, requestId: string, password: string, now: Date, until: Date): Promise<void>;
  /** Forgets it for good; false when there was nothing held. */
  purge(tenantId: string, requestId: string, now: Date): Promise<boolean>;
}

/** Where the password goes instead of the Reveal button (Azure Key Vault), when configured. */
export interface PasswordHandOver {
  /** The vault, as admins know it. */
  vaultUrl: string;
  secretExpiryMs: number;
  store(input: {
    name: string;
    value: string;
    requestId: string;
    expiresOn: Date;
  }): Promise<{ name: string; version: string; id: string }>;
  secretName(upn: string, requestId: string): string;
}

export type Audience = 'requester' | 'approver';

export type ApproverDelivery =
  | { reached: true; where: 'chat' | 'new chat' | 'approvals channel' }
  | { reached: false; reason: string; permanent: boolean };

/** What the bot says in Teams on its own initiative. Each call is safe to repeat. */
export interface Notifier {
  /** Posts the requester's copy of the approval card, unless it is posted already. */
  postRequesterCopy(request: ServiceAccountRequest): Promise<void>;
  /** Puts the approval card in front of the approver (their chat, a new chat, the approvals channel). */
  deliverToApprover(request: ServiceAccountRequest): Promise<ApproverDelivery>;
  /** What the requester must ask the approver to do when the approver cannot be reached. */
  installAdvice(request: ServiceAccountRequest): string;
  /** Redraws every posted copy of the approval card for its audience. */
  refreshApprovalCards(request: ServiceAccountRequest): Promise<void>;
  /** Shows the progress card in the requester's chat (posted once, then updated in place). */
  showProgress(request: ServiceAccountRequest, view: ProgressView): Promise<boolean>;
  /**
   * The "ready" message: the report to the requester, a note to the approver; when the requester
   * cannot be reached, the approver (or the approvals channel) gets the next steps instead.
   */
  sendReady(
    request: ServiceAccountRequest,
    message: {
      requester: ProgressView;
      approverText: string;
      /** For the approver (or the channel) instead, when the requester cannot be reached. */
      forwardText: string;
    },
  ): Promise<{ requester: boolean; approver: boolean }>;
  /** Replaces the "ready" message in place. */
  updateReady(request: ServiceAccountRequest, view: ProgressView): Promise<boolean>;
  /** A short note to one of the admins; false when they cannot be reached. */
  tell(request: ServiceAccountRequest, who: Audience, text: string): Promise<boolean>;
  /** A short note to one person (an owner, a new approver) in their chat with the bot; false when unreachable. */
  tellPerson(request: ServiceAccountRequest, person: Actor, text: string): Promise<boolean>;
  /**
   * Posts the approval card in the approvals channel, where members of the approver group may decide
   * (never the requester): `posted`, `already` there, or `unavailable` (no channel configured, or it
   * could not be reached).
   */
  offerInApprovalsChannel(request: ServiceAccountRequest): Promise<'posted' | 'already' | 'unavailable'>;
}

type RequestKey = Pick<ServiceAccountRequest, 'tenantId' | 'id'>;

/** Background work that must survive a restart (durable jobs). Every call is idempotent. */
export interface Scheduler {
  /** Delivery now, a reminder `reminderMs` before expiry, and the expiry. */
  approvalWork(request: RequestKey & { expiresAt: string }, now: Date): Promise<void>;
  /** Delivers the approval card again now. */
  deliverAgain(request: RequestKey, now: Date): Promise<void>;
  /** Provisioning, due now (a second call changes nothing). */
  provisioning(request: RequestKey, now: Date): Promise<void>;
  /** Provisioning made due again (Retry), resuming from its saved progress. */
  resumeProvisioning(request: RequestKey, now: Date): Promise<void>;
  /**
   * The replication watch, counting from `at`. `restart` starts a finished watch over (after a
   * Retry); otherwise an existing one is left as it is. Returns when the watch counts from.
   */
  replicationWatch(request: RequestKey, at: Date, restart: boolean): Promise<string>;
  /** The password is forgotten at `at` (a new deadline replaces an earlier one). */
  passwordPurge(request: RequestKey, at: Date, now: Date): Promise<void>;
  /**
   * The check that the account does not stay a Global Administrator for longer than set, first due
   * at `at`; `readyAt` is when the account became ready (a second call changes nothing).
   */
  globalAdminLimit(request: RequestKey, at: Date, readyAt: Date): Promise<void>;
  /** Something was scheduled: run what is due without waiting for the next poll. */
  wake(): void;
}

/** What the provisioning of a request has done so far. */
export interface ProvisioningRecords {
  get(request: RequestKey): Promise<ProvisionData>;
}

/** Work that follows an answer but must not hold it up (card updates, notes to the other admin). */
export interface Background {
  run(label: string, work: () => Promise<void>): void;
}

/** How a piece of background work ended, for the job that ran it. */
export type WorkOutcome =
  | { kind: 'done'; data?: Record<string, unknown> }
  | { kind: 'retryAt'; at: number; data?: Record<string, unknown>; error?: string; resetAttempts?: boolean }
  | { kind: 'failed'; error: string; data?: Record<string, unknown> }
  | { kind: 'cancelled'; data?: Record<string, unknown> };

/** A job's saved state, as the use case that runs it last left it. */
export interface WorkRun {
  /** How many times this work has been started (1 on the first run). */
  attempts: number;
  /** When the work was first scheduled (epoch ms). */
  scheduledAt: number;
  saved: Record<string, unknown>;
  /** Saves progress now; throws when this run no longer owns the work. */
  checkpoint(data: Record<string, unknown>): Promise<void>;
}
