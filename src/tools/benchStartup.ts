/**
 * Cold start: from spawning the bot as `npm start` does (`node dist/src/index.js`, simulated tenant,
 * SQLite in a fresh DATA_DIR) to the first HTTP 200 from `GET /healthz`, and to the first 200 from
 * `GET /readyz` (storage, jobs and the job runner answer), each polled every 10 ms on 127.0.0.1.
 * Measured with a database of 10,000 jobs of the bot's own kinds for requests that do not exist (a
 * few due now, the rest spread over the next 30 days), against a baseline in the same run: the same
 * start with an empty DATA_DIR. Each case is started 3 times (a fresh copy of the database each
 * time); the median and every run are printed, with the ratio 10,000 jobs / empty. A child that exits
 * before answering fails the part. Needs `npm run build` first.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { childProcessEnvironment } from '../config';
import { SQLITE_FILE_NAME } from '../adapters/storage/createStorage';
import { JOB_KINDS, jobId } from '../jobs/jobKinds';
import { SqliteJobStore } from '../jobs/sqliteJobStore';
import { AGENTS_PLAYGROUND_TENANT_ID } from '../simulator/scenarios';
import { freePort } from './azuriteProcess';

type Write = (label: string, value: string | number, note?: string) => void;

const JOBS = 10_000;
const DUE_NOW = 50;
const SPREAD_MS = 30 * 24 * 60 * 60 * 1_000;
const RUNS = 3;
const POLL_MS = 10;
/** A start that has not answered by then is a failure, not a figure. */
const START_LIMIT_MS = 60_000;
const KILL_GRACE_MS = 5_000;
/** `npm start`'s entry, from the repository root (this file is dist/src/tools/benchStartup.js). */
const ROOT = path.resolve(__dirname, '..', '..', '..');
const ENTRY = path.join(ROOT, 'dist', 'src', 'index.js');

export interface StartupRun {
  healthzMs: number;
  readyzMs?: number;
}

export interface StartupBenchResult {
  /** Every start answered /healthz (and /readyz) with 200 and no child crashed. */
  ok: boolean;
  empty: StartupRun[];
  withJobs: StartupRun[];
  medians: { empty: StartupRun; withJobs: StartupRun };
}

/** 10,000 jobs of every kind the bot knows, for requests nobody made, in a SQLite file at `file`. */
async function fillJobs(file: string): Promise<void> {
  const kinds = Object.values(JOB_KINDS);
  const store = new SqliteJobStore(file);
  try {
    const now = Date.now();
    for (let i = 0; i < JOBS; i++) {
      const kind = kinds[i % kinds.length];
      const requestId = `bench-startup-${Math.floor(i / kinds.length)}`;
      const runAt =
        i < DUE_NOW ? now - 1_000 * (i + 1) : now + 1 + Math.floor(((i - DUE_NOW) / JOBS) * SPREAD_MS);
      const readyAt = new Date(now - 60_000).toISOString();
      const data =
        kind === JOB_KINDS.replication
          ? { since: new Date(now).toISOString(), watch: null }
          : kind === JOB_KINDS.healthWatch || kind === JOB_KINDS.globalAdminLimit
            ? { readyAt }
            : {};
      await store.enqueue(
        {
          id: jobId(kind, AGENTS_PLAYGROUND_TENANT_ID, requestId),
          kind,
          tenantId: AGENTS_PLAYGROUND_TENANT_ID,
          requestId,
          runAt,
          data,
        },
        now,
      );
    }
  } finally {
    store.close();
  }
}

/** One GET; the status, or 0 when nothing answers yet. */
async function status(url: string): Promise<number> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(1_000) });
    await response.arrayBuffer();
    return response.status;
  } catch {
    return 0;
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), KILL_GRACE_MS);
  await exited;
  clearTimeout(timer);
}

