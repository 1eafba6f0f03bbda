/**
 * The job store's contract, one suite for every backend (SQLite, Azure Table): what `JobStore` in
 * src/jobs/jobs.ts promises, so the backends cannot drift. Each backend's test file runs it with a
 * factory that opens a fresh store, a second store on the same data (another process or instance),
 * and a way to damage one job's stored data.
 */
import type { JobRecord, JobStore, NewJob } from '../../src/jobs/jobs';

export const T0 = 1_700_000_000_000;
const LEASE = 60_000;

export interface JobStoreRig {
  store: JobStore;
  /** Another store on the same data, as a second process or instance would open it. */
  open(): JobStore;
  /** Writes `text` as the stored data of job `id`, bypassing the store. */
  damage(id: string, text: string): Promise<void>;
  cleanup(): Promise<void>;
}

/** The metrics' optional reads: every backend here has them. */
async function countsOf(store: JobStore, now: number) {
  if (store.counts === undefined) throw new Error('this store has no counts');
  return store.counts(now);
}

async function queuedOf(store: JobStore, kind: string, limit: number) {
  if (store.queuedOfKind === undefined) throw new Error('this store has no queuedOfKind');
  return store.queuedOfKind(kind, limit);
}

function job(id: string, runAt: number, data: Record<string, unknown> = {}): NewJob {
  return { id, kind: 'test', tenantId: 'tenant-1', requestId: 'request-1', runAt, data };
}

