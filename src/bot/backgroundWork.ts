/**
 * Work a turn starts but does not wait for (updating card copies, telling the other admin), so an
 * invoke is answered at once. A piece of work begins only after the turn that asked for it has run
 * its own code, and at most `MAX_AT_ONCE` pieces run at a time, the rest waiting their turn in
 * order: when many presses come together, their answers are not held up behind everyone's redraws.
 * Failures are logged, never thrown into a turn; shutdown and tests wait for what is still running
 * or waiting with `idle()`.
 */
import type { Logger } from '../logger';

export const MAX_AT_ONCE = 4;

export class BackgroundWork {
  private readonly running = new Set<Promise<void>>();
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly logger: Logger) {}

  run(label: string, work: () => Promise<void>): void {
    const task = (async () => {
      await new Promise<void>((resolve) => setImmediate(resolve));
      await this.slot();
      try {
        await work();
      } catch (error) {
        this.logger.warn('Background work failed', { task: label, error });
      } finally {
        this.release();
      }
    })();
    this.running.add(task);
    void task.finally(() => this.running.delete(task));
  }

  private async slot(): Promise<void> {
    if (this.active < MAX_AT_ONCE) {
      this.active++;
      return;
    }
    // The slot is handed over by `release`, so `active` stays counted.
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next !== undefined) next();
    else this.active--;
  }

  /** Resolves when nothing started so far is still running (or after `timeoutMs`). */
  async idle(timeoutMs = 30_000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (this.running.size > 0) {
      const left = deadline - Date.now();
      if (left <= 0) return false;
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.allSettled([...this.running]),
        new Promise((resolve) => {
          timer = setTimeout(resolve, left);
        }),
      ]);
      clearTimeout(timer);
    }
    return true;
  }
}
