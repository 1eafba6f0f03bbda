/**
 * Work a turn starts but does not wait for (updating card copies, telling the other admin), so an
 * invoke is answered at once: the work begins only after the turn's own code has run. Failures are logged, never thrown into a turn; shutdown and tests wait
 * for what is still running with `idle()`.
 */
import type { Logger } from '../logger';

export class BackgroundWork {
  private readonly running = new Set<Promise<void>>();

  constructor(private readonly logger: Logger) {}

  run(label: string, work: () => Promise<void>): void {
    const task = (async () => {
      try {
        // Begun once the turn that asked for it has answered (and any other turn already waiting).
        await new Promise<void>((resolve) => setImmediate(resolve));
        await work();
      } catch (error) {
        this.logger.warn('Background work failed', { task: label, error });
      }
    })();
    this.running.add(task);
    void task.finally(() => this.running.delete(task));
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
