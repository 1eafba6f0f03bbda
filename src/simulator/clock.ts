/**
 * The simulator's clock: real time plus an offset that tests move forward with `advance(ms)`.
 * Everything time-based (Exchange's recipient, mailbox and replication delays, token lifetimes)
 * reads this clock, so a test can either wait real (small) delays or jump ahead.
 */
export class SimulatorClock {
  private offsetMs = 0;
  /** Called after every `advance` (the state file keeps the offset). */
  onAdvance: (() => void) | undefined;

  /** How far `advance` has moved this clock past real time, in ms. */
  get offset(): number {
    return this.offsetMs;
  }

  now(): number {
    return Date.now() + this.offsetMs;
  }

  advance(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`advance(ms): ms must be a finite number >= 0`);
    this.offsetMs += ms;
    this.onAdvance?.();
  }

  /** Takes up an offset kept from an earlier run (records hold absolute simulator-clock times). */
  resume(offsetMs: number): void {
    if (!Number.isFinite(offsetMs) || offsetMs < 0) throw new RangeError('resume(offsetMs): a number >= 0');
    this.offsetMs = offsetMs;
  }

  iso(): string {
    return new Date(this.now()).toISOString();
  }
}
