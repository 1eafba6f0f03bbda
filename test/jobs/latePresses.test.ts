/**
 * A late press kept as a job: queued a takeover time ahead and pushed back while this process works
 * on it, forgotten when the work ends here, and told apart when another runner took it over. A store
 * that fails does not stop the press from being shown here.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { LatePress } from '../../src/domain/workPorts';
import { JOB_KINDS } from '../../src/jobs/jobKinds';
import { JobLatePresses, latePressHandler, NO_REQUEST } from '../../src/jobs/latePresses';
import type { JobContext, JobRecord, JobStore } from '../../src/jobs/jobs';
import { SqliteJobStore } from '../../src/jobs/sqliteJobStore';

const T0 = 1_700_000_000_000;
const TAKEOVER_MS = 90;
const TENANT = 'tenant-1';
const REQUEST = '1b4e28ba-2fa1-41d2-883f-0016d3cca427';

const PRESS: LatePress = {
  verb: 'account.downgrade',
  requestId: REQUEST,
  activity: {
    type: 'invoke',
    name: 'adaptiveCard/action',
    replyToId: 'card-1',
    value: { action: { verb: 'account.downgrade', data: { requestId: REQUEST } } },
  },
};

async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs = 3_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('waitFor: timed out');
    await sleep(5);
  }
}

function recordingLog() {
  const warnings: string[] = [];
  return {
    warnings,
    log: {
      debug: () => undefined,
      info: () => undefined,
      warn: (message: string) => void warnings.push(message),
      error: () => undefined,
    },
  };
}

describe('late presses kept as jobs', () => {
  let dir: string;
  let store: SqliteJobStore;
  let clock: number;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sab-late-'));
    store = new SqliteJobStore(path.join(dir, 'state.sqlite'));
    clock = T0;
  });
  afterEach(() => {
    store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  function presses(log = recordingLog().log, jobs: JobStore = store): JobLatePresses {
    return new JobLatePresses({ jobs, tenantId: TENANT, takeoverMs: TAKEOVER_MS, log, now: () => clock });
  }

  async function keptJobs(): Promise<JobRecord[]> {
    return (await store.listForRequest(TENANT, REQUEST)).filter((job) => job.kind === JOB_KINDS.latePress);
  }

  it('when a press is kept, then one job holds the press, due only after the takeover time', async () => {
    const hold = await presses().keep(PRESS);
    const [job, ...others] = await keptJobs();
    expect(others).toHaveLength(0);
    expect(job).toMatchObject({
      kind: JOB_KINDS.latePress,
      tenantId: TENANT,
      requestId: REQUEST,
      state: 'queued',
      nextRunAt: T0 + TAKEOVER_MS,
      data: { verb: PRESS.verb, activity: PRESS.activity },
    });
    expect(await store.claimDue('runner-2', T0, 1_000, 10)).toHaveLength(0);
    expect(await hold.done()).toBe(true);
  });

  it('while the press is worked on, then its job is pushed back so that it never falls due', async () => {
    const hold = await presses().keep(PRESS);
    clock = T0 + 10_000;
    await waitFor(async () => (await keptJobs())[0]?.nextRunAt === T0 + 10_000 + TAKEOVER_MS);
    expect(await store.claimDue('runner-2', clock, 1_000, 10)).toHaveLength(0);
    expect(await hold.done()).toBe(true);
  });

  it('when the work ends here, then the job is cancelled and no runner ever does the press', async () => {
    const hold = await presses().keep(PRESS);
    expect(await hold.done()).toBe(true);
    expect((await keptJobs()).map((job) => job.state)).toEqual(['cancelled']);
    expect(await store.claimDue('runner-2', T0 + 60_000, 1_000, 10)).toHaveLength(0);
  });

  it('when another runner took the press over, then done() says so and the job is no longer pushed', async () => {
    const { log, warnings } = recordingLog();
    const hold = await presses(log).keep(PRESS);
    // This process stalled: the job fell due and another runner claimed it.
    const [claimed] = await store.claimDue('runner-2', T0 + TAKEOVER_MS, 60_000, 10);
    expect(claimed?.id).toBe((await keptJobs())[0]?.id);
    await waitFor(() => warnings.includes('A late card press was taken over by another runner'));
    expect(await hold.done()).toBe(false);
    // The other runner still holds it: nothing of this process changed it.
    expect(await keptJobs()).toMatchObject([{ state: 'queued', lease: { owner: 'runner-2' } }]);

    await store.finish(claimed.id, 'runner-2', 'done', T0 + TAKEOVER_MS + 1);
    const later = await presses(log).keep({ ...PRESS, requestId: REQUEST });
    const [second] = await store.claimDue('runner-3', T0 + TAKEOVER_MS, 60_000, 10);
    await store.finish(second.id, 'runner-3', 'done', T0 + TAKEOVER_MS + 1);
    expect(await later.done()).toBe(false);
  });

  it('when the press names no request it knows, then its job is kept under no request', async () => {
    const { log, warnings } = recordingLog();
    const hold = await presses(log).keep({ ...PRESS, requestId: "x' OR 1=1" });
    expect(warnings).toEqual([]);
    const [claimed] = await store.claimDue('runner-2', T0 + TAKEOVER_MS, 1_000, 10);
    expect(claimed).toMatchObject({ kind: JOB_KINDS.latePress, requestId: NO_REQUEST });
    await store.finish(claimed.id, 'runner-2', 'done', T0 + TAKEOVER_MS);
    expect(await hold.done()).toBe(false);
  });

  it('when the store cannot keep the press, then it is said in the log and the press is shown here all the same', async () => {
    const { log, warnings } = recordingLog();
    const failing = {
      enqueue: () => Promise.reject(new Error('database is locked')),
    } as unknown as JobStore;
    const hold = await presses(log, failing).keep(PRESS);
    expect(warnings).toEqual([
      'Could not keep a late card press as a job: a restart now would lose its outcome',
    ]);
    expect(await hold.done()).toBe(true);
  });
});

describe('the job that finishes a late press', () => {
  const ctx = {} as JobContext;

  function record(data: Record<string, unknown>): JobRecord {
    return {
      id: 'press.late:tenant-1:1',
      kind: JOB_KINDS.latePress,
      tenantId: TENANT,
      requestId: REQUEST,
      state: 'queued',
      attempts: 1,
      nextRunAt: T0,
      data,
      createdAt: T0,
      updatedAt: T0,
    };
  }

  it('when the job holds a press, then the press is finished and the job is done', async () => {
    const finished: LatePress[] = [];
    const handler = latePressHandler(async (press) => void finished.push(press));
    const outcome = await handler(record({ verb: PRESS.verb, activity: PRESS.activity }), ctx);
    expect(outcome).toEqual({ kind: 'done' });
    expect(finished).toEqual([PRESS]);
  });

  it('when the job is kept under no request, then the press is finished naming none', async () => {
    const finished: LatePress[] = [];
    const handler = latePressHandler(async (press) => void finished.push(press));
    const job = { ...record({ verb: PRESS.verb, activity: PRESS.activity }), requestId: NO_REQUEST };
    expect(await handler(job, ctx)).toEqual({ kind: 'done' });
    expect(finished).toEqual([{ ...PRESS, requestId: '' }]);
  });

  it.each([
    ['no verb', { activity: PRESS.activity }],
    ['no activity', { verb: PRESS.verb }],
    ['an activity that is a string', { verb: PRESS.verb, activity: 'invoke' }],
    ['an activity that is a list', { verb: PRESS.verb, activity: [] }],
  ])('when the job holds %s, then it fails and nothing is pressed', async (_what, data) => {
    const finished: LatePress[] = [];
    const handler = latePressHandler(async (press) => void finished.push(press));
    expect(await handler(record(data), ctx)).toEqual({
      kind: 'failed',
      error: 'The job does not hold a card press',
    });
    expect(finished).toHaveLength(0);
  });
});
