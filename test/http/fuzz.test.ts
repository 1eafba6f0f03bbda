/**
 * Thousands of generated activities and card actions — malformed, foreign, oversized, oddly typed —
 * at the running bot (in process, over HTTP). The process stays up, every request gets an answer,
 * and no request or approval state is written: only conversation state and audit records may change.
 * Then well-formed Teams activities from mixed senders in group chats, channels and personal chats
 * (forged card data, known form and request ids): none moves another admin's form or request.
 */
import path from 'node:path';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { SQLITE_FILE_NAME } from '../../src/adapters/storage/createStorage';
import type { RunningBot } from '../../src/index';
import { literal } from '../../cards/renderCard';
import { ACCOUNT_VERBS, FORM_VERBS, REQUEST_VERBS } from '../../cards/verbs';
import {
  ADELE,
  ALEX,
  BOT_CHANNEL_ID,
  MEGAN,
  PATTI,
  postActivity,
  teamsCardAction,
  teamsMessage,
  type TeamsUser,
  TEST_TENANT_ID,
} from '../support/activities';
import { type InvokeAnswer, startTestBot, type TestBot } from '../support/botHarness';
import type { FakeConnector } from '../support/fakeConnector';
import { pendingRequest, untilState } from '../support/requests';

const RUNS = 1000;
const SHARED_RUNS = 1000;
const SEED = 20261126;
const CLOSED_PORT_URL = 'http://127.0.0.1:9/';

