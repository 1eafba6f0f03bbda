/**
 * Every button on every card, pressed by every kind of wrong person — a non-admin, an admin with no
 * part in the request, the other admin of the request — in their personal chat, in the owner's chat
 * (a forged conversation), in a group chat and in a channel, always with card data forged to name
 * the right person: all refused, nothing changes. Then the right person, in the right place, still
 * succeeds with each. Real `adaptiveCard/action` invokes through the running bot.
 */
import { ACCOUNT_VERBS, ALL_VERBS, FORM_VERBS, HEALTH_VERBS, REQUEST_VERBS } from '../../cards/verbs';
import type { ServiceAccountRequest } from '../../src/domain/request';
import type { RunningBot } from '../../src/index';
import { SKUS, type TenantSimulator } from '../../src/simulator';
import { ADELE, ALEX, MEGAN, PATTI, type TeamsUser, TEST_TENANT_ID } from '../support/activities';
import { type InvokeAnswer, startTestBot, type TestBot } from '../support/botHarness';
import type { ConnectorCall, FakeConnector } from '../support/fakeConnector';
import { pendingRequest, untilState } from '../support/requests';

const ALEX_CHAT = `a:personal-${ALEX.aadObjectId}`;
const GROUP_CHAT = '19:alex-megan-adele-patti@thread.v2';
const TEAM_CHANNEL = '19:general@thread.tacv2';
const LICENCE_FAULT = { api: 'graph', method: 'POST', pathPattern: /\/assignLicense$/, status: 500 } as const;

type Place = 'own chat' | 'owner’s chat' | 'group chat' | 'channel';
const PLACES: readonly Place[] = ['own chat', 'owner’s chat', 'group chat', 'channel'];

/** Card data that names the right people, as a forger would write it. */
const FORGED = {
  actor: ALEX.aadObjectId,
  aadObjectId: ALEX.aadObjectId,
  from: ALEX,
  requester: ALEX.aadObjectId,
  approver: MEGAN.aadObjectId,
  userId: ALEX.aadObjectId,
};

function text(value: unknown): string {
  return JSON.stringify(value) ?? '';
}

function verbsOf(card: unknown): string[] {
  return [...text(card).matchAll(/"verb":"([^"]+)"/g)].map((m) => m[1]);
}

function cardOf(call: ConnectorCall): unknown {
  return (call.body.attachments as { content: unknown }[] | undefined)?.[0]?.content;
}

function formIdOf(card: unknown): string {
  const id = text(card).match(/"formId":"([0-9a-f-]{36})"/)?.[1];
  if (id === undefined) throw new Error('no formId in card');
  return id;
}

/** Who may press each request button; everyone else is a wrong person for it. */
const RIGHT_PEOPLE: Readonly<Record<string, readonly TeamsUser[]>> = {
  [REQUEST_VERBS.approve]: [MEGAN],
  [REQUEST_VERBS.reject]: [MEGAN],
  [REQUEST_VERBS.cancel]: [ALEX],
  [REQUEST_VERBS.resend]: [ALEX],
  [REQUEST_VERBS.changeApprover]: [ALEX],
  [REQUEST_VERBS.changeApproverConfirmed]: [ALEX],
  [REQUEST_VERBS.refresh]: [ALEX, MEGAN],
  [ACCOUNT_VERBS.retry]: [ALEX, MEGAN],
  [ACCOUNT_VERBS.remove]: [ALEX, MEGAN],
  [ACCOUNT_VERBS.removeConfirmed]: [ALEX, MEGAN],
  [ACCOUNT_VERBS.downgrade]: [ALEX, MEGAN],
  [ACCOUNT_VERBS.reveal]: [ALEX],
  [ACCOUNT_VERBS.reset]: [ALEX],
  [HEALTH_VERBS.fix]: [ALEX, MEGAN],
  [HEALTH_VERBS.approveFix]: [ALEX, MEGAN],
  // The owners' buttons: the requester and the approver until the owners change.
  [ACCOUNT_VERBS.owners]: [ALEX, MEGAN],
  [ACCOUNT_VERBS.ownersDone]: [ALEX, MEGAN],
  [ACCOUNT_VERBS.ownerAdd]: [ALEX, MEGAN],
  [ACCOUNT_VERBS.ownerRemove]: [ALEX, MEGAN],
  [ACCOUNT_VERBS.disable]: [ALEX, MEGAN],
  [ACCOUNT_VERBS.disableConfirmed]: [ALEX, MEGAN],
  [ACCOUNT_VERBS.enable]: [ALEX, MEGAN],
  [ACCOUNT_VERBS.enableConfirmed]: [ALEX, MEGAN],
  [ACCOUNT_VERBS.rotate]: [ALEX, MEGAN],
  [ACCOUNT_VERBS.handOver]: [ALEX, MEGAN],
};

