/**
 * What becomes of a job when its handler is done: the outcome a throw stands for (retry with back-off,
 * or failed after too many attempts), and saving an outcome under the job's lease.
 */
import type { HeldJob, LeaseHolder } from './heldJob';
import { fieldsOf, messageOf } from './jobLog';
import type { JobOutcome, JobRecord } from './jobs';

/** Longest error text saved with a job. */
export const MAX_ERROR_CHARS = 500;

export interface RetryBackoff {
  /** A job whose handler throws when it has been claimed this many times is failed. */
  maxAttempts: number;
  /** Full jitter up to min(maxMs, baseMs*2^(attempts-1)). */
  baseMs: number;
  maxMs: number;
  /** In [0, 1). */
  random: () => number;
  now: () => number;
}

/** The outcome of a handler that threw `error`. */
export function outcomeOfThrow(job: JobRecord, error: unknown, backoff: RetryBackoff): JobOutcome {
  const message = clip(messageOf(error));
  if (job.attempts >= backoff.maxAttempts) return { kind: 'failed', error: message };
  const ceiling = Math.min(backoff.maxMs, backoff.baseMs * 2 ** Math.max(0, job.attempts - 1));
  return { kind: 'retryAt', at: backoff.now() + Math.floor(backoff.random() * ceiling), error: message };
}

/** Writes the outcome while holding the lease; a refused write means the lease was lost. */
export async function saveOutcome(held: HeldJob, outcome: JobOutcome, holder: LeaseHolder): Promise<void> {
  const { store, owner, log } = holder;
  const { job } = held;
  const now = holder.now();
  let saved: boolean;
  switch (outcome.kind) {
    case 'retryAt':
      saved = await store.reschedule(job.id, owner, outcome.at, now, {
        data: outcome.data,
        error: outcome.error === undefined ? undefined : clip(outcome.error),
        resetAttempts: outcome.resetAttempts,
      });
      break;
    case 'failed':
      saved = await store.finish(job.id, owner, 'failed', now, {
        data: outcome.data,
        error: clip(outcome.error),
      });
      break;
    case 'done':
    case 'cancelled':
      saved = await store.finish(job.id, owner, outcome.kind, now, { data: outcome.data });
      break;
  }
  if (!saved) {
    held.markLost();
    return;
  }
  const fields = { ...fieldsOf(job), outcome: outcome.kind };
  if (outcome.kind === 'failed') log.error('job failed', fields);
  else if (outcome.kind === 'retryAt' && outcome.error !== undefined) log.warn('job will retry', fields);
  else log.info('job ran', fields);
}

function clip(text: string): string {
  return text.length <= MAX_ERROR_CHARS ? text : text.slice(0, MAX_ERROR_CHARS);
}
