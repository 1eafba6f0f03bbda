/**
 * Runs due jobs from a JobStore: claims them under a lease, renews the lease while the handler works,
 * and saves the handler's outcome. A job is never run twice at once, neither by two runners (the
 * store's lease) nor twice in this one (the `running` map). Logs carry job id, kind, attempts and
 * outcome only, never `data` (it may hold secrets).
 */
import os from 'node:os';
import { randomUUID } from 'node:crypto';
import { LeaseLostError, type JobHandler, type JobOutcome, type JobRecord, type JobStore } from './jobs';

export { LeaseLostError } from './jobs';
export type { JobContext, JobHandler, JobOutcome } from './jobs';

export interface JobRunnerLog {
  info(msg: string, fields?: object): void;
  warn(msg: string, fields?: object): void;
  error(msg: string, fields?: object): void;
}

export interface JobRunnerOptions {
  store: JobStore;
  handlers: Record<string, JobHandler>;
  /** Default `${hostname}:${pid}:${random}`. */
  owner?: string;
  /** Default Date.now. */
  now?: () => number;
  /** Default 60_000; renewed every leaseMs/3 while a handler runs. */
  leaseMs?: number;
  /** Max sleep between ticks, default 1_000. */
  pollMs?: number;
  /** Jobs in flight at once, default 4. */
  concurrency?: number;
  /** A handler that throws this many times (attempts counts claims) is failed; default 8. */
  maxAttempts?: number;
  /** Back-off after a throw: full jitter up to min(retryMaxMs, base*2^(attempts-1)); default 1_000. */
  retryBaseMs?: number;
  /** Default 600_000. */
  retryMaxMs?: number;
  /** In [0, 1); default Math.random. For the back-off jitter (tests make it fixed). */
  random?: () => number;
  log?: JobRunnerLog;
}

/** Longest error text saved with a job. */
export const MAX_ERROR_CHARS = 500;

/** Least sleep when the store says a job is due but this runner could not claim it (no busy loop). */
const MIN_IDLE_SLEEP_MS = 20;

const silentLog: JobRunnerLog = { info: () => {}, warn: () => {}, error: () => {} };

interface Running {
  job: JobRecord;
  controller: AbortController;
  renewTimer?: NodeJS.Timeout;
  renewing: boolean;
  /** The store refused this runner's lease: write nothing more for the job. */
  lost: boolean;
  /** stop() gave the lease back: write nothing more for the job. */
  released: boolean;
}

export class JobRunner {
  readonly owner: string;
  private readonly store: JobStore;
  private readonly handlers: Record<string, JobHandler>;
  private readonly now: () => number;
  private readonly leaseMs: number;
  private readonly pollMs: number;
  private readonly concurrency: number;
  private readonly maxAttempts: number;
  private readonly retryBaseMs: number;
  private readonly retryMaxMs: number;
  private readonly random: () => number;
  private readonly log: JobRunnerLog;

  private readonly running = new Map<string, Running>();
  private idleWaiters: (() => void)[] = [];
  private tickQueue: Promise<unknown> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private started = false;
  private stopping = false;
  private looping = false;
  private poked = false;

