/**
 * Two presses racing on the same account, through the running bot: Remove against Retry on a failed
 * request (only the winner of the state change may act), and two Reset password presses at once
 * (Entra and the hand-over must end with the same password). The simulator holds one answer back so
 * the presses overlap the same way every run.
 */
import { createHash } from 'node:crypto';
import { ACCOUNT_VERBS, REQUEST_VERBS } from '../../cards/verbs';
import type { ServiceAccountRequest } from '../../src/domain/request';
import type { RunningBot } from '../../src/index';
import { SKUS, type TenantSimulator } from '../../src/simulator';
import { ALEX, MEGAN, type TeamsUser, TEST_TENANT_ID } from '../support/activities';
import { type InvokeAnswer, startTestBot, type TestBot } from '../support/botHarness';
import { pendingRequest, untilState } from '../support/requests';

const LICENCE_FAULT = { api: 'graph', method: 'POST', pathPattern: /\/assignLicense$/, status: 500 } as const;

describe('presses racing on one account', () => {
  let running: TestBot;
  let bot: RunningBot;
  let simulator: TenantSimulator;
  let counter = 0;

  // Each race gets a bot of its own: what one race leaves running cannot slow the other.
  beforeEach(async () => {
    running = await startTestBot({ settings: { APPROVAL_REMINDER_HOURS: '0' } });
    bot = running.bot;
    simulator = bot.tenant.simulator as TenantSimulator;
  });
  afterEach(async () => {
    await running?.close();
  });

  function invoke(verb: string, request: ServiceAccountRequest, from: TeamsUser): Promise<InvokeAnswer> {
    return running.invoke(verb, { requestId: request.id }, from);
  }

  /** A request from Alex with public folders (so the licence step runs), approved by Megan. */
  async function approved(): Promise<ServiceAccountRequest> {
    counter += 1;
    const request = await pendingRequest(bot, {
      username: `svc-race-${counter}`,
      details: {
        usageLocation: 'US',
        publicFolders: { skuId: SKUS.EXCHANGESTANDARD.skuId, skuName: 'Exchange Online (Plan 1)' },
      },
    });
    await invoke(REQUEST_VERBS.approve, request, MEGAN);
    return request;
  }

  function userOf(request: ServiceAccountRequest) {
    const upn = `${request.details.username}@${request.details.domain}`;
    return simulator.state().users.find((u) => u.userPrincipalName === upn);
  }

  const later = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  it('when Alex presses Remove and Megan presses Retry on the same failed request, then only the winner of the state change acts', async () => {
    const fault = simulator.faults.inject({ ...LICENCE_FAULT, times: Infinity });
    const request = await approved();
    await untilState(bot, request.id, 'Failed');
    fault.cancel();
    expect(userOf(request)).toBeDefined();
    // Remove's look-up of the user is slow: Retry arrives while it is under way.
    simulator.faults.inject({
      api: 'graph',
      method: 'GET',
      pathPattern: new RegExp(`/users/${request.details.username}`),
      times: 1,
      delayMs: 600,
    });
    const removal = invoke(ACCOUNT_VERBS.removeConfirmed, request, ALEX);
    await later(150);
    const retry = invoke(ACCOUNT_VERBS.retry, request, MEGAN);
    await Promise.all([removal, retry]);
    // Wait for whichever acted (not for the jobs: a provisioning run under a deleted user can go on
    // retrying for minutes), then long enough for the loser to have acted too, had it been let.
    const actedOn = async () =>
      (await bot.audit.forRequest(TEST_TENANT_ID, request.id))
        .map((r) => r.event)
        .filter((e) => e === 'removed' || e === 'retried');
    for (let i = 0; i < 100 && (await actedOn()).length === 0; i++) await later(100);
    await later(1_000);
    const acted = await actedOn();
    expect(acted).toHaveLength(1);
    const current = await bot.requests.get(TEST_TENANT_ID, request.id);
    if (acted[0] === 'removed') {
      expect(current?.state).toBe('Cancelled');
      expect(userOf(request)).toBeUndefined();
    } else {
      expect(current?.state).not.toBe('Cancelled');
      expect(userOf(request)).toBeDefined();
    }
    // Remove pressed first changes the state first, so it is the one that wins.
    expect(acted).toEqual(['removed']);
  });

  it('when Remove what was created is pressed 10 times at once, then the user is deleted once, one removal is audited, and every press gets a plain answer', async () => {
    const fault = simulator.faults.inject({ ...LICENCE_FAULT, times: Infinity });
    const request = await approved();
    await untilState(bot, request.id, 'Failed');
    fault.cancel();
    const user = userOf(request);
    expect(user).toBeDefined();
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        invoke(ACCOUNT_VERBS.removeConfirmed, request, i % 2 === 0 ? ALEX : MEGAN),
      ),
    );
    await bot.idle();

    const deletes = simulator
      .calls()
      .filter(
        (call) =>
          call.api === 'graph' && call.method === 'DELETE' && call.path.includes(`/users/${user?.id}`),
      );
    expect(deletes).toHaveLength(1);
    const removed = (await bot.audit.forRequest(TEST_TENANT_ID, request.id)).filter(
      (r) => r.event === 'removed',
    );
    expect(removed).toHaveLength(1);
    expect(userOf(request)).toBeUndefined();
    expect(answers.map((a) => a.statusCode)).toEqual(Array.from({ length: 10 }, () => 200));
    const texts = answers.map((a) => JSON.stringify(a.value));
    // One press removed it; the other nine are told it was already removed or is being removed.
    expect(texts.filter((t) => !/already removed|being removed/.test(t))).toHaveLength(1);
    for (const text of texts) {
      expect(text).toMatch(/Removed what this request created|already removed|being removed/);
      expect(text).not.toMatch(/Cancelled|Failed|Removing\b/);
    }
  }, 90_000);

  it('when Alex presses Reset password twice at once, then Entra and the hand-over hold the same password, and one press is told a reset is under way', async () => {
    const request = await approved();
    await untilState(bot, request.id, 'Ready', 60_000);
    const user = userOf(request);
    // The first password change is slow to answer (Entra has already taken it).
    simulator.faults.inject({
      api: 'graph',
      method: 'PATCH',
      pathPattern: new RegExp(`/users/${user?.id}`),
      times: 1,
      answerDelayMs: 600,
    });
    const first = invoke(ACCOUNT_VERBS.reset, request, ALEX);
    await later(150);
    const second = invoke(ACCOUNT_VERBS.reset, request, ALEX);
    const answers = await Promise.all([first, second]);
    await bot.idle();

    const revealed = await invoke(ACCOUNT_VERBS.reveal, request, ALEX);
    const password = JSON.stringify(revealed.value).match(/"title":"Password","value":"([^"]+)"/)?.[1];
    expect(password).toBeDefined();
    const sha = createHash('sha256')
      .update(password as string, 'utf8')
      .digest('hex');
    expect(userOf(request)?.passwordSha256).toBe(sha);
    expect(
      answers.map((a) => JSON.stringify(a.value)).filter((t) => t.includes('already under way')),
    ).toHaveLength(1);
    const resets = (await bot.audit.forRequest(TEST_TENANT_ID, request.id)).filter(
      (r) => r.event === 'password reset',
    );
    expect(resets).toHaveLength(1);
  }, 90_000);
});
