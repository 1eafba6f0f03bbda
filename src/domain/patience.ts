/**
 * Eventual consistency: Graph and Exchange may not know a fresh object for seconds to minutes.
 * `eventually` retries an operation while it reports `NotFound` (or returns `undefined`/`false`),
 * backing off from `initialDelayMs` to `maxDelayMs`, for at most `timeoutMs` — minutes, not seconds.
 */
import { AppError, isAppError } from './errors';
import type { Clock } from './ports';

export interface Patience {
  clock: Clock;
  timeoutMs: number;
  initialDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_PATIENCE: Omit<Patience, 'clock'> = {
  timeoutMs: 15 * 60_000,
  initialDelayMs: 2_000,
  maxDelayMs: 60_000,
};

export async function eventually<T>(
  patience: Patience,
  what: string,
  operation: () => Promise<T | undefined | false>,
): Promise<T> {
  const deadline = patience.clock.now() + patience.timeoutMs;
  let delay = patience.initialDelayMs;
  for (;;) {
    let lastNotFound: AppError | undefined;
    try {
      const result = await operation();
      if (result !== undefined && result !== false) return result;
    } catch (error) {
      if (!isAppError(error, 'NotFound')) throw error;
      lastNotFound = error;
    }
    const now = patience.clock.now();
    if (now + delay > deadline) {
      throw new AppError(
        'TimedOut',
        `Microsoft 365 still did not show ${what} after ${Math.round(patience.timeoutMs / 60_000)} minutes.`,
        { retryable: true, cause: lastNotFound, details: lastNotFound?.details },
      );
    }
    await patience.clock.sleep(delay);
    delay = Math.min(delay * 2, patience.maxDelayMs);
  }
}

/**
 * The operation's result, or a `TimedOut` error after `ms`: for a check a person waits on (a form's
 * Next), where an answer in seconds matters more than this one check. The operation is not stopped:
 * what it finds later is dropped, and the admin presses again.
 */
export async function within<T>(ms: number, operation: Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new AppError('TimedOut', `Microsoft 365 did not answer within ${Math.round(ms / 1000)} seconds.`),
        ),
      ms,
    );
  });
  // A failure after the deadline is dropped rather than left unhandled.
  operation.catch(() => undefined);
  try {
    return await Promise.race([operation, late]);
  } finally {
    clearTimeout(timer);
  }
}
