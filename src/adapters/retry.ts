/**
 * Retries for throttling and passing outages (429, 503, 504): honour the service's Retry-After,
 * otherwise back off exponentially with full jitter; bounded in attempts and in the longest wait.
 * Anything else — other 4xx above all — is never retried here.
 */
import { AppError, isAppError } from '../domain/errors';
import type { Clock } from '../domain/ports';

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

export async function withRetries<T>(policy: RetryPolicy, operation: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation();
    } catch (error) {
      if (!isAppError(error) || !error.retryable || attempt >= policy.maxAttempts) throw error;
      const delayMs = retryDelayMs(policy, attempt, error);
      policy.onRetry?.({ attempt, delayMs, error });
      await policy.clock.sleep(delayMs);
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