/** Starts the bot on `dataDir`; ms from spawn to the first 200 of /healthz, then of /readyz. */
async function coldStart(dataDir: string): Promise<StartupRun> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const began = performance.now();
  const child = spawn(process.execPath, ['--disable-warning=DEP0111', ENTRY], {
    cwd: ROOT,
    env: childProcessEnvironment({
      PORT: String(port),
      TENANT_MODE: 'simulated',
      STORAGE: 'sqlite',
      DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
      CI: 'true',
      BOT_ID: undefined,
      AAD_APP_TENANT_ID: undefined,
      AAD_APP_CLIENT_ID: undefined,
      AAD_APP_CLIENT_SECRET: undefined,
      AAD_APP_CERTIFICATE_PATH: undefined,
      AAD_APP_CREDENTIAL: undefined,
      DATA_ENCRYPTION_KEY: undefined,
      KEY_VAULT_URL: undefined,
      APPLICATIONINSIGHTS_CONNECTION_STRING: undefined,
    }),
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const failed = () =>
    new Error(
      `The bot ${child.exitCode !== null ? `exited (code ${child.exitCode})` : 'did not answer'} before /healthz said 200: ${stderr.trim().slice(0, 2_000)}`,
    );
  try {
    const until = async (route: string): Promise<number> => {
      for (;;) {
        if (child.exitCode !== null || child.signalCode !== null) throw failed();
        if (performance.now() - began > START_LIMIT_MS) throw failed();
        if ((await status(`${base}${route}`)) === 200) return performance.now() - began;
        await sleep(POLL_MS);
      }
    };
    const healthzMs = await until('/healthz');
    const readyzMs = await until('/readyz');
    // Due jobs for requests that do not exist are run by now or soon: the bot must still be up.
    await sleep(200);
    if (child.exitCode !== null || (await status(`${base}/healthz`)) !== 200) throw failed();
    return { healthzMs, readyzMs };
  } finally {
    await stop(child);
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function medianRun(runs: StartupRun[]): StartupRun {
  const ready = runs.map((r) => r.readyzMs).filter((ms): ms is number => ms !== undefined);
  return {
    healthzMs: median(runs.map((r) => r.healthzMs)),
    ...(ready.length === runs.length ? { readyzMs: median(ready) } : {}),
  };
}

export async function benchStartup(write: Write): Promise<StartupBenchResult> {
  if (!fs.existsSync(ENTRY)) throw new Error(`${ENTRY} is missing: run npm run build first`);
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'sab-bench-startup-'));
  try {
    const filled = path.join(root, 'filled.sqlite');
    const began = performance.now();
    await fillJobs(filled);
    write(
      `startup: fill ${JOBS.toLocaleString('en-US')} jobs beforehand (ms)`,
      Math.round(performance.now() - began),
      `${DUE_NOW} due now, the rest over 30 days; kinds ${Object.values(JOB_KINDS).join(', ')}`,
    );

    const empty: StartupRun[] = [];
    const withJobs: StartupRun[] = [];
    try {
      // Interleaved, so a slow moment of the machine falls on both cases alike.
      for (let run = 0; run < RUNS; run++) {
        const emptyDir = fs.mkdtempSync(path.join(root, 'empty-'));
        empty.push(await coldStart(emptyDir));
        const jobsDir = fs.mkdtempSync(path.join(root, 'jobs-'));
        for (const suffix of ['', '-wal']) {
          if (fs.existsSync(filled + suffix))
            fs.copyFileSync(filled + suffix, path.join(jobsDir, SQLITE_FILE_NAME + suffix));
        }
        withJobs.push(await coldStart(jobsDir));
      }
    } catch (error) {
      write(
        'startup: FAILED',
        empty.length + withJobs.length,
        error instanceof Error ? error.message : String(error),
      );
      const none = { healthzMs: Number.NaN };
      return { ok: false, empty, withJobs, medians: { empty: none, withJobs: none } };
    }

    const medians = { empty: medianRun(empty), withJobs: medianRun(withJobs) };
    const each = (runs: StartupRun[], key: keyof StartupRun) =>
      runs.map((r) => (r[key] === undefined ? '-' : Math.round(r[key]))).join(', ');
    for (const probe of ['healthzMs', 'readyzMs'] as const) {
      const bare = medians.empty[probe];
      const full = medians.withJobs[probe];
      if (bare === undefined || full === undefined) continue;
      const route = probe === 'healthzMs' ? '/healthz' : '/readyz';
      write(
        `startup: empty DATA_DIR, spawn to ${route} 200 (ms)`,
        Math.round(bare),
        `median; runs ${each(empty, probe)}`,
      );
      write(
        `startup: ${JOBS.toLocaleString('en-US')} jobs, spawn to ${route} 200 (ms)`,
        Math.round(full),
        `median; runs ${each(withJobs, probe)}`,
      );
      write(`startup: ${route} ratio, 10,000 jobs / empty`, `${(full / bare).toFixed(2)}x`);
    }
    return { ok: true, empty, withJobs, medians };
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}
