/**
 * The SQL of every job store operation, prepared once per connection. Each is one statement, so it
 * is atomic across connections and processes sharing the file; the store reads its answer from the
 * rows a statement changed.
 */
import type Database from 'better-sqlite3';
import type { JobRow } from './sqliteJobSchema';

/**
 * The claim's inner select: the earliest due jobs whose lease is absent or expired. It walks
 * `jobs_due` from the earliest entry and stops after `limit` matches; the only rows it passes over are
 * due jobs under a live lease, at most as many as jobs in flight.
 */
export const CLAIM_SELECT_SQL =
  "SELECT id FROM jobs WHERE state = 'queued' AND next_run_at <= @now AND (lease_expires_at IS NULL OR lease_expires_at <= @now) ORDER BY next_run_at LIMIT @limit";

/** The metrics' counts, each from a partial index (jobs_due, jobs_leased, jobs_failed). */
export const COUNT_SQL = {
  due: "SELECT COUNT(*) AS n FROM jobs WHERE state = 'queued' AND next_run_at <= @now AND (lease_expires_at IS NULL OR lease_expires_at <= @now)",
  running:
    "SELECT COUNT(*) AS n FROM jobs WHERE state = 'queued' AND lease_owner IS NOT NULL AND lease_expires_at > @now",
  failed: "SELECT COUNT(*) AS n FROM jobs WHERE state = 'failed'",
} as const;

/** Queued jobs of one kind, walking the due index. */
export const QUEUED_OF_KIND_SQL =
  "SELECT tenant_id, request_id FROM jobs WHERE state = 'queued' AND kind = @kind ORDER BY next_run_at LIMIT @limit";

/** A job this runner (`owner`) holds the lease of. */
export interface Held {
  id: string;
  owner: string;
  now: number;
}

/** A held job given back or ended, with the data and error to save (null: keep what is stored). */
export interface Ending extends Held {
  data: string | null;
  error: string | null;
}

export interface JobStatements {
  insert: Database.Statement<[Omit<JobRow, 'lease_owner' | 'lease_expires_at' | 'last_error'>]>;
  importOne: Database.Statement<[Omit<JobRow, 'lease_owner' | 'lease_expires_at'>]>;
  selectPage: Database.Statement<[{ after: string; limit: number }], JobRow>;
  selectOne: Database.Statement<[string], JobRow>;
  selectForRequest: Database.Statement<[string, string], JobRow>;
  selectDue: Database.Statement<[{ now: number; limit: number }], { id: string }>;
  claimOne: Database.Statement<[{ id: string; owner: string; now: number; expires: number }], JobRow>;
  failDamaged: Database.Statement<[{ id: string; now: number; error: string }]>;
  renewLease: Database.Statement<[Held & { expires: number }]>;
  saveData: Database.Statement<[Held & { data: string }]>;
  rescheduleHeld: Database.Statement<[Ending & { runAt: number; reset: number }]>;
  finishHeld: Database.Statement<[Ending & { state: string }]>;
  releaseHeld: Database.Statement<[Held]>;
  requeueFree: Database.Statement<[{ id: string; runAt: number; now: number; data: string | null }]>;
  cancelFree: Database.Statement<[{ id: string; now: number }]>;
  earliestFree: Database.Statement<[], { at: number }>;
  earliestLeaseEnd: Database.Statement<[], { at: number | null }>;
  countDue: Database.Statement<[{ now: number }], { n: number }>;
  countRunning: Database.Statement<[{ now: number }], { n: number }>;
  countFailed: Database.Statement<[], { n: number }>;
  queuedOfKind: Database.Statement<
    [{ kind: string; limit: number }],
    { tenant_id: string; request_id: string }
  >;
}

