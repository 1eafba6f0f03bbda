/**
 * Rows of table `jobs` read as job records, and job data written as the `data` column. A row that
 * cannot be read (a state that is not a job state, data that is not a JSON object) is an error
 * naming the job.
 */
import { JOB_STATES, type JobRecord, type JobState } from './jobs';
import type { JobRow } from './sqliteJobSchema';

export function toJson(id: string, data: Record<string, unknown>): string {
  if (!isPlainObject(data)) throw new Error(`Job "${id}": data must be an object`);
  return JSON.stringify(data);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function parseData(id: string, text: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error(`Job "${id}": stored data is damaged (not valid JSON)`);
  }
  if (!isPlainObject(parsed)) throw new Error(`Job "${id}": stored data is damaged (not a JSON object)`);
  return parsed;
}

export function toRecord(row: JobRow): JobRecord {
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
