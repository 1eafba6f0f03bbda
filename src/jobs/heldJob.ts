/**
 * A job this runner claimed, while its handler runs: the lease is renewed every leaseMs/3, and once
 * the store refuses it (lost) or the runner gives it back at stop (released), the handler's signal
 * aborts and nothing more is written for the job.
 */
import { fieldsOf, type JobRunnerLog, messageOf } from './jobLog';
import { type JobRecord, type JobStore, LeaseLostError } from './jobs';

/** The runner whose lease a held job is under, and what it writes and logs with. */
export interface LeaseHolder {
  store: JobStore;
  owner: string;
  now: () => number;
  leaseMs: number;
  log: JobRunnerLog;
}

export class HeldJob {
  private readonly controller = new AbortController();
  private renewTimer?: NodeJS.Timeout;
  private renewing = false;
  /** The store refused this runner's lease: write nothing more for the job. */
  private lost = false;
  /** stop() gave the lease back: write nothing more for the job. */
  private released = false;

  constructor(
    readonly job: JobRecord,
    private readonly holder: LeaseHolder,
  ) {}

  /** Aborted when the lease is lost or the runner stops with the handler still running. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** The lease was lost or given back: nothing more may be written for the job. */
  get letGo(): boolean {
    return this.lost || this.released;
  }

  startRenewing(): void {
    this.renewTimer = setInterval(() => void this.renew(), Math.max(1, Math.floor(this.holder.leaseMs / 3)));
  }

  stopRenewing(): void {
    clearInterval(this.renewTimer);
  }

  /** The handler's checkpoint: saves `data` under the lease, or throws LeaseLostError. */
  async checkpoint(data: Record<string, unknown>): Promise<void> {
    const { store, owner, now } = this.holder;
    if (this.letGo) throw new LeaseLostError(this.job.id);
    if (!(await store.checkpoint(this.job.id, owner, data, now()))) {
      this.markLost();
      throw new LeaseLostError(this.job.id);
    }
  }

  /** The store refused this runner's lease (another runner may hold the job now). */
  markLost(): void {
    if (this.letGo) return;
    this.lost = true;
    this.stopRenewing();
    this.controller.abort(new LeaseLostError(this.job.id));
    this.holder.log.warn('job lease lost', fieldsOf(this.job));
  }

  /** At stop: aborts the handler and gives the lease back, so another runner can take the job at once. */
  async releaseAtStop(): Promise<void> {
    const { store, owner, now, log } = this.holder;
    if (this.letGo) return;
    this.released = true;
    this.stopRenewing();
    this.controller.abort(new Error('The job runner is stopping'));
    try {
      await store.release(this.job.id, owner, now());
      log.warn('job released at stop', fieldsOf(this.job));
    } catch (error) {
      log.error('job release failed at stop', { ...fieldsOf(this.job), error: messageOf(error) });
    }
  }

  private async renew(): Promise<void> {
    const { store, owner, now, leaseMs, log } = this.holder;
    if (this.renewing || this.letGo) return;
    this.renewing = true;
    try {
      if (!(await store.renew(this.job.id, owner, now(), leaseMs))) this.markLost();
    } catch (error) {
      log.warn('job lease renewal failed', { ...fieldsOf(this.job), error: messageOf(error) });
    } finally {
      this.renewing = false;
    }
  }
}
