/**
 * A press answered "under way" survives its process: Downgrade role is pressed while Graph holds its
 * answer, the bot is SIGKILLed before the outcome is shown, and the bot started again on the same
 * DATA_DIR does the press again (its job falls due after JOB_LEASE_SECONDS), lowers the role once and
 * redraws the pressed card. The built bot runs in live mode against the simulator in this process.
 */
import { ACCOUNT_VERBS } from '../../cards/verbs';
import { STILL_WORKING } from '../../src/bot/answerInTime';
import { SQLITE_FILE_NAME } from '../../src/adapters/storage/createStorage';
import { ROLE } from '../../src/domain/wellKnown';
import { JOB_KINDS } from '../../src/jobs/jobKinds';
import { SqliteJobStore } from '../../src/jobs/sqliteJobStore';
import { assertTestCaTrusted } from '../simulator/tlsFixtures';
import { ALEX, postActivity, teamsCardAction } from '../support/activities';
import { ALEX_CHAT, CRASH_TENANT_ID, type CrashRig, waitUntil, withRig } from '../support/crashHarness';
import type { ConnectorCall } from '../support/fakeConnector';

jest.setTimeout(120_000);

const HELD_MS = 7_000;
const CARD_ID = 'ready-card-7';

beforeAll(() => assertTestCaTrusted());

async function pressDowngrade(rig: CrashRig, requestId: string): Promise<unknown> {
  const bot = rig.bots[rig.bots.length - 1];
  const activity = teamsCardAction(
    rig.connector.serviceUrl,
    ACCOUNT_VERBS.downgrade,
    { requestId },
    { tenantId: CRASH_TENANT_ID, from: ALEX, replyToId: CARD_ID },
  );
  const response = await postActivity(bot.url, activity);
  expect(response.status).toBe(200);
  return ((await response.json()) as { value?: unknown }).value;
}

/** The press's job in the bot's SQLite file, as a second connection reads it. */
async function latePressJobs(dataDir: string, requestId: string) {
  const jobs = new SqliteJobStore(`${dataDir}/${SQLITE_FILE_NAME}`);
  try {
    const all = await jobs.listForRequest(CRASH_TENANT_ID, requestId);
    return all.filter((job) => job.kind === JOB_KINDS.latePress);
  } finally {
    jobs.close();
  }
}

function roleIdsOf(rig: CrashRig, upn: string): string[] {
  const state = rig.sim.state();
  const user = state.users.find((u) => u.userPrincipalName === upn);
  return state.roleAssignments.filter((a) => a.principalId === user?.id).map((a) => a.roleDefinitionId);
}

describe('a late press whose bot is killed before it shows the outcome', () => {
  it('when the bot starts again, then the press is done again once: the role lowered and the pressed card redrawn', async () => {
    await withRig(async (rig) => {
      await rig.startBot();
      const request = await rig.submitRequest();
      await rig.approve(request);
      await rig.waitForReady(30_000);
      const upn = 'cirasync-svc@contoso.com';
      expect(roleIdsOf(rig, upn)).toContain(ROLE.globalAdministrator);

      // Graph holds the grant of the lesser role: the press is answered as under way.
      rig.sim.faults.inject({ api: 'graph', method: 'POST', times: 1, delayMs: HELD_MS });
      const pressedAt = Date.now();
      expect(await pressDowngrade(rig, request.requestId)).toBe(STILL_WORKING);
      let kept: Awaited<ReturnType<typeof latePressJobs>> = [];
      const deadline = Date.now() + 5_000;
      while (kept.length === 0 && Date.now() < deadline) {
        kept = await latePressJobs(rig.dataDir, request.requestId);
        if (kept.length === 0) await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(kept.map((job) => job.state)).toEqual(['queued']);

      // Killed before Graph answers: nothing of the press is shown.
      await rig.kill();
      const afterKill = rig.connector.calls.length;
      expect(rig.connector.calls.some((c) => c.activityId === CARD_ID)).toBe(false);

      await rig.startBot();
      const redrawn = (): ConnectorCall | undefined =>
        rig.connector.calls
          .slice(afterKill)
          .find((call) => call.method === 'PUT' && call.activityId === CARD_ID);
      await waitUntil(() => redrawn() !== undefined, 30_000);
      expect(JSON.stringify(redrawn()?.body)).toContain('no longer a Global Administrator');
      expect(roleIdsOf(rig, upn)).not.toContain(ROLE.globalAdministrator);

      // The held request of the killed bot ends too; then the records are read with no bot running.
      await new Promise((resolve) =>
        setTimeout(resolve, Math.max(0, pressedAt + HELD_MS + 500 - Date.now())),
      );
      await rig.stopBot();
      const stored = await rig.stored(request.requestId);
      expect(stored.events.filter((event) => event === 'downgraded')).toHaveLength(1);
      expect((await latePressJobs(rig.dataDir, request.requestId)).map((job) => job.state)).toEqual(['done']);
      // Alex's chat had no second copy of the card: the pressed one was redrawn in place.
      expect(
        rig.connector.calls
          .slice(afterKill)
          .filter(
            (c) =>
              c.conversationId === ALEX_CHAT &&
              c.method === 'POST' &&
              JSON.stringify(c.body).includes('no longer a Global Administrator'),
          ),
      ).toHaveLength(0);
    });
  });
});
