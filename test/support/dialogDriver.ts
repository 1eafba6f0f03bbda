/**
 * Drives the request dialog with `DialogTestClient` as Teams would: typed text, and card presses as
 * `Action.Submit` messages whose `value` carries the card's data and inputs. The ports are real:
 * the Graph and Exchange adapters against the tenant simulator, the request store over memory.
 */
import { type Activity, ConversationState } from 'botbuilder';
import { DialogTestClient } from 'botbuilder-testing';
import { MainDialog } from '../../dialogs/mainDialog';
import { StorageAuditLog } from '../../src/adapters/storage/storageAuditLog';
import { StorageRequestStore } from '../../src/adapters/storage/storageRequestStore';
import { ADELE, ALEX, ISAIAH, MEGAN, PATTI, type TeamsUser } from './activities';
import type { Harness } from './tenantHarness';
import { TENANT_ID } from './tenantHarness';
import { ListingMemoryStorage } from './listingMemoryStorage';
import { InlineBackground, RecordingNotifier, RecordingScheduler } from './memoryServices';

export type TeamsPerson = TeamsUser;

/** The seeded people of the simulated tenant (test/support/activities.ts), by first name. */
export const PEOPLE = {
  alex: ALEX,
  megan: MEGAN,
  adele: ADELE,
  isaiah: ISAIAH,
  patti: PATTI,
} satisfies Record<string, TeamsPerson>;

export interface CardJson {
  body: unknown[];
  actions?: { title: string; verb?: string; data?: Record<string, unknown> }[];
  [key: string]: unknown;
}

export function cardOf(reply: Partial<Activity> | undefined): CardJson {
  const content = reply?.attachments?.[0]?.content as CardJson | undefined;
  if (content === undefined) throw new Error(`Expected a card, got: ${JSON.stringify(reply?.text ?? reply)}`);
  return content;
}

/** Every string in the card, for assertions on what the admin reads. */
export function cardText(card: CardJson): string {
  const texts: string[] = [];
  const walk = (node: unknown): void => {
    if (typeof node === 'string') texts.push(node);
    else if (Array.isArray(node)) node.forEach(walk);
    else if (node !== null && typeof node === 'object') Object.values(node).forEach(walk);
  };
  walk(card.body);
  return texts.join(' | ');
}

export function formIdOf(card: CardJson): string {
  const found = JSON.stringify(card).match(/"formId":"([0-9a-f-]{36})"/);
  if (found === null) throw new Error('The card has no formId');
  return found[1];
}

export function stepOf(card: CardJson): string {
  const first = card.body[0] as { text?: string } | undefined;
  return first?.text ?? '';
}

export class DialogDriver {
  readonly client: DialogTestClient;
  readonly requests: StorageRequestStore;
  readonly audit: StorageAuditLog;
  /** What a submission scheduled, and what the bot told the approver (on `cancel`). */
  readonly scheduler = new RecordingScheduler();
  readonly notifier = new RecordingNotifier();
  lastCard: CardJson | undefined;

  constructor(
    harness: Harness,
    readonly person: TeamsPerson = PEOPLE.alex,
    options: { requesterGroupId?: string } = {},
  ) {
    const storage = new ListingMemoryStorage();
    this.requests = new StorageRequestStore(storage);
    this.audit = new StorageAuditLog(storage);
    const dialog = new MainDialog({
      directory: harness.directory,
      exchange: harness.exchange,
      requests: this.requests,
      audit: this.audit,
      tenantId: TENANT_ID,
      now: () => new Date(),
      approvalExpiryMs: 24 * 3_600_000,
      scheduler: this.scheduler,
      notifier: this.notifier,
      background: new InlineBackground(),
      environmentSummary: 'test tenant',
      requesterGroupId: options.requesterGroupId,
    });
    this.client = new DialogTestClient('msteams', dialog, undefined, [], new ConversationState(storage));
  }

  private activity(partial: Partial<Activity>): Partial<Activity> {
    return {
      type: 'message',
      from: { id: this.person.id, name: this.person.name, aadObjectId: this.person.aadObjectId },
      conversation: {
        id: `a:${this.person.aadObjectId}`,
        isGroup: false,
        conversationType: 'personal',
        name: '',
      },
      channelData: { tenant: { id: TENANT_ID } },
      ...partial,
    };
  }

  /** Sends text; returns every reply of the turn. */
  async say(text: string): Promise<Partial<Activity>[]> {
    const first = await this.client.sendActivity(this.activity({ text }));
    return this.collect(first);
  }

  /** Presses a button of `card` (default: the last card) with the given inputs. */
  async press(
    verb: string,
    inputs: Record<string, unknown> = {},
    card = this.lastCard,
  ): Promise<Partial<Activity>[]> {
    if (card === undefined) throw new Error('No card to press');
    const first = await this.client.sendActivity(
      this.activity({ value: { verb, formId: formIdOf(card), ...inputs } }),
    );
    return this.collect(first);
  }

  private collect(first: Partial<Activity> | undefined): Partial<Activity>[] {
    const replies: Partial<Activity>[] = [];
    let next = first;
    while (next !== undefined) {
      replies.push(next);
      next = this.client.getNextReply();
    }
    const withCard = [...replies].reverse().find((r) => r.attachments?.length);
    if (withCard !== undefined) this.lastCard = cardOf(withCard);
    return replies;
  }
}
