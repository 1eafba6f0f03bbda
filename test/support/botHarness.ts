/**
 * One running bot for a test file: in process, on a free loopback port, quick settings, its own data
 * folder, a fake Teams connector, and the people of the simulated tenant already known to it (each
 * has said `help` in their personal chat). Presses and messages go over HTTP exactly as Teams sends
 * them.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type RunningBot, startBot, type StartHooks } from '../../src/index';
import {
  type ActivityOptions,
  ALEX,
  MEGAN,
  postActivity,
  teamsCardAction,
  teamsMessage,
  type TeamsUser,
} from './activities';
import { type FakeConnector, startFakeConnector } from './fakeConnector';
import { quickConfig } from './quickConfig';

/** The answer to an `adaptiveCard/action` invoke, as the bot sent it back. */
export interface InvokeAnswer {
  statusCode: number;
  type: string;
  value: unknown;
}

/** The bot's HTTP answer to a message (its body is usually empty: replies go to the connector). */
export interface SayAnswer {
  status: number;
  body: string;
}

/** Where a press or message comes from, besides who: a chat id, a group chat, a channel. */
export type Where = Omit<ActivityOptions, 'from'>;

/** Where a press comes from, and whether Teams sent it by itself (a card's refresh) or a person pressed. */
export type PressedWhere = Where & { trigger?: 'manual' | 'automatic' };

export interface TestBot {
  /** The bot now running (a new one after `restart`). */
  readonly bot: RunningBot;
  connector: FakeConnector;
  /** Where the bot now running listens (a new port after `restart`). */
  readonly url: string;
  /** The bot's data folder (SQLite and the rest), kept across `restart`. */
  dataDir: string;
  /** Presses a card button; the HTTP status always matches the invoke's own status code. */
  invoke(
    verb: string,
    data: Record<string, unknown>,
    from: TeamsUser,
    where?: PressedWhere,
  ): Promise<InvokeAnswer>;
  /** Types `text`; resolves once the bot's turn is over. */
  say(text: string, from: TeamsUser, where?: Where): Promise<SayAnswer>;
  /** Stops the bot and starts it again on the same data folder, settings and connector. */
  restart(): Promise<void>;
  close(): Promise<void>;
}

export interface TestBotOptions {
  /** Settings on top of `quickConfig`'s. */
  settings?: Record<string, string>;
  /** People who have talked to the bot in their personal chat before the test (Alex and Megan unless told). */
  known?: readonly TeamsUser[];
  /** Where logs go and how passwords are made, handed to `startBot`. */
  hooks?: StartHooks;
}

export async function startTestBot(options: TestBotOptions = {}): Promise<TestBot> {
  const connector = await startFakeConnector();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sab-bot-'));
  const start = () => startBot(quickConfig(dataDir, options.settings), options.hooks);
  let bot = await start();
  const urlOf = (running: RunningBot) => `http://127.0.0.1:${running.address.port}`;
  const say = async (text: string, from: TeamsUser, where: Where = {}): Promise<SayAnswer> => {
    const response = await postActivity(
      urlOf(bot),
      teamsMessage(connector.serviceUrl, text, { from, ...where }),
    );
    return { status: response.status, body: await response.text() };
  };
  for (const person of options.known ?? [ALEX, MEGAN]) await say('help', person);
  return {
    get bot() {
      return bot;
    },
    connector,
    get url() {
      return urlOf(bot);
    },
    dataDir,
    say,
    async invoke(verb, data, from, where = {}) {
      const response = await postActivity(
        urlOf(bot),
        teamsCardAction(connector.serviceUrl, verb, data, { from, ...where }),
      );
      const answer = (await response.json()) as InvokeAnswer;
      if (response.status !== answer.statusCode)
        throw new Error(`HTTP ${response.status} for an invoke answered ${answer.statusCode}`);
      return answer;
    },
    async restart() {
      await bot.close();
      bot = await start();
    },
    async close() {
      await bot.close();
      await connector.close();
    },
  };
}
