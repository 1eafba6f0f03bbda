/**
 * The progress card's buttons through the running bot (in process, over HTTP, fake Teams connector,
 * the built-in simulator with fault injection): a failed step shown on the card, Retry resuming from
 * the failed step, Remove asking first and then deleting only what this request made, Downgrade
 * swapping Global Administrator for the downgrade role — and who may press each.
 */
import { ACCOUNT_VERBS, REQUEST_VERBS } from '../../cards/verbs';
import type { ServiceAccountRequest } from '../../src/domain/request';
import { ROLE } from '../../src/domain/wellKnown';
import type { RunningBot } from '../../src/index';
import { JOB_KINDS, jobId } from '../../src/jobs/jobKinds';
import { SKUS, type TenantSimulator } from '../../src/simulator';
import { ADELE, ALEX, MEGAN, type TeamsUser, TEST_TENANT_ID } from '../support/activities';
import { type InvokeAnswer, startTestBot, type TestBot } from '../support/botHarness';
import type { ConnectorCall, FakeConnector } from '../support/fakeConnector';
import { pendingRequest, untilState } from '../support/requests';
import { missionSteps } from '../support/steps';

const ALEX_CHAT = `a:personal-${ALEX.aadObjectId}`;
const LICENCE_FAULT = { api: 'graph', method: 'POST', pathPattern: /\/assignLicense$/, status: 500 } as const;

function text(value: unknown): string {
  return JSON.stringify(value) ?? '';
}

/** The actions a card offers, by verb. */
function verbsOf(card: unknown): string[] {
  return [...text(card).matchAll(/"verb":"([^"]+)"/g)]
    .map((m) => m[1])
    .filter((v, i, all) => all.indexOf(v) === i);
}

function attachmentOf(call: ConnectorCall): unknown {
  return (call.body.attachments as { content: unknown }[] | undefined)?.[0]?.content;
}

/** The progress card's step list, as "mark title" lines. */
function stepsOf(card: unknown): string[] {
  const body = (card as { body?: { type: string; facts?: { title: string; value: string }[] }[] }).body ?? [];
  const steps = body.find((item) => item.type === 'FactSet');
  return (steps?.facts ?? []).map((f) => `${f.title} ${f.value}`);
}

