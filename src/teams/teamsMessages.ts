/** Small pieces every proactive message shares: a card message, a channel post, a failure in words. */
import type { Activity, ConversationReference } from 'botbuilder';
import { ADAPTIVE_CARD_CONTENT_TYPE, type AdaptiveCardJson } from '../../cards/renderCard';
import type { StoredReference } from './conversationReferences';
import type { Delivery, ProactiveMessenger } from './proactiveMessenger';

export type Messenger = Pick<ProactiveMessenger, 'send' | 'update' | 'createPersonal'>;

/** The Teams user id (MRI) of someone the bot has talked to, or their Entra MRI. */
export function teamsUserId(stored: StoredReference | undefined, aadObjectId: string): string {
  const id = stored?.reference.user?.id;
  return typeof id === 'string' && id !== '' ? id : `8:orgid:${aadObjectId}`;
}

/** A failed delivery in words for the logs and the requester: "HTTP 403 Forbidden", "no answer". */
export function failureText(delivery: Delivery): string {
  if (delivery.ok) return '';
  const code = delivery.code === undefined ? '' : ` ${delivery.code}`;
  return delivery.status === undefined ? `no answer${code}` : `HTTP ${delivery.status}${code}`;
}

/** Where an admin finds the app in Teams: its link when the app id is known. */
export function whereToFindTheApp(teamsAppId: string | undefined): string {
  return teamsAppId === undefined
    ? 'in Teams: Apps → Built for your org → Service Account Bot'
    : `from this link: https://teams.microsoft.com/l/app/${teamsAppId}`;
}

/** A message carrying one Adaptive Card. */
export function cardMessage(card: AdaptiveCardJson): Partial<Activity> {
  return { type: 'message', attachments: [{ contentType: ADAPTIVE_CARD_CONTENT_TYPE, content: card }] };
}

/** A new post in a Teams channel, through the service URL and bot of a known conversation. */
export function channelReference(
  channelId: string,
  tenantId: string,
  via: Pick<Partial<ConversationReference>, 'serviceUrl' | 'bot'>,
): Partial<ConversationReference> {
  return {
    channelId: 'msteams',
    serviceUrl: via.serviceUrl,
    bot: via.bot,
    conversation: { id: channelId, isGroup: true, conversationType: 'channel', tenantId, name: '' },
  };
}
