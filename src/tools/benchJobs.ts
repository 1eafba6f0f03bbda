/**
 * What the durable job store costs: 10,000 queued jobs in a temporary SQLite file (100 due now, the
 * rest spread over the next 24 hours), then the time to insert them, one claim tick when only a few
 * are due (against a full `SELECT COUNT(*)` scan of the same table), the process's RSS, and how long
 * a restart takes until the first handler is called. The temporary file is removed afterwards.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { JobRunner } from '../jobs/jobRunner';
import type { JobHandler } from '../jobs/jobs';
import { CLAIM_SELECT_SQL } from '../jobs/sqliteJobStatements';
import { SqliteJobStore } from '../jobs/sqliteJobStore';

const JOBS = 10_000;
const DUE_NOW = 100;
const DAY_MS = 24 * 60 * 60 * 1_000;
const TICKS = 200;
const TICK_STEP_MS = 10_000; // ~1 job of the 24 h spread falls due per tick
const CLAIM_LIMIT = 20;
const LEASE_MS = 60_000;
const SCANS = 50;
const OWNER = 'bench';

export async function benchJobs(
  write: (label: string, value: string | number, note?: string) => void,
): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sab-bench-jobs-'));
  const file = path.join(dir, 'state.sqlite');
  let store = new SqliteJobStore(file);
  try {
    const start = Date.now();
    let began = performance.now();
    for (let i = 0; i < JOBS; i++) {
      const runAt =
        i < DUE_NOW ? start - i : start + 1 + Math.floor(((i - DUE_NOW) / (JOBS - DUE_NOW)) * DAY_MS);
      await store.enqueue(
        { id: `bench:${i}`, kind: 'bench', tenantId: 'tenant-bench', requestId: `request-${i % 500}`, runAt },
        start,
      );
    }
    const insertMs = performance.now() - began;
    write(
      `jobs: insert ${JOBS.toLocaleString('en-US')} queued jobs (ms)`,
      Math.round(insertMs),
      `${Math.round((insertMs * 1_000) / JOBS)} µs per enqueue, one commit each`,
    );
    write('jobs: process RSS after filling (MB)', Math.round(process.memoryUsage().rss / 2 ** 20));

    // The 100 due now go first; then the clock moves 10 s per tick, so each tick finds about one job.
    let drained = 0;
    for (let batch = await store.claimDue(OWNER, start, LEASE_MS, CLAIM_LIMIT); batch.length > 0;) {
      for (const job of batch) await store.finish(job.id, OWNER, 'done', start);
      drained += batch.length;
      batch = await store.claimDue(OWNER, start, LEASE_MS, CLAIM_LIMIT);
    }
    let claimMs = 0;
    let claimed = 0;
    for (let tick = 1; tick <= TICKS; tick++) {
      const at = start + tick * TICK_STEP_MS;
      began = performance.now();
      const batch = await store.claimDue(OWNER, at, LEASE_MS, CLAIM_LIMIT);
      claimMs += performance.now() - began;
      claimed += batch.length;
      for (const job of batch) await store.finish(job.id, OWNER, 'done', at);
    }
    const perClaimUs = (claimMs * 1_000) / TICKS;

    // For comparison: the literal `SELECT COUNT(*)` (SQLite counts cells of the smallest b-tree without
    // reading rows) and the claim's own select forced to read every row (`NOT INDEXED`).
    const reader = new Database(file, { readonly: true });
    let countUs: number;
    let forcedUs: number;
    let plan: string;
    try {
      countUs = averageUs(() => reader.prepare('SELECT COUNT(*) FROM jobs').get());
      const forced = reader.prepare(CLAIM_SELECT_SQL.replace('FROM jobs', 'FROM jobs NOT INDEXED'));
      const at = start + (TICKS + 1) * TICK_STEP_MS;
      forcedUs = averageUs(() => forced.all({ now: at, limit: CLAIM_LIMIT }));
      plan = (
        reader.prepare(`EXPLAIN QUERY PLAN ${CLAIM_SELECT_SQL}`).all({ now: start, limit: CLAIM_LIMIT }) as {
          detail: string;
        }[]
      )
        .map((step) => step.detail)
        .join('; ');
    } finally {
      reader.close();
    }
    write(
      `jobs: claimDue(limit ${CLAIM_LIMIT}) per tick, few due (µs)`,
      Math.round(perClaimUs),
      `avg of ${TICKS} ticks, ${(claimed / TICKS).toFixed(1)} jobs claimed per tick (after ${drained} due-now drained); ${plan}`,
    );
    write(
      'jobs: full SELECT COUNT(*) scan (µs)',
      Math.round(countUs),
      `${(countUs / perClaimUs).toFixed(2)}× one claim tick (counts b-tree cells, reads no rows)`,
    );
    write(
      'jobs: claim select forced to scan all jobs (µs)',
      Math.round(forcedUs),
      `NOT INDEXED, ${(forcedUs / perClaimUs).toFixed(1)}× one whole claim tick`,
    );

    await store.enqueue(
      {
        id: 'bench:restart',
        kind: 'bench',
        tenantId: 'tenant-bench',
        requestId: 'restart',
        runAt: Date.now(),
      },
      Date.now(),
    );
    store.close();
    began = performance.now();
    let firstCall!: (at: number) => void;
    const called = new Promise<number>((resolve) => (firstCall = resolve));
    const handler: JobHandler = async () => {
      firstCall(performance.now());
      return { kind: 'done' };
    };
    store = new SqliteJobStore(file);
    const runner = new JobRunner({ store, handlers: { bench: handler } });
    runner.start();
    const restartMs = (await called) - began;
    await runner.stop(1_000);
    write(
      'jobs: restart to first claimed job (ms)',
      restartMs.toFixed(1),
      `open store on ${JOBS.toLocaleString('en-US')} jobs + new JobRunner + first tick`,
    );
  } finally {
    store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Mean time of `run` in µs over SCANS runs, after one warm-up run. */
function averageUs(run: () => unknown): number {
  run();
  const began = performance.now();
  for (let i = 0; i < SCANS; i++) run();
  return ((performance.now() - began) * 1_000) / SCANS;
}
