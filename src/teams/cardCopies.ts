/**
 * Where each request's cards went: every copy the bot posted (the approver's, the requester's, the
 * approvals channel's), so a decision can update all of them in place, and whether the approver has
 * been reached. One document per request, changed only by compare-and-set.
 *
 *   <prefix>/cards/<tenant>/<requestId>   { copies: [...], approverReached, failure? }
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
}

export interface RequestCards {
  copies: CardCopy[];
  /** The approver has the approval card (in their chat, or in the approvals channel). */
  approverReached: boolean;
  /** Why the approver could not be reached, in plain words, while they are not. */
  failure?: string;
}

const AUDIENCES = new Set<string>(['approver', 'requester', 'channel']);

function parseCopy(raw: unknown): CardCopy | undefined {
  if (!isRecord(raw) || !isRecord(raw.reference)) return undefined;
  const { audience, card, activityId, sentAt } = raw;
  if (typeof audience !== 'string' || !AUDIENCES.has(audience)) return undefined;
  if (card !== 'approval' && card !== 'progress' && card !== 'ready') return undefined;
  if (typeof activityId !== 'string' || typeof sentAt !== 'string') return undefined;
  return { audience: audience as CardAudience, card, reference: raw.reference, activityId, sentAt };
}

function parse(raw: unknown): RequestCards | undefined {
  if (!isRecord(raw) || !Array.isArray(raw.copies) || typeof raw.approverReached !== 'boolean')
    return undefined;
  const copies = raw.copies.map(parseCopy);
  if (copies.some((copy) => copy === undefined)) return undefined;
  return {
    copies: copies as CardCopy[],
    approverReached: raw.approverReached,
    ...(typeof raw.failure === 'string' ? { failure: raw.failure } : {}),
  };
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
   * reset or downgrade redraws each.
   */
  async addCopy(tenantId: string, requestId: string, copy: CardCopy): Promise<RequestCards> {
    const same = (c: CardCopy) => c.audience === copy.audience && c.card === copy.card;
    const several = copy.audience === 'requester' && copy.card === 'ready';
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
      ...(copy.audience === 'approver' || copy.audience === 'channel'
        ? { approverReached: true, failure: undefined }
        : {}),
    }));
  }

  /** Records why the approver could not be reached (only while they have not been). */
  async recordFailure(tenantId: string, requestId: string, failure: string): Promise<RequestCards> {
    return this.docs.update(this.key(tenantId, requestId), parse, EMPTY, (current) =>
      current.approverReached || current.failure === failure ? undefined : { ...current, failure },
    );
  }

  private key(tenantId: string, requestId: string): string {
    return `${this.prefix}/cards/${storageKeySegment(tenantId)}/${storageKeySegment(requestId)}`;
  }
}
