/**
 * Durable background jobs: approval expiry timers, reminders, provisioning runs, replication polling.
 * A job survives restarts, and a lease makes sure two runners never work the same job at once: only
 * the lease holder may checkpoint, reschedule or finish it, and a lease that is not renewed expires
 * so another runner can take the job over.
 */

import type { WorkOutcome } from '../domain/workPorts';

export type JobState = 'queued' | 'done' | 'failed' | 'cancelled';

export const JOB_STATES: readonly JobState[] = ['queued', 'done', 'failed', 'cancelled'];

export interface JobLease {
  owner: string;
  expiresAt: number;
}

export interface JobRecord {
  /** Chosen by the caller, unique, e.g. `provision:<tenantId>:<requestId>`. */
  id: string;
  /** Selects the handler. */
  kind: string;
  tenantId: string;
  requestId: string;
  state: JobState;
  /** How many times it has been claimed. */
  attempts: number;
  /** Epoch ms. */
  nextRunAt: number;
  lease?: JobLease;
  /** JSON, the handler's checkpoint. May hold secrets: never log it. */
  data: Record<string, unknown>;
  lastError?: string;
  createdAt: number;
  updatedAt: number;
}

export interface NewJob {
  id: string;
  kind: string;
  tenantId: string;
  requestId: string;
  runAt: number;
  data?: Record<string, unknown>;
}

/** How many jobs are in each state that matters to an operator (the metrics' gauges). */
export interface JobCounts {
  /** Queued, due now and not leased: waiting for a runner. */
  due: number;
  /** Under a live lease: a runner is working on them. */
  running: number;
  /** Ended failed and not retried since. */
  failed: number;
}

/** Which request a job works for. */
export interface JobRequest {
  tenantId: string;
  requestId: string;
}

export interface JobChange {
  data?: Record<string, unknown>;
  error?: string;
}

export interface JobStore {
  /** Adds the job; false (and nothing changes) when a job with that id exists, whatever its state. */
  enqueue(job: NewJob, now: number): Promise<boolean>;
  get(id: string): Promise<JobRecord | undefined>;
  /** Jobs of one request, any state, oldest first. */
  listForRequest(tenantId: string, requestId: string): Promise<JobRecord[]>;
  /**
   * Atomically leases up to `limit` queued jobs with nextRunAt <= now whose lease is absent or
   * expired, earliest first; attempts += 1. Uses an index on next_run_at (partial, state='queued'),
   * never a scan of all jobs.
   */
  claimDue(owner: string, now: number, leaseMs: number, limit: number): Promise<JobRecord[]>;
  /** Extends the lease; false when `owner` no longer holds it (expired and taken, or finished). */
  renew(id: string, owner: string, now: number, leaseMs: number): Promise<boolean>;
  /** Saves the handler's checkpoint data while holding the lease; false when the lease is lost. */
  checkpoint(id: string, owner: string, data: Record<string, unknown>, now: number): Promise<boolean>;
  /** Gives the job back as queued, due at `runAt` (lease cleared); optional data/error. False when lease lost. */
  reschedule(
    id: string,
    owner: string,
    runAt: number,
    now: number,
    change?: JobChange & { resetAttempts?: boolean },
  ): Promise<boolean>;
  /** Ends the job (done/failed/cancelled), lease cleared. False when lease lost. */
  finish(
    id: string,
    owner: string,
    state: 'done' | 'failed' | 'cancelled',
    now: number,
    change?: JobChange,
  ): Promise<boolean>;
  /** Releases the lease without other change (shutdown). */
  release(id: string, owner: string, now: number): Promise<boolean>;
  /**
   * Without a lease: makes a job queued again (also from 'failed' or 'done'), due at runAt, attempts
   * reset to 0, optional data merge (shallow). Used for "Retry", "Send again" and for timers that must
   * fire earlier or again. False when absent, cancelled, or currently leased by a live lease.
   */
  requeue(id: string, runAt: number, now: number, data?: Record<string, unknown>): Promise<boolean>;
  /** Without a lease: cancels a queued job that is not leased. False otherwise. */
  cancel(id: string, now: number): Promise<boolean>;
  /**
   * When the earliest queued job can next be claimed (for the runner's sleep), or undefined: its
   * nextRunAt, or for a leased job the moment its lease expires.
   */
  nextDueAt(): Promise<number | undefined>;
  /**
   * Optional, for the metrics: the counts at `now`, from indexes only (never a scan of all jobs). A
   * store without it reports no job gauges.
   */
  counts?(now: number): Promise<JobCounts>;
  /**
   * Optional, for the metrics: the requests of queued jobs of `kind`, earliest due first, at most
   * `limit`, from the due index. A store without it reports no approvals-pending gauge.
   */
  queuedOfKind?(kind: string, limit: number): Promise<JobRequest[]>;
  /** Every job in any state, for copying the store elsewhere (`npm run migrate`); in no set order. */
  allJobs(): AsyncIterable<JobRecord>;
  /**
   * Adds a job copied from another store with its state, attempts, due time, data, error and times as
   * they are, but without a lease: a lease of the old store's runner means nothing here, so a queued
   * job can be claimed at once. False (and nothing changes) when a job with that id exists.
   */
  importJob(record: JobRecord): Promise<boolean>;
  /** `importJob` for many jobs, in as few writes as the store allows; one answer per record, in order. */
  importJobs(records: readonly JobRecord[]): Promise<boolean[]>;
  close(): void;
}

/** Thrown by `JobContext.checkpoint` when this runner no longer holds the job's lease. */
export class LeaseLostError extends Error {
  constructor(readonly jobId: string) {
    super(`Job "${jobId}": the lease was lost; another runner may hold the job now`);
    this.name = 'LeaseLostError';
  }
}

/** How a handler's run ended: the use case's outcome, as the runner saves it. */
export type JobOutcome = WorkOutcome;

export interface JobContext {
  owner: string;
  /** Persists data now (a step finished); throws LeaseLostError when the lease was lost. */
  checkpoint(data: Record<string, unknown>): Promise<void>;
  /** Aborted when the lease is lost or the runner is stopping hard. */
  signal: AbortSignal;
}

export type JobHandler = (job: JobRecord, ctx: JobContext) => Promise<JobOutcome>;

/**
 * Adds the job, or, when a job with that id exists (queued, done or failed, not running), makes it due
 * again at `runAt` with `data` merged in. False only when the existing job is running or cancelled.
 */
export async function scheduleJob(store: JobStore, job: NewJob, now: number): Promise<boolean> {
  if (await store.enqueue(job, now)) return true;
  return store.requeue(job.id, job.runAt, now, job.data);
}
