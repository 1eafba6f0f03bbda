/**
 * Several instances on one storage account: two built bot processes with STORAGE=azure on one Azurite,
 * in live mode against the tenant simulator (which runs in this test process, so the tenant outlives
 * every bot). Side effects are counted in the simulator's log and at the fake Teams connector: every
 * write happens once and every message is sent once, whichever instance took the press or the job,
 * through a SIGKILL of the instance holding a job and through a rolling restart.
 */
import { JOB_KINDS } from '../../src/jobs/jobKinds';
import { assertTestCaTrusted } from '../simulator/tlsFixtures';
import { type Azurite, startAzurite } from '../support/azurite';
import { ALEX_CHAT, atWrite, type CrashRig, waitUntil, withRig } from '../support/crashHarness';

/** The writes of a request with public folders, in plan order. */
const WRITES = [
  'POST /v1.0/users',
  'POST /v1.0/roleManagement/directory/roleAssignments',
  'POST /v1.0/users/{id}/assignLicense',
  'Add-PublicFolderClientPermission',
  'New-RoleGroup',
];

let azurite: Azurite;

beforeAll(async () => {
  assertTestCaTrusted();
  azurite = await startAzurite();
});
afterAll(async () => {
  await azurite?.stop();
});

interface Submitted {
  requestId: string;
  approverChat: string;
}

/** The usernames the requests were made for, by request id (the approver's notes name the account). */
const usernames = new Map<string, string>();

async function submit(rig: CrashRig, username: string): Promise<Submitted> {
  const request = await rig.submitRequest(username);
  usernames.set(request.requestId, username);
  return request;
}

const approverNotes = (rig: CrashRig, request: Submitted) =>
  rig.connector.calls.filter((c) => {
    const text = String(c.body.text ?? '');
    return (
      c.conversationId === request.approverChat &&
      text.includes('is ready') &&
      text.includes(`${usernames.get(request.requestId) ?? '?'}@`)
    );
  });

/** Every request Ready, each write once per request, one ready card for Alex and one note for Megan each. */
async function expectAllReadyOnce(rig: CrashRig, requests: Submitted[]): Promise<void> {
  await waitUntil(() => rig.readyMessages().length >= requests.length, 30_000);
  await waitUntil(() => requests.every((r) => approverNotes(rig, r).length > 0), 15_000);
  // Time for a second instance to send anything twice, had it also run the job.
  await new Promise((resolve) => setTimeout(resolve, 1_500));
  const counts = new Map<string, number>();
  for (const write of rig.committedWrites()) counts.set(write, (counts.get(write) ?? 0) + 1);
  // The role group is made by the first request; each later account is added to it.
  const expected: Record<string, number> = Object.fromEntries(WRITES.map((w) => [w, requests.length]));
  expected['New-RoleGroup'] = 1;
  if (requests.length > 1) expected['Add-RoleGroupMember'] = requests.length - 1;
  expect(Object.fromEntries(counts)).toEqual(expected);
  // A write asked for and refused: only the shared role group, when two accounts are set up at the
  // same moment and both find it missing (the second then adds its account as a member).
  const refused = [...rig.attemptedWrites()];
  for (const write of rig.committedWrites()) refused.splice(refused.indexOf(write), 1);
  expect(refused.filter((w) => w !== 'New-RoleGroup')).toEqual([]);
  expect(refused.length).toBeLessThan(requests.length);
  expect(rig.readyMessages().map((c) => c.conversationId)).toEqual(requests.map(() => ALEX_CHAT));
  for (const request of requests) {
    expect(approverNotes(rig, request)).toHaveLength(1);
    const stored = await rig.stored(request.requestId);
    expect(stored.state).toBe('Ready');
    expect(stored.events.filter((e) => e === 'approved' || e === 'provisioned' || e === 'ready')).toEqual([
      'approved',
      'provisioned',
      'ready',
    ]);
  }
}

