/**
 * Where each request's cards went: every copy the bot posted (the approver's, the requester's, the
 * approvals channel's), so a decision can update all of them in place, and whether the approver has
 * been reached. One document per request, changed only by compare-and-set.
 *
 *   <prefix>/cards/<tenant>/<requestId>   { copies: [...], approverReached, reachedApprovers?, failure?, failureFor? }
 *
 * The requester may change the approver while the request waits, so the approver's copies and the
 * delivery's outcome say which approver they are about (by Entra object id). A document written
 * before that has neither: its copies and its outcome are about whoever is the approver now.
 */
import type { ConversationReference, Storage } from 'botbuilder';
import {
  CasDocuments,
  checkKeyPrefix,
  DEFAULT_KEY_PREFIX,
  isRecord,
  storageKeySegment,
} from '../lib/casDocuments';

/** Who a posted copy of the approval card is for. */
export type CardAudience = 'approver' | 'requester' | 'channel';

export interface CardCopy {
  audience: CardAudience;
  /** What the card shows: the approval card, the progress card, or the "ready" message. */
  card: 'approval' | 'progress' | 'ready';
  reference: Partial<ConversationReference>;
  activityId: string;
  sentAt: string;
  /**
   * The approver an approver's or channel's copy was posted for. An approver's copy whose approver is
   * no longer the request's is that former approver's, and is drawn with nothing to press.
   */
  approverId?: string;
}

export interface RequestCards {
  copies: CardCopy[];
  /** An approver has had the approval card (in their chat, or in the approvals channel). */
  approverReached: boolean;
  /** Which approvers have had it (object ids, lower case); unset in documents written before. */
  reachedApprovers?: string[];
  /** Why the approver could not be reached, in plain words, while they are not. */
  failure?: string;
  /** The approver `failure` is about (object id, lower case); unset in documents written before. */
  failureFor?: string;
}

/** Where the card stands with one approver: in front of them, on its way, or not deliverable. */
export function deliveryTo(
  cards: RequestCards,
  approverId: string,
): { state: 'delivered' } | { state: 'sending' } | { state: 'failed'; failure: string } {
  const id = approverId.toLowerCase();
  const reached =
    cards.reachedApprovers === undefined ? cards.approverReached : cards.reachedApprovers.includes(id);
  if (reached) return { state: 'delivered' };
  if (cards.failure !== undefined && (cards.failureFor === undefined || cards.failureFor === id))
    return { state: 'failed', failure: cards.failure };
  return { state: 'sending' };
}

const AUDIENCES = new Set<string>(['approver', 'requester', 'channel']);

function parseCopy(raw: unknown): CardCopy | undefined {
  if (!isRecord(raw) || !isRecord(raw.reference)) return undefined;
  const { audience, card, activityId, sentAt } = raw;
  if (typeof audience !== 'string' || !AUDIENCES.has(audience)) return undefined;
  if (card !== 'approval' && card !== 'progress' && card !== 'ready') return undefined;
  if (typeof activityId !== 'string' || typeof sentAt !== 'string') return undefined;
  return {
    audience: audience as CardAudience,
    card,
    reference: raw.reference,
    activityId,
    sentAt,
    ...(typeof raw.approverId === 'string' ? { approverId: raw.approverId } : {}),
  };
}

function isStringList(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((v) => typeof v === 'string');
}

function parse(raw: unknown): RequestCards | undefined {
  if (!isRecord(raw) || !Array.isArray(raw.copies) || typeof raw.approverReached !== 'boolean')
    return undefined;
  const copies = raw.copies.map(parseCopy);
  if (copies.some((copy) => copy === undefined)) return undefined;
  return {
    copies: copies as CardCopy[],
    approverReached: raw.approverReached,
    ...(isStringList(raw.reachedApprovers) ? { reachedApprovers: raw.reachedApprovers } : {}),
    ...(typeof raw.failure === 'string' ? { failure: raw.failure } : {}),
    ...(typeof raw.failureFor === 'string' ? { failureFor: raw.failureFor } : {}),
  };
}

/** Two copies' approvers are the same person (a copy recorded before approvers were kept matches any). */
function sameApprover(a: string | undefined, b: string | undefined): boolean {
  return a === undefined || b === undefined || a.toLowerCase() === b.toLowerCase();
}

const EMPTY: RequestCards = { copies: [], approverReached: false };

/** How many of the requester's "ready" cards are kept (the first one and those `status` showed). */
const READY_COPIES_KEPT = 5;

export class CardCopyStore {
  private readonly docs: CasDocuments;
  private readonly prefix: string;

  constructor(storage: Storage, keyPrefix = DEFAULT_KEY_PREFIX) {
    this.docs = new CasDocuments(storage);
    this.prefix = checkKeyPrefix(keyPrefix);
  }

  async get(tenantId: string, requestId: string): Promise<RequestCards> {
    return (await this.docs.read(this.key(tenantId, requestId), parse))?.value ?? EMPTY;
  }

  /**
   * Records a posted copy: one per audience and card (a newer post replaces the older one), except the
   * requester's "ready" card, which `status` can show again: its newest few are all kept, so a purge,
   * reset or downgrade redraws each; and the approver's copies, kept one per approver, so a former
   * approver's copy is still redrawn (with nothing to press) after the approver changed.
   */
  async addCopy(tenantId: string, requestId: string, copy: CardCopy): Promise<RequestCards> {
    const same = (c: CardCopy) =>
      c.audience === copy.audience &&
      c.card === copy.card &&
      (copy.audience !== 'approver' || sameApprover(c.approverId, copy.approverId));
    const several = copy.audience === 'requester' && copy.card === 'ready';
    const reaches = copy.audience === 'approver' || copy.audience === 'channel';
    const reached = copy.approverId?.toLowerCase();
    return this.docs.update(this.key(tenantId, requestId), parse, EMPTY, (current) => ({
      ...current,
      copies: [
        ...current.copies.filter((c) => !same(c)),
        ...(several
          ? current.copies
              .filter((c) => same(c) && c.activityId !== copy.activityId)
              .slice(-(READY_COPIES_KEPT - 1))
          : []),
        copy,
      ],
      ...(reaches
        ? {
            approverReached: true,
            ...(reached === undefined
              ? {}
              : { reachedApprovers: [...new Set([...(current.reachedApprovers ?? []), reached])] }),
            // A failure to reach someone else (a former approver) is left as it is: it is not shown.
            ...(reached === undefined || current.failureFor === undefined || current.failureFor === reached
              ? { failure: undefined, failureFor: undefined }
              : {}),
          }
        : {}),
    }));
  }

  /** Records why `approverId` could not be reached (only while they have not been). */
  async recordFailure(
    tenantId: string,
    requestId: string,
    failure: string,
    approverId: string,
  ): Promise<RequestCards> {
    const id = approverId.toLowerCase();
    return this.docs.update(this.key(tenantId, requestId), parse, EMPTY, (current) =>
      deliveryTo(current, id).state === 'delivered' ||
      (current.failure === failure && current.failureFor === id)
        ? undefined
        : { ...current, failure, failureFor: id },
    );
  }

  private key(tenantId: string, requestId: string): string {
    return `${this.prefix}/cards/${storageKeySegment(tenantId)}/${storageKeySegment(requestId)}`;
  }
}
