/**
 * The job store on both backends, measured the same way: SQLite (a temporary file) and an Azure Table
 * (Azurite, started here in memory on loopback and stopped afterwards). Per backend:
 *
 * 1. claim+update throughput: due jobs worked by 4 workers, each looping claimDue(limit 20) and, per job
 *    claimed, a checkpoint and a finish — jobs per second (and, filling them, the enqueue rate);
 * 2. due-job lookup with N pending jobs spread over 24 h, about one due at a time: claimDue plus
 *    nextDueAt (what a runner's tick does), p50 and p99 over 50 lookups (and the time to import them);
 * 3. resume after a restart: M due jobs, the store closed and a new store and JobRunner opened
 *    (the bot's defaults: 4 in flight), until every job has been handed to the (trivial) handler.
 *
 * SQLite is measured at full size (N = 10,000 pending, M = 1,000 to resume, 2,000 worked), and again,
 * unprinted, at the Azure sizes (N = 2,000, M = 200, 200 worked): each Azure figure's ratio is to
 * SQLite's at the same size, whose value the note shows. The Azure side is smaller because Azurite
 * keeps a table in one in-memory collection and finds a row of our single partition by scanning it,
 * so each write and query costs time in proportion to the table: importing 10,000 jobs (40,000 rows)
 * took it about 3 minutes, a lookup among them 120 ms. Azure's service looks rows up by key and does
 * not slow down that way, so Azurite's lookup among 2,000 pending is, if anything, an overestimate.
 * Jobs for (1) are enqueued one by one, 32 at a time; the jobs for (2) and (3) are written with
 * `importJobs`, 32 per call, as `npm run migrate` writes them (entity-group transactions of up to 100
 * rows, 4 rows a job). Azurite is an emulator sharing this machine's CPU with the bench: its figures
 * show the store's cost in requests and round trips, not Azure's latency.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { JobRunner } from '../jobs/jobRunner';
import type { JobHandler, JobRecord, JobStore, NewJob } from '../jobs/jobs';
import { SqliteJobStore } from '../jobs/sqliteJobStore';
import { TableJobStore } from '../jobs/tableJobStore';
import { startAzuriteProcess } from './azuriteProcess';

const WORKERS = 4;
const CLAIM_LIMIT = 20;
const DAY_MS = 24 * 60 * 60 * 1_000;
const LOOKUPS = 50;
const IN_FLIGHT = 32;
const IMPORT_CHUNK = 32;
const LEASE_MS = 60_000;

type Write = (label: string, value: string | number, note?: string) => void;

/** How many jobs each measurement uses. */
export interface Sizes {
  /** Due jobs worked for the throughput figure. */
  worked: number;
  /** Pending jobs among which the due-job lookup runs. */
  pending: number;
  /** Due jobs a restarted runner resumes. */
  resumed: number;
}

const FULL: Sizes = { worked: 2_000, pending: 10_000, resumed: 1_000 };
const AZURE: Sizes = { worked: 200, pending: 2_000, resumed: 200 };

interface Backend {
  name: string;
  /** A fresh, empty store named `name` (letters and digits); `again` opens the same one anew (a restart). */
  open(name: string): { store: JobStore; again: () => JobStore };
}

export interface StoreFigures {
  sizes: Sizes;
  enqueuePerSecond: number;
  opsPerSecond: number;
  importMs: number;
  lookupP50: number;
  lookupP99: number;
  resumeMs: number;
  seconds: number;
}

export interface JobStoresResult {
  ok: boolean;
  sqlite: StoreFigures;
  /** SQLite at the Azure sizes: the baseline of every Azure ratio. */
  sqliteAtAzureSizes: StoreFigures;
  azure: StoreFigures;
  seconds: number;
}

