/**
 * Waiting for Exchange to replicate the ApplicationImpersonation assignment (30–45 minutes in real
 * tenants). The account is ready when Exchange lists it as an effective user of the role on
 * `confirmations` consecutive polls AND the settle time since the role group step has passed. Polls
 * back off from `pollMs`, doubling up to `maxPollMs`; the watch gives up at `timeoutMs`.
 */
import type { Exchange } from './ports';
import { IMPERSONATION_ROLE } from './wellKnown';

export interface ReplicationPolicy {
  settleMs: number;
  pollMs: number;
  maxPollMs: number;
  timeoutMs: number;
  confirmations: number;
}

export const MAX_POLL_MS = 10 * 60_000;

/** Where a watch stands; kept in the job between polls. */
export interface ReplicationWatch {
  /** When the role group step finished. */
  since: string;
  /** Polls in a row that saw the account. */
  consecutive: number;
  polls: number;
  /** The delay before the next poll when nothing better is known. */
  delayMs: number;
  lastPollAt?: string;
  lastSeen?: boolean;
}

export type ReplicationVerdict =
  | { kind: 'ready'; watch: ReplicationWatch }
  | { kind: 'wait'; at: number; watch: ReplicationWatch }
  | { kind: 'timeout'; watch: ReplicationWatch };

export function startWatch(since: Date, policy: ReplicationPolicy): ReplicationWatch {
  return { since: since.toISOString(), consecutive: 0, polls: 0, delayMs: policy.pollMs };
}

function sameIdentity(row: string, account: { id?: string; upn: string; username: string }): boolean {
  const value = row.trim().toLowerCase();
  return [account.id, account.upn, account.username]
    .filter((v): v is string => v !== undefined && v !== '')
    .some((v) => v.toLowerCase() === value);
}

/** One poll: asks Exchange, then says whether the account is ready, when to look again, or that time is up. */
export async function pollReplication(
  exchange: Exchange,
  account: { id?: string; upn: string; username: string },
  watch: ReplicationWatch,
  policy: ReplicationPolicy,
  now: Date,
): Promise<ReplicationVerdict> {
  const users = await exchange.effectiveRoleUsers(IMPERSONATION_ROLE);
  return judgePoll(
    users.some((row) => sameIdentity(row, account)),
    watch,
    policy,
    now,
  );
}

/**
 * What one poll's answer means for the watch: ready after `confirmations` sightings in a row once
 * the settle time has passed, the next poll's time (backing off), or time up. The same rule serves
 * any grant Exchange is slow to show (the impersonation role, an app's roles).
 */
export function judgePoll(
  seen: boolean,
  watch: ReplicationWatch,
  policy: ReplicationPolicy,
  now: Date,
): ReplicationVerdict {
  const next: ReplicationWatch = {
    ...watch,
    polls: watch.polls + 1,
    consecutive: seen ? watch.consecutive + 1 : 0,
    lastPollAt: now.toISOString(),
    lastSeen: seen,
  };
  const since = Date.parse(watch.since);
  const settledAt = since + policy.settleMs;
  const giveUpAt = since + policy.timeoutMs;
  const at = now.getTime();
  if (next.consecutive >= policy.confirmations && at >= settledAt) return { kind: 'ready', watch: next };
  if (at >= giveUpAt) return { kind: 'timeout', watch: next };
  let wait = watch.delayMs;
  next.delayMs = Math.min(policy.maxPollMs, Math.max(policy.pollMs, watch.delayMs * 2));
  // Enough sightings already: the settle time is all that is missing, so look again right then.
  if (next.consecutive >= policy.confirmations) wait = Math.min(wait, settledAt - at);
  return { kind: 'wait', at: Math.min(at + Math.max(wait, 0), giveUpAt), watch: next };
}
