/**
 * `npm run dev`: the embedded default, for trying the bot on a fresh machine. Starts the built bot
 * (simulated tenant, SQLite, local mode) and two Microsoft 365 Agents Playgrounds pointed at it, one
 * signed in as each of two seeded Global Administrators: Alex Wilber (asks, port 56150) and Megan
 * Bowen (approves, port 56151). Ctrl-C stops them all. Settings reach the bot from the environment as
 * usual (see README).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {
  PLAYGROUND_CLI,
  type RunningPlayground,
  seededPerson,
  startPlaygrounds,
  stopChild,
} from './playgrounds';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const BOT_ENTRY = path.join(ROOT, 'dist', 'src', 'index.js');
export const PLAYGROUND_PORT = 56150;
export const APPROVER_PLAYGROUND_PORT = 56151;
const START_TIMEOUT_MS = 60_000;

function say(message: string): void {
  process.stdout.write(`[dev] ${message}\n`);
}

export interface StartedBot {
  child: ChildProcess;
  endpoint: string;
  tenantId: string;
}

/** Starts the built bot and resolves with its messaging endpoint and tenant, read from its start-up log line. */
export function startBot(
  options: { env?: Record<string, string>; echo?: boolean } = {},
): Promise<StartedBot> {
  const echo = options.echo ?? true;
  const child = spawn(process.execPath, ['--disable-warning=DEP0111', BOT_ENTRY], {
    cwd: ROOT,
    env: options.env,
    stdio: ['ignore', 'pipe', echo ? 'inherit' : 'ignore'],
  });
  return new Promise((resolve, reject) => {
    let buffer = '';
    const timer = setTimeout(() => reject(new Error('the bot did not start within 60 s')), START_TIMEOUT_MS);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the bot exited with code ${code} (see the message above)`));
    });
    child.stdout?.on('data', (chunk: Buffer) => {
      if (echo) process.stdout.write(chunk);
      buffer += chunk.toString('utf8');
      for (let nl = buffer.indexOf('\n'); nl >= 0; nl = buffer.indexOf('\n')) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        try {
          const record = JSON.parse(line) as { msg?: unknown; url?: unknown; tenant?: unknown };
          if (record.msg === 'Service Account Bot started' && typeof record.url === 'string') {
            const tenant = typeof record.tenant === 'string' ? /tenant (\S+)/.exec(record.tenant) : null;
            clearTimeout(timer);
            resolve({ child, endpoint: record.url, tenantId: tenant?.[1] ?? '' });
          }
        } catch {
          // not a log record: already echoed
        }
      }
    });
  });
}

async function main(): Promise<void> {
  for (const [file, fix] of [
    [BOT_ENTRY, 'run "npm run build"'],
    [PLAYGROUND_CLI, 'run "npm install"'],
  ]) {
    if (!fs.existsSync(file)) {
      process.stderr.write(`[dev] ${file} is missing: ${fix}\n`);
      process.exit(1);
    }
  }

  let bot: ChildProcess | undefined;
  let playgrounds: RunningPlayground[] = [];
  let stopping = false;
  const shutdown = async (code: number): Promise<never> => {
    stopping = true;
    await Promise.all([...playgrounds.map((p) => stopChild(p.child)), stopChild(bot)]);
    process.exit(code);
  };
  process.once('SIGINT', () => void shutdown(0));
  process.once('SIGTERM', () => void shutdown(0));

  try {
    const started = await startBot();
    bot = started.child;
    bot.once('exit', (code) => {
      if (!stopping) {
        process.stderr.write(`[dev] the bot stopped unexpectedly (code ${code}); stopping the Playgrounds\n`);
        void shutdown(1);
      }
    });
    const alex = seededPerson('Alex Wilber');
    const megan = seededPerson('Megan Bowen');
    playgrounds = await startPlaygrounds({
      endpoint: started.endpoint,
      tenantId: started.tenantId,
      users: [
        { person: alex, port: PLAYGROUND_PORT },
        { person: megan, port: APPROVER_PLAYGROUND_PORT },
      ],
      baseDir: path.join(ROOT, 'devTools'),
      echo: (text) => process.stdout.write(text),
    });
    for (const playground of playgrounds) {
      playground.child.once('exit', (code) => {
        if (!stopping) {
          process.stderr.write(
            `[dev] the Agents Playground on ${playground.url} stopped (code ${code}); see ${path.relative(ROOT, playground.dir)}/m365agentsplayground.log. Stopping the rest.\n`,
          );
          void shutdown(1);
        }
      });
    }
    say(`Bot: ${started.endpoint}`);
    say(`Alex Wilber (asks):      http://localhost:${PLAYGROUND_PORT} — type "new service account".`);
    say(
      `Megan Bowen (approves):  http://localhost:${APPROVER_PLAYGROUND_PORT} — the approval card arrives here.`,
    );
    say('Press Ctrl-C to stop them all.');
  } catch (error) {
    process.stderr.write(
      `[dev] could not start: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    await shutdown(1);
  }
}

if (require.main === module) void main();
