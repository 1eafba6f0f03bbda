/**
 * One running bot for a test file: in process, on a free loopback port, quick settings, its own data
 * folder, a fake Teams connector, and the people of the simulated tenant already known to it (each
 * has said `help` in their personal chat). Presses and messages go over HTTP exactly as Teams sends
 * them.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type RunningBot, startBot } from '../../src/index';
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

/** Where a press or message comes from, besides who: a chat id, a group chat, a channel. */
export type Where = Omit<ActivityOptions, 'from'>;

export interface TestBot {
  bot: RunningBot;
  connector: FakeConnector;
  url: string;
  /** Presses a card button; the HTTP status always matches the invoke's own status code. */
  invoke(verb: string, data: Record<string, unknown>, from: TeamsUser, where?: Where): Promise<InvokeAnswer>;
  /** Types `text`; resolves once the bot's turn is over. */
  say(text: string, from: TeamsUser, where?: Where): Promise<void>;
  close(): Promise<void>;
}

export interface TestBotOptions {
  /** Settings on top of `quickConfig`'s. */
  settings?: Record<string, string>;
  /** People who have talked to the bot in their personal chat before the test (Alex and Megan unless told). */
  known?: readonly TeamsUser[];
}

export async function startTestBot(options: TestBotOptions = {}): Promise<TestBot> {
  const connector = await startFakeConnector();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sab-bot-'));
  const bot = await startBot(quickConfig(dataDir, options.settings));
  const url = `http://127.0.0.1:${bot.address.port}`;
  const say = async (text: string, from: TeamsUser, where: Where = {}): Promise<void> => {
    const response = await postActivity(url, teamsMessage(connector.serviceUrl, text, { from, ...where }));
    await response.arrayBuffer();
  };
  for (const person of options.known ?? [ALEX, MEGAN]) await say('help', person);
  return {
    bot,
    connector,
    url,
    say,
    async invoke(verb, data, from, where = {}) {
      const response = await postActivity(
        url,
        teamsCardAction(connector.serviceUrl, verb, data, { from, ...where }),
      );
      const answer = (await response.json()) as InvokeAnswer;
      if (response.status !== answer.statusCode)
        throw new Error(`HTTP ${response.status} for an invoke answered ${answer.statusCode}`);
      return answer;
    },
    async close() {
      await bot.close();
      await connector.close();
    },
  };
}
