/**
 * Card actions through the bot (in process, over HTTP): every verb a card uses has a handler, an
 * unknown verb is refused, and `request.cancel` takes the actor from the activity only.
 */
import { CARD_TEMPLATES } from '../../cards/renderCard';
import { ALL_VERBS, FORM_VERBS, REQUEST_VERBS } from '../../cards/verbs';
import type { RunningBot } from '../../src/index';
import { ADELE, ALEX, MEGAN, postActivity, TEST_TENANT_ID, teamsSubmit } from '../support/activities';
import { startTestBot, type TestBot } from '../support/botHarness';
import type { FakeConnector } from '../support/fakeConnector';
import { storedRequest } from '../support/requests';

describe('card actions', () => {
  let running: TestBot;
  let bot: RunningBot;
  let connector: FakeConnector;

  beforeAll(async () => {
    running = await startTestBot();
    ({ bot, connector } = running);
  });
  afterAll(async () => {
    await running?.close();
  });

  it('when the card templates are read, then their verbs are exactly the verbs in the bot’s handler registry', () => {
    const used = new Set(
      JSON.stringify(Object.values(CARD_TEMPLATES))
        .match(/"verb":"[^"]+"/g)
        ?.map((v) => v.slice(8, -1)),
    );
    expect([...used].sort()).toEqual([...bot.verbs].sort());
    // The constants name the same verbs: none is declared without a card and a handler.
    expect([...bot.verbs].sort()).toEqual([...ALL_VERBS].sort());
  });

  it.each(Object.values(FORM_VERBS))(
    'when %s is pressed with no form open, then the answer is that the form is no longer active',
    async (verb) => {
      const answer = await running.invoke(
        verb,
        { formId: '00000000-0000-4000-8000-000000000000', verb },
        ALEX,
      );
      expect(answer).toEqual({
        statusCode: 200,
        type: 'application/vnd.microsoft.activity.message',
        value: 'This form is no longer active. Type “new service account” to start again.',
      });
    },
  );

  it('when an unknown verb arrives, then it is refused with 400 and nothing else happens', async () => {
    const before = connector.calls.length;
    const answer = await running.invoke('request.approve.all', { requestId: 'x' }, ALEX);
    expect(answer).toEqual({
      statusCode: 400,
      type: 'application/vnd.microsoft.error',
      value: { code: 'BadRequest', message: 'This action is not available.' },
    });
    expect(connector.calls.length).toBe(before);
  });

  it('when request.cancel has no request id, then it is a 400 with a plain message', async () => {
    const answer = await running.invoke(REQUEST_VERBS.cancel, {}, ALEX);
    expect(answer.statusCode).toBe(400);
    expect(answer.value).toEqual({ code: 'BadRequest', message: 'The card did not say which request.' });
  });

  it('when someone else presses Cancel on a request, then it is refused even if the card data names the requester', async () => {
    const request = await storedRequest(bot, { username: 'svc-forged' });
    const answer = await running.invoke(
      REQUEST_VERBS.cancel,
      { requestId: request.id, requester: ALEX.aadObjectId },
      MEGAN,
    );
    expect(answer.value).toBe('Only the admin who asked for this request can cancel it.');
    expect((await bot.requests.get(TEST_TENANT_ID, request.id))?.state).toBe('PendingApproval');
  });

  it('when the requester presses Cancel twice, then the first cancels and the second changes nothing', async () => {
    const request = await storedRequest(bot, { username: 'svc-cancel-twice' });
    const first = await running.invoke(REQUEST_VERBS.cancel, { requestId: request.id }, ALEX);
    expect(JSON.stringify(first.value)).toContain('Request cancelled');
    const second = await running.invoke(REQUEST_VERBS.cancel, { requestId: request.id }, ALEX);
    expect(second.value).toBe('That request can no longer be cancelled: it is already cancelled.');
    const stored = await bot.requests.get(TEST_TENANT_ID, request.id);
    expect([stored?.state, stored?.version]).toEqual(['Cancelled', 2]);
    const audit = await bot.audit.forRequest(TEST_TENANT_ID, request.id);
    expect(audit.map((a) => a.event)).toEqual(['submitted', 'cancelled']);
  });

  it('when Submit is pressed twice at the same moment, then exactly one request is stored', async () => {
    const formIdOf = (body: unknown) =>
      JSON.stringify(body).match(/"formId":"([0-9a-f-]{36})"/)?.[1] as string;
    const lastCard = async (count: number) => (await connector.waitForActivities(count)).at(-1)?.body;
    let count = connector.calls.length;
    await running.say('new service account', ADELE);
    const steps: Record<string, unknown>[] = [
      {},
      { displayName: 'CiraSync Service', username: 'svc-double-press', domain: 'contoso.com' },
      { city: 'Redmond' },
      { publicFolders: 'false' },
      { approverId: MEGAN.aadObjectId },
    ];
    for (const inputs of steps) {
      count += 1;
      const card = await lastCard(count);
      await running.invoke(
        FORM_VERBS.next,
        { formId: formIdOf(card), verb: FORM_VERBS.next, ...inputs },
        ADELE,
      );
    }
    const review = await lastCard(count + 1);
    expect(JSON.stringify(review)).toContain('Step 6 of 6 · Review');
    const press = () =>
      running.invoke(FORM_VERBS.submit, { formId: formIdOf(review), verb: FORM_VERBS.submit }, ADELE);
    await Promise.all([press(), press()]);
    const mine = await bot.requests.listByRequester(TEST_TENANT_ID, ADELE.aadObjectId);
    expect(mine.map((r) => r.details.username)).toEqual(['svc-double-press']);
  });

  it('when a form is cancelled, then pressing its buttons afterwards is answered as no longer active', async () => {
    await bot.idle();
    const before = connector.calls.length;
    await running.say('new service account', ALEX);
    const calls = await connector.waitForActivities(before + 1);
    const card = JSON.stringify(calls.at(-1)?.body);
    const formId = card.match(/"formId":"([0-9a-f-]{36})"/)?.[1] as string;
    const cancelled = await running.invoke(FORM_VERBS.cancel, { formId, verb: FORM_VERBS.cancel }, ALEX);
    expect(JSON.stringify(cancelled.value)).toContain('Cancelled');
    const after = await running.invoke(FORM_VERBS.next, { formId, verb: FORM_VERBS.next }, ALEX);
    expect(after.value).toBe('This form is no longer active. Type “new service account” to start again.');
  });

  it('when cancel is typed while a form is open, then the form is redrawn in place without its buttons', async () => {
    await bot.idle();
    const before = connector.calls.length;
    await running.say('new service account', ALEX);
    const calls = await connector.waitForActivities(before + 1);
    expect(JSON.stringify(calls.at(-1)?.body)).toContain(FORM_VERBS.next);
    await running.say('cancel', ALEX);
    // The connector numbers what it is sent: the form was the only message of the first turn.
    const redrawn = connector.calls.slice(before).filter((c) => c.method === 'PUT');
    expect(redrawn).toHaveLength(1);
    expect(redrawn[0].activityId).toMatch(/^activity-\d+$/);
    expect(redrawn[0].body.id).toBe(redrawn[0].activityId);
    const card = JSON.stringify(redrawn[0].body);
    expect(card).toContain('Cancelled');
    expect(card).not.toContain('"verb"');
  });

  it('when help is shown, then its main commands are buttons, and pressing one does what typing it does', async () => {
    await bot.idle();
    const before = connector.calls.length;
    await running.say('help', ADELE);
    const calls = await connector.waitForActivities(before + 1);
    const help = JSON.stringify(calls.at(-1)?.body);
    for (const [title, text] of [
      ['New service account', 'new service account'],
      ['My requests', 'status'],
      ['Audit trail', 'audit'],
    ])
      expect(help).toContain(`"title":"${title}","data":{"msteams":{"type":"imBack","value":"${text}"}}`);

    // Teams sends an imBack as the text; a client that passes the button's data along is read the same.
    const after = connector.calls.length;
    const response = await postActivity(
      running.url,
      teamsSubmit(connector.serviceUrl, { msteams: { type: 'imBack', value: 'status' } }, { from: ADELE }),
    );
    expect(response.status).toBe(200);
    const replies = await connector.waitForActivities(after + 1);
    const reply = JSON.stringify(replies.at(-1)?.body);
    expect(reply).toMatch(/Your requests|You have no requests yet/);
    expect(reply).not.toContain('no longer active');
  });
});
