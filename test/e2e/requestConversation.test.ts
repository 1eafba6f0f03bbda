/**
 * End to end: the built bot process on its embedded default (simulated tenant, SQLite), a fake Teams
 * connector, and the whole mission driven over HTTP exactly as Teams drives it — Action.Execute as
 * `adaptiveCard/action` invokes, Action.Submit as messages with a `value` — by two admins: Alex asks,
 * Megan approves in her own chat (which the bot opens), the account is provisioned, replicated, handed
 * over and downgraded; a second request is rejected.
 */
import path from 'node:path';
import { FORM_VERBS } from '../../cards/verbs';
import { SqliteStorage } from '../../src/adapters/storage/sqliteStorage';
import { StorageAuditLog } from '../../src/adapters/storage/storageAuditLog';
import { StorageRequestStore } from '../../src/adapters/storage/storageRequestStore';
import { SQLITE_FILE_NAME } from '../../src/adapters/storage/createStorage';
import { SKUS } from '../../src/simulator';
import { ACCOUNT_VERBS, REQUEST_VERBS } from '../../cards/verbs';
import {
  ALEX,
  MEGAN,
  postActivity,
  teamsCardAction,
  teamsMessage,
  teamsSubmit,
  TEST_TENANT_ID,
} from '../support/activities';
import type { InvokeAnswer } from '../support/botHarness';
import { type BotProcess, startBotProcess, tempDataDir } from '../support/botProcess';
import { type ConnectorCall, type FakeConnector, startFakeConnector } from '../support/fakeConnector';
import { missionSteps } from '../support/steps';

const MEGAN_ID = MEGAN.aadObjectId;
const ALEX_CHAT = `a:personal-${ALEX.aadObjectId}`;

function cardIn(call: ConnectorCall): { body: { text?: string }[]; [key: string]: unknown } {
  const attachments = call.body.attachments as { content: { body: { text?: string }[] } }[] | undefined;
  if (attachments === undefined) throw new Error(`Expected a card, got text: ${String(call.body.text)}`);
  return attachments[0].content;
}

function formIdIn(card: unknown): string {
  const id = JSON.stringify(card).match(/"formId":"([0-9a-f-]{36})"/)?.[1];
  if (id === undefined) throw new Error('no formId in card');
  return id;
}

