/**
 * Late presses kept as durable jobs. While this process works on a press, its job stays queued a
 * takeover time ahead, pushed on every third of it; when the work ends here, the job is cancelled. If
 * the process dies first, the job falls due and a runner (after a restart, or another instance) does
 * the press again and shows its outcome. Presses are safe to repeat: each acts on the request as it is.
 */
import { randomUUID } from 'node:crypto';
import type { LatePress, LatePressHold, LatePresses } from '../domain/workPorts';
import { isPlainObject } from './jobChecks';
import type { JobRunnerLog } from './jobLog';
import { messageOf } from './jobLog';
import { JOB_KINDS, jobId } from './jobKinds';
import type { JobHandler, JobStore } from './jobs';

export interface JobLatePressesOptions {
  jobs: JobStore;
  tenantId: string;
  /** How long a press whose process stopped pushing it waits before another runner takes it over. */
  takeoverMs: number;
  log: JobRunnerLog;
  now?: () => number;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** The request of a press's job when the card names no request (a job always names one). */
export const NO_REQUEST = 'none';

export class JobLatePresses implements LatePresses {
  private readonly now: () => number;

  constructor(private readonly options: JobLatePressesOptions) {
    this.now = options.now ?? Date.now;
  }

  async keep(press: LatePress): Promise<LatePressHold> {
    const { jobs, tenantId, takeoverMs, log } = this.options;
    const id = jobId(JOB_KINDS.latePress, tenantId, randomUUID());
    try {
      const now = this.now();
      await jobs.enqueue(
        {
          id,
          kind: JOB_KINDS.latePress,
          tenantId,
          requestId: UUID.test(press.requestId) ? press.requestId : NO_REQUEST,
          runAt: now + takeoverMs,
          data: { verb: press.verb, activity: press.activity },
        },
        now,
      );
    } catch (error) {
      log.warn('Could not keep a late card press as a job: a restart now would lose its outcome', {
        verb: press.verb,
        error: messageOf(error),
      });
      return { done: () => Promise.resolve(true) };
    }
    return new KeptPress(id, this.options, this.now);
  }
}

class KeptPress implements LatePressHold {
  private readonly timer: NodeJS.Timeout;
  private ended = false;

  constructor(
    private readonly id: string,
    private readonly options: JobLatePressesOptions,
    private readonly now: () => number,
  ) {
    this.timer = setInterval(() => void this.push(), Math.max(1, Math.floor(options.takeoverMs / 3)));
    // A press in flight does not keep the process up: if it stops, the job is what finishes the press.
    this.timer.unref();
  }

  async done(): Promise<boolean> {
    this.ended = true;
    clearInterval(this.timer);
    try {
      if (await this.options.jobs.cancel(this.id, this.now())) return true;
      // Not cancelled: a runner holds it (it took the press over), or it is gone already.
      const job = await this.options.jobs.get(this.id);
      return job === undefined || job.state === 'cancelled';
    } catch (error) {
      this.options.log.warn('Could not forget a late card press that is done', {
        jobId: this.id,
        error: messageOf(error),
      });
      return true;
    }
  }

  private async push(): Promise<void> {
    if (this.ended) return;
    const now = this.now();
    try {
      // Only a job still waiting is pushed: one a runner took over and finished must not run again.
      const job = await this.options.jobs.get(this.id);
      const pushed =
        job?.state === 'queued' &&
        !this.ended &&
        (await this.options.jobs.requeue(this.id, now + this.options.takeoverMs, now));
      if (!pushed && !this.ended) {
        clearInterval(this.timer);
        this.options.log.warn('A late card press was taken over by another runner', { jobId: this.id });
      }
    } catch (error) {
      this.options.log.warn('Could not push back a late card press', {
        jobId: this.id,
        error: messageOf(error),
      });
    }
  }
}

/** The job that finishes a press after its process stopped: `finish` does the press again and shows it. */
export function latePressHandler(finish: (press: LatePress) => Promise<void>): JobHandler {
  return async (job) => {
    const verb = job.data.verb;
    const activity = job.data.activity;
    if (typeof verb !== 'string' || !isPlainObject(activity))
      return { kind: 'failed', error: 'The job does not hold a card press' };
    const requestId = job.requestId === NO_REQUEST ? '' : job.requestId;
    await finish({ verb, requestId, activity });
    return { kind: 'done' };
  };
}
