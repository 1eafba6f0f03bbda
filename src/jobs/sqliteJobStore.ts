/**
 * Jobs on SQLite, in table `jobs` of the bot's state file (SqliteStorage keeps `bot_state` in the same
 * file). Every mutation is one statement or one transaction, so it is atomic across connections and
 * processes sharing the file; the booleans come from the rows a statement changed.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import {
  JOB_STATES,
  type JobChange,
  type JobRecord,
  type JobState,
  type JobStore,
  type NewJob,
} from './jobs';

/** The index the claim walks: queued jobs by due time. Done, failed and cancelled jobs are not in it. */
export const DUE_INDEX = 'jobs_due';

/**
 * The claim's inner select: the earliest due jobs whose lease is absent or expired. It walks
 * `jobs_due` from the earliest entry and stops after `limit` matches; the only rows it passes over are
 * due jobs under a live lease, at most as many as jobs in flight.
 */
export const CLAIM_SELECT_SQL =
  "SELECT id FROM jobs WHERE state = 'queued' AND next_run_at <= @now AND (lease_expires_at IS NULL OR lease_expires_at <= @now) ORDER BY next_run_at LIMIT @limit";

const SCHEMA = `
CREATE TABLE IF NOT EXISTS jobs (
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  tenant_id TEXT NOT NULL,
  request_id TEXT NOT NULL,
  state TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_run_at INTEGER NOT NULL,
  lease_owner TEXT,
  lease_expires_at INTEGER,
  data TEXT NOT NULL,
  last_error TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS ${DUE_INDEX} ON jobs (next_run_at) WHERE state = 'queued';
CREATE INDEX IF NOT EXISTS jobs_leased ON jobs (lease_expires_at) WHERE state = 'queued' AND lease_owner IS NOT NULL;
CREATE INDEX IF NOT EXISTS jobs_request ON jobs (tenant_id, request_id, created_at);
`;

interface JobRow {
  id: string;
  kind: string;
  tenant_id: string;
  request_id: string;
  state: string;
  attempts: number;
  next_run_at: number;
  lease_owner: string | null;
  lease_expires_at: number | null;
  data: string;
  last_error: string | null;
  created_at: number;
  updated_at: number;
}

interface Held {
  id: string;
  owner: string;
  now: number;
}

interface Ending extends Held {
  data: string | null;
  error: string | null;
}

export class SqliteJobStore implements JobStore {
  private readonly db: Database.Database;
  private readonly insert: Database.Statement<
    [Omit<JobRow, 'lease_owner' | 'lease_expires_at' | 'last_error'>]
  >;
  private readonly selectOne: Database.Statement<[string], JobRow>;
  private readonly selectForRequest: Database.Statement<[string, string], JobRow>;
  private readonly selectDue: Database.Statement<[{ now: number; limit: number }], { id: string }>;
  private readonly claimOne: Database.Statement<
    [{ id: string; owner: string; now: number; expires: number }],
    JobRow
  >;
  private readonly failDamaged: Database.Statement<[{ id: string; now: number; error: string }]>;
  private readonly renewLease: Database.Statement<[Held & { expires: number }]>;
  private readonly saveData: Database.Statement<[Held & { data: string }]>;
  private readonly rescheduleHeld: Database.Statement<[Ending & { runAt: number; reset: number }]>;
  private readonly finishHeld: Database.Statement<[Ending & { state: string }]>;
  private readonly releaseHeld: Database.Statement<[Held]>;
  private readonly requeueFree: Database.Statement<
    [{ id: string; runAt: number; now: number; data: string | null }]
  >;
  private readonly cancelFree: Database.Statement<[{ id: string; now: number }]>;
  private readonly earliestFree: Database.Statement<[], { at: number }>;
  private readonly earliestLeaseEnd: Database.Statement<[], { at: number | null }>;

