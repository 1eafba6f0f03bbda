/**
 * Rows of table `jobs` read as job records (the checks are jobChecks.ts). A row that
 * cannot be read (a state that is not a job state, data that is not a JSON object) is an error
 * naming the job.
 */
import { parseStoredData, storedState } from './jobChecks';
import type { JobRecord } from './jobs';
import type { JobRow } from './sqliteJobSchema';

export function toRecord(row: JobRow): JobRecord {
  const record: JobRecord = {
    id: row.id,
    kind: row.kind,
    tenantId: row.tenant_id,
    requestId: row.request_id,
    state: storedState(row.id, row.state),
    attempts: row.attempts,
    nextRunAt: row.next_run_at,
    data: parseStoredData(row.id, row.data),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
  if (row.lease_owner !== null && row.lease_expires_at !== null) {
    record.lease = { owner: row.lease_owner, expiresAt: row.lease_expires_at };
  }
  if (row.last_error !== null) record.lastError = row.last_error;
  return record;
}
