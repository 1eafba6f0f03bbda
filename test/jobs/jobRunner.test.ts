import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { JobRunner, LeaseLostError, type JobRunnerOptions } from '../../src/jobs/jobRunner';
import { MAX_ERROR_CHARS } from '../../src/jobs/jobOutcomes';
import type { JobContext, JobHandler, JobRecord, NewJob } from '../../src/jobs/jobs';
import { SqliteJobStore } from '../../src/jobs/sqliteJobStore';

const T0 = 1_700_000_000_000;

function job(id: string, kind: string, runAt: number, data: Record<string, unknown> = {}): NewJob {
  return { id, kind, tenantId: 'tenant-1', requestId: 'request-1', runAt, data };
}

function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

function abortedReason(signal: AbortSignal): Promise<unknown> {
  if (signal.aborted) return Promise.resolve(signal.reason);
  return new Promise((resolve) =>
    signal.addEventListener('abort', () => resolve(signal.reason), { once: true }),
  );
}

async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs = 1_500): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('waitFor: timed out');
    await sleep(5);
  }
}

interface LogLine {
  level: string;
  msg: string;
  fields?: object;
}

describe('JobRunner', () => {
  let dir: string;
  let file: string;
  let clock: number;
  const stores: SqliteJobStore[] = [];
  const runners: JobRunner[] = [];
  const gates: { open: () => void }[] = [];

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sab-runner-'));
    file = path.join(dir, 'state.sqlite');
    clock = T0;
  });
  afterEach(async () => {
    for (const g of gates.splice(0)) g.open();
    await Promise.all(runners.splice(0).map((runner) => runner.stop(0)));
    for (const store of stores.splice(0)) store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  function openStore(): SqliteJobStore {
    const store = new SqliteJobStore(file);
    stores.push(store);
    return store;
  }

  function runner(store: SqliteJobStore, options: Partial<JobRunnerOptions>): JobRunner {
    const created = new JobRunner({ store, handlers: {}, now: () => clock, ...options });
    runners.push(created);
    return created;
  }

  function held(): { promise: Promise<void>; open: () => void } {
    const g = gate();
    gates.push(g);
    return g;
  }

  function recordingLog(lines: LogLine[]): NonNullable<JobRunnerOptions['log']> {
    return {
      info: (msg, fields) => lines.push({ level: 'info', msg, fields }),
      warn: (msg, fields) => lines.push({ level: 'warn', msg, fields }),
      error: (msg, fields) => lines.push({ level: 'error', msg, fields }),
    };
  }

  it('when two runners on the same file share 50 due jobs, then every job runs exactly once and never twice at a time', async () => {
    const seed = openStore();
    for (let i = 0; i < 50; i++) await seed.enqueue(job(`job-${i}`, 'work', Date.now() - 1), Date.now());

    const starts = new Map<string, string[]>();
    const active = new Set<string>();
    const overlaps: string[] = [];
    const busiest = new Map<string, number>();
    const inFlight = new Map<string, number>();
    let ended = 0;
    const work =
      (name: string): JobHandler =>
      async (record) => {
        if (active.has(record.id)) overlaps.push(record.id);
        active.add(record.id);
        starts.set(record.id, [...(starts.get(record.id) ?? []), name]);
        inFlight.set(name, (inFlight.get(name) ?? 0) + 1);
        busiest.set(name, Math.max(busiest.get(name) ?? 0, inFlight.get(name) ?? 0));
        await sleep(2 + (record.id.length % 3));
        inFlight.set(name, (inFlight.get(name) ?? 0) - 1);
        active.delete(record.id);
        ended++;
        return { kind: 'done', data: { by: name } };
      };
    const a = runner(openStore(), { handlers: { work: work('A') }, now: Date.now, pollMs: 20 });
    const b = runner(openStore(), { handlers: { work: work('B') }, now: Date.now, pollMs: 20 });
    a.start();
    b.start();
    await waitFor(() => ended === 50);
    await Promise.all([a.stop(1_000), b.stop(1_000)]);

    expect(overlaps).toEqual([]);
    expect(starts.size).toBe(50);
    expect([...starts.values()].filter((by) => by.length !== 1)).toEqual([]);
    const jobs = await seed.listForRequest('tenant-1', 'request-1');
    expect(jobs.filter((j) => j.state === 'done' && j.attempts === 1 && j.lease === undefined)).toHaveLength(
      50,
    );
    expect(new Set(jobs.map((j) => j.data.by))).toEqual(new Set(['A', 'B']));
    expect(Math.max(...busiest.values())).toBeLessThanOrEqual(4);
  });

  it('when a handler outlives its lease and another runner takes the job, then its checkpoint fails with LeaseLostError, its signal aborts and it writes nothing', async () => {
    const seed = openStore();
    await seed.enqueue(job('slow', 'slow', T0, { step: 0 }), T0);
    const started = gate();
    const resume = held();
    const bHolds = held();
    let checkpointError: unknown;
    let signalA: AbortSignal | undefined;
    const logs: LogLine[] = [];

    const storeA = openStore();
    const writesA = [
      jest.spyOn(storeA, 'finish'),
      jest.spyOn(storeA, 'reschedule'),
      jest.spyOn(storeA, 'release'),
    ];
    const a = runner(storeA, {
      leaseMs: 60_000, // renewals every 20 s: none happen during this test
      log: recordingLog(logs),
      handlers: {
        slow: async (_record, ctx) => {
          signalA = ctx.signal;
          started.open();
          await resume.promise;
          checkpointError = await ctx.checkpoint({ step: 'A' }).catch((error: unknown) => error);
          return { kind: 'done', data: { by: 'A' } };
        },
      },
    });
    const b = runner(openStore(), {
      leaseMs: 60_000,
      handlers: {
        slow: async (_record, ctx) => {
          await ctx.checkpoint({ step: 'B' });
          await bHolds.promise;
          return { kind: 'done', data: { by: 'B' } };
        },
      },
    });

    expect(await a.tick()).toBe(1);
    await started.promise;
    clock = T0 + 60_000;
    expect(await b.tick()).toBe(1);
    await waitFor(async () => (await seed.get('slow'))?.data.step === 'B');

    resume.open();
    await a.idle();
    expect(checkpointError).toBeInstanceOf(LeaseLostError);
    expect(signalA?.aborted).toBe(true);
    expect(signalA?.reason).toBeInstanceOf(LeaseLostError);
    for (const write of writesA) expect(write).not.toHaveBeenCalled();
    expect(await seed.get('slow')).toMatchObject({
      state: 'queued',
      attempts: 2,
      data: { step: 'B' },
      lease: { owner: b.owner },
    });
    expect(logs).toContainEqual(expect.objectContaining({ level: 'warn', msg: 'job lease lost' }));

    bHolds.open();
    await b.idle();
    expect(await seed.get('slow')).toMatchObject({ state: 'done', data: { by: 'B' } });
  });

  it('when a renewal finds the lease taken, then the handler’s signal aborts at once', async () => {
    const seed = openStore();
    await seed.enqueue(job('poll', 'poll', T0), T0);
    let handlerReturned = false;
    const started = gate();
    let reason: Promise<unknown> | undefined;
    const storeA = openStore();
    const finishA = jest.spyOn(storeA, 'finish');
    const a = runner(storeA, {
      leaseMs: 150, // renewed every 50 ms of real time, at the controlled clock's time
      handlers: {
        poll: async (_record, ctx) => {
          reason = abortedReason(ctx.signal);
          started.open();
          await reason;
          handlerReturned = true;
          return { kind: 'done' };
        },
      },
    });
    const bHolds = held();
    const b = runner(openStore(), {
      leaseMs: 60_000,
      handlers: { poll: () => bHolds.promise.then(() => ({ kind: 'done' as const })) },
    });

    expect(await a.tick()).toBe(1);
    await started.promise;
    clock = T0 + 1_000;
    expect(await b.tick()).toBe(1);

    expect(await reason).toBeInstanceOf(LeaseLostError);
    await a.idle();
    expect(handlerReturned).toBe(true);
    expect(finishA).not.toHaveBeenCalled();
    expect(await seed.get('poll')).toMatchObject({ state: 'queued', lease: { owner: b.owner } });
  });

  it('when a runner claims a job of its own again after its lease ran out, then it does not start it a second time', async () => {
    const store = openStore();
    await store.enqueue(job('once', 'once', T0), T0);
    const finish = held();
    let calls = 0;
    const a = runner(store, {
      leaseMs: 60_000,
      handlers: {
        once: async () => {
          calls++;
          await finish.promise;
          return { kind: 'done' };
        },
      },
    });
    expect(await a.tick()).toBe(1);
    clock = T0 + 61_000;
    expect(await a.tick()).toBe(0);
    finish.open();
    await a.idle();
    expect(calls).toBe(1);
    expect(await store.get('once')).toMatchObject({ state: 'done', attempts: 2 });
  });

  it('when a handler keeps throwing, then it is retried with a growing, capped back-off and failed after maxAttempts, logging no data', async () => {
    const store = openStore();
    await store.enqueue(job('flaky', 'flaky', T0, { password: 'hunter2-secret' }), T0);
    const logs: LogLine[] = [];
    let calls = 0;
    const r = runner(store, {
      maxAttempts: 4,
      retryBaseMs: 1_000,
      retryMaxMs: 3_000,
      random: () => 0.5,
      log: recordingLog(logs),
      handlers: {
        flaky: async () => {
          calls++;
          throw new Error(`Graph said no ${'x'.repeat(1_000)}`);
        },
      },
    });

    const delays: number[] = [];
    for (let attempt = 1; attempt <= 3; attempt++) {
      expect(await r.tick()).toBe(1);
      await r.idle();
      const after = (await store.get('flaky')) as JobRecord;
      expect(after).toMatchObject({ state: 'queued', attempts: attempt });
      expect(after.lease).toBeUndefined();
      expect(after.lastError).toHaveLength(MAX_ERROR_CHARS);
      expect(after.lastError).toMatch(/^Graph said no x+$/);
      delays.push(after.nextRunAt - clock);
      clock = after.nextRunAt - 1;
      expect(await r.tick()).toBe(0);
      clock = after.nextRunAt;
    }
    expect(delays).toEqual([500, 1_000, 1_500]); // half of 1 s, 2 s, then 3 s (the cap, not 4 s)

    expect(await r.tick()).toBe(1);
    await r.idle();
    expect(await store.get('flaky')).toMatchObject({ state: 'failed', attempts: 4 });
    expect(calls).toBe(4);
    expect(await r.tick()).toBe(0);

    const logged = JSON.stringify(logs);
    expect(logged).not.toContain('hunter2');
    expect(logs).toContainEqual({
      level: 'error',
      msg: 'job failed',
      fields: { jobId: 'flaky', kind: 'flaky', attempts: 4, outcome: 'failed' },
    });
  });

  it('when a job’s kind has no handler, then it is failed with a clear error (also for names like "toString")', async () => {
    const store = openStore();
    await store.enqueue(job('a', 'approval.unknown', T0), T0);
    await store.enqueue(job('b', 'toString', T0), T0);
    const r = runner(store, { handlers: {} });
    expect(await r.tick()).toBe(2);
    await r.idle();
    expect(await store.get('a')).toMatchObject({
      state: 'failed',
      lastError: 'No handler for job kind "approval.unknown"',
    });
    expect(await store.get('b')).toMatchObject({
      state: 'failed',
      lastError: 'No handler for job kind "toString"',
    });
  });

  it('when handlers return outcomes and checkpoint on the way, then each is saved as the job’s state', async () => {
    const store = openStore();
    const midway = held();
    const reached = gate();
    const handlers: Record<string, JobHandler> = {
      done: async (_record, ctx: JobContext) => {
        await ctx.checkpoint({ step: 1 });
        reached.open();
        await midway.promise;
        return { kind: 'done', data: { step: 2 } };
      },
      later: async () => ({ kind: 'retryAt', at: T0 + 30_000, data: { polls: 1 }, resetAttempts: true }),
      giveUp: async () => ({ kind: 'failed', error: 'ApplicationImpersonation is retired in this tenant' }),
      drop: async () => ({ kind: 'cancelled' }),
    };
    for (const kind of Object.keys(handlers)) await store.enqueue(job(kind, kind, T0), T0);
    const r = runner(store, { handlers });

    expect(await r.tick()).toBe(4);
    await reached.promise;
    expect(await store.get('done')).toMatchObject({
      state: 'queued',
      data: { step: 1 },
      lease: { owner: r.owner },
    });
    midway.open();
    await r.idle();

    expect(await store.get('done')).toMatchObject({ state: 'done', data: { step: 2 } });
    expect(await store.get('later')).toMatchObject({
      state: 'queued',
      attempts: 0,
      nextRunAt: T0 + 30_000,
      data: { polls: 1 },
    });
    expect(await store.get('giveUp')).toMatchObject({
      state: 'failed',
      lastError: 'ApplicationImpersonation is retired in this tenant',
    });
    expect(await store.get('drop')).toMatchObject({ state: 'cancelled' });
  });

  it('when stop’s grace runs out on a running handler, then its signal aborts, its lease is released and another runner claims it at once', async () => {
    const store = openStore();
    await store.enqueue(job('stuck', 'stuck', T0), T0);
    const started = gate();
    let signal: AbortSignal | undefined;
    const a = runner(store, {
      handlers: {
        stuck: async (_record, ctx) => {
          signal = ctx.signal;
          started.open();
          await abortedReason(ctx.signal);
          return { kind: 'done', data: { by: 'A' } };
        },
      },
    });
    const b = runner(openStore(), {
      handlers: { stuck: async () => ({ kind: 'done', data: { by: 'B' } }) },
    });

    expect(await a.tick()).toBe(1);
    await started.promise;
    const before = Date.now();
    await a.stop(50);
    expect(Date.now() - before).toBeGreaterThanOrEqual(45);
    expect(signal?.aborted).toBe(true);
    const released = (await store.get('stuck')) as JobRecord;
    expect(released).toMatchObject({ state: 'queued', attempts: 1 });
    expect(released.lease).toBeUndefined();
    await a.idle();
    expect(await store.get('stuck')).toMatchObject({ state: 'queued' });

    expect(await b.tick()).toBe(1);
    await b.idle();
    expect(await store.get('stuck')).toMatchObject({ state: 'done', attempts: 2, data: { by: 'B' } });
    expect(await a.tick()).toBe(0);
  });

  it('when a handler ends within stop’s grace, then its outcome is saved and stop returns', async () => {
    const store = openStore();
    await store.enqueue(job('quick', 'quick', T0), T0);
    const r = runner(store, {
      handlers: {
        quick: async () => {
          await sleep(20);
          return { kind: 'done' };
        },
      },
    });
    expect(await r.tick()).toBe(1);
    const before = Date.now();
    await r.stop(1_000);
    expect(Date.now() - before).toBeLessThan(500);
    expect(await store.get('quick')).toMatchObject({ state: 'done' });
  });

  it('when the store is closed and reopened by a new runner, then the queued jobs run', async () => {
    const first = new SqliteJobStore(file);
    for (const id of ['r1', 'r2', 'r3']) await first.enqueue(job(id, 'restart', Date.now() - 10), Date.now());
    first.close();

    const ran: string[] = [];
    const store = openStore();
    const r = runner(store, {
      now: Date.now,
      handlers: {
        restart: async (record) => {
          ran.push(record.id);
          return { kind: 'done' };
        },
      },
    });
    r.start();
    await waitFor(() => ran.length === 3);
    await r.stop(1_000);
    expect(ran.sort()).toEqual(['r1', 'r2', 'r3']);
    const jobs = await store.listForRequest('tenant-1', 'request-1');
    expect(jobs.map((j) => j.state)).toEqual(['done', 'done', 'done']);
  });

  it('when started, then it sleeps until the next job is due, and a poke runs a new job without waiting for the poll', async () => {
    const store = openStore();
    const ranAt = new Map<string, number>();
    const r = runner(store, {
      now: Date.now,
      pollMs: 5_000,
      handlers: {
        timer: async (record) => {
          ranAt.set(record.id, Date.now());
          return { kind: 'done' };
        },
      },
    });
    const dueAt = Date.now() + 80;
    await store.enqueue(job('timer', 'timer', dueAt), Date.now());
    r.start();
    await waitFor(() => ranAt.has('timer'));
    expect(ranAt.get('timer')).toBeGreaterThanOrEqual(dueAt);
    expect((ranAt.get('timer') ?? 0) - dueAt).toBeLessThan(400);

    await sleep(30); // the runner is now asleep for the whole poll interval
    const enqueuedAt = Date.now();
    await store.enqueue(job('poked', 'timer', enqueuedAt), enqueuedAt);
    r.poke();
    await waitFor(() => ranAt.has('poked'));
    expect((ranAt.get('poked') ?? 0) - enqueuedAt).toBeLessThan(400);
  });
});
