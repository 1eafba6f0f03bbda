import { AppError } from '../../src/domain/errors';
import { parseRetryAfter, type RetryPolicy, withRetries } from '../../src/adapters/retry';

function fakeClock(): { sleeps: number[]; clock: RetryPolicy['clock'] } {
  const sleeps: number[] = [];
  return { sleeps, clock: { now: () => 0, sleep: async (ms) => void sleeps.push(ms) } };
}

describe('withRetries', () => {
  it('when the service throttles with Retry-After, then the wait is exactly what it asked for', async () => {
    const { sleeps, clock } = fakeClock();
    let calls = 0;
    const result = await withRetries(
      { maxAttempts: 5, baseDelayMs: 1000, maxDelayMs: 60_000, clock },
      async () => {
        calls++;
        if (calls < 3) throw new AppError('Throttled', 'slow down', { details: { retryAfterMs: 7000 } });
        return 'ok';
      },
    );
    expect(result).toBe('ok');
    expect(sleeps).toEqual([7000, 7000]);
  });

  it('when there is no Retry-After, then waits grow exponentially with jitter under a ceiling', async () => {
    const { sleeps, clock } = fakeClock();
    await expect(
      withRetries(
        { maxAttempts: 6, baseDelayMs: 1000, maxDelayMs: 5000, clock, random: () => 1 },
        async () => {
          throw new AppError('ServiceUnavailable', 'down');
        },
      ),
    ).rejects.toMatchObject({ code: 'ServiceUnavailable' });
    expect(sleeps).toEqual([1000, 2000, 4000, 5000, 5000]);
  });

  it.each(['BadRequest', 'NotFound', 'Conflict', 'Forbidden'] as const)(
    'when the error is %s, then it is not retried',
    async (code) => {
      const { sleeps, clock } = fakeClock();
      let calls = 0;
      await expect(
        withRetries({ maxAttempts: 5, baseDelayMs: 10, maxDelayMs: 10, clock }, async () => {
          calls++;
          throw new AppError(code, 'no');
        }),
      ).rejects.toMatchObject({ code });
      expect([calls, sleeps.length]).toEqual([1, 0]);
    },
  );

  it('when Retry-After is an HTTP date or seconds, then both are understood', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('3', now)).toBe(3000);
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:10 GMT', now)).toBe(10_000);
    expect(parseRetryAfter('', now)).toBeUndefined();
    expect(parseRetryAfter('soon', now)).toBeUndefined();
  });
});
