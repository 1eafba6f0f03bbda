/**
 * Card actions through the bot (in process, over HTTP): every verb a card uses has a handler, an
 * unknown verb is refused, and `request.cancel` takes the actor from the activity only.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CARD_TEMPLATES } from '../../cards/renderCard';
import { ALL_VERBS, FORM_VERBS, REQUEST_VERBS } from '../../cards/verbs';
import { loadConfig } from '../../src/config';
import { submitRequest } from '../../src/useCases/submitRequest';
import { type RunningBot, startBot } from '../../src/index';
import {
  ALEX,
  MEGAN,
  postActivity,
  teamsCardAction,
  teamsMessage,
  type TeamsUser,
  TEST_TENANT_ID,
} from '../support/activities';
import { type FakeConnector, startFakeConnector } from '../support/fakeConnector';
import { RecordingScheduler } from '../support/memoryServices';

interface InvokeAnswer {
  statusCode: number;
  type: string;
  value: unknown;
}

describe('card actions', () => {
  let bot: RunningBot;
  let connector: FakeConnector;
  let url: string;

  beforeAll(async () => {
    connector = await startFakeConnector();
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sab-actions-'));
    bot = await startBot(loadConfig({ PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'silent' }));
    url = `http://127.0.0.1:${bot.address.port}`;
  });
  afterAll(async () => {
    await bot?.close();
    await connector?.close();
  });

  async function invoke(
    verb: string,
    data: Record<string, unknown>,
    from: TeamsUser = ALEX,
  ): Promise<InvokeAnswer> {
    const response = await postActivity(url, teamsCardAction(connector.serviceUrl, verb, data, { from }));
    const answer = (await response.json()) as InvokeAnswer;
    expect(response.status).toBe(answer.statusCode);
    return answer;
  }

  async function pendingRequest(username: string) {
    // Stored only: nothing is delivered, so the cards are the only copies.
    const storeOnly = {
      ...bot.services,
      scheduler: new RecordingScheduler(),
      settings: { approvalExpiryMs: 3_600_000 },
    };
    return submitRequest(storeOnly, {
      requester: { aadObjectId: ALEX.aadObjectId, name: ALEX.name },
      approver: { aadObjectId: MEGAN.aadObjectId, name: MEGAN.name, userPrincipalName: 'meganb@contoso.com' },
      details: {
        displayName: 'CiraSync Service',
        username,
        domain: 'contoso.com',
        contact: {},
        acknowledgedWarnings: [],
      },
    });
  }

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
      const answer = await invoke(verb, { formId: '00000000-0000-4000-8000-000000000000', verb });
      expect(answer).toEqual({
        statusCode: 200,
        type: 'application/vnd.microsoft.activity.message',
        value: 'This form is no longer active. Type `new service account` to start again.',
      });
    },
  );

  it('when an unknown verb arrives, then it is refused with 400 and nothing else happens', async () => {
    const before = connector.calls.length;
    const answer = await invoke('request.approve.all', { requestId: 'x' });
    expect(answer).toEqual({
      statusCode: 400,
      type: 'application/vnd.microsoft.error',
      value: { code: 'BadRequest', message: 'This action is not available.' },
    });
    expect(connector.calls.length).toBe(before);
  });

  it('when request.cancel has no request id, then it is a 400 with a plain message', async () => {
    const answer = await invoke(REQUEST_VERBS.cancel, {});
    expect(answer.statusCode).toBe(400);
    expect(answer.value).toEqual({ code: 'BadRequest', message: 'The card did not say which request.' });
  });

  it('when someone else presses Cancel on a request, then it is refused even if the card data names the requester', async () => {
    const request = await pendingRequest('svc-forged');
    const answer = await invoke(
      REQUEST_VERBS.cancel,
      { requestId: request.id, requester: ALEX.aadObjectId },
      MEGAN,
    );
    expect(answer.value).toBe('Only the admin who asked for this request can cancel it.');
    expect((await bot.requests.get(TEST_TENANT_ID, request.id))?.state).toBe('PendingApproval');
  });

  it('when the requester presses Cancel twice, then the first cancels and the second changes nothing', async () => {
    const request = await pendingRequest('svc-cancel-twice');
    const first = await invoke(REQUEST_VERBS.cancel, { requestId: request.id });
    expect(JSON.stringify(first.value)).toContain('Request cancelled');
    const second = await invoke(REQUEST_VERBS.cancel, { requestId: request.id });
    expect(second.value).toBe('That request can no longer be cancelled: it is Cancelled.');
    const stored = await bot.requests.get(TEST_TENANT_ID, request.id);
    expect([stored?.state, stored?.version]).toEqual(['Cancelled', 2]);
    const audit = await bot.audit.forRequest(TEST_TENANT_ID, request.id);
    expect(audit.map((a) => a.event)).toEqual(['submitted', 'cancelled']);
  });

  it('when Submit is pressed twice at the same moment, then exactly one request is stored', async () => {
    const formIdOf = (body: unknown) =>
      JSON.stringify(body).match(/"formId":"([0-9a-f-]{36})"/)?.[1] as string;
    const lastCard = async (count: number) => (await connector.waitForActivities(count)).at(-1)?.body;
    const from: TeamsUser = {
      id: '29:adele',
      name: 'Adele Vance',
      aadObjectId: '00000000-0000-0000-0000-0000000000022',
    };
    let count = connector.calls.length;
    await postActivity(url, teamsMessage(connector.serviceUrl, 'new service account', { from }));
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
      await invoke(FORM_VERBS.next, { formId: formIdOf(card), verb: FORM_VERBS.next, ...inputs }, from);
    }
    const review = await lastCard(count + 1);
    expect(JSON.stringify(review)).toContain('Step 6 of 6 · Review');
    const press = () =>
      invoke(FORM_VERBS.submit, { formId: formIdOf(review), verb: FORM_VERBS.submit }, from);
    await Promise.all([press(), press()]);
    const mine = await bot.requests.listByRequester(TEST_TENANT_ID, from.aadObjectId);
    expect(mine.map((r) => r.details.username)).toEqual(['svc-double-press']);
  });

  it('when a form is cancelled, then pressing its buttons afterwards is answered as no longer active', async () => {
    await bot.idle();
    const before = connector.calls.length;
    await postActivity(url, teamsMessage(connector.serviceUrl, 'new service account'));
    const calls = await connector.waitForActivities(before + 1);
    const card = JSON.stringify(calls.at(-1)?.body);
    const formId = card.match(/"formId":"([0-9a-f-]{36})"/)?.[1] as string;
    const cancelled = await invoke(FORM_VERBS.cancel, { formId, verb: FORM_VERBS.cancel });
    expect(JSON.stringify(cancelled.value)).toContain('Cancelled');
    const after = await invoke(FORM_VERBS.next, { formId, verb: FORM_VERBS.next });
    expect(after.value).toBe('This form is no longer active. Type `new service account` to start again.');
  });
});
