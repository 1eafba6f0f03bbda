/**
 * Retries for throttling and passing outages (429, 503, 504): honour the service's Retry-After,
 * otherwise back off exponentially with full jitter; bounded in attempts and in the longest wait.
 * Anything else — other 4xx above all — is never retried here. Each 429 and each wait is counted in
 * the throttling metrics (telemetry/metrics.ts) for the service named.
 */
import { AppError, isAppError } from '../domain/errors';
import type { Clock } from '../domain/ports';
import { type CallService, countRetryWait, countThrottled } from '../telemetry/metrics';

export interface RetryPolicy {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  clock: Clock;
  random?: () => number;
  /** Told about each retry (for logs and metrics). */
  onRetry?: (info: { attempt: number; delayMs: number; error: AppError }) => void;
}

export const DEFAULT_RETRY: Omit<RetryPolicy, 'clock'> = {
  maxAttempts: 6,
  baseDelayMs: 1_000,
  maxDelayMs: 60_000,
};

export function retryDelayMs(policy: RetryPolicy, attempt: number, error: AppError): number {
  const advised = error.details.retryAfterMs;
  if (advised !== undefined) return Math.min(Math.max(advised, 0), policy.maxDelayMs);
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.round((policy.random ?? Math.random)() * ceiling);
}

/** Counts a 429 answer in the throttling metrics. */
export function noteThrottled(service: CallService | undefined, error: AppError): void {
  if (service !== undefined && error.details.status === 429) countThrottled(service);
}

/** Tells `onRetry` and the metrics about a wait, then waits. */
export async function waitToRetry(
  policy: RetryPolicy,
  service: CallService | undefined,
  info: { attempt: number; delayMs: number; error: AppError },
): Promise<void> {
  policy.onRetry?.(info);
  if (service !== undefined) countRetryWait(service, info.error.code, info.delayMs);
  await policy.clock.sleep(info.delayMs);
}

/** Runs `operation`, retrying what is retryable; `service` names the API for the metrics. */
export async function withRetries<T>(
  policy: RetryPolicy,
  operation: () => Promise<T>,
  service?: CallService,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation();
    } catch (error) {
      if (isAppError(error)) noteThrottled(service, error);
      if (!isAppError(error) || !error.retryable || attempt >= policy.maxAttempts) throw error;
      await waitToRetry(policy, service, { attempt, delayMs: retryDelayMs(policy, attempt, error), error });
    }
  }
}

/** Parses a Retry-After header: delta-seconds or an HTTP date. */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | undefined {
  if (value === null || value === undefined || value.trim() === '') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
