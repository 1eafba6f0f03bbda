/**
 * Readiness (`GET /readyz`): whether this instance can do its work now — storage answers, the job
 * store answers, the job runner's loop is going round. Each probe has a short time limit; what is
 * said about a failure is plain words chosen here, never the error's own text (it can name hosts,
 * keys or paths). `/healthz` stays the cheap liveness answer.
 */

/** The checks readiness reports, in the order of the answer. */
export const READINESS_CHECKS = ['storage', 'jobs', 'runner'] as const;
export type ReadinessCheckName = (typeof READINESS_CHECKS)[number];

/**
 * One check: resolves `undefined` when it passes, or a plain reason when it knows what is wrong.
 * A probe that throws or runs out of time fails with its `failure` words.
 */
export interface ReadinessProbe {
  probe(): Promise<string | undefined>;
  /** What to say when the probe throws, e.g. "The bot-state storage could not be read." */
  failure: string;
}

export type ReadinessProbes = Record<ReadinessCheckName, ReadinessProbe>;

export type CheckResult = 'ok' | 'failed';

export interface ReadinessReport {
  ready: boolean;
  checks: Record<ReadinessCheckName, CheckResult>;
  /** Why, for each failed check. */
  reasons: Partial<Record<ReadinessCheckName, string>>;
  /** The errors thrown by failed probes, for the log only (never the HTTP answer). */
  errors: Partial<Record<ReadinessCheckName, unknown>>;
}

/**
 * Each probe once at a time: a call while the previous one is still out (a storage call that ran out
 * of time keeps retrying in its SDK) waits for that one instead of starting another, so probes
 * cannot pile up on a storage account that is down.
 */
export function oneAtATime(probes: ReadinessProbes): ReadinessProbes {
  const wrap = ({ probe, failure }: ReadinessProbe): ReadinessProbe => {
    let pending: Promise<string | undefined> | undefined;
    return {
      failure,
      probe: () => (pending ??= probe().finally(() => (pending = undefined))),
    };
  };
  return { storage: wrap(probes.storage), jobs: wrap(probes.jobs), runner: wrap(probes.runner) };
}

/** Time limit of each probe unless told otherwise. */
export const DEFAULT_PROBE_TIMEOUT_MS = 2_000;

const TIMED_OUT = Symbol('timed out');

/** Runs every probe at once, each within `timeoutMs`, and says which failed and why. */
export async function runReadinessProbes(
  probes: ReadinessProbes,
  timeoutMs = DEFAULT_PROBE_TIMEOUT_MS,
): Promise<ReadinessReport> {
  const report: ReadinessReport = {
    ready: true,
    checks: { storage: 'ok', jobs: 'ok', runner: 'ok' },
    reasons: {},
    errors: {},
  };
  await Promise.all(
    READINESS_CHECKS.map(async (name) => {
      const { probe, failure } = probes[name];
      let reason: string | undefined;
      try {
        const outcome = await withTimeout(probe(), timeoutMs);
        reason =
          outcome === TIMED_OUT ? `${failure} It did not answer within ${seconds(timeoutMs)}.` : outcome;
      } catch (error) {
        reason = failure;
        report.errors[name] = error;
      }
      if (reason !== undefined) {
        report.ready = false;
        report.checks[name] = 'failed';
        report.reasons[name] = reason;
      }
    }),
  );
  return report;
}

async function withTimeout<T>(work: Promise<T>, timeoutMs: number): Promise<T | typeof TIMED_OUT> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<typeof TIMED_OUT>((resolve) => {
    timer = setTimeout(() => resolve(TIMED_OUT), timeoutMs);
  });
  try {
    return await Promise.race([work, timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

function seconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}
