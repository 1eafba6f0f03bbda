/**
 * The service account's password between creation and hand-over: sealed with the SecretBox (never
 * stored in clear), one document per request, made once (compare-and-set, so two runs agree on one
 * password), and purged after the hand-over deadline.
 *
 * A reset holds the document's reset lease while it changes the password in Entra and here, so two
 * resets at once cannot leave Entra with one password and the hand-over with the other.
 *
 *   <prefix>/passwords/<tenant>/<requestId>   { sealed, createdAt, revealUntil?, purgedAt?, resetting? }
 */
import type { Storage } from 'botbuilder';
import {
  CasDocuments,
  checkKeyPrefix,
  DEFAULT_KEY_PREFIX,
  isRecord,
  storageKeySegment,
} from '../../lib/casDocuments';
import type { SecretBox } from './secretBox';

interface VaultDocument {
  sealed: string;
  createdAt: string;
  /** Until when the requester may reveal it; set when the account is ready. */
  revealUntil?: string;
  purgedAt?: string;
  /** A Reset password under way: who holds it, and until when (a crashed reset frees it then). */
  resetting?: { holder: string; until: string };
}

function parse(raw: unknown): VaultDocument | undefined {
  if (!isRecord(raw) || typeof raw.sealed !== 'string' || typeof raw.createdAt !== 'string') return undefined;
  const resetting = raw.resetting;
  return {
    sealed: raw.sealed,
    createdAt: raw.createdAt,
    ...(typeof raw.revealUntil === 'string' ? { revealUntil: raw.revealUntil } : {}),
    ...(typeof raw.purgedAt === 'string' ? { purgedAt: raw.purgedAt } : {}),
    ...(isRecord(resetting) && typeof resetting.holder === 'string' && typeof resetting.until === 'string'
      ? { resetting: { holder: resetting.holder, until: resetting.until } }
      : {}),
  };
}

export type VaultState =
  { kind: 'absent' } | { kind: 'purged'; at: string } | { kind: 'held'; revealUntil?: string };

export class PasswordVault {
  private readonly docs: CasDocuments;
  private readonly prefix: string;

  constructor(
    storage: Storage,
    private readonly box: SecretBox,
    keyPrefix = DEFAULT_KEY_PREFIX,
  ) {
    this.docs = new CasDocuments(storage);
    this.prefix = checkKeyPrefix(keyPrefix);
  }

  /** The request's password, made by `generate` the first time (every later call gets the same one). */
  async getOrCreate(tenantId: string, requestId: string, generate: () => string, now: Date): Promise<string> {
    const owner = this.owner(tenantId, requestId);
    const stored = await this.docs.update(
      this.key(tenantId, requestId),
      parse,
      { sealed: '', createdAt: '' },
      (current) =>
        current.sealed === ''
          ? { sealed: this.box.seal(generate(), owner), createdAt: now.toISOString() }
          : undefined,
    );
    if (stored.sealed === '' || stored.purgedAt !== undefined) {
      throw new Error(`The password of request ${requestId} was purged`);
    }
    return this.box.open(stored.sealed, owner);
  }

  async state(tenantId: string, requestId: string): Promise<VaultState> {
    const doc = (await this.docs.read(this.key(tenantId, requestId), parse))?.value;
    if (doc === undefined || doc.createdAt === '') return { kind: 'absent' };
    if (doc.purgedAt !== undefined) return { kind: 'purged', at: doc.purgedAt };
    return { kind: 'held', ...(doc.revealUntil === undefined ? {} : { revealUntil: doc.revealUntil }) };
  }

  /** The password in clear, for the Reveal answer only; undefined when purged or absent. */
  async reveal(tenantId: string, requestId: string): Promise<string | undefined> {
    const doc = (await this.docs.read(this.key(tenantId, requestId), parse))?.value;
    if (doc === undefined || doc.sealed === '' || doc.purgedAt !== undefined) return undefined;
    return this.box.open(doc.sealed, this.owner(tenantId, requestId));
  }

  /** Opens the hand-over window (keeps an earlier deadline). */
  async setRevealUntil(tenantId: string, requestId: string, until: Date): Promise<void> {
    await this.docs.update(this.key(tenantId, requestId), parse, { sealed: '', createdAt: '' }, (current) =>
      current.sealed === '' || current.revealUntil !== undefined
        ? undefined
        : { ...current, revealUntil: until.toISOString() },
    );
  }

  /**
   * Takes the reset lease for `holder` (compare-and-set): false while another reset holds it and its
   * lease has not run out.
   */
  async claimReset(
    tenantId: string,
    requestId: string,
    holder: string,
    now: Date,
    leaseMs: number,
  ): Promise<boolean> {
    const stored = await this.docs.update(
      this.key(tenantId, requestId),
      parse,
      { sealed: '', createdAt: '' },
      (current) => {
        const held = current.resetting;
        if (held !== undefined && held.holder !== holder && Date.parse(held.until) > now.getTime())
          return undefined;
        return { ...current, resetting: { holder, until: new Date(now.getTime() + leaseMs).toISOString() } };
      },
    );
    return stored.resetting?.holder === holder;
  }

  /** Gives the reset lease back (no change when `holder` no longer holds it). */
  async releaseReset(tenantId: string, requestId: string, holder: string): Promise<void> {
    await this.docs.update(this.key(tenantId, requestId), parse, { sealed: '', createdAt: '' }, (current) => {
      if (current.resetting?.holder !== holder) return undefined;
      const { resetting: _released, ...rest } = current;
      return rest;
    });
  }

  /** Replaces the password (Reset password) and opens a new hand-over window. */
  async replace(
    tenantId: string,
    requestId: string,
    password: string,
    now: Date,
    until: Date,
  ): Promise<void> {
    const owner = this.owner(tenantId, requestId);
    await this.docs.update(
      this.key(tenantId, requestId),
      parse,
      { sealed: '', createdAt: '' },
      (current) => ({
        sealed: this.box.seal(password, owner),
        createdAt: now.toISOString(),
        revealUntil: until.toISOString(),
        ...(current.resetting === undefined ? {} : { resetting: current.resetting }),
      }),
    );
  }

  /** Forgets the password for good (the sealed value is overwritten, not only flagged). */
  async purge(tenantId: string, requestId: string, now: Date): Promise<boolean> {
    let purged = false;
    await this.docs.update(this.key(tenantId, requestId), parse, { sealed: '', createdAt: '' }, (current) => {
      if (current.purgedAt !== undefined || current.sealed === '') return undefined;
      purged = true;
      return {
        sealed: '',
        createdAt: current.createdAt,
        purgedAt: now.toISOString(),
        ...(current.resetting === undefined ? {} : { resetting: current.resetting }),
      };
    });
    return purged;
  }

  private owner(tenantId: string, requestId: string): string {
    return `${tenantId}:${requestId}`;
  }

  private key(tenantId: string, requestId: string): string {
    return `${this.prefix}/passwords/${storageKeySegment(tenantId)}/${storageKeySegment(requestId)}`;
  }
}
