/**
 * What kind of Teams conversation an activity comes from. Teams names it in
 * `conversation.conversationType` ("personal", "groupChat", "channel"); other channels (the Agents
 * Playground, Web Chat) say at most `isGroup`, and a conversation that is not a group has one user.
 */
import type { Activity } from 'botbuilder';
import type { ConversationKind } from '../domain/pressRules';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

export function conversationKind(activity: Partial<Activity>): ConversationKind {
  const conversation = activity.conversation;
  const channelData = isRecord(activity.channelData) ? activity.channelData : {};
  switch (conversation?.conversationType) {
    case 'personal':
      return 'personal';
    case 'groupChat':
      return 'groupChat';
    case 'channel':
      return 'channel';
    default:
      if (isRecord(channelData.channel)) return 'channel';
      return conversation?.isGroup === true ? 'groupChat' : 'personal';
  }
}

/** True when the press or message comes from the configured approvals channel. */
export function inChannel(activity: Partial<Activity>, channelId: string | undefined): boolean {
  if (channelId === undefined) return false;
  const conversationId = activity.conversation?.id ?? '';
  const channelData = activity.channelData as { channel?: { id?: unknown } } | undefined;
  // In a channel the conversation id is the channel id, or the channel id plus ";messageid=…".
  return channelData?.channel?.id === channelId || conversationId.split(';')[0] === channelId;
}
