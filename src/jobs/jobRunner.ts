/**
 * Runs due jobs from a JobStore: claims them under a lease, renews the lease while the handler works,
 * and saves the handler's outcome. A job is never run twice at once, neither by two runners (the
 * store's lease) nor twice in this one (the `running` map). The lease of a running job is kept in
 * heldJob.ts, one run in jobRun.ts, its outcome saved by jobOutcomes.ts; logs carry job id, kind,
 * attempts and outcome only, never `data` (jobLog.ts).
 */
import os from 'node:os';
import { randomUUID } from 'node:crypto';
import { HeldJob, type LeaseHolder } from './heldJob';
import { debugLine, fieldsOf, type JobRunnerLog, messageOf, silentLog } from './jobLog';
import type { RetryBackoff } from './jobOutcomes';
import { type RunContext, runJob } from './jobRun';
import type { JobHandler, JobRecord, JobStore } from './jobs';
import { outsideAnyTrace } from '../telemetry/tracing';

export { LeaseLostError } from './jobs';
export type { JobContext, JobHandler, JobOutcome } from './jobs';
export type { JobRunnerLog } from './jobLog';

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

/** Whether the runner's loop is going round: what readiness reports as `runner`. */
export interface RunnerHeartbeat {
  /** Between start() and stop(). */
  running: boolean;
  /** When the loop last began or finished a round (the runner's clock); the start time before the first. */
  lastRoundAt: number | undefined;
  /** How long ago that was. */
  ageMs: number | undefined;
  /** A heartbeat older than this is stale: three of the loop's longest sleeps, and at least 10 s. */
  staleAfterMs: number;
  /** Running, with a heartbeat that is not stale. */
  alive: boolean;
}

/** Least time before a heartbeat is called stale, whatever the poll interval. */
export const MIN_HEARTBEAT_STALE_MS = 10_000;

/** Least sleep when the store says a job is due but this runner could not claim it (no busy loop). */
const MIN_IDLE_SLEEP_MS = 20;

export class JobRunner {
  readonly owner: string;
  private readonly store: JobStore;
  private readonly handlers: Record<string, JobHandler>;
  private readonly now: () => number;
  private readonly leaseMs: number;
  private readonly pollMs: number;
  private readonly concurrency: number;
  private readonly log: JobRunnerLog;
  private readonly lease: LeaseHolder;
  private readonly backoff: RetryBackoff;
  private readonly runContext: RunContext;

  private readonly running = new Map<string, HeldJob>();
  private idleWaiters: (() => void)[] = [];
  private tickQueue: Promise<unknown> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private started = false;
  private stopping = false;
  private looping = false;
  private poked = false;
  private lastRoundAt: number | undefined;

  constructor(options: JobRunnerOptions) {
    this.store = options.store;
    this.handlers = options.handlers;
    this.owner = options.owner ?? `${os.hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
    this.now = options.now ?? Date.now;
    this.leaseMs = positive('leaseMs', options.leaseMs ?? 60_000);
    this.pollMs = positive('pollMs', options.pollMs ?? 1_000);
    this.concurrency = positive('concurrency', options.concurrency ?? 4);
    this.backoff = {
      maxAttempts: positive('maxAttempts', options.maxAttempts ?? 8),
      baseMs: positive('retryBaseMs', options.retryBaseMs ?? 1_000),
      maxMs: positive('retryMaxMs', options.retryMaxMs ?? 600_000),
      random: options.random ?? Math.random,
      now: this.now,
    };
    this.log = options.log ?? silentLog;
    this.lease = {
      store: this.store,
      owner: this.owner,
      now: this.now,
      leaseMs: this.leaseMs,
      log: this.log,
    };
    this.runContext = {
      handlers: this.handlers,
      owner: this.owner,
      lease: this.lease,
      backoff: this.backoff,
      log: this.log,
    };
  }

  /** Begins ticking. The timers keep the process alive until stop(). */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.stopping = false;
    this.lastRoundAt = this.now();
    this.schedule(0);
  }

  /**
   * When the loop last went round. The loop sleeps at most `pollMs` between rounds, busy or idle, and
   * stamps the heartbeat as a round begins and as it ends, so only a stopped runner, a round stuck on
   * its store or a blocked process lets it go stale.
   */
  heartbeat(): RunnerHeartbeat {
    const running = this.started && !this.stopping;
    const ageMs = this.lastRoundAt === undefined ? undefined : this.now() - this.lastRoundAt;
    const staleAfterMs = Math.max(3 * this.pollMs, MIN_HEARTBEAT_STALE_MS);
    return {
      running,
      lastRoundAt: this.lastRoundAt,
      ageMs,
      staleAfterMs,
      alive: running && ageMs !== undefined && ageMs <= staleAfterMs,
    };
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
    await Promise.all([...this.running.values()].map((held) => held.releaseAtStop()));
  }

  private schedule(delayMs: number): void {
    if (!this.started || this.stopping) return;
    if (this.timer !== undefined) clearTimeout(this.timer);
    // The loop is woken from turns too: it never runs inside the trace of the turn that woke it.
    this.timer = outsideAnyTrace(() => setTimeout(() => void this.loop(), delayMs));
  }

  private async loop(): Promise<void> {
    this.timer = undefined;
    this.looping = true;
    this.poked = false;
    this.lastRoundAt = this.now();
    let delay = this.pollMs;
    try {
      delay = await this.nextDelay(await this.tick());
    } catch (error) {
      this.log.error('job runner tick failed', { error: messageOf(error) });
    } finally {
      this.looping = false;
      this.lastRoundAt = this.now();
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
        debugLine(this.log, 'job released: the runner is stopping', () => fieldsOf(job));
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
    debugLine(this.log, 'job claimed', () => ({
      ...fieldsOf(job),
      dueAt: new Date(job.nextRunAt).toISOString(),
      lateMs: Math.max(0, this.now() - job.nextRunAt),
    }));
    const held = new HeldJob(job, this.lease);
    this.running.set(job.id, held);
    void runJob(held, this.runContext).finally(() => {
      this.running.delete(job.id);
      if (this.running.size === 0) {
        const waiters = this.idleWaiters;
        this.idleWaiters = [];
        for (const resolve of waiters) resolve();
      }
      this.poke();
    });
  }
}

function positive(name: string, value: number): number {
  if (!(value > 0) || !Number.isFinite(value))
    throw new Error(`JobRunner: ${name} must be a positive number`);
  return value;
}
