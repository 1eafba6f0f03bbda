import type { Api } from './http/simMessages';

/** One request the simulator answered. `$batch` sub-requests are their own records (`viaBatch`). */
export interface CallRecord {
  /** Order of arrival, from 1. */
  seq: number;
  api: Api;
  method: string;
  /** Path without the query, e.g. `/v1.0/users` or `/adminapi/beta/{tenant}/InvokeCommand`. */
  path: string;
  /** The query string without `?` ('' when none). */
  query: string;
  /** Exchange only: the cmdlet name from `CmdletInput.CmdletName`. */
  cmdlet?: string;
  status: number;
  /** ISO time on the simulator clock when the request arrived. */
  time: string;
  durationMs: number;
  /**
   * The request asks for a change: a Graph method other than GET, an Exchange cmdlet other than
   * `Get-*`, a Key Vault PUT. The `$batch` envelope itself is not mutating (its sub-requests are
   * logged separately).
   */
  mutating: boolean;
  /** The tenant state actually changed while answering (true also for an `afterCommit` fault). */
  committed: boolean;
  viaBatch: boolean;
  /** Set when an injected fault or the `throttled` scenario shaped the answer. */
  fault?: string;
  clientRequestId?: string;
  /** Exchange only: the `X-AnchorMailbox` header as sent. */
  anchorMailbox?: string;
  /** The calling app (`appid` of the bearer token), when the token was valid. */
  appId?: string;
}

/** HTTP requests actually received, by api (a `$batch` counts once). */
export interface RoundTrips {
  graph: number;
  exchange: number;
  token: number;
  keyvault: number;
  total: number;
}

export class CallLog {
  private records: CallRecord[] = [];
  private trips: RoundTrips = { graph: 0, exchange: 0, token: 0, keyvault: 0, total: 0 };
  private seq = 0;

  /** A sequence number in arrival order, for a record written when the answer is known. */
  reserve(): number {
    return ++this.seq;
  }

  record(seq: number, entry: Omit<CallRecord, 'seq'>): void {
    this.records.push({ seq, ...entry });
    this.records.sort((a, b) => a.seq - b.seq);
  }

  roundTrip(api: Api): void {
    this.trips[api] += 1;
    this.trips.total += 1;
  }

  all(): CallRecord[] {
    return this.records.map((record) => ({ ...record }));
  }

  roundTrips(): RoundTrips {
    return { ...this.trips };
  }

  clear(): void {
    this.records = [];
    this.trips = { graph: 0, exchange: 0, token: 0, keyvault: 0, total: 0 };
  }
}
