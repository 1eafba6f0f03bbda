import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { NewJob } from '../../src/jobs/jobs';
import { DUE_INDEX } from '../../src/jobs/sqliteJobSchema';
import { CLAIM_SELECT_SQL } from '../../src/jobs/sqliteJobStatements';
import { SqliteJobStore } from '../../src/jobs/sqliteJobStore';
import { SqliteStorage } from '../../src/adapters/storage/sqliteStorage';

const T0 = 1_700_000_000_000;
const LEASE = 60_000;

function job(id: string, runAt: number, data: Record<string, unknown> = {}): NewJob {
  return { id, kind: 'test', tenantId: 'tenant-1', requestId: 'request-1', runAt, data };
}

describe('SqliteJobStore', () => {
  let dir: string;
  let file: string;
  let store: SqliteJobStore;
  const extra: { close(): void }[] = [];

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sab-jobs-'));
    file = path.join(dir, 'nested', 'state.sqlite');
    store = new SqliteJobStore(file);
  });
  afterEach(() => {
    for (const item of extra.splice(0)) item.close();
    store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  function open(): SqliteJobStore {
    const other = new SqliteJobStore(file);
    extra.push(other);
    return other;
  }

  function raw(): Database.Database {
    const db = new Database(file);
    extra.push(db);
    return db;
  }

  it('when the same id is enqueued twice, then there is one job and the second enqueue changes nothing', async () => {
    expect(await store.enqueue(job('a', T0, { step: 1 }), T0)).toBe(true);
    expect(await store.enqueue({ ...job('a', T0 + 5, { step: 2 }), kind: 'other' }, T0 + 1)).toBe(false);

    const jobs = await store.listForRequest('tenant-1', 'request-1');
    expect(jobs).toHaveLength(1);
    expect(jobs[0]).toMatchObject({
      id: 'a',
      kind: 'test',
      state: 'queued',
      attempts: 0,
      nextRunAt: T0,
      data: { step: 1 },
      createdAt: T0,
    });
    expect(jobs[0].lease).toBeUndefined();
  });

  it('when a finished job id is enqueued again, then it stays finished', async () => {
    await store.enqueue(job('a', T0), T0);
    await store.claimDue('A', T0, LEASE, 1);
    await store.finish('a', 'A', 'done', T0 + 1);
    expect(await store.enqueue(job('a', T0 + 10), T0 + 10)).toBe(false);
    expect(await store.get('a')).toMatchObject({ state: 'done' });
  });

  it('when jobs are listed for a request, then only that request’s jobs come back, oldest first, in any state', async () => {
    await store.enqueue(job('second', T0), T0 + 2);
    await store.enqueue(job('first', T0 + 100), T0 + 1);
    await store.enqueue({ ...job('elsewhere', T0), requestId: 'request-2' }, T0);
    await store.claimDue('A', T0, LEASE, 1);
    await store.finish('second', 'A', 'done', T0 + 3);
    const jobs = await store.listForRequest('tenant-1', 'request-1');
    expect(jobs.map((j) => [j.id, j.state])).toEqual([
      ['first', 'queued'],
      ['second', 'done'],
    ]);
    expect(await store.get('missing')).toBeUndefined();
  });

  it('when due jobs are claimed, then the earliest come first, up to the limit, and future jobs wait', async () => {
    await store.enqueue(job('c', T0 - 10), T0);
    await store.enqueue(job('future', T0 + 1_000), T0);
    await store.enqueue(job('a', T0 - 30), T0);
    await store.enqueue(job('b', T0 - 20), T0);

    const first = await store.claimDue('A', T0, LEASE, 2);
    expect(first.map((j) => j.id)).toEqual(['a', 'b']);
    expect(first[0]).toMatchObject({ attempts: 1, lease: { owner: 'A', expiresAt: T0 + LEASE } });

    const second = await store.claimDue('B', T0, LEASE, 5);
    expect(second.map((j) => j.id)).toEqual(['c']);
    expect(await store.claimDue('B', T0, LEASE, 5)).toEqual([]);
    expect((await store.claimDue('B', T0 + 1_000, LEASE, 5)).map((j) => j.id)).toEqual(['future']);
  });

  it('when a lease expires, then another owner claims the job and the first owner can no longer write', async () => {
    await store.enqueue(job('a', T0, { step: 0 }), T0);
    const other = open();
    expect(await store.claimDue('A', T0, 1_000, 1)).toHaveLength(1);
    expect(await other.claimDue('B', T0 + 999, 1_000, 1)).toEqual([]);

    const taken = await other.claimDue('B', T0 + 1_000, 1_000, 1);
    expect(taken).toHaveLength(1);
    expect(taken[0]).toMatchObject({ attempts: 2, lease: { owner: 'B', expiresAt: T0 + 2_000 } });

    expect(await store.checkpoint('a', 'A', { step: 99 }, T0 + 1_001)).toBe(false);
    expect(await store.renew('a', 'A', T0 + 1_001, 1_000)).toBe(false);
    expect(await store.reschedule('a', 'A', T0 + 5_000, T0 + 1_001)).toBe(false);
    expect(await store.finish('a', 'A', 'done', T0 + 1_001)).toBe(false);
    expect(await store.release('a', 'A', T0 + 1_001)).toBe(false);

    expect(await other.checkpoint('a', 'B', { step: 1 }, T0 + 1_002)).toBe(true);
    expect(await other.renew('a', 'B', T0 + 1_002, 1_000)).toBe(true);
    expect(await store.get('a')).toMatchObject({
      state: 'queued',
      data: { step: 1 },
      lease: { owner: 'B', expiresAt: T0 + 2_002 },
    });
    expect(await other.finish('a', 'B', 'done', T0 + 1_003)).toBe(true);
    expect(await other.renew('a', 'B', T0 + 1_004, 1_000)).toBe(false);
  });

  it('when a job is rescheduled, then it is queued at the new time without a lease, with the error and data saved', async () => {
    await store.enqueue(job('a', T0, { step: 0 }), T0);
    await store.claimDue('A', T0, LEASE, 1);
    expect(
      await store.reschedule('a', 'A', T0 + 500, T0 + 1, { data: { step: 2 }, error: 'Graph 503' }),
    ).toBe(true);
    expect(await store.get('a')).toMatchObject({
      state: 'queued',
      attempts: 1,
      nextRunAt: T0 + 500,
      data: { step: 2 },
      lastError: 'Graph 503',
      updatedAt: T0 + 1,
    });
    expect((await store.get('a'))?.lease).toBeUndefined();
    expect(await store.claimDue('A', T0 + 499, LEASE, 1)).toEqual([]);

    await store.claimDue('A', T0 + 500, LEASE, 1);
    expect(await store.reschedule('a', 'A', T0 + 900, T0 + 501, { resetAttempts: true })).toBe(true);
    expect(await store.get('a')).toMatchObject({ attempts: 0, data: { step: 2 }, lastError: 'Graph 503' });
  });

  it('when a lease is released, then the job can be claimed again at once with nothing else changed', async () => {
    await store.enqueue(job('a', T0, { step: 3 }), T0);
    await store.claimDue('A', T0, LEASE, 1);
    expect(await store.release('a', 'A', T0 + 1)).toBe(true);
    expect(await store.get('a')).toMatchObject({
      state: 'queued',
      nextRunAt: T0,
      attempts: 1,
      data: { step: 3 },
    });
    expect((await store.claimDue('B', T0 + 1, LEASE, 1)).map((j) => j.id)).toEqual(['a']);
  });

  it('when a failed job is requeued, then it is due again with attempts reset and its data merged', async () => {
    await store.enqueue(job('a', T0, { keep: 'yes', step: 1 }), T0);
    await store.claimDue('A', T0, LEASE, 1);
    await store.finish('a', 'A', 'failed', T0 + 1, { error: 'boom' });
    expect(await store.get('a')).toMatchObject({ state: 'failed', lastError: 'boom', attempts: 1 });

    expect(await store.requeue('a', T0 + 10, T0 + 5, { step: 2 })).toBe(true);
    expect(await store.get('a')).toMatchObject({
      state: 'queued',
      attempts: 0,
      nextRunAt: T0 + 10,
      data: { keep: 'yes', step: 2 },
    });
    expect((await store.claimDue('A', T0 + 10, LEASE, 1)).map((j) => j.id)).toEqual(['a']);
  });

  it('when a requeue meets a live lease or no job, then it is refused; a done job runs again', async () => {
    await store.enqueue(job('a', T0), T0);
    await store.enqueue(job('b', T0), T0);
    await store.claimDue('A', T0, 1_000, 2);
    await store.finish('b', 'A', 'done', T0 + 1);

    expect(await store.requeue('a', T0, T0 + 999)).toBe(false);
    expect(await store.requeue('b', T0, T0 + 999)).toBe(true);
    expect(await store.get('b')).toMatchObject({ state: 'queued', attempts: 0 });
    expect(await store.requeue('missing', T0, T0 + 999, { x: 1 })).toBe(false);

    // A timer that must fire earlier: once the lease has run out, the new time wins and the lease goes.
    await store.enqueue(job('timer', T0 + 60_000), T0);
    expect(await store.requeue('timer', T0 + 5, T0 + 1)).toBe(true);
    expect(await store.get('timer')).toMatchObject({ nextRunAt: T0 + 5 });
    expect(await store.requeue('a', T0 + 2_000, T0 + 1_000)).toBe(true);
    expect(await store.finish('a', 'A', 'done', T0 + 1_001)).toBe(false);
  });

  it('when a queued job is cancelled, then it is never claimed; a leased or finished job is not cancelled', async () => {
    await store.enqueue(job('free', T0), T0);
    await store.enqueue(job('held', T0 - 1), T0);
    await store.claimDue('A', T0, LEASE, 1);

    expect(await store.cancel('held', T0 + 1)).toBe(false);
    expect(await store.cancel('free', T0 + 1)).toBe(true);
    expect(await store.cancel('free', T0 + 2)).toBe(false);
    expect(await store.cancel('missing', T0 + 2)).toBe(false);
    expect(await store.get('free')).toMatchObject({ state: 'cancelled', updatedAt: T0 + 1 });
    expect(await store.claimDue('B', T0 + LEASE, LEASE, 5)).toHaveLength(1);
    expect(await store.requeue('free', T0, T0 + 3)).toBe(false);
  });

  it('when asked for the next due time, then it is the earliest free job or the earliest lease expiry', async () => {
    expect(await store.nextDueAt()).toBeUndefined();
    await store.enqueue(job('late', T0 + 90_000), T0);
    await store.enqueue(job('soon', T0 + 5_000), T0);
    expect(await store.nextDueAt()).toBe(T0 + 5_000);

    await store.claimDue('A', T0 + 5_000, 10_000, 1);
    expect(await store.nextDueAt()).toBe(T0 + 15_000);
    await store.finish('soon', 'A', 'done', T0 + 6_000);
    expect(await store.nextDueAt()).toBe(T0 + 90_000);
    await store.cancel('late', T0 + 7_000);
    expect(await store.nextDueAt()).toBeUndefined();
  });

  it('when a row’s data is damaged, then reading it throws an error naming the job, and a claim fails it instead of handing it out', async () => {
    await store.enqueue(job('broken', T0 - 1, { ok: true }), T0);
    await store.enqueue(job('fine', T0, { ok: true }), T0);
    raw().prepare("UPDATE jobs SET data = '{\"ok\": tru' WHERE id = 'broken'").run();

    await expect(store.get('broken')).rejects.toThrow(/Job "broken".*damaged/);
    await expect(store.listForRequest('tenant-1', 'request-1')).rejects.toThrow(/Job "broken"/);

    const claimed = await store.claimDue('A', T0, LEASE, 5);
    expect(claimed.map((j) => j.id)).toEqual(['fine']);
    const row = raw().prepare('SELECT state, last_error, lease_owner FROM jobs WHERE id = ?').get('broken');
    expect(row).toEqual({
      state: 'failed',
      last_error: expect.stringMatching(/Job "broken"/),
      lease_owner: null,
    });

    raw().prepare("UPDATE jobs SET data = '[1,2]' WHERE id = 'fine'").run();
    await expect(store.get('fine')).rejects.toThrow(/Job "fine".*not a JSON object/);
  });

  it('when the claim’s select is planned, then it searches the partial due index instead of scanning jobs', async () => {
    for (let i = 0; i < 200; i++) await store.enqueue(job(`j${i}`, T0 + i * 1_000), T0);
    const db = raw();
    const plan = (): string =>
      (
        db.prepare(`EXPLAIN QUERY PLAN ${CLAIM_SELECT_SQL}`).all({ now: T0, limit: 20 }) as {
          detail: string;
        }[]
      )
        .map((step) => step.detail)
        .join('\n');
    for (const stats of ['without statistics', 'after ANALYZE']) {
      if (stats === 'after ANALYZE') db.exec('ANALYZE');
      const text = plan();
      expect(text).toContain(`SEARCH jobs USING INDEX ${DUE_INDEX} (next_run_at<?)`);
      expect(text).not.toMatch(/SCAN jobs|TEMP B-TREE/);
    }
  });

  it('when the bot state store shares the file, then each keeps to its own table', async () => {
    const state = new SqliteStorage(file);
    extra.push(state);
    await state.write({ conversation: { step: 'review' } });
    await store.enqueue(job('a', T0), T0);
    const tables = raw()
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
      .all()
      .map((row) => (row as { name: string }).name);
    expect(tables).toEqual(['bot_state', 'jobs']);
    expect((await state.read(['conversation'])).conversation).toMatchObject({ step: 'review' });
  });

  it('when the store is opened on :memory:, then it works without a file', async () => {
    const memory = new SqliteJobStore(':memory:');
    extra.push(memory);
    expect(await memory.enqueue(job('a', T0), T0)).toBe(true);
    expect(await memory.claimDue('A', T0, LEASE, 1)).toHaveLength(1);
  });
});