describe('the account actions on the progress card', () => {
  let bot: RunningBot;
  let connector: FakeConnector;
  let simulator: TenantSimulator;
  let running: TestBot;
  let counter = 0;
  /** The request that failed at the licence, is retried to Ready, then downgraded. */
  let retried: ServiceAccountRequest;

  beforeAll(async () => {
    running = await startTestBot();
    ({ bot, connector } = running);
    simulator = bot.tenant.simulator as TenantSimulator;
  });
  afterAll(async () => {
    await running?.close();
  });

  function invoke(verb: string, request: ServiceAccountRequest, from: TeamsUser): Promise<InvokeAnswer> {
    return running.invoke(verb, { requestId: request.id }, from);
  }

  /** A request from Alex (public folders synced, so the licence step runs), approved by Megan. */
  async function approved(): Promise<ServiceAccountRequest> {
    counter += 1;
    const request = await pendingRequest(bot, {
      username: `svc-actions-${counter}`,
      details: {
        usageLocation: 'US',
        publicFolders: { skuId: SKUS.EXCHANGESTANDARD.skuId, skuName: 'Exchange Online (Plan 1)' },
        contact: { city: 'Redmond' },
      },
    });
    const answer = await invoke(REQUEST_VERBS.approve, request, MEGAN);
    expect(text(answer.value)).toContain('Approved by Megan Bowen');
    return request;
  }

  function upnOf(request: ServiceAccountRequest): string {
    return `${request.details.username}@${request.details.domain}`;
  }

  function simulatedUser(request: ServiceAccountRequest) {
    return simulator.state().users.find((u) => u.userPrincipalName === upnOf(request));
  }

  function rolesOf(userId: string): string[] {
    return simulator
      .state()
      .roleAssignments.filter((a) => a.principalId === userId)
      .map((a) => a.roleDefinitionId)
      .sort();
  }

  /** One request's story (failed, refused, retried, downgraded), a step per test, in order. */
  const step = missionSteps();

  /** Every progress-card activity in Alex's chat for this request, in order. */
  function progressCards(request: ServiceAccountRequest): ConnectorCall[] {
    return connector.calls.filter(
      (c) =>
        c.conversationId === ALEX_CHAT &&
        text(attachmentOf(c)).includes('Setting up the service account') &&
        text(attachmentOf(c)).includes(request.id),
    );
  }

  step(
    'when assigning the licence fails for good, then the request is Failed and the one progress card shows ✓ for the done steps, ✗ and the reason for the licence, with Retry and Remove',
    async () => {
      simulator.resetCalls();
      simulator.faults.inject({ ...LICENCE_FAULT, times: Infinity });
      retried = await approved();
      await untilState(bot, retried.id, 'Failed', 15_000);

      const cards = progressCards(retried);
      expect(cards.map((c) => c.method)).toEqual(['POST', ...cards.slice(1).map(() => 'PUT')]);
      expect(cards.length).toBeGreaterThan(1);
      expect(new Set(cards.slice(1).map((c) => c.activityId)).size).toBe(1);
      const card = attachmentOf(cards.at(-1) as ConnectorCall);
      expect(stepsOf(card)).toEqual([
        '✓ Create the user (password never expires) — done',
        '✓ Assign Global Administrator — done',
        '✗ Assign the mailbox licence',
        '· Wait for Exchange Online to know the account',
        '· Give Reviewer on the public folders',
        '· Add to the "App Impersonation" role group',
      ]);
      expect(text(card)).toContain('Step 3 of 6 failed');
      expect(text(card)).toContain('Microsoft Graph failed (500).');
      expect(text(card)).toMatch(/Microsoft 365 request-id [0-9a-f-]{36}/);
      expect(verbsOf(card)).toEqual([ACCOUNT_VERBS.retry, ACCOUNT_VERBS.remove]);
      expect(text(card)).toContain('Remove what was created');

      const told = connector.calls.filter(
        (c) => c.conversationId === ALEX_CHAT && typeof c.body.text === 'string',
      );
      expect(told.some((c) => String(c.body.text).includes(`Setting up ${upnOf(retried)} stopped`))).toBe(
        true,
      );
      const audit = (await bot.audit.forRequest(TEST_TENANT_ID, retried.id)).at(-1);
      expect(audit).toMatchObject({
        event: 'failed',
        outcome: 'Failed',
        detail: 'Microsoft Graph failed (500).',
      });
      expect(simulatedUser(retried)?.assignedLicenses).toEqual([]);
    },
  );

  step(
    'when Adele, neither requester nor approver, presses Retry or Remove, then she is refused and nothing changes',
    async () => {
      const before = await bot.requests.get(TEST_TENANT_ID, retried.id);
      const auditBefore = await bot.audit.forRequest(TEST_TENANT_ID, retried.id);
      const jobBefore = await bot.jobs.get(jobId(JOB_KINDS.provision, TEST_TENANT_ID, retried.id));
      const writesBefore = simulator.mutatingCalls().length;
      for (const verb of [ACCOUNT_VERBS.retry, ACCOUNT_VERBS.removeConfirmed]) {
        const answer = await invoke(verb, retried, ADELE);
        expect(answer.value).toBe(
          'Only Alex Wilber or Megan Bowen, who look after this account, can do that.',
        );
      }
      bot.runner.poke();
      await bot.idle();
      expect(await bot.requests.get(TEST_TENANT_ID, retried.id)).toEqual(before);
      // The trail gains only Adele's two refusals.
      const auditAfter = await bot.audit.forRequest(TEST_TENANT_ID, retried.id);
      expect(auditAfter.slice(0, auditBefore.length)).toEqual(auditBefore);
      expect(
        auditAfter.slice(auditBefore.length).map((r) => [r.event, r.actor.aadObjectId, r.outcome]),
      ).toEqual([
        ['press refused', ADELE.aadObjectId, 'refused'],
        ['press refused', ADELE.aadObjectId, 'refused'],
      ]);
      const jobAfter = await bot.jobs.get(jobId(JOB_KINDS.provision, TEST_TENANT_ID, retried.id));
      expect([jobAfter?.state, jobAfter?.attempts]).toEqual([jobBefore?.state, jobBefore?.attempts]);
      expect(jobAfter?.state).toBe('failed');
      expect(simulator.mutatingCalls()).toHaveLength(writesBefore);
      expect(simulatedUser(retried)).toBeDefined();
    },
  );

  step(
    'when Alex presses Retry after the fault is gone, then provisioning resumes at the licence (one user created overall) and reaches Ready',
    async () => {
      simulator.faults.clear();
      const answer = await invoke(ACCOUNT_VERBS.retry, retried, ALEX);
      expect(answer.statusCode).toBe(200);
      expect(verbsOf(answer.value)).not.toContain(ACCOUNT_VERBS.retry);
      await untilState(bot, retried.id, 'Ready', 15_000);

      const writes = simulator.mutatingCalls().map((c) => `${c.method} ${c.path}`);
      expect(writes.filter((w) => w === 'POST /v1.0/users')).toHaveLength(1);
      expect(writes.filter((w) => w === 'POST /v1.0/roleManagement/directory/roleAssignments')).toHaveLength(
        1,
      );
      expect(writes.filter((w) => w.endsWith('/assignLicense'))).toHaveLength(2);
      const user = simulatedUser(retried);
      expect(user?.assignedLicenses.map((l) => l.skuId)).toEqual([SKUS.EXCHANGESTANDARD.skuId]);
      expect(simulator.state().users.filter((u) => u.userPrincipalName === upnOf(retried))).toHaveLength(1);

      const events = (await bot.audit.forRequest(TEST_TENANT_ID, retried.id)).map((r) => r.event);
      expect(events.slice(events.indexOf('failed'))).toEqual([
        'failed',
        'press refused',
        'press refused',
        'retried',
        'provisioned',
        'ready',
      ]);
      const retriedBy = (await bot.audit.forRequest(TEST_TENANT_ID, retried.id)).find(
        (r) => r.event === 'retried',
      );
      expect(retriedBy?.actor).toMatchObject({ aadObjectId: ALEX.aadObjectId });
      const last = attachmentOf(progressCards(retried).at(-1) as ConnectorCall);
      expect(stepsOf(last).every((s) => s.startsWith('✓'))).toBe(true);
      expect(text(last)).not.toContain('✗');
    },
  );

  step(
    'when Alex presses Remove on a failed request, then it asks first and deletes nothing; Yes, remove it deletes the user and the request ends Cancelled',
    async () => {
      simulator.faults.inject({ ...LICENCE_FAULT, times: 1 });
      const request = await approved();
      await untilState(bot, request.id, 'Failed', 15_000);
      const user = simulatedUser(request);
      expect(user).toBeDefined();

      const asked = await invoke(ACCOUNT_VERBS.remove, request, ALEX);
      expect(text(asked.value)).toContain('Press **Yes, remove it** to go ahead.');
      expect(verbsOf(asked.value)).toEqual([ACCOUNT_VERBS.removeConfirmed]);
      expect(simulatedUser(request)?.id).toBe(user?.id);
      expect(simulator.mutatingCalls().filter((c) => c.method === 'DELETE')).toHaveLength(0);
      expect((await bot.requests.get(TEST_TENANT_ID, request.id))?.state).toBe('Failed');

      const removed = await invoke(ACCOUNT_VERBS.removeConfirmed, request, ALEX);
      expect(removed.statusCode).toBe(200);
      expect(text(removed.value)).toContain('Removed what this request created');
      expect(text(removed.value)).toContain(`Deleted ${upnOf(request)}`);
      expect(verbsOf(removed.value)).toEqual([]);
      expect(simulatedUser(request)).toBeUndefined();
      expect(simulator.state().users.some((u) => u.id === user?.id)).toBe(false);
      expect((await bot.requests.get(TEST_TENANT_ID, request.id))?.state).toBe('Cancelled');
      expect((await bot.audit.forRequest(TEST_TENANT_ID, request.id)).at(-1)).toMatchObject({
        event: 'removed',
        outcome: 'Cancelled',
        actor: { aadObjectId: ALEX.aadObjectId },
      });
      expect((await bot.passwords.state(TEST_TENANT_ID, request.id)).kind).toBe('purged');
      // The other request's account is untouched.
      expect(simulatedUser(retried)).toBeDefined();
    },
  );

  step(
    'when Megan presses Downgrade on the Ready account, then Global Administrator is gone and Service Support Administrator granted once; pressing again changes nothing',
    async () => {
      const userId = simulatedUser(retried)?.id as string;
      expect(rolesOf(userId)).toEqual([ROLE.globalAdministrator]);

      const refused = await invoke(ACCOUNT_VERBS.downgrade, retried, ADELE);
      expect(refused.value).toBe(
        'Only Alex Wilber or Megan Bowen, who look after this account, can do that.',
      );
      expect(rolesOf(userId)).toEqual([ROLE.globalAdministrator]);

      const before = connector.calls.length;
      const lowered = await invoke(ACCOUNT_VERBS.downgrade, retried, MEGAN);
      expect(lowered.statusCode).toBe(200);
      expect(text(lowered.value)).toContain(
        'is now Service Support Administrator and no longer a Global Administrator',
      );
      // Nothing more to hand over; the account still signs in, so its password can still be reset,
      // and the owners still look after it.
      expect(verbsOf(lowered.value)).toEqual([
        ACCOUNT_VERBS.reset,
        ACCOUNT_VERBS.owners,
        ACCOUNT_VERBS.disable,
      ]);
      expect(rolesOf(userId)).toEqual([ROLE.serviceSupportAdministrator]);
      const audit = (await bot.audit.forRequest(TEST_TENANT_ID, retried.id)).filter(
        (r) => r.event === 'downgraded',
      );
      expect(audit).toEqual([
        expect.objectContaining({
          actor: expect.objectContaining({ aadObjectId: MEGAN.aadObjectId }),
          outcome: 'Ready',
          detail: 'Service Support Administrator granted; Global Administrator assignments removed: 1',
        }),
      ]);
      await bot.idle();
      const toAlex = connector.calls.slice(before).filter((c) => c.conversationId === ALEX_CHAT);
      expect(toAlex.some((c) => String(c.body.text ?? '').includes('Megan Bowen lowered'))).toBe(true);

      simulator.resetCalls();
      const again = await invoke(ACCOUNT_VERBS.downgrade, retried, MEGAN);
      expect(again.statusCode).toBe(200);
      expect(text(again.value)).toContain('no longer a Global Administrator');
      expect(rolesOf(userId)).toEqual([ROLE.serviceSupportAdministrator]);
      expect(simulator.mutatingCalls()).toEqual([]);
      expect((await bot.requests.get(TEST_TENANT_ID, retried.id))?.state).toBe('Ready');
    },
  );
});
