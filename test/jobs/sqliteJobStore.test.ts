import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { NewJob } from '../../src/jobs/jobs';
import { DUE_INDEX, FAILED_INDEX } from '../../src/jobs/sqliteJobSchema';
import { CLAIM_SELECT_SQL, COUNT_SQL, QUEUED_OF_KIND_SQL } from '../../src/jobs/sqliteJobStatements';
import { SqliteJobStore } from '../../src/jobs/sqliteJobStore';
import { SqliteStorage } from '../../src/adapters/storage/sqliteStorage';

const T0 = 1_700_000_000_000;
const LEASE = 60_000;

function job(id: string, runAt: number, data: Record<string, unknown> = {}): NewJob {
  return { id, kind: 'test', tenantId: 'tenant-1', requestId: 'request-1', runAt, data };
}

/** What only SQLite has: its index plan, raw rows, the file shared with bot state. The rest is the contract (test/contracts). */
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

  function raw(): Database.Database {
    const db = new Database(file);
    extra.push(db);
    return db;
  }

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

  it('when the metrics’ counts are planned, then each reads a partial index instead of the jobs table', async () => {
    for (let i = 0; i < 200; i++) await store.enqueue(job(`j${i}`, T0 + i * 1_000), T0);
    const db = raw();
    db.exec('ANALYZE');
    const plan = (sql: string): string =>
      (
        db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all({ now: T0, kind: 'test', limit: 5 }) as {
          detail: string;
        }[]
      )
        .map((step) => step.detail)
        .join('\n');
    expect(plan(COUNT_SQL.due)).toContain(`SEARCH jobs USING INDEX ${DUE_INDEX}`);
    expect(plan(COUNT_SQL.running)).toContain('SEARCH jobs USING INDEX jobs_leased');
    expect(plan(COUNT_SQL.failed)).toBe(`SCAN jobs USING COVERING INDEX ${FAILED_INDEX}`);
    expect(plan(QUEUED_OF_KIND_SQL)).toBe(`SCAN jobs USING INDEX ${DUE_INDEX}`);
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