/** The owners' buttons, tried on a ready request of their own. */
const OWNER_VERBS = [
  ACCOUNT_VERBS.owners,
  ACCOUNT_VERBS.ownersDone,
  ACCOUNT_VERBS.ownerAdd,
  ACCOUNT_VERBS.ownerRemove,
  ACCOUNT_VERBS.disable,
  ACCOUNT_VERBS.disableConfirmed,
  ACCOUNT_VERBS.enable,
  ACCOUNT_VERBS.enableConfirmed,
  ACCOUNT_VERBS.rotate,
  ACCOUNT_VERBS.handOver,
];

describe('who may press which button, and where', () => {
  let bot: RunningBot;
  let connector: FakeConnector;
  let simulator: TenantSimulator;
  let counter = 0;
  /** The request each button is tried on: pending for the approval card, failed or ready for the others. */
  const target: Record<string, ServiceAccountRequest> = {};

  let running: TestBot;

  beforeAll(async () => {
    running = await startTestBot({
      settings: { APPROVAL_REMINDER_HOURS: '0' },
      known: [ALEX, MEGAN, ADELE, PATTI],
    });
    ({ bot, connector } = running);
    simulator = bot.tenant.simulator as TenantSimulator;

    const pending = () => {
      counter += 1;
      return pendingRequest(bot, { username: `svc-press-${counter}` });
    };
    const approved = async (): Promise<ServiceAccountRequest> => {
      counter += 1;
      const request = await pendingRequest(bot, {
        username: `svc-press-${counter}`,
        details: {
          usageLocation: 'US',
          publicFolders: { skuId: SKUS.EXCHANGESTANDARD.skuId, skuName: 'Exchange Online (Plan 1)' },
        },
      });
      const answer = await invoke(REQUEST_VERBS.approve, { requestId: request.id }, MEGAN, 'own chat');
      expect(text(answer.value)).toContain('Approved by Megan Bowen');
      return request;
    };
    for (const verb of Object.values(REQUEST_VERBS)) target[verb] = await pending();
    const ready = await approved();
    await untilState(bot, ready.id, 'Ready', 60_000);
    for (const verb of [
      ACCOUNT_VERBS.reveal,
      ACCOUNT_VERBS.reset,
      ACCOUNT_VERBS.downgrade,
      HEALTH_VERBS.fix,
      HEALTH_VERBS.approveFix,
    ])
      target[verb] = ready;
    const owned = await approved();
    await untilState(bot, owned.id, 'Ready', 60_000);
    for (const verb of OWNER_VERBS) target[verb] = owned;
    const fault = simulator.faults.inject({ ...LICENCE_FAULT, times: Infinity });
    const failedForRetry = await approved();
    const failedForRemove = await approved();
    await untilState(bot, failedForRetry.id, 'Failed');
    await untilState(bot, failedForRemove.id, 'Failed');
    fault.cancel();
    target[ACCOUNT_VERBS.retry] = failedForRetry;
    target[ACCOUNT_VERBS.remove] = failedForRemove;
    target[ACCOUNT_VERBS.removeConfirmed] = failedForRemove;
  }, 120_000);

  afterAll(async () => {
    await running?.close();
  });

  function where(place: Place, presser: TeamsUser, owner: TeamsUser) {
    switch (place) {
      case 'own chat':
        return { conversationId: `a:personal-${presser.aadObjectId}` };
      case 'owner’s chat':
        return { conversationId: `a:personal-${owner.aadObjectId}` };
      case 'group chat':
        return { groupChatId: GROUP_CHAT };
      case 'channel':
        return { channelId: TEAM_CHANNEL };
    }
  }

  async function invoke(
    verb: string,
    data: Record<string, unknown>,
    from: TeamsUser,
    place: Place,
    owner: TeamsUser = ALEX,
  ): Promise<InvokeAnswer> {
    return running.invoke(verb, data, from, where(place, from, owner));
  }

  /** What must not move when a press is refused. */
  async function snapshot(requestId: string) {
    const request = await bot.requests.get(TEST_TENANT_ID, requestId);
    const jobs = await bot.jobs.listForRequest(TEST_TENANT_ID, requestId);
    return {
      state: request?.state,
      version: request?.version,
      jobs: jobs.map((j) => [j.id, j.state, j.nextRunAt, j.attempts]),
      writes: simulator.mutatingCalls().length,
      requests: (await bot.requests.listByRequester(TEST_TENANT_ID, PATTI.aadObjectId)).length,
      health: await bot.services.health.get(TEST_TENANT_ID, requestId),
    };
  }

  it('when the tables are read, then every verb any card uses is tried here', () => {
    expect([...Object.values(FORM_VERBS), ...Object.keys(RIGHT_PEOPLE)].sort()).toEqual(
      [...ALL_VERBS].sort(),
    );
  });

  it('when wrong people press every form button on Alex’s open form, anywhere, then each is refused and his form goes on unchanged', async () => {
    const mark = connector.calls.length;
    await running.say('new service account', ALEX);
    const preflight = connector.calls.slice(mark).find((c) => c.method === 'POST' && cardOf(c) !== undefined);
    const formId = formIdOf(cardOf(preflight as ConnectorCall));
    const writes = simulator.mutatingCalls().length;
    for (const verb of Object.values(FORM_VERBS)) {
      for (const presser of [PATTI, ADELE, MEGAN]) {
        for (const place of PLACES) {
          const sent = connector.calls.length;
          const answer = await invoke(verb, { ...FORGED, formId, verb }, presser, place);
          expect(answer.type).toBe('application/vnd.microsoft.activity.message');
          expect(answer.value).toBe(
            'This form belongs to Alex Wilber: only they can fill it in. To ask for a service account yourself, type “new service account” in our personal chat.',
          );
          expect(connector.calls.length).toBe(sent);
        }
      }
    }
    // Alex himself, in a group chat: forms are filled in privately.
    const shared = await invoke(FORM_VERBS.next, { formId, verb: FORM_VERBS.next }, ALEX, 'group chat');
    expect(shared.value).toMatch(/^Requests are filled in privately, in our personal chat/);
    expect(simulator.mutatingCalls()).toHaveLength(writes);
    expect(await bot.requests.listByRequester(TEST_TENANT_ID, PATTI.aadObjectId)).toEqual([]);
    const refusals = (await bot.audit.recent(TEST_TENANT_ID, 50)).filter(
      (r) => r.event === 'press refused' && r.requestId === formId,
    );
    expect(refusals.length).toBeGreaterThanOrEqual(1);
    expect(refusals[0].detail).toMatch(/^request form of Alex Wilber \(/);

    // The right person, in his personal chat, walks the form with every form button.
    /** The next form card in Alex's chat (the request's own cards carry no form id). */
    const nextCard = async (at: number): Promise<unknown> => {
      const call = connector.calls
        .slice(at)
        .find(
          (c) =>
            c.method === 'POST' && c.conversationId === ALEX_CHAT && text(cardOf(c)).includes('"formId"'),
        );
      if (call === undefined) throw new Error('no form card followed');
      return cardOf(call);
    };
    const press = async (verb: string, card: unknown, inputs: Record<string, string> = {}) => {
      const at = connector.calls.length;
      const answer = await invoke(verb, { formId: formIdOf(card), verb, ...inputs }, ALEX, 'own chat');
      expect(text(answer.value)).not.toContain('belongs to');
      return { answer, at };
    };
    const firstCard = cardOf(preflight as ConnectorCall);
    const retried = await press(FORM_VERBS.retry, firstCard);
    let card = await nextCard(retried.at);
    card = await nextCard((await press(FORM_VERBS.next, card)).at);
    card = await nextCard((await press(FORM_VERBS.back, card)).at);
    card = await nextCard((await press(FORM_VERBS.next, card)).at);
    const account = { displayName: 'Press Rules', username: 'svc-press-form', domain: 'contoso.com' };
    card = await nextCard((await press(FORM_VERBS.next, card, account)).at);
    card = await nextCard((await press(FORM_VERBS.next, card)).at);
    card = await nextCard((await press(FORM_VERBS.next, card, { publicFolders: 'false' })).at);
    card = await nextCard((await press(FORM_VERBS.next, card, { approverId: MEGAN.aadObjectId })).at);
    card = await nextCard((await press(FORM_VERBS.edit, card, { section: 'account' })).at);
    card = await nextCard((await press(FORM_VERBS.next, card, account)).at);
    await press(FORM_VERBS.submit, card);
    const mine = await bot.requests.listByRequester(TEST_TENANT_ID, ALEX.aadObjectId);
    expect(mine[0]).toMatchObject({
      requester: { aadObjectId: ALEX.aadObjectId },
      details: { username: 'svc-press-form' },
    });

    const again = connector.calls.length;
    await running.say('new service account', ALEX);
    const cancelled = await press(FORM_VERBS.cancel, await nextCard(again));
    expect(text(cancelled.answer.value)).toContain('Cancelled');
  });

  const requestCases = Object.entries(RIGHT_PEOPLE).flatMap(([verb, right]) =>
    [PATTI, ADELE, ALEX, MEGAN]
      .filter((person) => !right.includes(person))
      .flatMap((person) => PLACES.map((place) => [verb, person.name, place] as const)),
  );

  it.each(requestCases)(
    'when %s is pressed by %s in the %s with forged card data, then it is refused and nothing changes',
    async (verb, name, place) => {
      const presser = [PATTI, ADELE, ALEX, MEGAN].find((p) => p.name === name) as TeamsUser;
      const request = target[verb];
      const before = await snapshot(request.id);
      const answer = await invoke(verb, { ...FORGED, requestId: request.id }, presser, place);
      await bot.idle();
      expect(await snapshot(request.id)).toEqual(before);
      expect(text(answer.value)).not.toMatch(/"title":"Password"/);
      if (verb === REQUEST_VERBS.refresh) {
        // A refresh only shows: the status, never buttons this person could press.
        expect(verbsOf(answer.value).filter((v) => v !== REQUEST_VERBS.refresh)).toEqual([]);
      } else {
        expect(answer.type).toBe('application/vnd.microsoft.activity.message');
        expect(String(answer.value)).toMatch(/^Only |you cannot approve or reject it/);
      }
    },
  );

  const placeCases = Object.entries(RIGHT_PEOPLE)
    .filter(([verb]) => verb !== REQUEST_VERBS.refresh)
    .flatMap(([verb, right]) =>
      (['group chat', 'channel'] as const).map((place) => [verb, right[0].name, place] as const),
    );

  it.each(placeCases)(
    'when %s is pressed by %s, who may press it, but in a %s, then it is refused for the place',
    async (verb, name, place) => {
      const presser = [ALEX, MEGAN].find((p) => p.name === name) as TeamsUser;
      const request = target[verb];
      const before = await snapshot(request.id);
      const answer = await invoke(verb, { requestId: request.id }, presser, place);
      await bot.idle();
      expect(await snapshot(request.id)).toEqual(before);
      expect(String(answer.value)).toMatch(/only in our personal chat/);
    },
  );

  it('when the right person presses each request button in their personal chat, then it goes through', async () => {
    const ok = async (verb: string, by: TeamsUser, expected: RegExp) => {
      const answer = await invoke(verb, { requestId: target[verb].id }, by, 'own chat');
      expect(text(answer.value)).toMatch(expected);
    };
    await ok(REQUEST_VERBS.refresh, MEGAN, new RegExp(REQUEST_VERBS.approve.replace('.', '\\.')));
    await ok(REQUEST_VERBS.resend, ALEX, /Sending it to Megan Bowen again/);
    await ok(REQUEST_VERBS.changeApprover, ALEX, /"id":"newApprover"/);
    const changed = await invoke(
      REQUEST_VERBS.changeApproverConfirmed,
      { requestId: target[REQUEST_VERBS.changeApproverConfirmed].id, newApprover: 'adelev@contoso.com' },
      ALEX,
      'own chat',
    );
    expect(text(changed.value)).toContain('Adele Vance is the approver now.');
    await ok(REQUEST_VERBS.cancel, ALEX, /Request cancelled/);
    await ok(REQUEST_VERBS.reject, MEGAN, /Say why you reject it/);
    const rejected = await invoke(
      REQUEST_VERBS.reject,
      { requestId: target[REQUEST_VERBS.reject].id, comment: 'Not now.' },
      MEGAN,
      'own chat',
    );
    expect(text(rejected.value)).toContain('Rejected by Megan Bowen');
    await ok(REQUEST_VERBS.approve, MEGAN, /Approved by Megan Bowen/);

    await ok(ACCOUNT_VERBS.reveal, ALEX, /"title":"Password","value":"[^"]{24}"/);
    await ok(ACCOUNT_VERBS.reset, ALEX, /Reveal|Reset/);
    await ok(ACCOUNT_VERBS.remove, MEGAN, new RegExp(ACCOUNT_VERBS.removeConfirmed.replace('.', '\\.')));
    await ok(ACCOUNT_VERBS.removeConfirmed, MEGAN, /removed|Removed/);
    expect((await bot.requests.get(TEST_TENANT_ID, target[ACCOUNT_VERBS.remove].id))?.state).toBe(
      'Cancelled',
    );
    await ok(ACCOUNT_VERBS.retry, ALEX, /Setting up/);
    expect((await bot.requests.get(TEST_TENANT_ID, target[ACCOUNT_VERBS.retry].id))?.state).not.toBe(
      'Failed',
    );
    // Admitted: the health card's buttons then ask the record, which names no problem on this account.
    const noProblem = /^That problem is no longer reported for this account/;
    const fix = await invoke(
      HEALTH_VERBS.fix,
      { requestId: target[HEALTH_VERBS.fix].id, problem: 'roleGroupMissing' },
      MEGAN,
      'own chat',
    );
    expect(String(fix.value)).toMatch(noProblem);
    const approve = await invoke(
      HEALTH_VERBS.approveFix,
      { requestId: target[HEALTH_VERBS.fix].id, problem: 'roleGroupMissing' },
      ALEX,
      'own chat',
    );
    expect(String(approve.value)).toBe('No fix is waiting for approval there any more.');
    await ok(ACCOUNT_VERBS.downgrade, MEGAN, /no longer a Global Administrator/);

    const owned = target[ACCOUNT_VERBS.owners];
    const press = async (verb: string, by: TeamsUser, extra: Record<string, unknown> = {}) =>
      text((await invoke(verb, { requestId: owned.id, ...extra }, by, 'own chat')).value);
    expect(await press(ACCOUNT_VERBS.owners, ALEX)).toContain('Who looks after this account');
    expect(await press(ACCOUNT_VERBS.ownerAdd, ALEX, { newOwner: 'adelev' })).toContain(
      'Adele Vance now looks after this account too.',
    );
    expect(await press(ACCOUNT_VERBS.ownerRemove, MEGAN, { ownerId: ADELE.aadObjectId })).toContain(
      'Adele Vance no longer looks after this account.',
    );
    expect(await press(ACCOUNT_VERBS.ownersDone, MEGAN)).toContain(ACCOUNT_VERBS.owners);
    expect(await press(ACCOUNT_VERBS.disable, MEGAN)).toContain('Yes, disable it');
    expect(await press(ACCOUNT_VERBS.disableConfirmed, MEGAN)).toContain('Disabled by Megan Bowen');
    expect(await press(ACCOUNT_VERBS.enable, ALEX)).toContain('Yes, enable it');
    expect(await press(ACCOUNT_VERBS.enableConfirmed, ALEX)).toContain('"text":"Ready"');
    // Admitted, but this bot has no Key Vault: the answer says so instead of showing a password.
    expect(await press(ACCOUNT_VERBS.rotate, ALEX)).toContain('needs Azure Key Vault');
    expect(await press(ACCOUNT_VERBS.handOver, MEGAN)).toContain('needs Azure Key Vault');
    const events = (await bot.audit.forRequest(TEST_TENANT_ID, owned.id)).map((r) => r.event);
    expect(events.filter((e) => !e.startsWith('press refused'))).toEqual(
      expect.arrayContaining(['owner added', 'owner removed', 'account disabled', 'account enabled']),
    );
  });
});