export function jobStoreContract(backend: string, rig: () => Promise<JobStoreRig>): void {
  describe(`JobStore contract on ${backend}`, () => {
    let current: JobStoreRig;
    let store: JobStore;
    const open = (): JobStore => current.open();

    beforeEach(async () => {
      current = await rig();
      store = current.store;
    });
    afterEach(async () => {
      await current.cleanup();
    });

    it('when the same id is enqueued twice, then there is one job and the second enqueue changes nothing', async () => {
      expect(await store.enqueue(job('a', T0, { step: 1 }), T0)).toBe(true);
      expect(await store.enqueue({ ...job('a', T0 + 5, { step: 2 }), kind: 'other' }, T0 + 1)).toBe(false);

      const jobs = await store.listForRequest('tenant-1', 'request-1');
      expect(jobs).toHaveLength(1);
      expect(jobs[0]).toMatchObject({
        id: 'a',
        kind: 'test',
        state: 'queued',
        attempts: 0,
        nextRunAt: T0,
        data: { step: 1 },
        createdAt: T0,
      });
      expect(jobs[0].lease).toBeUndefined();
    });

    it('when a finished job id is enqueued again, then it stays finished', async () => {
      await store.enqueue(job('a', T0), T0);
      await store.claimDue('A', T0, LEASE, 1);
      await store.finish('a', 'A', 'done', T0 + 1);
      expect(await store.enqueue(job('a', T0 + 10), T0 + 10)).toBe(false);
      expect(await store.get('a')).toMatchObject({ state: 'done' });
    });

    it('when jobs are listed for a request, then only that request’s jobs come back, oldest first, in any state', async () => {
      await store.enqueue(job('second', T0), T0 + 2);
      await store.enqueue(job('first', T0 + 100), T0 + 1);
      await store.enqueue({ ...job('elsewhere', T0 + 1), requestId: 'request-2' }, T0);
      await store.claimDue('A', T0, LEASE, 1);
      await store.finish('second', 'A', 'done', T0 + 3);
      const jobs = await store.listForRequest('tenant-1', 'request-1');
      expect(jobs.map((j) => [j.id, j.state])).toEqual([
        ['first', 'queued'],
        ['second', 'done'],
      ]);
      expect(await store.get('missing')).toBeUndefined();
    });

    it('when due jobs are claimed, then the earliest come first, up to the limit, and future jobs wait', async () => {
      await store.enqueue(job('c', T0 - 10), T0);
      await store.enqueue(job('future', T0 + 1_000), T0);
      await store.enqueue(job('a', T0 - 30), T0);
      await store.enqueue(job('b', T0 - 20), T0);

      const first = await store.claimDue('A', T0, LEASE, 2);
      expect(first.map((j) => j.id)).toEqual(['a', 'b']);
      expect(first[0]).toMatchObject({ attempts: 1, lease: { owner: 'A', expiresAt: T0 + LEASE } });

      const second = await store.claimDue('B', T0, LEASE, 5);
      expect(second.map((j) => j.id)).toEqual(['c']);
      expect(await store.claimDue('B', T0, LEASE, 5)).toEqual([]);
      expect((await store.claimDue('B', T0 + 1_000, LEASE, 5)).map((j) => j.id)).toEqual(['future']);
    });

    it('when a lease expires, then another owner claims the job and the first owner can no longer write', async () => {
      await store.enqueue(job('a', T0, { step: 0 }), T0);
      const other = open();
      expect(await store.claimDue('A', T0, 1_000, 1)).toHaveLength(1);
      expect(await other.claimDue('B', T0 + 999, 1_000, 1)).toEqual([]);

      const taken = await other.claimDue('B', T0 + 1_000, 1_000, 1);
      expect(taken).toHaveLength(1);
      expect(taken[0]).toMatchObject({ attempts: 2, lease: { owner: 'B', expiresAt: T0 + 2_000 } });

      expect(await store.checkpoint('a', 'A', { step: 99 }, T0 + 1_001)).toBe(false);
      expect(await store.renew('a', 'A', T0 + 1_001, 1_000)).toBe(false);
      expect(await store.reschedule('a', 'A', T0 + 5_000, T0 + 1_001)).toBe(false);
      expect(await store.finish('a', 'A', 'done', T0 + 1_001)).toBe(false);
      expect(await store.release('a', 'A', T0 + 1_001)).toBe(false);

      expect(await other.checkpoint('a', 'B', { step: 1 }, T0 + 1_002)).toBe(true);
      expect(await other.renew('a', 'B', T0 + 1_002, 1_000)).toBe(true);
      expect(await store.get('a')).toMatchObject({
        state: 'queued',
        data: { step: 1 },
        lease: { owner: 'B', expiresAt: T0 + 2_002 },
      });
      expect(await other.finish('a', 'B', 'done', T0 + 1_003)).toBe(true);
      expect(await other.renew('a', 'B', T0 + 1_004, 1_000)).toBe(false);
    });

    it('when a job is rescheduled, then it is queued at the new time without a lease, with the error and data saved', async () => {
      await store.enqueue(job('a', T0, { step: 0 }), T0);
      await store.claimDue('A', T0, LEASE, 1);
      expect(
        await store.reschedule('a', 'A', T0 + 500, T0 + 1, { data: { step: 2 }, error: 'Graph 503' }),
      ).toBe(true);
      expect(await store.get('a')).toMatchObject({
        state: 'queued',
        attempts: 1,
        nextRunAt: T0 + 500,
        data: { step: 2 },
        lastError: 'Graph 503',
        updatedAt: T0 + 1,
      });
      expect((await store.get('a'))?.lease).toBeUndefined();
      expect(await store.claimDue('A', T0 + 499, LEASE, 1)).toEqual([]);

      await store.claimDue('A', T0 + 500, LEASE, 1);
      expect(await store.reschedule('a', 'A', T0 + 900, T0 + 501, { resetAttempts: true })).toBe(true);
      expect(await store.get('a')).toMatchObject({ attempts: 0, data: { step: 2 }, lastError: 'Graph 503' });
    });

    it('when a lease is released, then the job can be claimed again at once with nothing else changed', async () => {
      await store.enqueue(job('a', T0, { step: 3 }), T0);
      await store.claimDue('A', T0, LEASE, 1);
      expect(await store.release('a', 'A', T0 + 1)).toBe(true);
      expect(await store.get('a')).toMatchObject({
        state: 'queued',
        nextRunAt: T0,
        attempts: 1,
        data: { step: 3 },
      });
      expect((await store.claimDue('B', T0 + 1, LEASE, 1)).map((j) => j.id)).toEqual(['a']);
    });

    it('when a failed job is requeued, then it is due again with attempts reset and its data merged', async () => {
      await store.enqueue(job('a', T0, { keep: 'yes', step: 1 }), T0);
      await store.claimDue('A', T0, LEASE, 1);
      await store.finish('a', 'A', 'failed', T0 + 1, { error: 'boom' });
      expect(await store.get('a')).toMatchObject({ state: 'failed', lastError: 'boom', attempts: 1 });

      expect(await store.requeue('a', T0 + 10, T0 + 5, { step: 2 })).toBe(true);
      expect(await store.get('a')).toMatchObject({
        state: 'queued',
        attempts: 0,
        nextRunAt: T0 + 10,
        data: { keep: 'yes', step: 2 },
      });
      expect((await store.claimDue('A', T0 + 10, LEASE, 1)).map((j) => j.id)).toEqual(['a']);
    });

    it('when a requeue meets a live lease or no job, then it is refused; a done job runs again', async () => {
      await store.enqueue(job('a', T0), T0);
      await store.enqueue(job('b', T0), T0);
      await store.claimDue('A', T0, 1_000, 2);
      await store.finish('b', 'A', 'done', T0 + 1);

      expect(await store.requeue('a', T0, T0 + 999)).toBe(false);
      expect(await store.requeue('b', T0, T0 + 999)).toBe(true);
      expect(await store.get('b')).toMatchObject({ state: 'queued', attempts: 0 });
      expect(await store.requeue('missing', T0, T0 + 999, { x: 1 })).toBe(false);

      // A timer that must fire earlier: once the lease has run out, the new time wins and the lease goes.
      await store.enqueue(job('timer', T0 + 60_000), T0);
      expect(await store.requeue('timer', T0 + 5, T0 + 1)).toBe(true);
      expect(await store.get('timer')).toMatchObject({ nextRunAt: T0 + 5 });
      expect(await store.requeue('a', T0 + 2_000, T0 + 1_000)).toBe(true);
      expect(await store.finish('a', 'A', 'done', T0 + 1_001)).toBe(false);
    });

    it('when a queued job is cancelled, then it is never claimed; a leased or finished job is not cancelled', async () => {
      await store.enqueue(job('free', T0), T0);
      await store.enqueue(job('held', T0 - 1), T0);
      await store.claimDue('A', T0, LEASE, 1);

      expect(await store.cancel('held', T0 + 1)).toBe(false);
      expect(await store.cancel('free', T0 + 1)).toBe(true);
      expect(await store.cancel('free', T0 + 2)).toBe(false);
      expect(await store.cancel('missing', T0 + 2)).toBe(false);
      expect(await store.get('free')).toMatchObject({ state: 'cancelled', updatedAt: T0 + 1 });
      expect(await store.claimDue('B', T0 + LEASE, LEASE, 5)).toHaveLength(1);
      expect(await store.requeue('free', T0, T0 + 3)).toBe(false);
    });

    it('when asked for the next due time, then it is the earliest free job or the earliest lease expiry', async () => {
      expect(await store.nextDueAt()).toBeUndefined();
      await store.enqueue(job('late', T0 + 90_000), T0);
      await store.enqueue(job('soon', T0 + 5_000), T0);
      expect(await store.nextDueAt()).toBe(T0 + 5_000);

      await store.claimDue('A', T0 + 5_000, 10_000, 1);
      expect(await store.nextDueAt()).toBe(T0 + 15_000);
      await store.finish('soon', 'A', 'done', T0 + 6_000);
      expect(await store.nextDueAt()).toBe(T0 + 90_000);
      await store.cancel('late', T0 + 7_000);
      expect(await store.nextDueAt()).toBeUndefined();
    });

    it('when a row’s data is damaged, then reading it throws an error naming the job, and a claim fails it instead of handing it out', async () => {
      await store.enqueue(job('broken', T0 - 1, { ok: true }), T0);
      await store.enqueue(job('fine', T0, { ok: true }), T0);
      await current.damage('broken', '{"ok": tru');

      await expect(store.get('broken')).rejects.toThrow(/Job "broken".*damaged/);
      await expect(store.listForRequest('tenant-1', 'request-1')).rejects.toThrow(/Job "broken"/);

      const claimed = await store.claimDue('A', T0, LEASE, 5);
      expect(claimed.map((j) => j.id)).toEqual(['fine']);
      await current.damage('broken', '{"ok": true}');
      expect(await store.get('broken')).toMatchObject({
        state: 'failed',
        lastError: expect.stringMatching(/Job "broken"/),
      });
      expect((await store.get('broken'))?.lease).toBeUndefined();

      await current.damage('fine', '[1,2]');
      await expect(store.get('fine')).rejects.toThrow(/Job "fine".*not a JSON object/);
    });

    it('when two stores claim the same due jobs at once, then each job goes to exactly one of them', async () => {
      const other = open();
      for (let i = 0; i < 24; i++) await store.enqueue(job(`j${String(i).padStart(2, '0')}`, T0 - i), T0);
      const rounds = await Promise.all([
        store.claimDue('A', T0, LEASE, 10),
        other.claimDue('B', T0, LEASE, 10),
        store.claimDue('C', T0, LEASE, 10),
        other.claimDue('D', T0, LEASE, 10),
      ]);
      const ids = rounds.flat().map((j) => j.id);
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids).toHaveLength(24);
      for (const claimed of rounds.flat()) {
        expect(await store.get(claimed.id)).toMatchObject({
          attempts: 1,
          lease: { owner: claimed.lease?.owner },
        });
      }
    });

    it('when the holder checkpoints and renews while another store requeues and cancels, then only the holder’s writes land', async () => {
      const other = open();
      await store.enqueue(job('a', T0, { step: 0 }), T0);
      await store.claimDue('A', T0, LEASE, 1);
      const results = await Promise.all([
        store.checkpoint('a', 'A', { step: 1 }, T0 + 1),
        other.requeue('a', T0 + 5, T0 + 1),
        other.cancel('a', T0 + 1),
        store.renew('a', 'A', T0 + 2, LEASE),
      ]);
      expect(results).toEqual([true, false, false, true]);
      expect(await other.get('a')).toMatchObject({
        state: 'queued',
        data: { step: 1 },
        lease: { owner: 'A', expiresAt: T0 + 2 + LEASE },
      });
    });

    it('when job data is large or holds any text, then it comes back exactly, and shrinking it leaves nothing behind', async () => {
      const big = {
        text: 'é✓ "quoted" \\ |/#?%'.repeat(6_000),
        list: Array.from({ length: 500 }, (_, i) => i),
      };
      await store.enqueue(job('big', T0, big), T0);
      expect((await open().get('big'))?.data).toEqual(big);
      await store.claimDue('A', T0, LEASE, 1);
      expect(await store.checkpoint('big', 'A', { small: true }, T0 + 1)).toBe(true);
      expect((await store.get('big'))?.data).toEqual({ small: true });
    });

    it('when jobs are due, running, failed or waiting, then the metrics’ counts say how many of each, and a lapsed lease counts as due again', async () => {
      const HOUR = 3_600_000;
      for (const id of ['a', 'b', 'c']) await store.enqueue(job(id, T0), T0);
      await store.enqueue(job('later', T0 + HOUR), T0);
      await store.enqueue(job('dropped', T0), T0);
      await store.cancel('dropped', T0);
      expect((await store.claimDue('A', T0, LEASE, 1)).map((j) => j.id)).toEqual(['a']);
      expect((await store.claimDue('A', T0, LEASE, 1)).map((j) => j.id)).toEqual(['b']);
      await store.finish('b', 'A', 'failed', T0, { error: 'boom' });

      expect(await countsOf(store, T0)).toEqual({ due: 1, running: 1, failed: 1 });
      expect(await countsOf(store, T0 + LEASE)).toEqual({ due: 2, running: 0, failed: 1 });
      expect(await countsOf(store, T0 + HOUR)).toEqual({ due: 3, running: 0, failed: 1 });
    });

    it('when queued jobs of one kind are listed, then their requests come earliest first, up to the limit, finished ones left out', async () => {
      const of = (id: string, kind: string, requestId: string, runAt: number): NewJob => ({
        id,
        kind,
        tenantId: 'tenant-1',
        requestId,
        runAt,
      });
      await store.enqueue(of('x2', 'approval.expire', 'r2', T0 + 2), T0);
      await store.enqueue(of('x1', 'approval.expire', 'r1', T0 + 1), T0);
      await store.enqueue(of('x3', 'approval.expire', 'r3', T0 + 3), T0);
      await store.enqueue(of('p1', 'provision', 'r1', T0), T0);
      await store.cancel('x2', T0);

      expect(await queuedOf(store, 'approval.expire', 10)).toEqual([
        { tenantId: 'tenant-1', requestId: 'r1' },
        { tenantId: 'tenant-1', requestId: 'r3' },
      ]);
      expect(await queuedOf(store, 'approval.expire', 1)).toEqual([
        { tenantId: 'tenant-1', requestId: 'r1' },
      ]);
    });

    it('when ids, tenants and requests hold characters keys forbid, then they still work and stay apart', async () => {
      const odd = ['provision:t/1:r#1', 'a|b', 'x?y\\z', '100%'];
      for (const [i, id] of odd.entries())
        await store.enqueue(
          { ...job(id, T0 + i), tenantId: 'ten/ant|1', requestId: `re#q?${i % 2}` },
          T0 + i,
        );
      expect((await store.listForRequest('ten/ant|1', 're#q?0')).map((j) => j.id)).toEqual([odd[0], odd[2]]);
      expect((await store.claimDue('A', T0 + 10, LEASE, 10)).map((j) => j.id)).toEqual(odd);
      expect(await store.get('a|b')).toMatchObject({ tenantId: 'ten/ant|1', requestId: 're#q?1' });
    });

    it('when jobs are listed for copying, then every job comes back once, in every state, with its fields', async () => {
      for (const id of ['q', 'd', 'f', 'c', 'l']) await store.enqueue(job(id, T0, { id }), T0);
      const claimed = await store.claimDue('A', T0, LEASE, 5);
      expect(claimed).toHaveLength(5);
      await store.finish('d', 'A', 'done', T0 + 1);
      await store.finish('f', 'A', 'failed', T0 + 2, { error: 'Graph said no' });
      await store.release('q', 'A', T0 + 3);
      await store.cancel('q', T0 + 4);
      await store.enqueue(job('q2', T0 + 50), T0 + 5);
      await store.release('c', 'A', T0 + 6);
      await store.cancel('c', T0 + 7);
      const all: JobRecord[] = [];
      for await (const one of open().allJobs()) all.push(one);
      const byId = new Map(all.map((one) => [one.id, one]));
      expect(all).toHaveLength(6);
      expect([...byId.keys()].sort()).toEqual(['c', 'd', 'f', 'l', 'q', 'q2']);
      expect(byId.get('f')).toMatchObject({
        state: 'failed',
        attempts: 1,
        lastError: 'Graph said no',
        data: { id: 'f' },
      });
      expect(byId.get('d')).toMatchObject({ state: 'done', updatedAt: T0 + 1 });
      expect(byId.get('c')).toMatchObject({ state: 'cancelled' });
      expect(byId.get('l')).toMatchObject({ state: 'queued', lease: { owner: 'A', expiresAt: T0 + LEASE } });
      expect(byId.get('q2')).toMatchObject({
        state: 'queued',
        attempts: 0,
        nextRunAt: T0 + 50,
        createdAt: T0 + 5,
      });
    });

    it('when more jobs than one page are listed for copying, then none is missed or repeated', async () => {
      const ids = Array.from({ length: 1_010 }, (_, i) => `page-${i}`);
      const records: JobRecord[] = ids.map((id) => ({
        id,
        kind: 'test',
        tenantId: 'tenant-1',
        requestId: 'request-1',
        state: 'done',
        attempts: 1,
        nextRunAt: T0,
        data: {},
        createdAt: T0,
        updatedAt: T0,
      }));
      expect((await store.importJobs(records)).every(Boolean)).toBe(true);
      const seen: string[] = [];
      for await (const one of store.allJobs()) seen.push(one.id);
      expect(seen.sort()).toEqual([...ids].sort());
    });

    it('when a job is imported, then it keeps its fields without a lease, and a second import of it changes nothing', async () => {
      const copied: JobRecord = {
        id: 'moved',
        kind: 'provision',
        tenantId: 'tenant-1',
        requestId: 'request-1',
        state: 'queued',
        attempts: 2,
        nextRunAt: T0 + 10,
        lease: { owner: 'old-process', expiresAt: T0 + LEASE },
        data: { step: 'mailbox', note: 'é|#' },
        lastError: 'Exchange was busy',
        createdAt: T0 - 1_000,
        updatedAt: T0 - 5,
      };
      expect(await store.importJob(copied)).toBe(true);
      const { lease: _dropped, ...withoutLease } = copied;
      expect(await open().get('moved')).toEqual(withoutLease);
      expect(await store.importJob({ ...copied, state: 'done', attempts: 9, data: {} })).toBe(false);
      expect(await store.get('moved')).toEqual(withoutLease);
      expect(await store.enqueue(job('moved', T0), T0)).toBe(false);

      // Queued without a lease: claimable from its due time on, found by the request and the due index.
      expect(await store.nextDueAt()).toBe(T0 + 10);
      expect(await store.claimDue('B', T0 + 9, LEASE, 5)).toEqual([]);
      const [claimed] = await store.claimDue('B', T0 + 10, LEASE, 5);
      expect(claimed).toMatchObject({ id: 'moved', attempts: 3, lease: { owner: 'B' } });
      expect((await store.listForRequest('tenant-1', 'request-1')).map((j) => j.id)).toEqual(['moved']);
    });

    it('when finished jobs are imported, then they keep their state, are never claimed, and can be retried', async () => {
      const base = { kind: 'provision', tenantId: 'tenant-1', requestId: 'request-1', attempts: 1, data: {} };
      for (const [id, state] of [
        ['was-done', 'done'],
        ['was-failed', 'failed'],
        ['was-cancelled', 'cancelled'],
      ] as const)
        expect(
          await store.importJob({ ...base, id, state, nextRunAt: T0, createdAt: T0, updatedAt: T0 + 1 }),
        ).toBe(true);
      expect(await store.claimDue('A', T0 + 1_000, LEASE, 10)).toEqual([]);
      expect(await store.nextDueAt()).toBeUndefined();
      expect(await store.get('was-failed')).toMatchObject({
        state: 'failed',
        attempts: 1,
        updatedAt: T0 + 1,
      });
      expect(await store.requeue('was-failed', T0 + 2, T0 + 2)).toBe(true);
      expect((await store.claimDue('A', T0 + 2, LEASE, 10)).map((j) => j.id)).toEqual(['was-failed']);
      expect(await store.requeue('was-cancelled', T0 + 3, T0 + 3)).toBe(false);
      expect((await store.listForRequest('tenant-1', 'request-1')).map((j) => j.id).sort()).toEqual([
        'was-cancelled',
        'was-done',
        'was-failed',
      ]);
    });

    it('when many jobs are imported at once and one is there already, then each gets its own answer and all can be claimed', async () => {
      await store.enqueue(job('bulk-7', T0 + 999), T0);
      const records: JobRecord[] = Array.from({ length: 40 }, (_, i) => ({
        id: `bulk-${i}`,
        kind: 'test',
        tenantId: 'tenant-1',
        requestId: 'request-1',
        state: i % 10 === 9 ? 'done' : 'queued',
        attempts: 1,
        nextRunAt: T0 + i,
        data: { i },
        createdAt: T0 - 100 + i,
        updatedAt: T0,
      }));
      const answers = await store.importJobs(records);
      expect(answers).toEqual(records.map((r) => r.id !== 'bulk-7'));
      expect(await open().get('bulk-7')).toMatchObject({ nextRunAt: T0 + 999, attempts: 0 });
      expect(await store.get('bulk-12')).toEqual(records[12]);
      expect(await store.importJobs(records)).toEqual(records.map(() => false));
      const claimed = await store.claimDue('A', T0 + 100, LEASE, 50);
      expect(claimed.map((j) => j.id)).toEqual(
        records.filter((r) => r.state === 'queued' && r.id !== 'bulk-7').map((r) => r.id),
      );
      expect((await store.listForRequest('tenant-1', 'request-1')).map((j) => j.id)).toHaveLength(40);
    });
  });
}
