/**
 * The replication policy with a controllable clock: a fake Exchange answers `-GetEffectiveUsers` from
 * a script, and each poll is made at the moment the previous verdict asked for. Ready needs both
 * `confirmations` sightings in a row and the settle time; polls back off up to `maxPollMs` and never
 * past the timeout.
 */
import type { Exchange } from '../../src/domain/ports';
import {
  MAX_POLL_MS,
  pollReplication,
  type ReplicationPolicy,
  type ReplicationVerdict,
  type ReplicationWatch,
  startWatch,
} from '../../src/domain/replication';
import { IMPERSONATION_ROLE } from '../../src/domain/wellKnown';

const MINUTE = 60_000;
const T0 = new Date('2025-03-01T09:00:00.000Z');
const ACCOUNT = {
  id: '7f0c1a52-3b8e-4d8e-9a0b-2c1d3e4f5a6b',
  upn: 'svc-cirasync@contoso.com',
  username: 'svc-cirasync',
};
const SEEN = [ACCOUNT.upn];
const NOT_SEEN: string[] = [];

function policy(overrides: Partial<ReplicationPolicy> = {}): ReplicationPolicy {
  return {
    settleMs: 30 * MINUTE,
    pollMs: MINUTE,
    maxPollMs: MAX_POLL_MS,
    timeoutMs: 120 * MINUTE,
    confirmations: 2,
    ...overrides,
  };
}

/** Exchange that answers `effectiveRoleUsers` from a script (the last answer repeats) and nothing else. */
function scriptedExchange(answers: string[][]): Exchange & { asked: string[] } {
  const asked: string[] = [];
  let next = 0;
  const unused = (): Promise<never> => Promise.reject(new Error('not used by the replication policy'));
  return {
    asked,
    effectiveRoleUsers: async (role: string) => {
      asked.push(role);
      const answer = answers[Math.min(next, answers.length - 1)];
      next += 1;
      return [...answer];
    },
    readOverview: unused,
    getRoleGroup: unused,
    newRoleGroup: unused,
    addRoleGroupMember: unused,
    recipientExists: unused,
    mailboxExists: unused,
    publicFolderAccess: unused,
    addPublicFolderPermission: unused,
    readAccountHealth: unused,
  };
}

interface Poll {
  /** Minutes after T0 when the poll was made. */
  minute: number;
  verdict: ReplicationVerdict;
}

/** Polls as the job would: each next poll at the moment the previous `wait` verdict names. */
async function follow(exchange: Exchange, p: ReplicationPolicy, maxPolls = 50): Promise<Poll[]> {
  let watch: ReplicationWatch = startWatch(T0, p);
  let now = T0.getTime();
  const polls: Poll[] = [];
  for (let i = 0; i < maxPolls; i++) {
    const verdict = await pollReplication(exchange, ACCOUNT, watch, p, new Date(now));
    polls.push({ minute: (now - T0.getTime()) / MINUTE, verdict });
    if (verdict.kind !== 'wait') return polls;
    expect(verdict.at).toBeGreaterThan(now);
    now = verdict.at;
    watch = verdict.watch;
  }
  throw new Error(`still waiting after ${maxPolls} polls`);
}

