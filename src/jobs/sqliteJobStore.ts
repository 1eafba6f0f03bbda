/**
 * Jobs on SQLite, in table `jobs` of the bot's state file (sqliteJobSchema.ts). Every mutation is one
 * statement (sqliteJobStatements.ts) or one transaction, so it is atomic across connections and
 * processes sharing the file; the booleans come from the rows a statement changed.
 */
import type Database from 'better-sqlite3';
import type { JobChange, JobCounts, JobRecord, JobRequest, JobStore, NewJob } from './jobs';
import { toRecord } from './sqliteJobRows';
import { openJobDatabase } from './sqliteJobSchema';
import { checkImportedJob, checkNewJob, checkRunAt, dataToJson, parseStoredData } from './jobChecks';
import { type Ending, type JobStatements, prepareJobStatements } from './sqliteJobStatements';

/** Jobs read per query by `allJobs`. */
const PAGE = 500;

export class SqliteJobStore implements JobStore {
  private readonly db: Database.Database;
  private readonly sql: JobStatements;

  /** `file` is a path, or `:memory:`. */
  constructor(file: string) {
    this.db = openJobDatabase(file);
    this.sql = prepareJobStatements(this.db);
  }

  async enqueue(job: NewJob, now: number): Promise<boolean> {
    checkNewJob(job);
    const result = this.sql.insert.run({
      id: job.id,
      kind: job.kind,
      tenant_id: job.tenantId,
      request_id: job.requestId,
      state: 'queued',
      attempts: 0,
      next_run_at: Math.floor(job.runAt),
      data: dataToJson(job.id, job.data ?? {}),
      created_at: now,
      updated_at: now,
    });
    return result.changes === 1;
  }

  async get(id: string): Promise<JobRecord | undefined> {
    const row = this.sql.selectOne.get(id);
    return row === undefined ? undefined : toRecord(row);
  }

  async listForRequest(tenantId: string, requestId: string): Promise<JobRecord[]> {
    return this.sql.selectForRequest.all(tenantId, requestId).map(toRecord);
  }

  /**
   * A row whose data cannot be read is never handed to a handler: it is marked failed (with the reason
   * as lastError) in the same transaction, so it cannot block the jobs behind it on every tick.
   */
  async claimDue(owner: string, now: number, leaseMs: number, limit: number): Promise<JobRecord[]> {
    if (limit <= 0) return [];
    const claim = this.db.transaction(() => {
      const claimed: JobRecord[] = [];
      for (const { id } of this.sql.selectDue.all({ now, limit })) {
        const row = this.sql.claimOne.get({ id, owner, now, expires: now + leaseMs });
        if (row === undefined) continue;
        try {
          claimed.push(toRecord(row));
        } catch (error) {
          this.sql.failDamaged.run({ id, now, error: (error as Error).message });
        }
      }
      return claimed;
    });
    return claim.immediate();
  }

  async renew(id: string, owner: string, now: number, leaseMs: number): Promise<boolean> {
    return this.sql.renewLease.run({ id, owner, now, expires: now + leaseMs }).changes === 1;
  }

  async checkpoint(id: string, owner: string, data: Record<string, unknown>, now: number): Promise<boolean> {
    return this.sql.saveData.run({ id, owner, now, data: dataToJson(id, data) }).changes === 1;
  }

  async reschedule(
    id: string,
    owner: string,
    runAt: number,
    now: number,
    change: JobChange & { resetAttempts?: boolean } = {},
  ): Promise<boolean> {
    checkRunAt(id, runAt);
    const result = this.sql.rescheduleHeld.run({
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
    return this.sql.finishHeld.run({ ...ending(id, owner, now, change), state }).changes === 1;
  }

  async release(id: string, owner: string, now: number): Promise<boolean> {
    return this.sql.releaseHeld.run({ id, owner, now }).changes === 1;
  }

  async requeue(id: string, runAt: number, now: number, data?: Record<string, unknown>): Promise<boolean> {
    checkRunAt(id, runAt);
    const apply = this.db.transaction(() => {
      let merged: string | null = null;
      if (data !== undefined) {
        const row = this.sql.selectOne.get(id);
        if (row === undefined) return false;
        merged = dataToJson(id, { ...parseStoredData(row.id, row.data), ...data });
      }
      return this.sql.requeueFree.run({ id, runAt: Math.floor(runAt), now, data: merged }).changes === 1;
    });
    return apply.immediate();
  }

  async cancel(id: string, now: number): Promise<boolean> {
    return this.sql.cancelFree.run({ id, now }).changes === 1;
  }

  async nextDueAt(): Promise<number | undefined> {
    const free = this.sql.earliestFree.get()?.at;
    const leaseEnd = this.sql.earliestLeaseEnd.get()?.at ?? undefined;
    if (free === undefined) return leaseEnd;
    return leaseEnd === undefined ? free : Math.min(free, leaseEnd);
  }

  async counts(now: number): Promise<JobCounts> {
    return {
      due: this.sql.countDue.get({ now })?.n ?? 0,
      running: this.sql.countRunning.get({ now })?.n ?? 0,
      failed: this.sql.countFailed.get()?.n ?? 0,
    };
  }

  async queuedOfKind(kind: string, limit: number): Promise<JobRequest[]> {
    return this.sql.queuedOfKind
      .all({ kind, limit })
      .map((row) => ({ tenantId: row.tenant_id, requestId: row.request_id }));
  }

  /** Read in pages by id, so a large table is never held in memory at once. */
  async *allJobs(): AsyncIterable<JobRecord> {
    for (let after = ''; ;) {
      const rows = this.sql.selectPage.all({ after, limit: PAGE });
      for (const row of rows) yield toRecord(row);
      if (rows.length < PAGE) return;
      after = rows[rows.length - 1].id;
    }
  }

  async importJob(record: JobRecord): Promise<boolean> {
    return this.importRow(record);
  }

  /** One transaction: one commit for all of them. */
  async importJobs(records: readonly JobRecord[]): Promise<boolean[]> {
    for (const record of records) checkImportedJob(record);
    return this.db.transaction(() => records.map((record) => this.importRow(record))).immediate();
  }

  private importRow(record: JobRecord): boolean {
    checkImportedJob(record);
    const result = this.sql.importOne.run({
      id: record.id,
      kind: record.kind,
      tenant_id: record.tenantId,
      request_id: record.requestId,
      state: record.state,
      attempts: record.attempts,
      next_run_at: Math.floor(record.nextRunAt),
      data: dataToJson(record.id, record.data),
      last_error: record.lastError ?? null,
      created_at: record.createdAt,
      updated_at: record.updatedAt,
    });
    return result.changes === 1;
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
    data: change.data === undefined ? null : dataToJson(id, change.data),
    error: change.error ?? null,
  };
}
