/**
 * The job runner's heartbeat, which `/readyz` reports: fresh while the loop goes round (idle too),
 * stale when a round is stuck on its store, and not running once stopped.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { JobRunner, MIN_HEARTBEAT_STALE_MS } from '../../src/jobs/jobRunner';
import type { JobStore } from '../../src/jobs/jobs';

/** A job store with nothing due; `claimDue` waits on `stuck` when the test sets it. */
function emptyStore(): { store: JobStore; claims: () => number; stick: () => () => void } {
  let claims = 0;
  let stuck: Promise<void> | undefined;
  const store = {
    claimDue: async () => {
      claims++;
      if (stuck !== undefined) await stuck;
      return [];
    },
    nextDueAt: async () => undefined,
  } as unknown as JobStore;
  return {
    store,
    claims: () => claims,
    stick: () => {
      let release!: () => void;
      stuck = new Promise<void>((resolve) => (release = resolve));
      return () => {
        stuck = undefined;
        release();
      };
    },
  };
}

async function waitFor(check: () => boolean, timeoutMs = 2_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error('waitFor: timed out');
    await sleep(5);
  }
}

describe('JobRunner heartbeat', () => {
  const runners: JobRunner[] = [];
  afterEach(async () => {
    await Promise.all(runners.splice(0).map((runner) => runner.stop(0)));
  });

  function runner(store: JobStore, now: () => number, pollMs = 30): JobRunner {
    const created = new JobRunner({ store, handlers: {}, now, pollMs });
    runners.push(created);
    return created;
  }

  it('when it has not started, then it is not running and not alive', () => {
    const beat = runner(emptyStore().store, Date.now).heartbeat();
    expect(beat).toMatchObject({ running: false, alive: false, lastRoundAt: undefined });
  });

  it('when it is idle with nothing due, then its loop still goes round every poll and the heartbeat moves', async () => {
    const fake = emptyStore();
    const jobs = runner(fake.store, Date.now);
    jobs.start();
    await waitFor(() => fake.claims() >= 1);
    const first = jobs.heartbeat().lastRoundAt as number;
    await waitFor(() => fake.claims() >= 4);
    const later = jobs.heartbeat();
    expect(later.running).toBe(true);
    expect(later.alive).toBe(true);
    expect(later.lastRoundAt as number).toBeGreaterThan(first);
    expect(later.staleAfterMs).toBe(MIN_HEARTBEAT_STALE_MS);
  });

  it('when a round is stuck on its store past the stale time, then the heartbeat is stale; when it frees, alive again', async () => {
    let clock = 1_000_000;
    const fake = emptyStore();
    const jobs = runner(fake.store, () => clock);
    jobs.start();
    await waitFor(() => fake.claims() >= 1);
    const release = fake.stick();
    const claimsBefore = fake.claims();
    await waitFor(() => fake.claims() > claimsBefore);
    clock += MIN_HEARTBEAT_STALE_MS - 1;
    expect(jobs.heartbeat().alive).toBe(true);
    clock += 2;
    const stale = jobs.heartbeat();
    expect(stale).toMatchObject({ running: true, alive: false, ageMs: MIN_HEARTBEAT_STALE_MS + 1 });
    release();
    await waitFor(() => jobs.heartbeat().alive);
  });

  it('when the poll interval is long, then the heartbeat goes stale only after three of them', () => {
    const jobs = runner(emptyStore().store, Date.now, 60_000);
    expect(jobs.heartbeat().staleAfterMs).toBe(180_000);
  });

  it('when it is stopped, then it is not running and not alive', async () => {
    const fake = emptyStore();
    const jobs = runner(fake.store, Date.now);
    jobs.start();
    await waitFor(() => fake.claims() >= 1);
    await jobs.stop(0);
    expect(jobs.heartbeat()).toMatchObject({ running: false, alive: false });
  });
});
