/**
 * Who each request form belongs to, by the form id its card carries: written when the bot shows the
 * card to its owner, read when anyone presses a form button, so a press by someone else is answered
 * "this form belongs to …" and audited with both names, wherever it comes from.
 */
import type { Storage } from 'botbuilder';
import type { Actor } from '../domain/request';
import {
  CasDocuments,
  DEFAULT_KEY_PREFIX,
  checkKeyPrefix,
  isRecord,
  storageKeySegment,
} from '../lib/casDocuments';

interface StoredOwner {
  owner: Actor;
  shownAt: string;
}

function parse(raw: unknown): StoredOwner | undefined {
  if (!isRecord(raw) || !isRecord(raw.owner) || typeof raw.shownAt !== 'string') return undefined;
  const { aadObjectId, name } = raw.owner;
  if (typeof aadObjectId !== 'string' || typeof name !== 'string') return undefined;
  return { owner: { aadObjectId, name }, shownAt: raw.shownAt };
}

export class FormOwnerStore {
  private readonly docs: CasDocuments;
  private readonly prefix: string;

  constructor(storage: Storage, keyPrefix = DEFAULT_KEY_PREFIX) {
    this.docs = new CasDocuments(storage);
    this.prefix = checkKeyPrefix(keyPrefix);
  }

  private key(tenantId: string, formId: string): string {
    return `${this.prefix}/forms/${storageKeySegment(tenantId)}/${storageKeySegment(formId.toLowerCase())}`;
  }

  /** Form ids are fresh random UUIDs, one per card shown: only their owner's turn writes them. */
  async remember(tenantId: string, formId: string, owner: Actor, now: Date): Promise<void> {
    await this.docs.writeOver(this.key(tenantId, formId), {
      owner: { aadObjectId: owner.aadObjectId, name: owner.name },
      shownAt: now.toISOString(),
    } satisfies StoredOwner);
  }

  async ownerOf(tenantId: string, formId: string): Promise<Actor | undefined> {
    return (await this.docs.read(this.key(tenantId, formId), parse))?.value.owner;
  }
}