  /** `file` is a path, or `:memory:`. */
  constructor(file: string) {
    if (file !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(SCHEMA);

    // Only the lease holder may touch a job it claimed; `state = 'queued'` because finishing clears it.
    const held = "id = @id AND state = 'queued' AND lease_owner = @owner";
    // No live lease: never leased, released, or expired without anyone claiming it since.
    const free = '(lease_expires_at IS NULL OR lease_expires_at <= @now)';

    this.insert = this.db.prepare(
      `INSERT INTO jobs (id, kind, tenant_id, request_id, state, attempts, next_run_at, data, created_at, updated_at)
       VALUES (@id, @kind, @tenant_id, @request_id, @state, @attempts, @next_run_at, @data, @created_at, @updated_at)
       ON CONFLICT(id) DO NOTHING`,
    );
    this.selectOne = this.db.prepare('SELECT * FROM jobs WHERE id = ?');
    this.selectForRequest = this.db.prepare(
      'SELECT * FROM jobs WHERE tenant_id = ? AND request_id = ? ORDER BY created_at, rowid',
    );
    this.selectDue = this.db.prepare(CLAIM_SELECT_SQL);
    this.claimOne = this.db.prepare(
      `UPDATE jobs SET lease_owner = @owner, lease_expires_at = @expires, attempts = attempts + 1, updated_at = @now
       WHERE id = @id AND state = 'queued' AND next_run_at <= @now AND ${free} RETURNING *`,
    );
    this.failDamaged = this.db.prepare(
      `UPDATE jobs SET state = 'failed', lease_owner = NULL, lease_expires_at = NULL, last_error = @error, updated_at = @now
       WHERE id = @id`,
    );
    this.renewLease = this.db.prepare(
      `UPDATE jobs SET lease_expires_at = @expires, updated_at = @now WHERE ${held}`,
    );
    this.saveData = this.db.prepare(`UPDATE jobs SET data = @data, updated_at = @now WHERE ${held}`);
    this.rescheduleHeld = this.db.prepare(
      `UPDATE jobs SET next_run_at = @runAt, lease_owner = NULL, lease_expires_at = NULL,
         data = COALESCE(@data, data), last_error = COALESCE(@error, last_error),
         attempts = CASE WHEN @reset = 1 THEN 0 ELSE attempts END, updated_at = @now
       WHERE ${held}`,
    );
    this.finishHeld = this.db.prepare(
      `UPDATE jobs SET state = @state, lease_owner = NULL, lease_expires_at = NULL,
         data = COALESCE(@data, data), last_error = COALESCE(@error, last_error), updated_at = @now
       WHERE ${held}`,
    );
    this.releaseHeld = this.db.prepare(
      `UPDATE jobs SET lease_owner = NULL, lease_expires_at = NULL, updated_at = @now WHERE ${held}`,
    );
    this.requeueFree = this.db.prepare(
      `UPDATE jobs SET state = 'queued', next_run_at = @runAt, attempts = 0, lease_owner = NULL, lease_expires_at = NULL,
         data = COALESCE(@data, data), updated_at = @now
       WHERE id = @id AND state IN ('queued', 'failed', 'done') AND ${free}`,
    );
    this.cancelFree = this.db.prepare(
      `UPDATE jobs SET state = 'cancelled', lease_owner = NULL, lease_expires_at = NULL, updated_at = @now
       WHERE id = @id AND state = 'queued' AND ${free}`,
    );
    this.earliestFree = this.db.prepare(
      "SELECT next_run_at AS at FROM jobs WHERE state = 'queued' AND lease_owner IS NULL ORDER BY next_run_at LIMIT 1",
    );
    this.earliestLeaseEnd = this.db.prepare(
      "SELECT MIN(MAX(next_run_at, lease_expires_at)) AS at FROM jobs WHERE state = 'queued' AND lease_owner IS NOT NULL",
    );
  }

  async enqueue(job: NewJob, now: number): Promise<boolean> {
    for (const [name, value] of [
      ['id', job.id],
      ['kind', job.kind],
      ['tenantId', job.tenantId],
      ['requestId', job.requestId],
    ] as const) {
      if (typeof value !== 'string' || value === '')
        throw new Error(`Job: ${name} must be a non-empty string`);
    }
    if (!Number.isFinite(job.runAt)) throw new Error(`Job "${job.id}": runAt must be a finite time`);
    const result = this.insert.run({
      id: job.id,
      kind: job.kind,
      tenant_id: job.tenantId,
      request_id: job.requestId,
      state: 'queued',
      attempts: 0,
      next_run_at: Math.floor(job.runAt),
      data: toJson(job.id, job.data ?? {}),
      created_at: now,
      updated_at: now,
    });
    return result.changes === 1;
  }

  async get(id: string): Promise<JobRecord | undefined> {
    const row = this.selectOne.get(id);
    return row === undefined ? undefined : toRecord(row);
  }

  async listForRequest(tenantId: string, requestId: string): Promise<JobRecord[]> {
    return this.selectForRequest.all(tenantId, requestId).map(toRecord);
  }

  /**
   * A row whose data cannot be read is never handed to a handler: it is marked failed (with the reason
   * as lastError) in the same transaction, so it cannot block the jobs behind it on every tick.
   */
  async claimDue(owner: string, now: number, leaseMs: number, limit: number): Promise<JobRecord[]> {
    if (limit <= 0) return [];
    const claim = this.db.transaction(() => {
      const claimed: JobRecord[] = [];
      for (const { id } of this.selectDue.all({ now, limit })) {
        const row = this.claimOne.get({ id, owner, now, expires: now + leaseMs });
        if (row === undefined) continue;
        try {
          claimed.push(toRecord(row));
        } catch (error) {
          this.failDamaged.run({ id, now, error: (error as Error).message });
        }
      }
      return claimed;
    });
    return claim.immediate();
  }

  async renew(id: string, owner: string, now: number, leaseMs: number): Promise<boolean> {
    return this.renewLease.run({ id, owner, now, expires: now + leaseMs }).changes === 1;
  }

  async checkpoint(id: string, owner: string, data: Record<string, unknown>, now: number): Promise<boolean> {
    return this.saveData.run({ id, owner, now, data: toJson(id, data) }).changes === 1;
  }

  async reschedule(
    id: string,
    owner: string,
    runAt: number,
    now: number,
    change: JobChange & { resetAttempts?: boolean } = {},
  ): Promise<boolean> {
    if (!Number.isFinite(runAt)) throw new Error(`Job "${id}": runAt must be a finite time`);
    const result = this.rescheduleHeld.run({
      ...ending(id, owner, now, change),
      runAt: Math.floor(runAt),
      reset: change.resetAttempts === true ? 1 : 0,
    });
    return result.changes === 1;
  }

  async finish(
    id: string,
    owner: string,
    state: 'done' | 'failed' | 'cancelled',
    now: number,
    change: JobChange = {},
  ): Promise<boolean> {
    return this.finishHeld.run({ ...ending(id, owner, now, change), state }).changes === 1;
  }

  async release(id: string, owner: string, now: number): Promise<boolean> {
    return this.releaseHeld.run({ id, owner, now }).changes === 1;
  }

  async requeue(id: string, runAt: number, now: number, data?: Record<string, unknown>): Promise<boolean> {
    if (!Number.isFinite(runAt)) throw new Error(`Job "${id}": runAt must be a finite time`);
    const apply = this.db.transaction(() => {
      let merged: string | null = null;
      if (data !== undefined) {
        const row = this.selectOne.get(id);
        if (row === undefined) return false;
        merged = toJson(id, { ...parseData(row.id, row.data), ...data });
      }
      return this.requeueFree.run({ id, runAt: Math.floor(runAt), now, data: merged }).changes === 1;
    });
    return apply.immediate();
  }

  async cancel(id: string, now: number): Promise<boolean> {
    return this.cancelFree.run({ id, now }).changes === 1;
  }

  async nextDueAt(): Promise<number | undefined> {
    const free = this.earliestFree.get()?.at;
    const leaseEnd = this.earliestLeaseEnd.get()?.at ?? undefined;
    if (free === undefined) return leaseEnd;
    return leaseEnd === undefined ? free : Math.min(free, leaseEnd);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

function ending(id: string, owner: string, now: number, change: JobChange): Ending {
  return {
    id,
    owner,
    now,
    data: change.data === undefined ? null : toJson(id, change.data),
    error: change.error ?? null,
  };
}

function toJson(id: string, data: Record<string, unknown>): string {
  if (!isPlainObject(data)) throw new Error(`Job "${id}": data must be an object`);
  return JSON.stringify(data);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parseData(id: string, text: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error(`Job "${id}": stored data is damaged (not valid JSON)`);
  }
  if (!isPlainObject(parsed)) throw new Error(`Job "${id}": stored data is damaged (not a JSON object)`);
  return parsed;
}

function toRecord(row: JobRow): JobRecord {
  if (!(JOB_STATES as readonly string[]).includes(row.state)) {
    throw new Error(`Job "${row.id}": stored state "${row.state}" is not a job state`);
  }
  const record: JobRecord = {
    id: row.id,
    kind: row.kind,
    tenantId: row.tenant_id,
    requestId: row.request_id,
    state: row.state as JobState,
    attempts: row.attempts,
    nextRunAt: row.next_run_at,
    data: parseData(row.id, row.data),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
  if (row.lease_owner !== null && row.lease_expires_at !== null) {
    record.lease = { owner: row.lease_owner, expiresAt: row.lease_expires_at };
  }
  if (row.last_error !== null) record.lastError = row.last_error;
  return record;
}