export async function benchJobStores(write: Write): Promise<JobStoresResult> {
  const began = performance.now();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sab-bench-stores-'));
  const sqlite: Backend = {
    name: 'SQLite',
    open: (name) => {
      const file = path.join(dir, `${name}.sqlite`);
      return { store: new SqliteJobStore(file), again: () => new SqliteJobStore(file) };
    },
  };
  try {
    const full = await measure(sqlite, FULL, write);
    const base = await measure(sqlite, AZURE, () => undefined, 'small');
    const azurite = await startAzuriteProcess();
    try {
      const azure: Backend = {
        name: 'Azure Table (Azurite, in memory)',
        open: (name) => ({
          store: TableJobStore.fromConnectionString(azurite.connectionString, `bench${name}`),
          again: () => TableJobStore.fromConnectionString(azurite.connectionString, `bench${name}`),
        }),
      };
      const figures = await measure(azure, AZURE, write, '', base);
      return {
        ok: true,
        sqlite: full,
        sqliteAtAzureSizes: base,
        azure: figures,
        seconds: (performance.now() - began) / 1_000,
      };
    } finally {
      await azurite.stop();
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const count = (n: number) => n.toLocaleString('en-US');

async function measure(
  backend: Backend,
  sizes: Sizes,
  write: Write,
  suffix = '',
  base?: StoreFigures,
): Promise<StoreFigures> {
  const round = (value: number, digits: number) => Number(value.toFixed(digits));
  const vs = (value: number, baseline: number | undefined, digits: number, note: string): string =>
    baseline === undefined
      ? note
      : `${Number((value / baseline).toPrecision(2))}× SQLite (${round(baseline, digits)} at the same size); ${note}`;
  const began = performance.now();
  write(backend.name, '');
  const n = sizes.worked;

  const { enqueuePerSecond, opsPerSecond } = await throughput(backend.open(`throughput${suffix}`).store, n);
  write(
    '  enqueue (jobs/s)',
    Math.round(enqueuePerSecond),
    vs(
      enqueuePerSecond,
      base?.enqueuePerSecond,
      0,
      `${count(n)} jobs, ${IN_FLIGHT} in flight, one write each`,
    ),
  );
  write(
    '  claim+update (jobs/s)',
    Math.round(opsPerSecond),
    vs(
      opsPerSecond,
      base?.opsPerSecond,
      0,
      `${count(n)} due jobs, ${WORKERS} workers: claimDue(${CLAIM_LIMIT}) + checkpoint + finish per job`,
    ),
  );

  const { importMs, p50, p99 } = await lookups(backend.open(`lookup${suffix}`).store, sizes.pending);
  write(
    `  import ${count(sizes.pending)} pending jobs (ms)`,
    Math.round(importMs),
    vs(importMs, base?.importMs, 0, `importJobs, ${IMPORT_CHUNK} per call, spread over 24 h`),
  );
  const among = `claimDue + nextDueAt, ~1 due among ${count(sizes.pending)} pending, ${LOOKUPS} lookups`;
  write('  due-job lookup p50 (ms)', p50.toFixed(2), vs(p50, base?.lookupP50, 2, among));
  write('  due-job lookup p99 (ms)', p99.toFixed(2), vs(p99, base?.lookupP99, 2, among));

  const resumeMs = await resume(backend.open(`resume${suffix}`), sizes.resumed);
  write(
    `  resume ${count(sizes.resumed)} pending jobs after a restart (ms)`,
    Math.round(resumeMs),
    vs(
      resumeMs,
      base?.resumeMs,
      0,
      'new store + JobRunner (4 in flight) until every job reached its handler',
    ),
  );
  const seconds = (performance.now() - began) / 1_000;
  write('  time for this backend (s)', seconds.toFixed(1));
  return {
    sizes,
    enqueuePerSecond,
    opsPerSecond,
    importMs,
    lookupP50: p50,
    lookupP99: p99,
    resumeMs,
    seconds,
  };
}

function job(i: number, runAt: number, prefix: string): NewJob {
  return {
    id: `${prefix}:${i}`,
    kind: 'bench',
    tenantId: 'tenant-bench',
    requestId: `request-${i % 500}`,
    runAt,
  };
}

/** Enqueues `count` jobs one by one, `IN_FLIGHT` at a time; `runAt(i)` is each one's due time. */
async function fill(
  store: JobStore,
  count: number,
  prefix: string,
  runAt: (i: number) => number,
): Promise<void> {
  const now = Date.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next < count) {
        const i = next++;
        if (!(await store.enqueue(job(i, runAt(i), prefix), now)))
          throw new Error(`bench: job ${prefix}:${i} was already there`);
      }
    }),
  );
}

