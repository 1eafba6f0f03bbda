/**
 * Two things that happen over time, through the running bot: a form half filled in survives a restart
 * of the bot (dialog state is in SQLite), and a replication that never shows up ends the request as
 * Failed with what to check, on the progress card and in a message.
 */
import { FORM_VERBS, REQUEST_VERBS } from '../../cards/verbs';
import { ALEX, MEGAN, TEST_TENANT_ID } from '../support/activities';
import { startTestBot, type TestBot } from '../support/botHarness';
import { pendingRequest, untilState } from '../support/requests';

describe('over time', () => {
  // Each test has a bot of its own, with the settings it needs.
  let running: TestBot | undefined;

  afterEach(async () => {
    await running?.close();
    running = undefined;
  });

  it('when the bot restarts in the middle of the form, then the next press carries on where it was', async () => {
    running = await startTestBot({ known: [] });
    const { connector } = running;
    const before = connector.calls.length;
    await running.say('new service account', ALEX);
    const card = JSON.stringify(connector.calls.slice(before).at(-1)?.body);
    const formId = card.match(/"formId":"([0-9a-f-]{36})"/)?.[1] as string;
    expect(card).toContain('Step 1 of 6');

    const first = running.bot;
    await running.restart();
    expect(running.bot).not.toBe(first);
    const after = connector.calls.length;
    const answer = await running.invoke(FORM_VERBS.next, { formId, verb: FORM_VERBS.next }, ALEX);
    expect(JSON.stringify(answer)).toContain('✓ Checks');
    expect(JSON.stringify(connector.calls.slice(after).at(-1)?.body)).toContain('Step 2 of 6 · Account');
  });

  it('when Exchange never shows the account within the timeout, then the request fails and says what to check', async () => {
    running = await startTestBot({
      settings: { SIMULATOR_REPLICATION_SECONDS: '3600', REPLICATION_TIMEOUT_MINUTES: '0.02' },
      known: [ALEX, MEGAN],
    });
    const { bot, connector } = running;
    const request = await pendingRequest(bot, { username: 'svc-slow-exchange' });
    const before = connector.calls.length;
    await running.invoke(REQUEST_VERBS.approve, { requestId: request.id }, MEGAN);
    // Exchange knows the user long before the role replicates: move the simulated Exchange past the
    // recipient's delay (20 of 60 minutes) once the user exists, never past the replication.
    const simulator = bot.tenant.simulator;
    if (simulator === undefined) throw new Error('expected the simulated tenant');
    const deadline = Date.now() + 20_000;
    while (!simulator.mutatingCalls().some((c) => c.method === 'POST' && c.path === '/v1.0/users')) {
      if (Date.now() > deadline) throw new Error('the user was not created');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    simulator.advance(1_900_000);
    await untilState(bot, request.id, 'Failed', 20_000);
    await bot.idle();
    const toAlex = connector.calls
      .slice(before)
      .filter((c) => c.conversationId === `a:personal-${ALEX.aadObjectId}`)
      .map((c) => JSON.stringify(c.body));
    expect(toAlex.some((t) => t.includes('Exchange did not show svc-slow-exchange@contoso.com'))).toBe(true);
    expect(toAlex.some((t) => t.includes('Exchange admin center'))).toBe(true);
    expect(toAlex.some((t) => t.includes('provision.retry'))).toBe(true);
    const events = (await bot.audit.forRequest(TEST_TENANT_ID, request.id)).map((r) => r.event);
    expect(events.slice(-2)).toEqual(['provisioned', 'failed']);
  });

  it('when the requester’s chat refuses the ready message (403), then the approver gets the next steps and the failure is audited', async () => {
    running = await startTestBot({
      settings: { SIMULATOR_REPLICATION_SECONDS: '0.6' },
      known: [ALEX, MEGAN],
    });
    const { bot, connector } = running;
    const request = await pendingRequest(bot, { username: 'svc-unreachable' });
    await running.invoke(REQUEST_VERBS.approve, { requestId: request.id }, MEGAN);
    await untilState(bot, request.id, 'AwaitingReplication');
    const alexChat = `a:personal-${ALEX.aadObjectId}`;
    connector.failConversation(alexChat, 403);
    const before = connector.calls.length;
    try {
      await untilState(bot, request.id, 'Ready');
      await bot.idle();
    } finally {
      connector.failConversation(alexChat, 0);
    }
    const toMegan = connector.calls
      .slice(before)
      .filter((c) => c.conversationId === `a:personal-${MEGAN.aadObjectId}`)
      .map((c) => String(c.body.text ?? ''));
    expect(toMegan.some((t) => t.includes('I could not reach Alex Wilber to tell them'))).toBe(true);
    const failures = (await bot.audit.forRequest(TEST_TENANT_ID, request.id)).filter(
      (r) => r.event === 'delivery failed',
    );
    expect(failures.map((r) => r.detail)).toEqual([
      'the ready message could not reach the requester (Alex Wilber)',
    ]);
  });
});
