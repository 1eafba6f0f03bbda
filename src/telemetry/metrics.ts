/**
 * The bot's own metrics through the OpenTelemetry API (no-op with telemetry off): counters for
 * throttling — 429 answers from Graph and Exchange and the time spent waiting before a retry — and
 * observable gauges for jobs due, running and failed and for approvals pending, read from the stores
 * each time the metrics are exported.
 */
import { type Counter, type MeterProvider, metrics } from '@opentelemetry/api';
import { SERVICE_NAME } from './tracing';

/** Which Microsoft 365 API answered. */
export type CallService = 'graph' | 'exchange';

export const METRIC = {
  throttled: 'bot.throttled',
  retryWait: 'bot.retry.wait',
  jobsDue: 'bot.jobs.due',
  jobsRunning: 'bot.jobs.running',
  jobsFailed: 'bot.jobs.failed',
  approvalsPending: 'bot.approvals.pending',
} as const;

interface Counters {
  provider: MeterProvider;
  throttled: Counter;
  retryWait: Counter;
}

let counters: Counters | undefined;

/** The counters of the meter provider in place now (starting the SDK replaces the global one). */
function current(): Counters {
  const provider = metrics.getMeterProvider();
  if (counters?.provider !== provider) {
    const meter = provider.getMeter(SERVICE_NAME);
    counters = {
      provider,
      throttled: meter.createCounter(METRIC.throttled, {
        description: 'Answers 429 (Too Many Requests) from Microsoft Graph or Exchange Online.',
      }),
      retryWait: meter.createCounter(METRIC.retryWait, {
        description: 'Time spent waiting before retrying a throttled or unavailable call.',
        unit: 'ms',
      }),
    };
  }
  return counters;
}

/** One 429 answer (each throttled sub-request of a Graph batch counts). */
export function countThrottled(service: CallService): void {
  current().throttled.add(1, { service });
}

/** A wait before a retry: `reason` is the error code that caused it (Throttled, ServiceUnavailable). */
export function countRetryWait(service: CallService, reason: string, delayMs: number): void {
  current().retryWait.add(Math.max(0, delayMs), { service, reason });
}

/** The job gauges' values (the job store's `counts`). */
export interface JobGaugeValues {
  /** Queued, due now and not leased: waiting for a runner. */
  due: number;
  /** Under a live lease: a runner is working on them. */
  running: number;
  /** Ended failed and not retried since. */
  failed: number;
}

export interface GaugeSources {
  /** Undefined when the job store cannot count cheaply. */
  jobs?: () => Promise<JobGaugeValues>;
  /** Requests waiting for their approver, or undefined when it cannot be known cheaply. */
  approvalsPending?: () => Promise<number | undefined>;
}

/**
 * Registers the gauges, read from `sources` at each export; a source that fails is skipped for that
 * export. Returns the undo (before the stores close).
 */
export function observeGauges(sources: GaugeSources): () => void {
  const meter = metrics.getMeter(SERVICE_NAME);
  const due = meter.createObservableGauge(METRIC.jobsDue, {
    description: 'Jobs due and waiting for a runner.',
  });
  const running = meter.createObservableGauge(METRIC.jobsRunning, {
    description: 'Jobs a runner is working on.',
  });
  const failed = meter.createObservableGauge(METRIC.jobsFailed, { description: 'Jobs that ended failed.' });
  const pending = meter.createObservableGauge(METRIC.approvalsPending, {
    description: 'Requests waiting for their approver.',
  });
  const observables = [due, running, failed, pending];
  const read = async <T>(source: (() => Promise<T>) | undefined): Promise<T | undefined> => {
    if (source === undefined) return undefined;
    try {
      return await source();
    } catch {
      return undefined;
    }
  };
  const callback = async (observer: {
    observe(gauge: (typeof observables)[number], value: number): void;
  }): Promise<void> => {
    const [jobs, approvals] = await Promise.all([read(sources.jobs), read(sources.approvalsPending)]);
    if (jobs !== undefined) {
      observer.observe(due, jobs.due);
      observer.observe(running, jobs.running);
      observer.observe(failed, jobs.failed);
    }
    if (approvals !== undefined) observer.observe(pending, approvals);
  };
  meter.addBatchObservableCallback(callback, observables);
  return () => meter.removeBatchObservableCallback(callback, observables);
}