describe('the request conversation through the running bot', () => {
  let connector: FakeConnector;
  let bot: BotProcess;
  let dataDir: string;
  let seen = 0;

  /** Ids of the activities this test sent: the bot's replies to them are its answers within a turn. */
  const sentIds = new Set<string>();
  const replies = (): ConnectorCall[] =>
    connector.calls.filter((c) => c.method === 'POST' && sentIds.has(c.activityId ?? ''));

  function post(activity: Record<string, unknown>): Promise<Response> {
    sentIds.add(String(activity.id));
    return postActivity(bot.url, activity);
  }

  /** Waits for the next reply the bot sends to Teams. */
  async function nextSent(): Promise<ConnectorCall> {
    seen += 1;
    const deadline = Date.now() + 15_000;
    while (replies().length < seen) {
      if (Date.now() > deadline) throw new Error(`expected reply ${seen}, got ${replies().length}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return replies()[seen - 1];
  }

  /** Waits until the bot has sent something that `match` accepts; returns it. */
  async function sentMatching(
    match: (call: ConnectorCall) => boolean,
    timeoutMs = 30_000,
  ): Promise<ConnectorCall> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = connector.calls.find(match);
      if (found !== undefined) return found;
      if (Date.now() > deadline) {
        const seenTexts = connector.calls.map(
          (c) => `${c.method} ${c.conversationId} ${String(c.body.text ?? '[card]')}`,
        );
        throw new Error(`nothing matched; sent so far:\n${seenTexts.join('\n')}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  async function invoke(
    verb: string,
    data: Record<string, unknown>,
    from = ALEX,
    conversationId?: string,
  ): Promise<InvokeAnswer> {
    const response = await post(teamsCardAction(connector.serviceUrl, verb, data, { from, conversationId }));
    expect(response.status).toBe(200);
    return (await response.json()) as InvokeAnswer;
  }

  beforeAll(async () => {
    connector = await startFakeConnector();
    dataDir = tempDataDir();
    bot = await startBotProcess({
      DATA_DIR: dataDir,
      SIMULATOR_REPLICATION_SECONDS: '1.5',
      REPLICATION_SETTLE_MINUTES: '0.02',
      REPLICATION_POLL_SECONDS: '0.3',
      APPROVAL_REMINDER_HOURS: '0',
    });
  });

  afterAll(async () => {
    await bot?.stop();
    await connector?.close();
  });

  /** The mission, one step per test, in order. */
  const step = missionSteps();

  step(
    'when an admin fills in every card, then the request is stored waiting for approval and stale presses change nothing',
    async () => {
      await post(teamsMessage(connector.serviceUrl, 'new service account'));
      const preflight = cardIn(await nextSent());
      expect(preflight.body[0].text).toBe('Step 1 of 6 · Checks');

      // Action.Execute: the pressed card is replaced in place, the next card arrives as a message.
      const checked = await invoke(FORM_VERBS.next, { formId: formIdIn(preflight), verb: FORM_VERBS.next });
      expect(checked.type).toBe('application/vnd.microsoft.card.adaptive');
      expect(JSON.stringify(checked.value)).toContain('✓ Checks');
      const account = cardIn(await nextSent());
      expect(account.body[0].text).toBe('Step 2 of 6 · Account');

      // Action.Submit: a message with `value`.
      await post(
        teamsSubmit(connector.serviceUrl, {
          verb: FORM_VERBS.next,
          formId: formIdIn(account),
          displayName: 'CiraSync Service',
          username: 'cirasync-svc',
          domain: 'contoso.com',
        }),
      );
      const contact = cardIn(await nextSent());
      expect(contact.body[0].text).toBe('Step 3 of 6 · Contact information');

      // The same Account card pressed a second time: answered, not processed.
      await post(
        teamsSubmit(connector.serviceUrl, {
          verb: FORM_VERBS.next,
          formId: formIdIn(account),
          username: 'other',
        }),
      );
      expect((await nextSent()).body.text).toBe(
        'This form is no longer active. Type `new service account` to start again.',
      );

      // Invalid input over an invoke: the same card comes back in place, with the error.
      const contactForm = {
        formId: formIdIn(contact),
        verb: FORM_VERBS.next,
        city: 'Redmond',
        postalCode: '98052',
      };
      const invalid = await invoke(FORM_VERBS.next, { ...contactForm, businessPhone: 'call me maybe' });
      expect(invalid.type).toBe('application/vnd.microsoft.card.adaptive');
      expect(JSON.stringify(invalid.value)).toMatch(/Step 3 of 6 · Contact information/);
      expect(JSON.stringify(invalid.value)).toMatch(/call me maybe/);
      const valid = await invoke(FORM_VERBS.next, { ...contactForm, businessPhone: '+1 425 555 0100' });
      expect(JSON.stringify(valid.value)).toContain('✓ Contact information');
      const sync = cardIn(await nextSent());
      expect(sync.body[0].text).toBe('Step 4 of 6 · Sync');

      await invoke(FORM_VERBS.next, {
        formId: formIdIn(sync),
        verb: FORM_VERBS.next,
        publicFolders: 'true',
        skuId: SKUS.EXCHANGESTANDARD.skuId,
        usageLocation: 'us',
      });
      const approver = cardIn(await nextSent());
      expect(approver.body[0].text).toBe('Step 5 of 6 · Approver');
      await invoke(FORM_VERBS.next, {
        formId: formIdIn(approver),
        verb: FORM_VERBS.next,
        approverId: MEGAN_ID,
      });
      const review = cardIn(await nextSent());
      expect(review.body[0].text).toBe('Step 6 of 6 · Review');
      expect(JSON.stringify(review)).toContain('Megan Bowen');

      await invoke(FORM_VERBS.submit, { formId: formIdIn(review), verb: FORM_VERBS.submit });
      const submitted = String((await nextSent()).body.text);
      expect(submitted).toMatch(
        /^Your request for cirasync-svc@contoso\.com is waiting for approval by Megan Bowen: I am sending it to them now\./,
      );

      // Pressing Submit again after the request went in: no second request.
      const again = await invoke(FORM_VERBS.submit, { formId: formIdIn(review), verb: FORM_VERBS.submit });
      expect(again).toEqual({
        statusCode: 200,
        type: 'application/vnd.microsoft.activity.message',
        value: 'This form is no longer active. Type “new service account” to start again.',
      });

      await post(teamsMessage(connector.serviceUrl, 'status'));
      const status = cardIn(await nextSent());
      expect(JSON.stringify(status)).toContain('Waiting for approval');
    },
  );

  step(
    'when Megan approves in her own chat, then Alex’s card shows it, the account is set up, replicated and handed over, and the role is lowered',
    async () => {
      // Megan never wrote to the bot: it opens a chat with her by object id and sends the card there.
      const megansCard = await sentMatching(
        (c) =>
          c.conversationId.startsWith('a:created-') && JSON.stringify(c.body).includes(REQUEST_VERBS.approve),
      );
      expect(connector.created[0]).toMatchObject({ memberId: MEGAN_ID, tenantId: TEST_TENANT_ID });
      const requestId = JSON.stringify(megansCard.body).match(/"requestId":"([0-9a-f-]{36})"/)?.[1] as string;
      await sentMatching(
        (c) =>
          c.conversationId === ALEX_CHAT &&
          c.method === 'POST' &&
          JSON.stringify(c.body).includes(REQUEST_VERBS.cancel) &&
          JSON.stringify(c.body).includes(requestId),
      );

      const approved = await invoke(REQUEST_VERBS.approve, { requestId }, MEGAN, megansCard.conversationId);
      expect(JSON.stringify(approved.value)).toContain('Approved by Megan Bowen');

      // Alex's copy of the card is updated in place.
      await sentMatching(
        (c) =>
          c.method === 'PUT' &&
          c.conversationId === ALEX_CHAT &&
          JSON.stringify(c.body).includes(requestId) &&
          JSON.stringify(c.body).includes('Approved by Megan Bowen'),
      );
      // Provisioning, replication, then the "ready" message with the hand-over and the downgrade.
      const ready = await sentMatching(
        (c) =>
          c.method === 'POST' &&
          c.conversationId === ALEX_CHAT &&
          JSON.stringify(c.body).includes(ACCOUNT_VERBS.downgrade),
        60_000,
      );
      expect(JSON.stringify(ready.body)).toContain('cirasync-svc@contoso.com');
      expect(JSON.stringify(ready.body)).toContain(ACCOUNT_VERBS.reveal);
      await sentMatching(
        (c) =>
          c.conversationId === megansCard.conversationId && String(c.body.text ?? '').includes('is ready'),
      );
      const readyMessages = connector.calls.filter(
        (c) => c.method === 'POST' && JSON.stringify(c.body).includes(ACCOUNT_VERBS.downgrade),
      );
      expect(readyMessages).toHaveLength(1);

      // The password: only in the answer to Alex's Reveal, never in anything sent to Teams.
      const revealed = await invoke(ACCOUNT_VERBS.reveal, { requestId });
      const password = JSON.stringify(revealed.value).match(
        /"title":"Password","value":"([^"]+)"/,
      )?.[1] as string;
      expect(password).toHaveLength(24);
      expect(connector.calls.some((c) => JSON.stringify(c.body).includes(password))).toBe(false);
      const byMegan = await invoke(ACCOUNT_VERBS.reveal, { requestId }, MEGAN, megansCard.conversationId);
      expect(JSON.stringify(byMegan.value)).not.toContain(password);

      const lowered = await invoke(ACCOUNT_VERBS.downgrade, { requestId });
      expect(JSON.stringify(lowered.value)).toContain('no longer a Global Administrator');
      await sentMatching(
        (c) =>
          c.conversationId === megansCard.conversationId && String(c.body.text ?? '').includes('lowered'),
      );
    },
  );

  step('when Megan rejects a second request, then a comment is required, and Alex is told why', async () => {
    await post(teamsMessage(connector.serviceUrl, 'new service account'));
    const first = await nextSent();
    const preflight = cardIn(first);
    await invoke(FORM_VERBS.next, { formId: formIdIn(preflight), verb: FORM_VERBS.next });
    const account = cardIn(await nextSent());
    await invoke(FORM_VERBS.next, {
      formId: formIdIn(account),
      verb: FORM_VERBS.next,
      displayName: 'CiraSync Service 2',
      username: 'cirasync-svc2',
      domain: 'contoso.com',
    });
    const contact = cardIn(await nextSent());
    await invoke(FORM_VERBS.next, { formId: formIdIn(contact), verb: FORM_VERBS.next });
    const sync = cardIn(await nextSent());
    await invoke(FORM_VERBS.next, { formId: formIdIn(sync), verb: FORM_VERBS.next, publicFolders: 'false' });
    const approver = cardIn(await nextSent());
    await invoke(FORM_VERBS.next, {
      formId: formIdIn(approver),
      verb: FORM_VERBS.next,
      approverId: MEGAN_ID,
    });
    const review = cardIn(await nextSent());
    await invoke(FORM_VERBS.submit, { formId: formIdIn(review), verb: FORM_VERBS.submit });
    await nextSent();

    // Megan now has a chat with the bot: the second card goes there.
    const megansChat = connector.created[0].conversationId;
    const card = await sentMatching(
      (c) =>
        c.conversationId === megansChat &&
        JSON.stringify(c.body).includes('cirasync-svc2@contoso.com') &&
        JSON.stringify(c.body).includes(REQUEST_VERBS.reject),
    );
    const requestId = JSON.stringify(card.body).match(/"requestId":"([0-9a-f-]{36})"/)?.[1] as string;
    const bare = await invoke(REQUEST_VERBS.reject, { requestId, comment: '' }, MEGAN, megansChat);
    expect(JSON.stringify(bare.value)).toContain('Say why you reject it');
    const rejected = await invoke(
      REQUEST_VERBS.reject,
      { requestId, comment: 'One service account is enough.' },
      MEGAN,
      megansChat,
    );
    expect(JSON.stringify(rejected.value)).toContain('Rejected by Megan Bowen');
    const told = await sentMatching(
      (c) =>
        c.conversationId === ALEX_CHAT &&
        String(c.body.text ?? '').includes('rejected your request for cirasync-svc2@contoso.com'),
    );
    expect(String(told.body.text)).toContain('One service account is enough.');
  });

  step(
    'when the bot stops, then the store holds both requests and their audit trails, the first Ready and the second Rejected',
    async () => {
      await bot.stop();
      const storage = new SqliteStorage(path.join(dataDir, SQLITE_FILE_NAME));
      try {
        const stored = await new StorageRequestStore(storage).listByRequester(
          TEST_TENANT_ID,
          ALEX.aadObjectId,
        );
        expect(stored.map((r) => [r.details.username, r.state])).toEqual([
          ['cirasync-svc2', 'Rejected'],
          ['cirasync-svc', 'Ready'],
        ]);
        // The announcement is a fact of the request itself.
        expect(stored[1].announcedAt).toEqual(expect.any(String));
        expect(stored[0].announcedAt).toBeUndefined();
        expect(stored[1]).toMatchObject({
          approver: { aadObjectId: MEGAN_ID },
          decision: { outcome: 'approved', by: { aadObjectId: MEGAN_ID } },
          details: {
            username: 'cirasync-svc',
            domain: 'contoso.com',
            usageLocation: 'US',
            contact: { city: 'Redmond' },
          },
        });
        const audit = new StorageAuditLog(storage);
        expect((await audit.forRequest(TEST_TENANT_ID, stored[1].id)).map((r) => r.event)).toEqual([
          'submitted',
          'delivered',
          'approved',
          'provisioned',
          'ready',
          'password revealed',
          // Megan pressed Reveal: only the requester may.
          'press refused',
          'downgraded',
        ]);
        expect((await audit.forRequest(TEST_TENANT_ID, stored[0].id)).map((r) => r.event)).toEqual([
          'submitted',
          'delivered',
          'rejected',
        ]);
      } finally {
        storage.close();
      }
    },
  );
});
