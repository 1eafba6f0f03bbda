/**
 * What the use cases need besides Microsoft 365 and the request store: the password store, the Key
 * Vault hand-over, telling admins in Teams, scheduling background work, and the provisioning record.
 * Adapters, the Teams layer and the job layer implement these (docs/architecture.md, "Layers").
 */
import type { HealthCode, HealthFix } from './accountHealth';
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
  /** The health card, to one owner in their chat with the bot; false when they cannot be reached. */
  sendHealth(request: ServiceAccountRequest, person: Actor, view: HealthView): Promise<boolean>;
}

/** What the health card shows one owner. */
export interface HealthView {
  requestId: string;
  /** The account (or app), as admins know it. */
  subject: string;
  /** The opening line: what changed. */
  headline: string;
  problems: {
    code: HealthCode;
    title: string;
    why: string;
    /** A Fix button: what it does, and whether a second admin must approve it. */
    fix?: { title: string; needsApproval: boolean };
    /** Another owner asked for this privileged fix: this owner may approve it. */
    approve?: { askedBy: string };
    /** This owner asked for the fix; a second admin must approve it. */
    waiting?: boolean;
  }[];
  checkedAt: string;
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
  /** The health watch of a ready account, first due at `at` (a second call changes nothing). */
  healthWatch(request: RequestKey, at: Date, readyAt: Date): Promise<void>;
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

/**
 * A card press answered "under way" whose outcome is still to come. Kept as a durable job while this
 * process works on it, so that a restart does not lose it: another runner then does the press again,
 * on the request as it is by then, and shows its outcome.
 */
export interface LatePress {
  verb: string;
  /** The request the card is about, as the card names it ('' when it names none): for finding the job. */
  requestId: string;
  /** The press's activity as Teams sent it and the tenant gate let it in. */
  activity: Record<string, unknown>;
}

export interface LatePresses {
  /** Keeps the press while this process works on it. Never throws: a press not kept is shown here all the same. */
  keep(press: LatePress): Promise<LatePressHold>;
}

export interface LatePressHold {
  /**
   * The work is done in this process: the press is forgotten. False when another process took it over
   * in the meantime (this one was too slow to keep it): that one shows the outcome, this one must not.
   */
  done(): Promise<boolean>;
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

/** The health watch's last word on one ready account. */
export interface HealthRecord {
  tenantId: string;
  requestId: string;
  /** The account (or app) as admins know it, for the `health` list. */
  subject: string;
  /** When the last check finished; unset before the first. */
  checkedAt?: string;
  /** The problems the last check found, each with when it was first seen (the owners were told then). */
  problems: {
    code: HealthCode;
    title: string;
    /** Why it breaks sync, as the card says it (kept, so a card can be drawn without reading the tenant). */
    why: string;
    since: string;
    fix?: HealthFix;
    /** When the owners were sent the card about it; unset until they were (a check that died first). */
    told?: string;
  }[];
  /** The last check could not read the tenant: why, in plain words (the problems above still stand). */
  unreadable?: string;
  /**
   * A fix that grants privilege, asked by one owner and waiting for a second admin's approval.
   * Cleared (compare-and-set) by the approval that runs it, or by the problem going away.
   */
  pendingFix?: { code: HealthCode; fix: HealthFix; by: { aadObjectId: string; name: string }; at: string };
  /** Incremented by every change; the compare-and-set token. */
  version: number;
}

/** Where the health watch keeps its records: one per ready account, changed by compare-and-set. */
export interface HealthRecords {
  get(tenantId: string, requestId: string): Promise<HealthRecord | undefined>;
  /**
   * Compare-and-set: `change` gets the stored record (undefined before the first) and returns what it
   * becomes, or undefined to write nothing. Returns the record written, or undefined when nothing was
   * (the change declined, or kept losing to other writers).
   */
  update(
    tenantId: string,
    requestId: string,
    change: (current: HealthRecord | undefined) => Omit<HealthRecord, 'version'> | undefined,
  ): Promise<HealthRecord | undefined>;
  /** Every account the watch has a record of, in the order they were first recorded. */
  list(tenantId: string): Promise<HealthRecord[]>;
}