export function prepareJobStatements(db: Database.Database): JobStatements {
  // Only the lease holder may touch a job it claimed; `state = 'queued'` because finishing clears it.
  const held = "id = @id AND state = 'queued' AND lease_owner = @owner";
  // No live lease: never leased, released, or expired without anyone claiming it since.
  const free = '(lease_expires_at IS NULL OR lease_expires_at <= @now)';

  return {
    insert: db.prepare(
      `INSERT INTO jobs (id, kind, tenant_id, request_id, state, attempts, next_run_at, data, created_at, updated_at)
       VALUES (@id, @kind, @tenant_id, @request_id, @state, @attempts, @next_run_at, @data, @created_at, @updated_at)
       ON CONFLICT(id) DO NOTHING`,
    ),
    importOne: db.prepare(
      `INSERT INTO jobs (id, kind, tenant_id, request_id, state, attempts, next_run_at, data, last_error, created_at, updated_at)
       VALUES (@id, @kind, @tenant_id, @request_id, @state, @attempts, @next_run_at, @data, @last_error, @created_at, @updated_at)
       ON CONFLICT(id) DO NOTHING`,
    ),
    selectOne: db.prepare('SELECT * FROM jobs WHERE id = ?'),
    selectPage: db.prepare('SELECT * FROM jobs WHERE id > @after ORDER BY id LIMIT @limit'),
    selectForRequest: db.prepare(
      'SELECT * FROM jobs WHERE tenant_id = ? AND request_id = ? ORDER BY created_at, rowid',
    ),
    selectDue: db.prepare(CLAIM_SELECT_SQL),
    claimOne: db.prepare(
      `UPDATE jobs SET lease_owner = @owner, lease_expires_at = @expires, attempts = attempts + 1, updated_at = @now
       WHERE id = @id AND state = 'queued' AND next_run_at <= @now AND ${free} RETURNING *`,
    ),
    failDamaged: db.prepare(
      `UPDATE jobs SET state = 'failed', lease_owner = NULL, lease_expires_at = NULL, last_error = @error, updated_at = @now
       WHERE id = @id`,
    ),
    renewLease: db.prepare(`UPDATE jobs SET lease_expires_at = @expires, updated_at = @now WHERE ${held}`),
    saveData: db.prepare(`UPDATE jobs SET data = @data, updated_at = @now WHERE ${held}`),
    rescheduleHeld: db.prepare(
      `UPDATE jobs SET next_run_at = @runAt, lease_owner = NULL, lease_expires_at = NULL,
         data = COALESCE(@data, data), last_error = COALESCE(@error, last_error),
         attempts = CASE WHEN @reset = 1 THEN 0 ELSE attempts END, updated_at = @now
       WHERE ${held}`,
    ),
    finishHeld: db.prepare(
      `UPDATE jobs SET state = @state, lease_owner = NULL, lease_expires_at = NULL,
         data = COALESCE(@data, data), last_error = COALESCE(@error, last_error), updated_at = @now
       WHERE ${held}`,
    ),
    releaseHeld: db.prepare(
      `UPDATE jobs SET lease_owner = NULL, lease_expires_at = NULL, updated_at = @now WHERE ${held}`,
    ),
    requeueFree: db.prepare(
      `UPDATE jobs SET state = 'queued', next_run_at = @runAt, attempts = 0, lease_owner = NULL, lease_expires_at = NULL,
         data = COALESCE(@data, data), updated_at = @now
       WHERE id = @id AND state IN ('queued', 'failed', 'done') AND ${free}`,
    ),
    cancelFree: db.prepare(
      `UPDATE jobs SET state = 'cancelled', lease_owner = NULL, lease_expires_at = NULL, updated_at = @now
       WHERE id = @id AND state = 'queued' AND ${free}`,
    ),
    earliestFree: db.prepare(
      "SELECT next_run_at AS at FROM jobs WHERE state = 'queued' AND lease_owner IS NULL ORDER BY next_run_at LIMIT 1",
    ),
    earliestLeaseEnd: db.prepare(
      "SELECT MIN(MAX(next_run_at, lease_expires_at)) AS at FROM jobs WHERE state = 'queued' AND lease_owner IS NOT NULL",
    ),
    countDue: db.prepare(COUNT_SQL.due),
    countRunning: db.prepare(COUNT_SQL.running),
    countFailed: db.prepare(COUNT_SQL.failed),
    queuedOfKind: db.prepare(QUEUED_OF_KIND_SQL),
  };
}
