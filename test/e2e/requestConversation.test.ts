/**
 * End to end: the built bot process on its embedded default (simulated tenant, SQLite), a fake Teams
 * connector, and the whole request conversation driven over HTTP exactly as Teams drives it —
 * Action.Execute as `adaptiveCard/action` invokes, Action.Submit as messages with a `value`.
 */
import path from 'node:path';
import { FORM_VERBS } from '../../cards/verbs';
import { SqliteStorage } from '../../src/adapters/storage/sqliteStorage';
import { StorageRequestStore } from '../../src/adapters/storage/storageRequestStore';
import { SQLITE_FILE_NAME } from '../../src/adapters/storage/createStorage';
import { SKUS } from '../../src/simulator';
import {
  ALEX,
  postActivity,
  teamsCardAction,
  teamsMessage,
  teamsSubmit,
  TEST_TENANT_ID,
} from '../support/activities';
import { type BotProcess, startBotProcess, tempDataDir } from '../support/botProcess';
import { type ConnectorCall, type FakeConnector, startFakeConnector } from '../support/fakeConnector';

const MEGAN_ID = '00000000-0000-0000-0000-0000000000021';

interface InvokeAnswer {
  statusCode: number;
  type: string;
  value: unknown;
}

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

  /** Waits for the next activity the bot sends to Teams. */
  async function nextSent(): Promise<ConnectorCall> {
    seen += 1;
    const calls = await connector.waitForActivities(seen, 15_000);
    return calls[seen - 1];
  }

  async function invoke(verb: string, data: Record<string, unknown>): Promise<InvokeAnswer> {
    const response = await postActivity(bot.url, teamsCardAction(connector.serviceUrl, verb, data));
    expect(response.status).toBe(200);
    return (await response.json()) as InvokeAnswer;
  }

  beforeAll(async () => {
    connector = await startFakeConnector();
    dataDir = tempDataDir();
    bot = await startBotProcess({ DATA_DIR: dataDir });
  });

  afterAll(async () => {
    await bot?.stop();
    await connector?.close();
  });

  it('when an admin fills in every card, then the request is stored waiting for approval and stale presses change nothing', async () => {
    await postActivity(bot.url, teamsMessage(connector.serviceUrl, 'new service account'));
    const preflight = cardIn(await nextSent());
    expect(preflight.body[0].text).toBe('Step 1 of 6 · Checks');

    // Action.Execute: the pressed card is replaced in place, the next card arrives as a message.
    const checked = await invoke(FORM_VERBS.next, { formId: formIdIn(preflight), verb: FORM_VERBS.next });
    expect(checked.type).toBe('application/vnd.microsoft.card.adaptive');
    expect(JSON.stringify(checked.value)).toContain('✓ Checks');
    const account = cardIn(await nextSent());
    expect(account.body[0].text).toBe('Step 2 of 6 · Account');

    // Action.Submit: a message with `value`.
    await postActivity(
      bot.url,
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
    await postActivity(
      bot.url,
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
      /^Your request for cirasync-svc@contoso\.com is waiting for approval by Megan Bowen\./,
    );

    // Pressing Submit again after the request went in: no second request.
    const again = await invoke(FORM_VERBS.submit, { formId: formIdIn(review), verb: FORM_VERBS.submit });
    expect(again).toEqual({
      statusCode: 200,
      type: 'application/vnd.microsoft.activity.message',
      value: 'This form is no longer active. Type `new service account` to start again.',
    });

    await postActivity(bot.url, teamsMessage(connector.serviceUrl, 'status'));
    const status = cardIn(await nextSent());
    expect(JSON.stringify(status)).toContain('Waiting for approval');

    await bot.stop();
    const storage = new SqliteStorage(path.join(dataDir, SQLITE_FILE_NAME));
    try {
      const stored = await new StorageRequestStore(storage).listByRequester(TEST_TENANT_ID, ALEX.aadObjectId);
      expect(stored).toHaveLength(1);
      expect(stored[0]).toMatchObject({
        state: 'PendingApproval',
        approver: { aadObjectId: MEGAN_ID },
        details: {
          username: 'cirasync-svc',
          domain: 'contoso.com',
          usageLocation: 'US',
          contact: { city: 'Redmond' },
        },
      });
    } finally {
      storage.close();
    }
  });
});
