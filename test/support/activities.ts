/** Activities shaped as Teams sends them, for tests that drive the bot over HTTP. */
import { randomUUID } from 'node:crypto';
import type { ConversationReference } from 'botbuilder';

export const TEST_TENANT_ID = '00000000-0000-0000-0000-0000000000001';
export const BOT_CHANNEL_ID = '28:service-account-bot';

export interface TeamsUser {
  id: string;
  name: string;
  aadObjectId: string;
}

export const ALEX: TeamsUser = {
  id: '29:alex',
  name: 'Alex Wilber',
  aadObjectId: '00000000-0000-0000-0000-0000000000020',
};

export const MEGAN: TeamsUser = {
  id: '29:megan',
  name: 'Megan Bowen',
  aadObjectId: '00000000-0000-0000-0000-0000000000021',
};

/** Privileged Role Administrator in the simulated tenant. */
export const ADELE: TeamsUser = {
  id: '29:adele',
  name: 'Adele Vance',
  aadObjectId: '00000000-0000-0000-0000-0000000000022',
};

/** No admin role; a member of the simulated requester group. */
export const ISAIAH: TeamsUser = {
  id: '29:isaiah',
  name: 'Isaiah Langer',
  aadObjectId: '00000000-0000-0000-0000-0000000000023',
};

export const PATTI: TeamsUser = {
  id: '29:patti',
  name: 'Patti Fernandez',
  aadObjectId: '00000000-0000-0000-0000-0000000000024',
};

/** Not in the simulated tenant's directory: no role, no group, no personal chat with the bot. */
export const NESTOR: TeamsUser = {
  id: '29:nestor',
  name: 'Nestor Wilke',
  aadObjectId: '00000000-0000-0000-0000-00000000feed',
};

/** Where an activity comes from: a personal chat (default), a group chat, or a channel of a team. */
export interface ActivityOptions {
  from?: TeamsUser;
  conversationId?: string;
  tenantId?: string;
  /** A channel id (19:…@thread.tacv2): the activity comes from that channel, not a personal chat. */
  channelId?: string;
  /** A group chat id (19:…@thread.v2): the activity comes from that group chat. */
  groupChatId?: string;
  /** The message the activity answers: for a card press, the card's message id. */
  replyToId?: string;
}

/** The conversation an activity comes from, and what Teams adds to `channelData` for it. */
function placeOf(
  options: ActivityOptions,
  from: TeamsUser,
  tenantId: string,
): { conversation: Record<string, unknown>; channelData: Record<string, unknown> } {
  const tenant = { id: tenantId };
  if (options.channelId !== undefined) {
    return {
      conversation: {
        id: `${options.channelId};messageid=1700000000000`,
        conversationType: 'channel',
        isGroup: true,
        tenantId,
      },
      channelData: { tenant, channel: { id: options.channelId }, team: { id: options.channelId } },
    };
  }
  if (options.groupChatId !== undefined) {
    return {
      conversation: { id: options.groupChatId, conversationType: 'groupChat', isGroup: true, tenantId },
      channelData: { tenant },
    };
  }
  return {
    conversation: {
      id: options.conversationId ?? `a:personal-${from.aadObjectId}`,
      conversationType: 'personal',
      tenantId,
    },
    channelData: { tenant },
  };
}

/** What every Teams activity carries, in a personal chat unless a channel or group chat is named. */
function teamsActivity(serviceUrl: string, type: string, options: ActivityOptions): Record<string, unknown> {
  const from = options.from ?? ALEX;
  return {
    type,
    id: randomUUID(),
    timestamp: new Date().toISOString(),
    channelId: 'msteams',
    serviceUrl,
    from,
    recipient: { id: BOT_CHANNEL_ID, name: 'Service Account Bot' },
    ...placeOf(options, from, options.tenantId ?? TEST_TENANT_ID),
  };
}

export function teamsMessage(
  serviceUrl: string,
  text: string,
  options: ActivityOptions = {},
): Record<string, unknown> {
  return { ...teamsActivity(serviceUrl, 'message', options), locale: 'en-US', text, textFormat: 'plain' };
}

export function teamsInstall(
  serviceUrl: string,
  options: { from?: TeamsUser } = {},
): Record<string, unknown> {
  return {
    ...teamsActivity(serviceUrl, 'conversationUpdate', options),
    membersAdded: [{ id: BOT_CHANNEL_ID }],
  };
}

export async function postActivity(botUrl: string, activity: Record<string, unknown>): Promise<Response> {
  return fetch(`${botUrl}/api/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(activity),
  });
}

/** `Action.Execute` as Teams sends it: an `adaptiveCard/action` invoke. */
export function teamsCardAction(
  serviceUrl: string,
  verb: string,
  data: Record<string, unknown>,
  options: ActivityOptions & { trigger?: 'manual' | 'automatic' } = {},
): Record<string, unknown> {
  const base = teamsMessage(serviceUrl, '', options);
  delete base.text;
  delete base.textFormat;
  return {
    ...base,
    type: 'invoke',
    name: 'adaptiveCard/action',
    value: { action: { type: 'Action.Execute', verb, data }, trigger: options.trigger ?? 'manual' },
    ...(options.replyToId === undefined ? {} : { replyToId: options.replyToId }),
  };
}

/** `Action.Submit` as Teams sends it: a message whose `value` holds the data and the inputs. */
export function teamsSubmit(
  serviceUrl: string,
  value: Record<string, unknown>,
  options: ActivityOptions = {},
): Record<string, unknown> {
  const base = teamsMessage(serviceUrl, '', options);
  delete base.text;
  return { ...base, value };
}

/** Where the bot reaches someone in their personal chat, as a stored conversation reference. */
export function personalReference(
  serviceUrl: string,
  person: TeamsUser = ALEX,
): Partial<ConversationReference> {
  return {
    channelId: 'msteams',
    serviceUrl,
    conversation: {
      id: `a:personal-${person.aadObjectId}`,
      conversationType: 'personal',
      tenantId: TEST_TENANT_ID,
      isGroup: false,
      name: '',
    },
    user: { id: person.id, name: person.name },
    bot: { id: BOT_CHANNEL_ID, name: 'Service Account Bot' },
  };
}
