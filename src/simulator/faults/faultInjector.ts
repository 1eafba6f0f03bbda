import type { Api } from '../http/simMessages';

export type FaultStatus = 429 | 500 | 503 | 504 | 404;

/** What to break, and how often. Matching fields that are absent match everything. */
export interface FaultSpec {
  api?: Api;
  /** HTTP method, case-insensitive (a `$batch` sub-request's own method). */
  method?: string;
  /** Tested against the path without the query, e.g. `/v1.0/users/…`. */
  pathPattern?: RegExp;
  /** Exchange only: the cmdlet name, case-insensitive. */
  cmdlet?: string;
  /** How many matching requests to break (`Infinity` for all until cleared). */
  times: number;
  /**
   * The status to answer, in the api's own error shape. 404 is "not found (yet)" even though the
   * object exists — eventual consistency. Optional when only `delayMs` is wanted.
   */
  status?: FaultStatus;
  retryAfterSeconds?: number;
  /** Apply the request's effect first, then answer `status` (default 504): "did it happen?". */
  afterCommit?: boolean;
  /** Hold the answer this long first (cut short by `close()`). */
  delayMs?: number;
  /**
   * Graph only: apply the request's effect, then hold the successful answer this long — a slow
   * response to a write that has already happened (cut short by `close()`).
   */
  answerDelayMs?: number;
}

/** What the api should do for one request. */
export interface FaultAction {
  status?: FaultStatus;
  retryAfterSeconds?: number;
  afterCommit: boolean;
  delayMs: number;
  answerDelayMs: number;
  /** For the call log, e.g. `injected 504 afterCommit`. */
  label: string;
}

export interface FaultTarget {
  api: Api;
  method: string;
  path: string;
  cmdlet?: string;
}

export interface FaultHandle {
  /** Matching requests still to be broken. */
  remaining(): number;
  cancel(): void;
}

interface ActiveFault {
  spec: FaultSpec;
  remaining: number;
}

/** The fault-injection surface tests use: `simulator.faults`. */
export interface FaultControl {
  inject(spec: FaultSpec): FaultHandle;
  clear(): void;
  /** Faults with requests still to break. */
  pending(): number;
}

export class FaultInjector implements FaultControl {
  private active: ActiveFault[] = [];

  inject(spec: FaultSpec): FaultHandle {
    const times = spec.times;
    if (!(times === Infinity || (Number.isInteger(times) && times > 0))) {
      throw new RangeError('faults.inject: times must be a positive integer or Infinity');
    }
    if (
      spec.status === undefined &&
      spec.afterCommit !== true &&
      (spec.delayMs ?? 0) <= 0 &&
      (spec.answerDelayMs ?? 0) <= 0
    ) {
      throw new RangeError('faults.inject: give a status, afterCommit, a delayMs or an answerDelayMs');
    }
    const fault: ActiveFault = { spec: { ...spec }, remaining: times };
    this.active.push(fault);
    return {
      remaining: () => fault.remaining,
      cancel: () => {
        fault.remaining = 0;
        this.prune();
      },
    };
  }

  clear(): void {
    this.active = [];
  }

  pending(): number {
    return this.active.filter((fault) => fault.remaining > 0).length;
  }

  /** The first matching fault, consuming one of its uses; undefined when none matches. */
  take(target: FaultTarget): FaultAction | undefined {
    const fault = this.active.find((candidate) => candidate.remaining > 0 && matches(candidate.spec, target));
    if (fault === undefined) return undefined;
    fault.remaining -= 1;
    this.prune();
    const { spec } = fault;
    const afterCommit = spec.afterCommit === true;
    const status = spec.status ?? (afterCommit ? 504 : undefined);
    const delayMs = Math.max(0, spec.delayMs ?? 0);
    const answerDelayMs = Math.max(0, spec.answerDelayMs ?? 0);
    const label = [
      status !== undefined ? `injected ${status}` : undefined,
      afterCommit ? 'afterCommit' : undefined,
      delayMs > 0 ? `delay ${delayMs}ms` : undefined,
      answerDelayMs > 0 ? `answer delay ${answerDelayMs}ms` : undefined,
    ]
      .filter((part) => part !== undefined)
      .join(' ');
    return { status, retryAfterSeconds: spec.retryAfterSeconds, afterCommit, delayMs, answerDelayMs, label };
  }

  private prune(): void {
    this.active = this.active.filter((fault) => fault.remaining > 0);
  }
}

function matches(spec: FaultSpec, target: FaultTarget): boolean {
  if (spec.api !== undefined && spec.api !== target.api) return false;
  if (spec.method !== undefined && spec.method.toUpperCase() !== target.method.toUpperCase()) return false;
  if (spec.cmdlet !== undefined && spec.cmdlet.toLowerCase() !== (target.cmdlet ?? '').toLowerCase())
    return false;
  if (spec.pathPattern !== undefined) {
    spec.pathPattern.lastIndex = 0;
    if (!spec.pathPattern.test(target.path)) return false;
  }
  return true;
}
