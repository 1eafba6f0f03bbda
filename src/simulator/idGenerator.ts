import { createHash } from 'node:crypto';

/**
 * Object ids for things the simulator creates (users, role groups…). Deterministic for a given seed,
 * so two runs of the same test create the same ids; shaped like random (version 4) GUIDs.
 */
export class IdGenerator {
  private counter = 0;

  constructor(private readonly seed: string) {}

  /** How many ids this generator has made (the state file keeps it, so a restart makes new ones). */
  get issued(): number {
    return this.counter;
  }

  /** Goes on from `issued` ids made in an earlier run; never goes back. */
  resume(issued: number): void {
    if (!Number.isSafeInteger(issued) || issued < 0) throw new RangeError('resume(issued): an integer >= 0');
    this.counter = Math.max(this.counter, issued);
  }

  guid(): string {
    const bytes = createHash('sha256').update(`${this.seed}:${++this.counter}`).digest();
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    const hex = bytes.subarray(0, 16).toString('hex');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
  }
}
