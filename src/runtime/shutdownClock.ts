/**
 * The bot's clock. Waits between retries end when the bot shuts down, so nothing keeps the process
 * alive after close.
 */
import type { Clock } from '../domain/ports';

export interface ShutdownClock {
  clock: Clock;
  /** Ends every wait now and later: they reject with "The bot is shutting down". */
  shutDown(): void;
}

export function shutdownAwareClock(): ShutdownClock {
  const lifetime = new AbortController();
  const clock: Clock = {
    now: () => Date.now(),
    sleep: (ms) =>
      new Promise<void>((resolve, reject) => {
        if (lifetime.signal.aborted) {
          reject(new Error('The bot is shutting down'));
          return;
        }
        const timer = setTimeout(() => {
          lifetime.signal.removeEventListener('abort', stop);
          resolve();
        }, ms);
        const stop = () => {
          clearTimeout(timer);
          reject(new Error('The bot is shutting down'));
        };
        lifetime.signal.addEventListener('abort', stop, { once: true });
      }),
  };
  return { clock, shutDown: () => lifetime.abort() };
}