describe('fuzzing /api/messages', () => {
  let running: TestBot;
  let bot: RunningBot;
  let connector: FakeConnector;
  let url: string;
  let dataDir: string;

  beforeAll(async () => {
    running = await startTestBot();
    ({ bot, connector, url, dataDir } = running);
  });
  afterAll(async () => {
    await running?.close();
  });

  function storedKeys(): string[] {
    const db = new Database(path.join(dataDir, SQLITE_FILE_NAME), { readonly: true });
    try {
      return (db.prepare('SELECT key FROM bot_state').all() as { key: string }[]).map((r) => r.key);
    } finally {
      db.close();
    }
  }

  const text = fc.oneof(
    fc.string({ maxLength: 40 }),
    fc.constantFrom(
      'help',
      'new service account',
      'status',
      'cancel',
      '<at>Bot</at> cancel',
      '${injected}',
      '\u0000\u202e',
    ),
    fc.string({ minLength: 5_000, maxLength: 20_000 }),
  );
  const tenant = fc.oneof(
    fc.constant(TEST_TENANT_ID),
    fc.uuid(),
    fc.string({ maxLength: 80 }),
    fc.constant(undefined),
  );
  const from = fc.oneof(
    fc.constant({ id: ALEX.id, name: ALEX.name, aadObjectId: ALEX.aadObjectId }),
    fc.record({
      id: fc.string({ maxLength: 30 }),
      aadObjectId: fc.oneof(fc.uuid(), fc.string({ maxLength: 40 })),
    }),
    fc.jsonValue(),
  );
  const cardData = fc.oneof(
    fc.dictionary(fc.string({ maxLength: 12 }), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 8 }),
    fc.record({
      formId: fc.oneof(fc.uuid(), fc.string()),
      verb: fc.string(),
      requestId: fc.oneof(fc.uuid(), fc.string()),
    }),
    fc.jsonValue({ maxDepth: 3 }),
  );
  const verb = fc.oneof(
    fc.constantFrom(
      'form.next',
      'form.back',
      'form.cancel',
      'form.edit',
      'form.submit',
      'form.retry',
      'request.cancel',
    ),
    fc.string({ maxLength: 100 }),
  );
  const activity = fc.record(
    {
      type: fc.oneof(
        fc.constantFrom('message', 'invoke', 'conversationUpdate', 'installationUpdate', 'event'),
        fc.string({ maxLength: 20 }),
        fc.integer(),
      ),
      name: fc.oneof(fc.constant('adaptiveCard/action'), fc.string({ maxLength: 30 })),
      channelId: fc.oneof(fc.constant('msteams'), fc.string({ maxLength: 20 })),
      serviceUrl: fc.constantFrom(CLOSED_PORT_URL, 'not a url', ''),
      id: fc.string({ maxLength: 40 }),
      text,
      from,
      recipient: fc.constant({ id: BOT_CHANNEL_ID, name: 'Service Account Bot' }),
      conversation: fc.oneof(
        fc.record({
          id: fc.string({ minLength: 1, maxLength: 60 }),
          conversationType: fc.constantFrom('personal', 'channel', 'groupChat'),
        }),
        fc.jsonValue({ maxDepth: 2 }),
      ),
      channelData: fc.oneof(
        tenant.map((id) => ({ tenant: { id } })),
        fc.jsonValue({ maxDepth: 2 }),
      ),
      value: fc.oneof(
        fc.record({ action: fc.record({ type: fc.constant('Action.Execute'), verb, data: cardData }) }),
        cardData,
        // Malformed card presses: no action, an action or verb of the wrong type, data as a string.
        fc.oneof(
          fc.constant({ trigger: 'manual' }),
          fc.string({ maxLength: 20 }),
          fc.integer(),
          fc.constant(null),
          fc.array(fc.jsonValue({ maxDepth: 1 }), { maxLength: 3 }),
          fc.record({ action: fc.oneof(fc.string(), fc.integer(), fc.constant(null)) }),
          fc.record({ action: fc.record({ type: fc.constant('Action.Execute'), verb: fc.jsonValue() }) }),
          fc.record({ action: fc.record({ type: fc.constant('Action.Execute'), verb, data: fc.string() }) }),
        ),
      ),
      membersAdded: fc.array(fc.record({ id: fc.string({ maxLength: 20 }) }), { maxLength: 3 }),
    },
    { requiredKeys: [] },
  );
  const contentType = fc.oneof(
    { weight: 8, arbitrary: fc.constantFrom('application/json', 'application/json; charset=utf-8') },
    {
      weight: 2,
      arbitrary: fc.constantFrom(
        'application/x-www-form-urlencoded',
        'text/plain',
        'multipart/form-data; boundary=x',
        'application/vnd.api+json',
        '',
      ),
    },
  );
  const body = fc.oneof(
    { weight: 8, arbitrary: activity.map((a) => JSON.stringify(a)) },
    { weight: 1, arbitrary: fc.jsonValue().map((v) => JSON.stringify(v)) },
    { weight: 1, arbitrary: fc.string({ maxLength: 200 }) },
  );

  it(`when ${SHARED_RUNS} well-formed activities from mixed senders arrive in group chats, channels and personal chats, then none takes over Alex’s form or request`, async () => {
    const request = await pendingRequest(bot, { username: 'svc-fuzz-shared' });
    const mark = connector.calls.length;
    await running.say('new service account', ALEX);
    const formCard = connector.calls.slice(mark).find((c) => JSON.stringify(c.body).includes('"formId"'));
    const formId = JSON.stringify(formCard?.body).match(/"formId":"([0-9a-f-]{36})"/)?.[1] as string;
    expect(formId).toBeDefined();
    const writesBefore = bot.tenant.simulator!.mutatingCalls().length;
    const stranger = (aadObjectId: string): TeamsUser => ({
      id: `29:${aadObjectId}`,
      name: 'Stranger',
      aadObjectId,
    });
    // Anyone but Alex and Megan, who could legitimately move their own form and request in their own chats.
    const wrongPerson = fc.oneof(fc.constantFrom(PATTI, ADELE), fc.uuid().map(stranger));
    const anyone = fc.oneof(fc.constantFrom(ALEX, MEGAN), wrongPerson);
    const shared = fc.oneof(
      fc
        .constantFrom('19:fuzz-group@thread.v2', '19:other-group@thread.v2')
        .map((groupChatId) => ({ groupChatId })),
      fc.constantFrom('19:fuzz-team@thread.tacv2').map((channelId) => ({ channelId })),
    );
    const forgedData = fc.record(
      {
        requestId: fc.oneof(fc.constant(request.id), fc.uuid()),
        formId: fc.oneof(fc.constant(formId), fc.uuid()),
        actor: fc.constantFrom(ALEX.aadObjectId, MEGAN.aadObjectId),
        approverId: fc.constantFrom(ALEX.aadObjectId, PATTI.aadObjectId),
        comment: fc.string({ maxLength: 30 }),
      },
      { requiredKeys: [] },
    );
    const verbs = fc.constantFrom(
      ...Object.values(FORM_VERBS),
      ...Object.values(REQUEST_VERBS),
      ...Object.values(ACCOUNT_VERBS),
    );
    const command = fc.constantFrom(
      'help',
      'new service account',
      'status',
      'cancel',
      'audit',
      'hello there',
    );
    const press = fc.oneof(
      // Anyone in a group chat or channel.
      fc.record({ from: anyone, where: shared, verb: verbs, data: forgedData }),
      // A wrong person in their own chat, or in Alex's (a forged conversation).
      fc.record({
        from: wrongPerson,
        where: fc.constantFrom({}, { conversationId: `a:personal-${ALEX.aadObjectId}` }),
        verb: verbs,
        data: forgedData,
      }),
    );
    // Alex's own `cancel`, typed anywhere, rightly closes his form: his typing is left out.
    const typed = fc.record({
      from: fc.oneof(fc.constant(MEGAN), wrongPerson),
      where: shared,
      text: command,
    });
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(
        fc.oneof({ weight: 3, arbitrary: press }, { weight: 1, arbitrary: typed }),
        async (input) => {
          const activity =
            'text' in input
              ? teamsMessage(connector.serviceUrl, input.text, { from: input.from, ...input.where })
              : teamsCardAction(
                  connector.serviceUrl,
                  input.verb,
                  { ...input.data },
                  { from: input.from, ...input.where },
                );
          const response = await postActivity(url, activity);
          await response.arrayBuffer();
          statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
          return response.status !== 500;
        },
      ),
      { numRuns: SHARED_RUNS, seed: SEED },
    );
    await bot.idle();
    expect(statuses.get(500) ?? 0).toBe(0);
    const after = await bot.requests.get(TEST_TENANT_ID, request.id);
    expect([after?.state, after?.version]).toEqual(['PendingApproval', 1]);
    for (const person of [PATTI, ADELE, MEGAN])
      expect(await bot.requests.listByRequester(TEST_TENANT_ID, person.aadObjectId)).toEqual([]);
    expect((await bot.requests.listByRequester(TEST_TENANT_ID, ALEX.aadObjectId)).map((r) => r.id)).toEqual([
      request.id,
    ]);
    expect(bot.tenant.simulator!.mutatingCalls()).toHaveLength(writesBefore);
    // Alex's form is still where he left it: his own Next still works on the first card.
    const next = await running.invoke(FORM_VERBS.next, { formId, verb: FORM_VERBS.next }, ALEX);
    expect(JSON.stringify(next)).toContain('✓ Checks');
  }, 120_000);

  it(`when ${RUNS} generated requests arrive, then every one is answered, the bot stays up and no request state is written`, async () => {
    const before = storedKeys();
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(body, contentType, async (payload, type) => {
        const response = await fetch(`${url}/api/messages`, {
          method: 'POST',
          headers: type === '' ? {} : { 'content-type': type },
          body: type === '' ? new Blob([payload]) : payload,
        });
        await response.arrayBuffer();
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
        const json = type.startsWith('application/json');
        return json ? response.status >= 200 && response.status < 600 : response.status === 415;
      }),
      { numRuns: RUNS, seed: SEED },
    );
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    const written = storedKeys().filter((k) => !before.includes(k));
    const unexpected = written.filter((k) => /^service-account-bot\/(requests|requesters|jobs)\//.test(k));
    const refusals = (await bot.audit.recent(TEST_TENANT_ID, 1000)).filter(
      (r) => r.event === 'activityRefused',
    );
    expect(refusals.length).toBeLessThanOrEqual(10);
    expect(unexpected).toEqual([]);
    const total = [...statuses.values()].reduce((a, b) => a + b, 0);
    expect(total).toBe(RUNS);
    expect(statuses.get(500) ?? 0).toBe(0);
  }, 120_000);
});