describe('the replication policy', () => {
  it('when Exchange shows the account from the start and the settle time is 30 minutes, then it is not ready before 30 minutes, the last wait points exactly at the settle moment, and it is ready at that poll', async () => {
    const exchange = scriptedExchange([SEEN]);
    const polls = await follow(exchange, policy());
    const last = polls.at(-1) as Poll;
    expect(last.verdict.kind).toBe('ready');
    expect(last.minute).toBe(30);
    expect(polls.slice(0, -1).every((p) => p.verdict.kind === 'wait' && p.minute < 30)).toBe(true);
    // Back-off 1, 2, 4, 8, 10 minutes: polls at 0, 1, 3, 7, 15, 25; the next 10-minute wait is cut to the settle moment.
    expect(polls.map((p) => p.minute)).toEqual([0, 1, 3, 7, 15, 25, 30]);
    const beforeLast = polls.at(-2)?.verdict as Extract<ReplicationVerdict, { kind: 'wait' }>;
    expect(beforeLast.at).toBe(T0.getTime() + 30 * MINUTE);
    expect(last.verdict.watch).toMatchObject({ polls: 7, consecutive: 7, lastSeen: true });
    expect(exchange.asked.every((role) => role === IMPERSONATION_ROLE)).toBe(true);
  });

  it('when sightings already suffice a little before the settle moment, then the next poll is set exactly at the settle moment, not a whole back-off later', async () => {
    const p = policy();
    const watch: ReplicationWatch = { ...startWatch(T0, p), consecutive: 1, polls: 3, delayMs: 8 * MINUTE };
    const now = new Date(T0.getTime() + 29 * MINUTE + 50_000);
    const verdict = await pollReplication(scriptedExchange([SEEN]), ACCOUNT, watch, p, now);
    expect(verdict).toMatchObject({ kind: 'wait', at: T0.getTime() + 30 * MINUTE });
    expect(verdict.watch.consecutive).toBe(2);
  });

  it('when the settle time has passed but the account is seen only once, then it waits for a second sighting in a row', async () => {
    const p = policy();
    const watch = startWatch(T0, p);
    const after = new Date(T0.getTime() + 31 * MINUTE);
    const first = await pollReplication(scriptedExchange([SEEN]), ACCOUNT, watch, p, after);
    expect(first.kind).toBe('wait');
    expect(first.watch.consecutive).toBe(1);
    const second = await pollReplication(
      scriptedExchange([SEEN]),
      ACCOUNT,
      first.watch,
      p,
      new Date(after.getTime() + MINUTE),
    );
    expect(second.kind).toBe('ready');
  });

  it('when the read flaps (seen, not seen, seen), then that is not two in a row, and the next sighting makes it ready', async () => {
    const exchange = scriptedExchange([SEEN, NOT_SEEN, SEEN, SEEN]);
    const polls = await follow(exchange, policy({ settleMs: 0 }));
    expect(polls.map((p) => p.verdict.kind)).toEqual(['wait', 'wait', 'wait', 'ready']);
    expect(polls.map((p) => p.verdict.watch.consecutive)).toEqual([1, 0, 1, 2]);
    expect(polls.map((p) => p.verdict.watch.lastSeen)).toEqual([true, false, true, true]);
  });

  it('when the settle time is 0, then the account is ready at the second sighting in a row, one poll interval after the first', async () => {
    const polls = await follow(scriptedExchange([SEEN]), policy({ settleMs: 0 }));
    expect(polls.map((p) => [p.minute, p.verdict.kind])).toEqual([
      [0, 'wait'],
      [1, 'ready'],
    ]);
  });

  it('when Exchange never shows the account, then the waits double from pollMs up to 10 minutes, none is past the timeout, and the poll at the timeout says so', async () => {
    const p = policy({ timeoutMs: 40 * MINUTE });
    const polls = await follow(scriptedExchange([NOT_SEEN]), p);
    const waits = polls.slice(0, -1).map((poll, i) => (polls[i + 1].minute - poll.minute) * MINUTE);
    // 1, 2, 4, 8, 10, 10 minutes, then the last wait is cut short at the 40-minute timeout.
    expect(waits).toEqual([1, 2, 4, 8, 10, 10].map((m) => m * MINUTE).concat([5 * MINUTE]));
    expect(Math.max(...waits)).toBeLessThanOrEqual(MAX_POLL_MS);
    for (const poll of polls.slice(0, -1)) {
      const verdict = poll.verdict as Extract<ReplicationVerdict, { kind: 'wait' }>;
      expect(verdict.at).toBeLessThanOrEqual(T0.getTime() + p.timeoutMs);
      expect(verdict.watch.delayMs).toBeLessThanOrEqual(MAX_POLL_MS);
    }
    const last = polls.at(-1) as Poll;
    expect(last).toMatchObject({ minute: 40, verdict: { kind: 'timeout' } });
    expect(last.verdict.watch).toMatchObject({ polls: polls.length, consecutive: 0, lastSeen: false });
  });

  it('when a poll comes after the timeout (the bot was down), then the verdict is timeout, not another wait', async () => {
    const p = policy();
    const watch = startWatch(T0, p);
    for (const late of [120, 121, 500]) {
      const verdict = await pollReplication(
        scriptedExchange([NOT_SEEN]),
        ACCOUNT,
        { ...watch, consecutive: 1, polls: 9, delayMs: MAX_POLL_MS },
        p,
        new Date(T0.getTime() + late * MINUTE),
      );
      expect(verdict.kind).toBe('timeout');
    }
    const justBefore = await pollReplication(
      scriptedExchange([NOT_SEEN]),
      ACCOUNT,
      { ...watch, polls: 9, delayMs: MAX_POLL_MS },
      p,
      new Date(T0.getTime() + 120 * MINUTE - 1),
    );
    expect(justBefore).toMatchObject({ kind: 'wait', at: T0.getTime() + 120 * MINUTE });
  });

  it('when the account is confirmed and settled on the poll at the timeout, then it is ready rather than timed out', async () => {
    const p = policy();
    const watch: ReplicationWatch = { ...startWatch(T0, p), consecutive: 1, polls: 12, delayMs: MAX_POLL_MS };
    const verdict = await pollReplication(
      scriptedExchange([SEEN]),
      ACCOUNT,
      watch,
      p,
      new Date(T0.getTime() + p.timeoutMs),
    );
    expect(verdict.kind).toBe('ready');
  });

  it.each([
    ['the role group itself', ['App Impersonation']],
    ['other users', ['alexw@contoso.com', 'svc-cirasync-old@contoso.com', 'svc-cirasync2']],
    ['longer names that contain the alias or the UPN', ['xsvc-cirasync', 'svc-cirasync@contoso.com.evil']],
    ['other object ids', ['7f0c1a52-3b8e-4d8e-9a0b-2c1d3e4f5a6c']],
    ['an empty row', ['', '   ']],
  ])('when Exchange lists only %s, then the account is not counted as seen', async (_what, rows) => {
    const p = policy({ settleMs: 0 });
    const first = await pollReplication(scriptedExchange([rows]), ACCOUNT, startWatch(T0, p), p, T0);
    const second = await pollReplication(
      scriptedExchange([rows]),
      ACCOUNT,
      first.watch,
      p,
      new Date(T0.getTime() + MINUTE),
    );
    expect([first.watch.lastSeen, second.watch.lastSeen]).toEqual([false, false]);
    expect(second.kind).toBe('wait');
    expect(second.watch.consecutive).toBe(0);
  });

  it.each([
    ['its UPN in other case, with spaces', ['App Impersonation', '  SVC-CiraSync@Contoso.COM ']],
    ['its alias', ['Alex Wilber', 'SVC-CIRASYNC']],
    ['its object id in upper case', [ACCOUNT.id.toUpperCase()]],
  ])('when Exchange lists %s, then the account is seen', async (_what, rows) => {
    const p = policy({ settleMs: 0 });
    const first = await pollReplication(scriptedExchange([rows]), ACCOUNT, startWatch(T0, p), p, T0);
    const second = await pollReplication(
      scriptedExchange([rows]),
      ACCOUNT,
      first.watch,
      p,
      new Date(T0.getTime() + MINUTE),
    );
    expect(first.watch.lastSeen).toBe(true);
    expect(second.kind).toBe('ready');
  });

  it('when the object id is not known yet, then an empty row does not match the missing id', async () => {
    const p = policy({ settleMs: 0 });
    const withoutId = { upn: ACCOUNT.upn, username: ACCOUNT.username };
    const verdict = await pollReplication(scriptedExchange([['']]), withoutId, startWatch(T0, p), p, T0);
    expect(verdict.watch.lastSeen).toBe(false);
  });
});
