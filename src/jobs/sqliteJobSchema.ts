/**
 * Table `jobs` in the bot's state file (SqliteStorage keeps `bot_state` in the same file): its
 * columns, its indexes, the shape of its rows, and opening the file with the table in place.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';

/** The index the claim walks: queued jobs by due time. Done, failed and cancelled jobs are not in it. */
export const DUE_INDEX = 'jobs_due';
/** Failed jobs, for the metrics' count. */
export const FAILED_INDEX = 'jobs_failed';

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
CREATE INDEX IF NOT EXISTS ${FAILED_INDEX} ON jobs (updated_at) WHERE state = 'failed';
`;

/** One row of `jobs`, as SQLite returns it. */
export interface JobRow {
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

/**
 * Opens `file` (a path, or `:memory:`; its folder is made if missing) for use by several connections
 * and processes at once, and creates the table and its indexes when they are not there yet.
 */
export function openJobDatabase(file: string): Database.Database {
  if (file !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  db.exec(SCHEMA);
  return db;
}
