/**
 * Runs the built bot (`dist/src/index.js`) as a child process, exactly as `npm start` does, and
 * reads its JSON log lines to learn when and where it listens.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');
export const BUILT_ENTRY = path.join(REPO_ROOT, 'dist', 'src', 'index.js');

export interface BotProcess {
  child: ChildProcess;
  url: string;
  logs: Record<string, unknown>[];
  /**
   * The first log record `match` accepts, waiting for it up to `timeoutMs`: warnings and errors come
   * on stderr, the rest on stdout, and the two pipes do not keep each other's order.
   */
  waitForLog(
    match: (record: Record<string, unknown>) => boolean,
    timeoutMs?: number,
  ): Promise<Record<string, unknown> | undefined>;
  stderr: () => string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export interface ExitedProcess {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Environment for the child: PATH and friends only, plus what the test sets. Nothing leaks in. */
export function childEnv(settings: Record<string, string>): Record<string, string> {
  const keep = ['PATH', 'HOME', 'SYSTEMROOT', 'TMPDIR', 'NODE_EXTRA_CA_CERTS'];
  const env: Record<string, string> = {};
  for (const key of keep) {
    const value = process.env[key];
    if (value !== undefined) env[key] = value;
  }
  return { ...env, ...settings };
}

export function tempDataDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'sab-data-'));
}

function requireBuild(): void {
  if (!fs.existsSync(BUILT_ENTRY)) {
    throw new Error(`${BUILT_ENTRY} is missing: run "npm run build" first (npm test does it).`);
  }
}

export async function startBotProcess(
  settings: Record<string, string>,
  timeoutMs = 20_000,
): Promise<BotProcess> {
  requireBuild();
  const child = spawn(process.execPath, ['--disable-warning=DEP0111', BUILT_ENTRY], {
    cwd: REPO_ROOT,
    env: childEnv({ PORT: '0', LOG_LEVEL: 'info', ...settings }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: Record<string, unknown>[] = [];
  let stderr = '';
  let buffer = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(
          `Bot did not start within ${timeoutMs} ms (LOG_LEVEL must let "info" through). stderr:\n${stderr}`,
        ),
      );
    }, timeoutMs);
    const onLine = (line: string): void => {
      if (line.trim() === '') return;
      try {
        const record = JSON.parse(line) as Record<string, unknown>;
        logs.push(record);
        if (record.msg === 'Service Account Bot started' && typeof record.url === 'string') {
          clearTimeout(timer);
          resolve(record.url.replace(/\/api\/messages$/, ''));
        }
      } catch {
        logs.push({ raw: line });
      }
    };
    child.stdout?.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('utf8');
      buffer = takeLines(buffer, onLine);
    });
    // A line can be split across chunks on either pipe: both keep the unfinished tail for the next.
    let errBuffer = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
      errBuffer = takeLines(errBuffer + chunk.toString('utf8'), (line) => {
        if (line.startsWith('{')) onLine(line);
      });
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`Bot exited with code ${code} before starting. stderr:\n${stderr}`));
    });
  });

  return {
    child,
    url,
    logs,
    async waitForLog(match, timeoutMs = 5_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = logs.find(match);
        if (found !== undefined || Date.now() > deadline) return found;
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    },
    stderr: () => stderr,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode !== null) return child.exitCode;
      child.kill(signal);
      return exited;
    },
  };
}

/** Hands every complete line of `text` to `onLine`; returns the unfinished rest. */
function takeLines(text: string, onLine: (line: string) => void): string {
  let rest = text;
  for (let newline = rest.indexOf('\n'); newline >= 0; newline = rest.indexOf('\n')) {
    onLine(rest.slice(0, newline));
    rest = rest.slice(newline + 1);
  }
  return rest;
}

/** Runs the bot expecting it to exit by itself (e.g. refused configuration). */
export async function runBotToExit(
  settings: Record<string, string>,
  timeoutMs = 20_000,
): Promise<ExitedProcess> {
  requireBuild();
  const child = spawn(process.execPath, ['--disable-warning=DEP0111', BUILT_ENTRY], {
    cwd: REPO_ROOT,
    env: childEnv(settings),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
  clearTimeout(timer);
  return { code, stdout, stderr };
}
