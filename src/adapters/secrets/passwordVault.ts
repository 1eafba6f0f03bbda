/**
 * The service account's password between creation and hand-over: sealed with the SecretBox (never
 * stored in clear), one document per request, made once (compare-and-set, so two runs agree on one
 * password), and purged after the hand-over deadline.
 *
 *   <prefix>/passwords/<tenant>/<requestId>   { sealed, createdAt, revealUntil?, purgedAt? }
 */
import type { Storage } from 'botbuilder';
import {
  CasDocuments,
  checkKeyPrefix,
  DEFAULT_KEY_PREFIX,
  isRecord,
  storageKeySegment,
} from '../storage/casDocuments';
import type { SecretBox } from './secretBox';

interface VaultDocument {
  sealed: string;
  createdAt: string;
  /** Until when the requester may reveal it; set when the account is ready. */
  revealUntil?: string;
  purgedAt?: string;
}

function parse(raw: unknown): VaultDocument | undefined {
  if (!isRecord(raw) || typeof raw.sealed !== 'string' || typeof raw.createdAt !== 'string') return undefined;
  return {
    sealed: raw.sealed,
    createdAt: raw.createdAt,
    ...(typeof raw.revealUntil === 'string' ? { revealUntil: raw.revealUntil } : {}),
    ...(typeof raw.purgedAt === 'string' ? { purgedAt: raw.purgedAt } : {}),
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

  /** Replaces the password (Reset password) and opens a new hand-over window. */
  async replace(
    tenantId: string,
    requestId: string,
    password: string,
    now: Date,
    until: Date,
  ): Promise<void> {
    const owner = this.owner(tenantId, requestId);
    await this.docs.update(this.key(tenantId, requestId), parse, { sealed: '', createdAt: '' }, () => ({
      sealed: this.box.seal(password, owner),
      createdAt: now.toISOString(),
      revealUntil: until.toISOString(),
    }));
  }

  /** Forgets the password for good (the sealed value is overwritten, not only flagged). */
  async purge(tenantId: string, requestId: string, now: Date): Promise<boolean> {
    let purged = false;
    await this.docs.update(this.key(tenantId, requestId), parse, { sealed: '', createdAt: '' }, (current) => {
      if (current.purgedAt !== undefined || current.sealed === '') return undefined;
      purged = true;
      return { sealed: '', createdAt: current.createdAt, purgedAt: now.toISOString() };
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
