/**
 * The commands the bot understands, and how typed text maps onto them. Matching ignores case,
 * punctuation, extra spaces and an @mention of the bot (channels and group chats).
 */
export type CommandName = 'newServiceAccount' | 'status' | 'cancel' | 'audit' | 'health' | 'help';

export interface CommandInfo {
  name: CommandName;
  /** What the admin types; also the title in the manifest's command list. */
  text: string;
  description: string;
  /** Other phrasings that mean the same. */
  aliases: readonly string[];
  /** The title of its button on the help card; no button when absent. */
  button?: string;
}

export const COMMANDS: readonly CommandInfo[] = [
  {
    name: 'newServiceAccount',
    text: 'new service account',
    description: 'Set up the CiraSync service account, with a second admin’s approval.',
    aliases: ['new account', 'new', 'create service account', 'new serviceaccount'],
    button: 'New service account',
  },
  {
    name: 'status',
    text: 'status',
    description: 'Show your requests and where each one stands.',
    aliases: ['my requests', 'requests'],
    button: 'My requests',
  },
  {
    name: 'cancel',
    text: 'cancel',
    description: 'Stop the request you are filling in, or withdraw one still waiting for approval.',
    aliases: ['stop', 'quit', 'abort'],
    button: 'Cancel',
  },
  {
    name: 'audit',
    text: 'audit',
    description: 'Admins: the last events of the audit trail (who asked, approved, cancelled, when).',
    aliases: ['audit trail', 'history'],
    button: 'Audit trail',
  },
  {
    name: 'health',
    text: 'health',
    description:
      'Admins: whether each service account I look after still works for sync, and when I last checked.',
    aliases: ['account health', 'health check', 'check health'],
    button: 'Health',
  },
  {
    name: 'help',
    text: 'help',
    description: 'Show this list.',
    aliases: ['?', 'commands', 'menu', 'hi', 'hello'],
  },
];

const AT_MENTION = /<at\b[^>]*>.*?<\/at>/gis;
const HTML_TAG = /<[^>]+>/g;

/** Text as the admin meant it: no mention, no markup, lower case, words separated by one space. */
export function normalizeCommandText(text: string): string {
  return text
    .replace(AT_MENTION, ' ')
    .replace(HTML_TAG, ' ')
    .replace(/&nbsp;/gi, ' ')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}?]+/gu, ' ')
    .trim();
}

export function parseCommand(text: string | undefined): CommandName | undefined {
  if (text === undefined) return undefined;
  const normalized = normalizeCommandText(text);
  if (normalized === '') return undefined;
  const bare = normalized === '?' ? normalized : normalized.replace(/\?/g, '').trim();
  for (const command of COMMANDS) {
    if (bare === command.text || command.aliases.includes(bare)) return command.name;
  }
  return undefined;
}