/** Bidirectional controls Teams would apply to the text around them, and markdown it would draw. */
const BIDI = /[\u202A-\u202E\u2066-\u2069\u200E\u200F\u061C]/u;
const RAW_MARKDOWN: readonly RegExp[] = [
  /\[link\]\(/u,
  /\*\*bold\*\*/u,
  /(^|[^\\])_x_/u,
  /^# h/mu,
  /<b>/u,
  /(^|[^\\])`code`/u,
  /!\[img\]/u,
];
/** Every control and every piece of markup, as someone could type them into a text box. */
const HOSTILE =
  '# h \u202E\u202D\u2066\u2067\u2068\u2069\u200E\u200F\u061C [link](https://evil.example) **bold** _x_ <b>b</b> `code` ![img](http://x)';
/** The same markup with only the marks a text field accepts (the overrides and isolates are refused). */
const MARKDOWN =
  '# h \u200E\u200F\u061C [link](https://evil.example) **bold** _x_ <b>b</b> `code` ![img](http://x)';
/** What someone could type where a person is asked for: none of them is found. */
const TYPED_PEOPLE = [HOSTILE, MARKDOWN, `${MARKDOWN.slice(4)}@contoso.com`];
/** Markup short enough for a department (at most 64 characters). */
const SHORT_MARKDOWN = '# h \u200F**bold** _x_ <b> `code` ![img](http://x)';

/** The texts Teams draws as markdown: a message's text, and the TextBlocks and facts of its cards. */
function shownTexts(value: unknown): string[] {
  const out: string[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (typeof node !== 'object' || node === null) return;
    const element = node as Record<string, unknown>;
    if ((element.type === 'TextBlock' || element.type === 'TextRun') && typeof element.text === 'string')
      out.push(element.text);
    if (element.type === 'FactSet' && Array.isArray(element.facts))
      for (const fact of element.facts as { title?: unknown; value?: unknown }[])
        out.push(String(fact.title ?? ''), String(fact.value ?? ''));
    for (const child of Object.values(element)) walk(child);
  };
  walk(value);
  return out;
}

/** What an activity the bot sent, or an invoke's answer, shows. */
function shownIn(body: Record<string, unknown>): string[] {
  const texts = typeof body.text === 'string' ? [body.text] : [];
  return [...texts, ...shownTexts(body.attachments)];
}

function answerShows(answer: InvokeAnswer): string[] {
  return typeof answer.value === 'string' ? [answer.value] : shownTexts(answer.value);
}

/** Each shown text that holds a bidirectional control or live markup from what was typed. */
function unescaped(texts: readonly string[]): string[] {
  return texts
    .map((t) => t.replace(/\u200B/gu, ''))
    .filter((t) => BIDI.test(t) || RAW_MARKDOWN.some((pattern) => pattern.test(t)));
}

describe('typed text with bidirectional controls and markdown, through the running bot', () => {
  /** Alex and Megan as Teams names them when their display names hold markup (set in Entra). */
  const alex: TeamsUser = { ...ALEX, name: `Alex ${MARKDOWN.slice(4)} \u202E` };
  const megan: TeamsUser = { ...MEGAN, name: `Megan \u2066**bold**\u2069 [link](https://evil.example)` };
  let running: TestBot;
  let bot: RunningBot;
  let connector: FakeConnector;
  const answers: { what: string; shows: string[] }[] = [];

  beforeAll(async () => {
    running = await startTestBot({ known: [ALEX, MEGAN, ADELE] });
    ({ bot, connector } = running);
  });
  afterAll(async () => {
    await running?.close();
  });

  async function press(
    what: string,
    verb: string,
    data: Record<string, unknown>,
    from: TeamsUser,
  ): Promise<InvokeAnswer> {
    const answer = await running.invoke(verb, { verb, ...data }, from);
    expect([what, answer.statusCode]).toEqual([what, 200]);
    answers.push({ what, shows: answerShows(answer) });
    return answer;
  }

  /** The newest form card the bot posted. */
  function formCard(): { formId: string; step: string } {
    const call = [...connector.calls].reverse().find((c) => JSON.stringify(c.body).includes('"formId"'));
    const json = JSON.stringify(call?.body);
    const formId = json.match(/"formId":"([0-9a-f-]{36})"/)?.[1] as string;
    const step = json.match(/"text":"(Step \d of \d · [^"]+)"/)?.[1] as string;
    return { formId, step };
  }

  /** Presses Next on the newest form card with `inputs`; the card that answers (the same one on an error). */
  async function next(what: string, inputs: Record<string, unknown>): Promise<InvokeAnswer> {
    return press(what, FORM_VERBS.next, { formId: formCard().formId, ...inputs }, alex);
  }

  const errorsOn = (answer: InvokeAnswer) =>
    JSON.stringify(answer.value).match(/"color":"Attention"/g)?.length ?? 0;

  it('when every text box of the form, the approval card, the approver change and the owners card gets them, then every message, card and answer shows them literally or refuses them in words', async () => {
    const mark = connector.calls.length;
    // The form: every text box, first with every control, then with only markup.
    await running.say('new service account', alex);
    await next('checks', {});
    const account = { displayName: HOSTILE, username: 'svc-literal', domain: 'contoso.com' };
    expect(errorsOn(await next('display name with controls', account))).toBeGreaterThan(0);
    expect(
      errorsOn(
        await next('user name with markup', { ...account, displayName: MARKDOWN, username: MARKDOWN }),
      ),
    ).toBeGreaterThan(0);
    await next('account', { ...account, displayName: MARKDOWN });
    expect(formCard().step).toBe('Step 3 of 6 · Contact information');
    const fields = ['jobTitle', 'department', 'streetAddress', 'city', 'state', 'country'];
    const withControls = Object.fromEntries(fields.map((f) => [f, HOSTILE]));
    const refused = await next('contact with controls', {
      ...withControls,
      businessPhone: HOSTILE,
      mobilePhone: MARKDOWN,
      postalCode: MARKDOWN,
    });
    expect(errorsOn(refused)).toBeGreaterThanOrEqual(fields.length + 3);
    await next('contact', {
      ...Object.fromEntries(fields.map((f) => [f, MARKDOWN])),
      department: SHORT_MARKDOWN,
      postalCode: '98052',
    });
    expect(formCard().step).toBe('Step 4 of 6 · Sync');
    await next('sync', { publicFolders: 'false', skuId: '', usageLocation: 'US' });
    expect(formCard().step).toBe('Step 5 of 6 · Approver');
    for (const [n, typed] of TYPED_PEOPLE.entries())
      expect(errorsOn(await next(`approver typed ${n}`, { approverUpn: typed }))).toBeGreaterThan(0);
    await next('approver', { approverId: MEGAN.aadObjectId, approverUpn: '' });
    expect(formCard().step).toBe('Step 6 of 6 · Review');
    await press('submit', FORM_VERBS.submit, { formId: formCard().formId }, alex);
    await bot.idle();
    const [first] = await bot.requests.listByRequester(TEST_TENANT_ID, ALEX.aadObjectId);
    expect(first.details.displayName).toBe(MARKDOWN);

    // Megan's card shows what Alex typed, escaped; she rejects with a comment holding everything.
    const megansCard = connector.calls
      .slice(mark)
      .filter(
        (c) => c.conversationId === `a:personal-${MEGAN.aadObjectId}` && c.body.attachments !== undefined,
      )
      .at(-1);
    expect(JSON.stringify(megansCard?.body)).toContain(JSON.stringify(literal(MARKDOWN)).slice(1, -1));
    await press('reject', REQUEST_VERBS.reject, { requestId: first.id, comment: HOSTILE }, megan);
    await bot.idle();
    expect((await bot.requests.get(TEST_TENANT_ID, first.id))?.state).toBe('Rejected');

    // A second request: Alex names another approver by typing, then cancels it. A third, ready: he adds
    // an owner by typing, disables and downgrades it, and Megan enables it again.
    const second = await pendingRequest(bot, { username: 'svc-literal-2', requester: alex, approver: megan });
    await press('change approver', REQUEST_VERBS.changeApprover, { requestId: second.id }, alex);
    for (const [n, typed] of TYPED_PEOPLE.entries())
      await press(
        `new approver typed ${n}`,
        REQUEST_VERBS.changeApproverConfirmed,
        { requestId: second.id, newApprover: typed },
        alex,
      );
    await press(
      'new approver',
      REQUEST_VERBS.changeApproverConfirmed,
      { requestId: second.id, newApprover: 'adelev@contoso.com' },
      alex,
    );
    await bot.idle();
    expect((await bot.requests.get(TEST_TENANT_ID, second.id))?.approver.aadObjectId).toBe(ADELE.aadObjectId);
    await press('cancel', REQUEST_VERBS.cancel, { requestId: second.id }, alex);
    await bot.idle();
    expect((await bot.requests.get(TEST_TENANT_ID, second.id))?.state).toBe('Cancelled');
    const third = await pendingRequest(bot, { username: 'svc-literal-3', requester: alex, approver: megan });
    await press('approve', REQUEST_VERBS.approve, { requestId: third.id }, megan);
    await untilState(bot, third.id, 'Ready', 60_000);
    await bot.idle();
    await press('owners', ACCOUNT_VERBS.owners, { requestId: third.id }, alex);
    for (const [n, typed] of TYPED_PEOPLE.entries())
      await press(
        `new owner typed ${n}`,
        ACCOUNT_VERBS.ownerAdd,
        { requestId: third.id, newOwner: typed },
        alex,
      );
    await press(
      'new owner',
      ACCOUNT_VERBS.ownerAdd,
      { requestId: third.id, newOwner: 'adelev@contoso.com' },
      alex,
    );
    await press('disable', ACCOUNT_VERBS.disableConfirmed, { requestId: third.id }, alex);
    await press('enable', ACCOUNT_VERBS.enableConfirmed, { requestId: third.id }, megan);
    await press('downgrade', ACCOUNT_VERBS.downgrade, { requestId: third.id }, alex);
    await bot.idle();

    // Typed commands, with the text around them.
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('status', 'audit', 'health', 'cancel', 'help', ''),
        fc.constantFrom(HOSTILE, MARKDOWN, '**bold**', '[link](https://evil.example)'),
        async (command, typed) => {
          await running.say(`${command} ${typed}`, alex);
          return true;
        },
      ),
      { numRuns: 20, seed: SEED },
    );
    for (const command of ['status', 'audit', 'health']) await running.say(command, megan);
    await bot.idle();

    const sent = connector.calls.slice(mark);
    const wrong = [
      ...sent.flatMap((c) => unescaped(shownIn(c.body)).map((t) => `${c.conversationId}: ${t}`)),
      ...answers.flatMap((a) => unescaped(a.shows).map((t) => `answer to ${a.what}: ${t}`)),
    ];
    expect(wrong).toEqual([]);
    // What was typed did reach the other admins, escaped: the rejection's comment, the new owner's note.
    const toAlex = sent
      .filter((c) => c.conversationId === `a:personal-${ALEX.aadObjectId}`)
      .flatMap((c) => shownIn(c.body));
    expect(toAlex.some((t) => t.includes(literal(HOSTILE)))).toBe(true);
    const toAdele = sent
      .filter((c) => c.conversationId === `a:personal-${ADELE.aadObjectId}`)
      .flatMap((c) => shownIn(c.body));
    expect(toAdele.some((t) => t.includes(literal(alex.name)))).toBe(true);
  }, 180_000);
});
