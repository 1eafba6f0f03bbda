/**
 * A turn in someone's personal chat with the bot, started from elsewhere (a group chat, a channel):
 * the chat the bot already has with them, or one it opens by their Entra object id. The turn runs as
 * theirs — the sender of the activity that asked for it — so it reads and keeps their own state.
 */
import type { Activity, TurnContext } from 'botbuilder';
import type { ConversationReferenceStore } from './conversationReferences';
import { tenantOf } from './conversationReferences';
import type { ProactiveMessenger } from './proactiveMessenger';

export interface PersonalChatsOptions {
  messenger: Pick<ProactiveMessenger, 'openPersonal' | 'runIn'>;
  conversations: ConversationReferenceStore;
  now: () => Date;
}

export class PersonalChats {
  constructor(private readonly options: PersonalChatsOptions) {}

  /**
   * Runs `logic` in a turn of the personal chat with the sender of `activity`. False when there is no
   * such chat and none could be opened (the app is not installed for them), or the turn failed.
   */
  async runFor(
    activity: Partial<Activity>,
    logic: (context: TurnContext) => Promise<void>,
  ): Promise<boolean> {
    const from = activity.from;
    const tenantId = tenantOf(activity);
    if (from?.aadObjectId === undefined || from.aadObjectId === '' || tenantId === undefined) return false;
    const person = { tenantId, aadObjectId: from.aadObjectId, name: from.name ?? '' };
    let reference = (await this.options.conversations.get(tenantId, from.aadObjectId))?.reference;
    if (reference === undefined) {
      if (typeof activity.serviceUrl !== 'string') return false;
      const opened = await this.options.messenger.openPersonal({
        ...person,
        serviceUrl: activity.serviceUrl,
      });
      if (!opened.ok) return false;
      reference = opened.reference;
      await this.options.conversations.rememberOpened(person, reference, this.options.now());
    }
    const ran = await this.options.messenger.runIn(reference, async (context) => {
      context.activity.from = { ...from };
      await logic(context);
    });
    return ran.ok;
  }
}
