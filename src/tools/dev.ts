/**
 * `npm run dev`: the embedded default, for trying the bot on a fresh machine. Starts the built bot
 * (simulated tenant, SQLite, local mode) and the Microsoft 365 Agents Playground pointed at it, and
 * stops both on Ctrl-C. Settings reach the bot from the environment as usual (see README).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { childProcessEnvironment } from '../config';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const BOT_ENTRY = path.join(ROOT, 'dist', 'src', 'index.js');
const PLAYGROUND_CLI = path.join(ROOT, 'node_modules', '@microsoft', 'm365agentsplayground', 'cli.js');
export const PLAYGROUND_PORT = 56150;
const START_TIMEOUT_MS = 60_000;

function say(message: string): void {
  process.stdout.write(`[dev] ${message}\n`);
}

/** Starts the bot and resolves with its messaging endpoint, read from its start-up log line. */
function startBot(): Promise<{ child: ChildProcess; endpoint: string }> {
  const child = spawn(process.execPath, ['--disable-warning=DEP0111', BOT_ENTRY], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let buffer = '';
    const timer = setTimeout(() => reject(new Error('the bot did not start within 60 s')), START_TIMEOUT_MS);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the bot exited with code ${code} (see the message above)`));
    });
    child.stdout?.on('data', (chunk: Buffer) => {
      process.stdout.write(chunk);
      buffer += chunk.toString('utf8');
      for (let nl = buffer.indexOf('\n'); nl >= 0; nl = buffer.indexOf('\n')) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        try {
          const record = JSON.parse(line) as { msg?: unknown; url?: unknown };
          if (record.msg === 'Service Account Bot started' && typeof record.url === 'string') {
            clearTimeout(timer);
            resolve({ child, endpoint: record.url });
          }
        } catch {
          // not a log record: already echoed
        }
      }
    });
  });
}

function startPlayground(endpoint: string): ChildProcess {
  return spawn(
    process.execPath,
    [PLAYGROUND_CLI, '-e', endpoint, '-c', 'msteams', '-p', String(PLAYGROUND_PORT), '--dt'],
    {
      cwd: ROOT,
      // Without a browser to open, the Playground exits a second after start unless told not to try.
      env: childProcessEnvironment({ TEAMSAPPTESTER_BROWSER: 'none' }),
      stdio: ['ignore', 'inherit', 'inherit'],
    },
  );
}

function stop(child: ChildProcess | undefined, timeoutMs = 15_000): Promise<void> {
  if (child === undefined || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
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
  let playground: ChildProcess | undefined;
  let stopping = false;
  const shutdown = async (code: number): Promise<never> => {
    stopping = true;
    await Promise.all([stop(playground), stop(bot)]);
    process.exit(code);
  };
  process.once('SIGINT', () => void shutdown(0));
  process.once('SIGTERM', () => void shutdown(0));

  try {
    const started = await startBot();
    bot = started.child;
    bot.once('exit', (code) => {
      if (!stopping) {
        process.stderr.write(`[dev] the bot stopped unexpectedly (code ${code}); stopping the Playground\n`);
        void shutdown(1);
      }
    });
    playground = startPlayground(started.endpoint);
    playground.once('exit', (code) => {
      if (!stopping) {
        process.stderr.write(
          `[dev] the Agents Playground stopped (code ${code}); see ./devTools/m365agentsplayground.log. Stopping the bot.\n`,
        );
        void shutdown(1);
      }
    });
    say(`Bot: ${started.endpoint}`);
    say(`Agents Playground: http://localhost:${PLAYGROUND_PORT} — open it in a browser and type "help".`);
    say('Press Ctrl-C to stop both.');
  } catch (error) {
    process.stderr.write(
      `[dev] could not start: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    await shutdown(1);
  }
}

void main();