  constructor(options: JobRunnerOptions) {
    this.store = options.store;
    this.handlers = options.handlers;
    this.owner = options.owner ?? `${os.hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
    this.now = options.now ?? Date.now;
    this.leaseMs = positive('leaseMs', options.leaseMs ?? 60_000);
    this.pollMs = positive('pollMs', options.pollMs ?? 1_000);
    this.concurrency = positive('concurrency', options.concurrency ?? 4);
    this.maxAttempts = positive('maxAttempts', options.maxAttempts ?? 8);
    this.retryBaseMs = positive('retryBaseMs', options.retryBaseMs ?? 1_000);
    this.retryMaxMs = positive('retryMaxMs', options.retryMaxMs ?? 600_000);
    this.random = options.random ?? Math.random;
    this.log = options.log ?? silentLog;
  }

  /** Begins ticking. The timers keep the process alive until stop(). */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.stopping = false;
    this.schedule(0);
  }

  /** Claims and starts due jobs once; resolves with how many it started. Ticks never overlap. */
  tick(): Promise<number> {
    const result = this.tickQueue.then(() => this.claimAndLaunch());
    this.tickQueue = result.catch(() => undefined);
    return result;
  }

  /** Tick soon (a job was just enqueued). */
  poke(): void {
    if (!this.started) return;
    this.poked = true;
    if (!this.looping) this.schedule(0);
  }

  /** Resolves when no handler is running. */
  idle(): Promise<void> {
    if (this.running.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /**
   * Stops claiming, waits up to `graceMs` for running handlers, then aborts the rest and releases
   * their leases so another runner can take them at once. An aborted handler may still settle later:
   * nothing it returns or checkpoints is written.
   */
  async stop(graceMs: number): Promise<void> {
    this.stopping = true;
    this.started = false;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    await this.tickQueue;
    if (this.running.size > 0) {
      let graceTimer: NodeJS.Timeout | undefined;
      await Promise.race([
        this.idle(),
        new Promise<void>((resolve) => (graceTimer = setTimeout(resolve, graceMs))),
      ]);
      clearTimeout(graceTimer);
    }
    await Promise.all(
      [...this.running.values()].map(async (entry) => {
        if (entry.lost || entry.released) return;
        entry.released = true;
        clearInterval(entry.renewTimer);
        entry.controller.abort(new Error('The job runner is stopping'));
        try {
          await this.store.release(entry.job.id, this.owner, this.now());
          this.log.warn('job released at stop', fieldsOf(entry.job));
        } catch (error) {
          this.log.error('job release failed at stop', { ...fieldsOf(entry.job), error: messageOf(error) });
        }
      }),
    );
  }

  private schedule(delayMs: number): void {
    if (!this.started || this.stopping) return;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.loop(), delayMs);
  }

  private async loop(): Promise<void> {
    this.timer = undefined;
    this.looping = true;
    this.poked = false;
    let delay = this.pollMs;
    try {
      delay = await this.nextDelay(await this.tick());
    } catch (error) {
      this.log.error('job runner tick failed', { error: messageOf(error) });
    } finally {
      this.looping = false;
    }
    this.schedule(this.poked ? 0 : delay);
  }

  private async nextDelay(started: number): Promise<number> {
    const free = this.concurrency - this.running.size;
    if (free <= 0) return this.pollMs; // a finishing job pokes
    const due = await this.store.nextDueAt();
    if (due === undefined) return this.pollMs;
    const wait = due - this.now();
    if (wait <= 0) return started > 0 ? 0 : Math.min(this.pollMs, MIN_IDLE_SLEEP_MS);
    return Math.min(this.pollMs, wait);
  }

  private async claimAndLaunch(): Promise<number> {
    const free = this.concurrency - this.running.size;
    if (this.stopping || free <= 0) return 0;
    const jobs = await this.store.claimDue(this.owner, this.now(), this.leaseMs, free);
    let started = 0;
    for (const job of jobs) {
      if (this.stopping) {
        await this.store.release(job.id, this.owner, this.now());
      } else if (!this.running.has(job.id)) {
        // (Already running here means this runner's own lease had expired and it claimed the job
        // again: the running handler keeps it, now under the fresh lease.)
        this.launch(job);
        started++;
      }
    }
    return started;
  }

  private launch(job: JobRecord): void {
    const entry: Running = {
      job,
      controller: new AbortController(),
      renewing: false,
      lost: false,
      released: false,
    };
    this.running.set(job.id, entry);
    void this.run(entry).finally(() => {
      this.running.delete(job.id);
      if (this.running.size === 0) {
        const waiters = this.idleWaiters;
        this.idleWaiters = [];
        for (const resolve of waiters) resolve();
      }
      this.poke();
    });
  }

  private async run(entry: Running): Promise<void> {
    const { job } = entry;
    try {
      const handler = Object.hasOwn(this.handlers, job.kind) ? this.handlers[job.kind] : undefined;
      if (handler === undefined) {
        await this.save(entry, { kind: 'failed', error: `No handler for job kind "${job.kind}"` });
        return;
      }
      entry.renewTimer = setInterval(() => void this.renew(entry), Math.max(1, Math.floor(this.leaseMs / 3)));
      let outcome: JobOutcome;
      try {
        outcome = await handler(job, {
          owner: this.owner,
          signal: entry.controller.signal,
          checkpoint: (data) => this.checkpoint(entry, data),
        });
      } catch (error) {
        if (entry.lost || entry.released) return;
        outcome = this.afterThrow(job, error);
      } finally {
        clearInterval(entry.renewTimer);
      }
      if (entry.lost || entry.released) return;
      await this.save(entry, outcome);
    } catch (error) {
      // The store failed (not a lost lease): the lease runs out and the job is claimed again.
      this.log.error('job outcome could not be saved', { ...fieldsOf(job), error: messageOf(error) });
    }
  }

  private afterThrow(job: JobRecord, error: unknown): JobOutcome {
    const message = clip(messageOf(error));
    if (job.attempts >= this.maxAttempts) return { kind: 'failed', error: message };
    const ceiling = Math.min(this.retryMaxMs, this.retryBaseMs * 2 ** Math.max(0, job.attempts - 1));
    return { kind: 'retryAt', at: this.now() + Math.floor(this.random() * ceiling), error: message };
  }

  private async save(entry: Running, outcome: JobOutcome): Promise<void> {
    const { job } = entry;
    const now = this.now();
    let saved: boolean;
    switch (outcome.kind) {
      case 'retryAt':
        saved = await this.store.reschedule(job.id, this.owner, outcome.at, now, {
          data: outcome.data,
          error: outcome.error === undefined ? undefined : clip(outcome.error),
          resetAttempts: outcome.resetAttempts,
        });
        break;
      case 'failed':
        saved = await this.store.finish(job.id, this.owner, 'failed', now, {
          data: outcome.data,
          error: clip(outcome.error),
        });
        break;
      case 'done':
      case 'cancelled':
        saved = await this.store.finish(job.id, this.owner, outcome.kind, now, { data: outcome.data });
        break;
    }
    if (!saved) {
      this.markLost(entry);
      return;
    }
    const fields = { ...fieldsOf(job), outcome: outcome.kind };
    if (outcome.kind === 'failed') this.log.error('job failed', fields);
    else if (outcome.kind === 'retryAt' && outcome.error !== undefined)
      this.log.warn('job will retry', fields);
    else this.log.info('job ran', fields);
  }

  private async checkpoint(entry: Running, data: Record<string, unknown>): Promise<void> {
    if (entry.lost || entry.released) throw new LeaseLostError(entry.job.id);
    if (!(await this.store.checkpoint(entry.job.id, this.owner, data, this.now()))) {
      this.markLost(entry);
      throw new LeaseLostError(entry.job.id);
    }
  }

  private async renew(entry: Running): Promise<void> {
    if (entry.renewing || entry.lost || entry.released) return;
    entry.renewing = true;
    try {
      if (!(await this.store.renew(entry.job.id, this.owner, this.now(), this.leaseMs))) this.markLost(entry);
    } catch (error) {
      this.log.warn('job lease renewal failed', { ...fieldsOf(entry.job), error: messageOf(error) });
    } finally {
      entry.renewing = false;
    }
  }

  private markLost(entry: Running): void {
    if (entry.lost || entry.released) return;
    entry.lost = true;
    clearInterval(entry.renewTimer);
    entry.controller.abort(new LeaseLostError(entry.job.id));
    this.log.warn('job lease lost', fieldsOf(entry.job));
  }
}

function fieldsOf(job: JobRecord): { jobId: string; kind: string; attempts: number } {
  return { jobId: job.id, kind: job.kind, attempts: job.attempts };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function clip(text: string): string {
  return text.length <= MAX_ERROR_CHARS ? text : text.slice(0, MAX_ERROR_CHARS);
}

function positive(name: string, value: number): number {
  if (!(value > 0) || !Number.isFinite(value))
    throw new Error(`JobRunner: ${name} must be a positive number`);
  return value;
}