describe('two bot instances on one Azure storage account', () => {
  it(
    'when requests are submitted and approved through both instances at once, then each job runs once: every write and every message once',
    () =>
      withRig(
        async (rig) => {
          const a = await rig.startBot();
          const b = await rig.startBot();
          const requests: Submitted[] = [];
          for (const [i, bot] of [a, b, a].entries()) {
            rig.use(bot);
            requests.push(await submit(rig, `cirasync-svc${i + 1}`));
          }
          // Each approval through the other instance than the one that took the request.
          await Promise.all(
            requests.map(async (request, i) => {
              rig.use(i % 2 === 0 ? b : a);
              await rig.approve(request);
            }),
          );
          await expectAllReadyOnce(rig, requests);
          await rig.stopAll();
        },
        { azure: azurite },
      ),
    90_000,
  );

  it(
    'when the instance holding a provisioning job is SIGKILLed mid-step, then the other resumes it after the lease and the account is created once',
    () =>
      withRig(
        async (rig) => {
          const a = await rig.startBot();
          const b = await rig.startBot();
          const request = await submit(rig, 'cirasync-svc');
          // The user is created slowly, so the holder can be found before its second write.
          const slow = rig.sim.faults.inject({
            api: 'graph',
            method: 'POST',
            pathPattern: /^\/v1\.0\/users$/,
            times: 1,
            delayMs: 2_000,
          });
          rig.use(a);
          await rig.approve(request);
          let holder: Awaited<ReturnType<CrashRig['provisioningHolder']>>;
          for (let i = 0; i < 200 && holder === undefined; i++) {
            holder = await rig.provisioningHolder(request.requestId);
            if (holder === undefined) await new Promise((resolve) => setTimeout(resolve, 25));
          }
          if (holder === undefined) throw new Error('no instance took the provisioning job');
          const other = holder === a ? b : a;
          rig.use(holder);
          // Killed as the role assignment is committed, before it hears back: the step is not saved.
          await rig.killWhen(atWrite(2), 'atCommit');
          expect(slow.remaining()).toBe(0);
          expect(rig.committedWrites()).toEqual(WRITES.slice(0, 2));
          expect(rig.readyMessages()).toHaveLength(0);

          rig.use(other);
          await expectAllReadyOnce(rig, [request]);
          // The survivor ran the provisioning job to its end.
          expect(other.logs.some((l) => l.msg === 'job ran' && l.kind === JOB_KINDS.provision)).toBe(true);
          await rig.stopAll();
        },
        { azure: azurite },
      ),
    90_000,
  );

  it(
    'when a request is approved through one instance and that instance stops while it waits for replication, then the other watches it and notifies once',
    () =>
      withRig(
        async (rig) => {
          const a = await rig.startBot();
          const request = await submit(rig, 'cirasync-svc');
          await rig.approve(request);
          const deadline = Date.now() + 20_000;
          while ((await rig.stored(request.requestId)).state !== 'AwaitingReplication') {
            if (Date.now() > deadline) throw new Error('the request never reached the replication wait');
            await new Promise((resolve) => setTimeout(resolve, 50));
          }
          const b = await rig.startBot();
          rig.use(a);
          await rig.stopBot();
          expect(a.child.exitCode).toBe(0);
          expect(rig.readyMessages()).toHaveLength(0);

          rig.use(b);
          await expectAllReadyOnce(rig, [request]);
          await rig.stopAll();
        },
        { azure: azurite, replicationMs: 6_000 },
      ),
    90_000,
  );

  it(
    'when both instances are restarted one after the other mid-flow, then nothing is lost: the pending request is approved and every request ends Ready once',
    () =>
      withRig(
        async (rig) => {
          const a = await rig.startBot();
          const b = await rig.startBot();
          rig.use(a);
          const first = await submit(rig, 'cirasync-svc');
          rig.use(b);
          const second = await submit(rig, 'cirasync-svc2');
          await rig.approve(first);

          // Roll: A stops and comes back, then B, while the first request is being set up.
          rig.use(a);
          await rig.stopBot();
          const a2 = await rig.startBot();
          rig.use(b);
          await rig.stopBot();
          const b2 = await rig.startBot();

          // The second request, pending all along, is approved through the new B.
          rig.use(b2);
          await rig.approve(second);
          await expectAllReadyOnce(rig, [first, second]);
          for (const bot of [a, b]) expect(bot.child.exitCode).toBe(0);
          expect(a2.child.exitCode).toBeNull();
          await rig.stopAll();
        },
        { azure: azurite, replicationMs: 2_000 },
      ),
    120_000,
  );
});