/** Writes `count` queued jobs with `importJobs`, `IMPORT_CHUNK` per call, as `npm run migrate` does. */
async function load(
  store: JobStore,
  count: number,
  prefix: string,
  runAt: (i: number) => number,
): Promise<void> {
  const now = Date.now();
  for (let from = 0; from < count; from += IMPORT_CHUNK) {
    const records: JobRecord[] = [];
    for (let i = from; i < Math.min(count, from + IMPORT_CHUNK); i++) {
      const { runAt: due, ...names } = job(i, runAt(i), prefix);
      records.push({
        ...names,
        state: 'queued',
        attempts: 0,
        nextRunAt: due,
        data: {},
        createdAt: now,
        updatedAt: now,
      });
    }
    if (!(await store.importJobs(records)).every(Boolean))
      throw new Error(`bench: some ${prefix} jobs were already there`);
  }
}

async function throughput(
  store: JobStore,
  jobs: number,
): Promise<{ enqueuePerSecond: number; opsPerSecond: number }> {
  try {
    const start = Date.now();
    let began = performance.now();
    await fill(store, jobs, 'work', (i) => start - jobs + i);
    const enqueuePerSecond = (jobs * 1_000) / (performance.now() - began);
    let done = 0;
    began = performance.now();
    await Promise.all(
      Array.from({ length: WORKERS }, async (_, w) => {
        const owner = `worker-${w}`;
        for (;;) {
          const now = Date.now();
          const batch = await store.claimDue(owner, now, LEASE_MS, CLAIM_LIMIT);
          if (batch.length === 0) return;
          for (const claimed of batch) {
            if (!(await store.checkpoint(claimed.id, owner, { step: 'done' }, now)))
              throw new Error(`bench: lost the lease of ${claimed.id}`);
            await store.finish(claimed.id, owner, 'done', now);
            done++;
          }
        }
      }),
    );
    const seconds = (performance.now() - began) / 1_000;
    if (done !== jobs) throw new Error(`bench: ${done} of ${jobs} jobs were worked`);
    return { enqueuePerSecond, opsPerSecond: done / seconds };
  } finally {
    store.close();
  }
}

/**
 * `pending` jobs over 24 h, then 50 lookups a step apart: the step grows as the jobs thin out, so that
 * about 1.2 fall due per lookup at any size (10 s with 10,000 pending).
 */
async function lookups(
  store: JobStore,
  pending: number,
): Promise<{ importMs: number; p50: number; p99: number }> {
  try {
    const start = Date.now() + 60_000;
    const step = (1.2 * DAY_MS) / pending;
    let began = performance.now();
    await load(store, pending, 'pending', (i) => start + Math.floor((i / pending) * DAY_MS));
    const importMs = performance.now() - began;
    const times: number[] = [];
    let claimed = 0;
    for (let i = 1; i <= LOOKUPS; i++) {
      const at = start + Math.round(i * step);
      began = performance.now();
      const batch = await store.claimDue('lookup', at, LEASE_MS, CLAIM_LIMIT);
      await store.nextDueAt();
      times.push(performance.now() - began);
      claimed += batch.length;
      for (const one of batch) await store.finish(one.id, 'lookup', 'done', at);
    }
    if (claimed === 0) throw new Error('bench: no lookup found a due job');
    times.sort((a, b) => a - b);
    return { importMs, p50: percentile(times, 0.5), p99: percentile(times, 0.99) };
  } finally {
    store.close();
  }
}

async function resume(opened: { store: JobStore; again: () => JobStore }, jobs: number): Promise<number> {
  const start = Date.now();
  await load(opened.store, jobs, 'resume', (i) => start - jobs + i);
  opened.store.close();
  const began = performance.now();
  const store = opened.again();
  let handed = 0;
  let allHanded!: (at: number) => void;
  const finished = new Promise<number>((resolve) => (allHanded = resolve));
  const handler: JobHandler = async () => {
    if (++handed === jobs) allHanded(performance.now());
    return { kind: 'done' };
  };
  const runner = new JobRunner({ store, handlers: { bench: handler } });
  runner.start();
  try {
    return (await finished) - began;
  } finally {
    await runner.stop(5_000);
    store.close();
  }
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)];
}
