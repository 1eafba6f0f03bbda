/**
 * The simulator's clock: real time plus an offset that tests move forward with `advance(ms)`.
 * Everything time-based (Exchange's recipient, mailbox and replication delays, token lifetimes)
 * reads this clock, so a test can either wait real (small) delays or jump ahead.
 */
export class SimulatorClock {
  private offsetMs = 0;

  now(): number {
    return Date.now() + this.offsetMs;
  }

  advance(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`advance(ms): ms must be a finite number >= 0`);
    this.offsetMs += ms;
  }

  iso(): string {
    return new Date(this.now()).toISOString();
  }
}
