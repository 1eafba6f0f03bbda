/**
 * Crash and resume with real processes (issue 6): the built bot runs in live mode against the tenant
 * simulator, which runs in this test process so the tenant survives the bot. At each step boundary the
 * bot is SIGKILLed, started again on the same DATA_DIR, and must still bring the request to Ready with
 * every write made exactly once and one "ready" message.
 */
import { ACCOUNT_VERBS } from '../../cards/verbs';
import { PLAN } from '../../src/domain/provisionAccount';
import type { StepName } from '../../src/domain/provisioningSteps';
import { assertTestCaTrusted } from '../simulator/tlsFixtures';
import {
  ALEX_CHAT,
  atWrite,
  type CrashRig,
  type KillTrigger,
  waitUntil,
  withRig,
} from '../support/crashHarness';

/** The writes of a request with public folders, in plan order: each must happen exactly once. */
const WRITES = [
  'POST /v1.0/users',
  'POST /v1.0/roleManagement/directory/roleAssignments',
  'POST /v1.0/users/{id}/assignLicense',
  'Add-PublicFolderClientPermission',
  'New-RoleGroup',
];

/** The plan step that makes each write. */
const STEP_OF_WRITE: readonly StepName[] = [
  'user',
  'globalAdministrator',
  'licence',
  'publicFolderReviewer',
  'impersonationRoleGroup',
];

/** The plan's steps before `step`, and `step` too when `inclusive`. */
function stepsUpTo(step: StepName, inclusive: boolean): string[] {
  const index = PLAN.findIndex((s) => s.name === step) + (inclusive ? 1 : 0);
  return PLAN.slice(0, index).map((s) => s.name);
}

/** A replication poll answered after the last write: the bot is in the replication wait. */
const atReplicationPoll: KillTrigger = (call, writes) =>
  call.cmdlet === 'Get-ManagementRoleAssignment' && writes === WRITES.length;

interface Submitted {
  requestId: string;
  approverChat: string;
}

/** After the last restart: Ready, each write once, one ready card for Alex and one note for Megan. */
async function expectReadyOnce(rig: CrashRig, request: Submitted): Promise<void> {
  await rig.waitForReady(15_000);
  const approverNotes = () =>
    rig.connector.calls.filter(
      (c) => c.conversationId === request.approverChat && String(c.body.text ?? '').includes('is ready'),
    );
  await waitUntil(() => approverNotes().length > 0, 10_000);
  await rig.stopBot();

  expect(rig.committedWrites()).toEqual(WRITES);
  expect(rig.attemptedWrites()).toEqual(WRITES);
  expect(rig.readyMessages().map((c) => c.conversationId)).toEqual([ALEX_CHAT]);
  expect(approverNotes()).toHaveLength(1);
  const stored = await rig.stored(request.requestId);
  expect(stored.state).toBe('Ready');
  expect(stored.events.filter((e) => e === 'provisioned' || e === 'ready')).toEqual(['provisioned', 'ready']);
}

describe('a bot killed at a step boundary and started again', () => {
  beforeAll(() => assertTestCaTrusted());

  it.each(WRITES.map((write, i) => [i + 1, write] as const))(
    'when the bot is killed after write %i (%s) is saved, then the restarted bot finishes with each write once and one ready message',
    (k) =>
      withRig(async (rig) => {
        await rig.startBot();
        const request = await rig.submitRequest();
        const killed = rig.killWhen(atWrite(k), 'atNextCall');
        await rig.approve(request);
        await killed;

        // Dead after write k, its step saved, before its next call reached the tenant.
        expect(rig.committedWrites()).toEqual(WRITES.slice(0, k));
        expect((await rig.stored(request.requestId)).savedSteps).toEqual(
          stepsUpTo(STEP_OF_WRITE[k - 1], true),
        );
        expect(rig.readyMessages()).toHaveLength(0);

        await rig.startBot();
        await expectReadyOnce(rig, request);
      }),
    60_000,
  );

  it(
    'when the bot is killed as each write is committed, before it hears back, five times over, then the sixth process finishes with each write once and one ready message',
    () =>
      withRig(async (rig) => {
        await rig.startBot();
        const request = await rig.submitRequest();
        let killed = rig.killWhen(atWrite(1), 'atCommit');
        await rig.approve(request);
        for (let k = 1; k <= WRITES.length; k++) {
          await killed;
          // Write k is in the tenant, but the bot died before it could save its step.
          expect(rig.committedWrites()).toEqual(WRITES.slice(0, k));
          expect((await rig.stored(request.requestId)).savedSteps).toEqual(
            stepsUpTo(STEP_OF_WRITE[k - 1], false),
          );
          await rig.startBot();
          if (k < WRITES.length) {
            killed = rig.killWhen(atWrite(k + 1), 'atCommit');
            expect(rig.committedWrites()).toHaveLength(k);
          }
        }
        expect(rig.readyMessages()).toHaveLength(0);
        await expectReadyOnce(rig, request);
      }),
    90_000,
  );

  it(
    'when the bot is killed while it waits for replication, then the restarted bot sends the one ready message',
    () =>
      withRig(async (rig) => {
        await rig.startBot();
        const request = await rig.submitRequest();
        const killed = rig.killWhen(atReplicationPoll, 'atNextCall');
        await rig.approve(request);
        await killed;

        expect(rig.committedWrites()).toEqual(WRITES);
        const stored = await rig.stored(request.requestId);
        expect(stored.state).toBe('AwaitingReplication');
        expect(stored.savedSteps).toEqual(PLAN.map((s) => s.name));
        expect(rig.readyMessages()).toHaveLength(0);

        await rig.startBot();
        await expectReadyOnce(rig, request);
      }),
    60_000,
  );

  it(
    'when the bot is killed after the request turned Ready but before the ready message reached Teams, then the restarted bot still sends it once',
    () =>
      withRig(async (rig) => {
        await rig.startBot();
        const request = await rig.submitRequest();
        const held = rig.holdTeamsCall(
          (c) => c.method === 'POST' && c.body.includes(ACCOUNT_VERBS.downgrade),
        );
        await rig.approve(request);
        await held;
        await rig.kill();

        expect(rig.committedWrites()).toEqual(WRITES);
        expect((await rig.stored(request.requestId)).state).toBe('Ready');
        expect(rig.readyMessages()).toHaveLength(0);

        await rig.startBot();
        await expectReadyOnce(rig, request);
      }),
    60_000,
  );
});
