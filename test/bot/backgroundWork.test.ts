/**
 * Work a turn leaves for later: begun only after the turn's own code, a few at a time, every piece
 * run, a failure logged and never thrown, and `idle()` waiting for what is still queued too.
 */
import { BackgroundWork, MAX_AT_ONCE } from '../../src/bot/backgroundWork';
import { createLogger } from '../../src/logger';

function recordingLogger() {
  const lines: string[] = [];
  return { logger: createLogger('warn', (line) => lines.push(line)), lines };
}

describe('background work', () => {
  it('when a turn asks for work, then the work begins only after the turn has gone on', async () => {
    const { logger } = recordingLogger();
    const background = new BackgroundWork(logger);
    const order: string[] = [];
    background.run('note', async () => {
      order.push('work');
    });
    order.push('turn');
    await Promise.resolve();
    order.push('turn, later');
    expect(await background.idle(5_000)).toBe(true);
    expect(order).toEqual(['turn', 'turn, later', 'work']);
  });

  it('when many pieces are asked for at once, then a few run at a time and every one runs, in order', async () => {
    const { logger } = recordingLogger();
    const background = new BackgroundWork(logger);
    let now = 0;
    let most = 0;
    const started: number[] = [];
    for (let i = 0; i < 20; i++) {
      background.run(`piece ${i}`, async () => {
        started.push(i);
        now++;
        most = Math.max(most, now);
        await new Promise((resolve) => setTimeout(resolve, 5));
        now--;
      });
    }
    expect(await background.idle(5_000)).toBe(true);
    expect(most).toBe(MAX_AT_ONCE);
    expect(started).toEqual(Array.from({ length: 20 }, (_unused, i) => i));
  });

  it('when a piece fails, then it is logged, the others still run and idle() still resolves', async () => {
    const { logger, lines } = recordingLogger();
    const background = new BackgroundWork(logger);
    let ran = 0;
    for (let i = 0; i < MAX_AT_ONCE + 2; i++) {
      background.run(i === 0 ? 'failing' : 'fine', async () => {
        if (i === 0) throw new Error('connector down');
        ran++;
      });
    }
    expect(await background.idle(5_000)).toBe(true);
    expect(ran).toBe(MAX_AT_ONCE + 1);
    expect(lines.filter((line) => line.includes('Background work failed'))).toHaveLength(1);
    expect(lines.join('\n')).toContain('failing');
  });

  it('when pieces are still waiting for a slot, then idle() waits for them too', async () => {
    const { logger } = recordingLogger();
    const background = new BackgroundWork(logger);
    let done = 0;
    for (let i = 0; i < MAX_AT_ONCE * 3; i++) {
      background.run('slow', async () => {
        await new Promise((resolve) => setTimeout(resolve, 10));
        done++;
      });
    }
    expect(await background.idle(5_000)).toBe(true);
    expect(done).toBe(MAX_AT_ONCE * 3);
  });
});
