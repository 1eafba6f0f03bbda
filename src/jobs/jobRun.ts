/**
 * One run of a claimed job: its handler called under the lease, and the outcome saved. Each run is one
 * span, the root of its own trace (CONSUMER: Application Insights shows it as an operation), carrying
 * the job's kind, attempt and how the run ended — never its `data`.
 */
import type { HeldJob, LeaseHolder } from './heldJob';
import { performance } from 'node:perf_hooks';
import { debugLine, fieldsOf, type JobRunnerLog, messageOf } from './jobLog';
import { outcomeOfThrow, type RetryBackoff, saveOutcome } from './jobOutcomes';
import type { JobHandler, JobOutcome } from './jobs';
import { markFailed, SpanKind, withSpan } from '../telemetry/tracing';

export interface RunContext {
  handlers: Record<string, JobHandler>;
  owner: string;
  lease: LeaseHolder;
  backoff: RetryBackoff;
  log: JobRunnerLog;
}

/** How a run ended: the outcome saved, the lease let go (lost, or stopping), or the save failed. */
export type RunEnd = JobOutcome['kind'] | 'let go' | 'unsaved';

interface Ended {
  end: RunEnd;
  /** The handler failed (threw, or came back with an error): the run failed even if it will be retried. */
  error: boolean;
  /** When a job put back for later (`retryAt`) runs again. */
  nextRunAt?: number;
}

export function runJob(held: HeldJob, run: RunContext): Promise<void> {
  const { job } = held;
  const name = `job ${job.kind}`;
  const attributes = {
    'job.kind': job.kind,
    'job.attempt': job.attempts,
    'job.request_id': job.requestId,
    // Application Insights names an operation that is not an HTTP request by this attribute.
    'ai.operation.name': name,
  };
  return withSpan(
    name,
    SpanKind.CONSUMER,
    attributes,
    async (span) => {
      const started = performance.now();
      const { end, error, nextRunAt } = await runHeld(held, run);
      debugLine(run.log, 'job finished', () => ({
        ...fieldsOf(job),
        outcome: end,
        failed: error,
        durationMs: Math.round(performance.now() - started),
        ...(nextRunAt === undefined ? {} : { nextRunAt: new Date(nextRunAt).toISOString() }),
      }));
      span.setAttribute('job.outcome', end);
      if (end === 'failed' || end === 'unsaved') markFailed(span, `job ${end}`);
      else if (error) markFailed(span, 'job error');
    },
    { root: true },
  );
}

async function runHeld(held: HeldJob, run: RunContext): Promise<Ended> {
  const { job } = held;
  const letGo: Ended = { end: 'let go', error: false };
  try {
    const handler = Object.hasOwn(run.handlers, job.kind) ? run.handlers[job.kind] : undefined;
    if (handler === undefined) {
      await saveOutcome(held, { kind: 'failed', error: `No handler for job kind "${job.kind}"` }, run.lease);
      return held.letGo ? letGo : { end: 'failed', error: true };
    }
    held.startRenewing();
    let outcome: JobOutcome;
    try {
      outcome = await handler(job, {
        owner: run.owner,
        signal: held.signal,
        checkpoint: (data) => held.checkpoint(data),
      });
    } catch (error) {
      if (held.letGo) return letGo;
      outcome = outcomeOfThrow(job, error, run.backoff);
    } finally {
      held.stopRenewing();
    }
    if (held.letGo) return letGo;
    await saveOutcome(held, outcome, run.lease);
    if (held.letGo) return letGo;
    return {
      end: outcome.kind,
      error: outcome.kind !== 'done' && 'error' in outcome && outcome.error !== undefined,
      ...(outcome.kind === 'retryAt' ? { nextRunAt: outcome.at } : {}),
    };
  } catch (error) {
    // The store failed (not a lost lease): the lease runs out and the job is claimed again.
    run.log.error('job outcome could not be saved', { ...fieldsOf(job), error: messageOf(error) });
    return { end: 'unsaved', error: true };
  }
}
