/**
 * Where each admin can be reached proactively: the conversation reference of their personal chat
 * with the bot, stored durably per tenant and Entra object id, and refreshed when it changes (a new
 * install, another service URL). Channel and group conversations are not personal: not stored here.
 */
import { type Activity, type ConversationReference, type Storage, TurnContext } from 'botbuilder';
import {
  CasDocuments,
  DEFAULT_KEY_PREFIX,
  checkKeyPrefix,
  isRecord,
  storageKeySegment,
} from '../lib/casDocuments';
import { conversationKind } from './conversationPlace';

export interface StoredReference {
  tenantId: string;
  aadObjectId: string;
  name: string;
  reference: Partial<ConversationReference>;
  updatedAt: string;
}

function parse(raw: unknown): StoredReference | undefined {
  if (!isRecord(raw) || !isRecord(raw.reference)) return undefined;
  const { tenantId, aadObjectId, name, updatedAt } = raw;
  if (typeof tenantId !== 'string' || typeof aadObjectId !== 'string' || typeof updatedAt !== 'string')
    return undefined;
  return {
    tenantId,
    aadObjectId,
    name: typeof name === 'string' ? name : '',
    reference: raw.reference,
    updatedAt,
  };
}

/** The tenant of an activity as Teams states it. */
export function tenantOf(activity: Partial<Activity>): string | undefined {
  const fromChannelData =
    isRecord(activity.channelData) && isRecord(activity.channelData.tenant)
      ? activity.channelData.tenant.id
      : undefined;
  const id = typeof fromChannelData === 'string' ? fromChannelData : activity.conversation?.tenantId;
  return typeof id === 'string' && id !== '' ? id : undefined;
}

function samePlace(a: Partial<ConversationReference>, b: Partial<ConversationReference>): boolean {
  return (
    a.serviceUrl === b.serviceUrl &&
    a.conversation?.id === b.conversation?.id &&
    a.user?.id === b.user?.id &&
    a.bot?.id === b.bot?.id
  );
}

export class ConversationReferenceStore {
  private readonly docs: CasDocuments;
  private readonly prefix: string;

  constructor(storage: Storage, keyPrefix = DEFAULT_KEY_PREFIX) {
    this.docs = new CasDocuments(storage);
    this.prefix = checkKeyPrefix(keyPrefix);
  }

  private key(tenantId: string, aadObjectId: string): string {
    return `${this.prefix}/conversations/${storageKeySegment(tenantId)}/${storageKeySegment(aadObjectId.toLowerCase())}`;
  }

  /**
   * Remembers the sender's personal conversation. Writes only when something changed; returns true
   * when it wrote.
   */
  async remember(activity: Partial<Activity>, now: Date): Promise<boolean> {
    const aadObjectId = activity.from?.aadObjectId;
    const tenantId = tenantOf(activity);
    const personal = conversationKind(activity) === 'personal';
    if (aadObjectId === undefined || aadObjectId === '' || tenantId === undefined || !personal) return false;
    if (typeof activity.serviceUrl !== 'string' || activity.conversation?.id === undefined) return false;
    const reference = TurnContext.getConversationReference(activity);
    const key = this.key(tenantId, aadObjectId);
    let wrote = false;
    const empty: StoredReference = { tenantId, aadObjectId, name: '', reference: {}, updatedAt: '' };
    await this.docs.update(key, parse, empty, (current) => {
      const name = activity.from?.name ?? current.name;
      if (current.updatedAt !== '' && samePlace(current.reference, reference) && current.name === name)
        return undefined;
      wrote = true;
      return { tenantId, aadObjectId, name, reference, updatedAt: now.toISOString() };
    });
    return wrote;
  }

  /** Remembers a personal chat the bot opened itself (the user has not written in it yet). */
  async rememberOpened(
    person: { tenantId: string; aadObjectId: string; name: string },
    reference: Partial<ConversationReference>,
    now: Date,
  ): Promise<void> {
    const empty: StoredReference = { ...person, reference: {}, updatedAt: '' };
    await this.docs.update(this.key(person.tenantId, person.aadObjectId), parse, empty, (current) =>
      current.updatedAt !== '' && samePlace(current.reference, reference)
        ? undefined
        : { ...person, reference, updatedAt: now.toISOString() },
    );
  }

  async get(tenantId: string, aadObjectId: string): Promise<StoredReference | undefined> {
    const doc = await this.docs.read(this.key(tenantId, aadObjectId), parse);
    return doc === undefined || doc.value.updatedAt === '' ? undefined : doc.value;
  }
}
