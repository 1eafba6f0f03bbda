/** The tenant gate, through the bot: foreign tenants get nothing and change nothing but the audit. */
import { TestAdapter, TurnContext } from 'botbuilder';
import { StorageAuditLog } from '../../src/adapters/storage/storageAuditLog';
import { RefusalAudit } from '../../src/bot/refusalAudit';
import { TenantGate } from '../../src/bot/tenantGate';
import type { RunningBot } from '../../src/index';
import { createLogger } from '../../src/logger';
import { ALEX, postActivity, teamsCardAction, teamsMessage, TEST_TENANT_ID } from '../support/activities';
import { startTestBot, type TestBot } from '../support/botHarness';
import { ListingMemoryStorage } from '../support/listingMemoryStorage';
import type { FakeConnector } from '../support/fakeConnector';

const FOREIGN = '99999999-8888-4777-8666-555555555555';
const PARTNER = '12121212-3434-4565-8787-909090909090';

describe('the tenant gate', () => {
  let running: TestBot;
  let bot: RunningBot;
  let connector: FakeConnector;

  beforeAll(async () => {
    running = await startTestBot({ settings: { ALLOWED_TENANT_IDS: PARTNER } });
    ({ bot, connector } = running);
  });
  afterAll(async () => {
    await running?.close();
  });
  beforeEach(() => {
    connector.calls.length = 0;
  });

  it('when a message comes from another tenant, then nothing answers, nothing is stored, and the refusal is audited once', async () => {
    for (let i = 0; i < 5; i++) {
      const answer = await running.say('new service account', ALEX, { tenantId: FOREIGN });
      expect(answer.status).toBeLessThan(300);
    }
    await new Promise((r) => setTimeout(r, 300));
    expect(connector.calls).toEqual([]);
    expect(await bot.conversations.get(FOREIGN, ALEX.aadObjectId)).toBeUndefined();
    expect(await bot.requests.listByRequester(FOREIGN, ALEX.aadObjectId)).toEqual([]);
    const refusals = (await bot.audit.recent(TEST_TENANT_ID, 50)).filter(
      (r) => r.event === 'activityRefused',
    );
    expect(refusals).toHaveLength(1);
    expect(refusals[0]).toMatchObject({ outcome: 'refused', detail: `tenant ${FOREIGN}, channel msteams` });
  });

  it('when a card action comes from another tenant, then it is answered 403', async () => {
    const activity = teamsCardAction(connector.serviceUrl, 'request.cancel', { requestId: 'x' });
    activity.channelData = { tenant: { id: FOREIGN } };
    activity.conversation = { id: 'a:foreign', conversationType: 'personal', tenantId: FOREIGN };
    const response = await postActivity(running.url, activity);
    expect(response.status).toBe(403);
    expect(connector.calls).toEqual([]);
  });

  it('when an activity names no tenant at all, then it is refused', async () => {
    const activity = teamsMessage(connector.serviceUrl, 'help');
    activity.channelData = {};
    activity.conversation = { id: 'a:nobody', conversationType: 'personal' };
    await postActivity(running.url, activity);
    await new Promise((r) => setTimeout(r, 200));
    expect(connector.calls).toEqual([]);
  });

  it('when a message comes from a tenant in ALLOWED_TENANT_IDS, then it is answered', async () => {
    await running.say('help', ALEX, { tenantId: PARTNER });
    const [reply] = await connector.waitForActivities(1);
    expect(JSON.stringify(reply.body)).toContain('new service account');
  });

  it('when Teams-only is required, then another channel is refused even from the right tenant', async () => {
    const audit = new StorageAuditLog(new ListingMemoryStorage());
    const gate = new TenantGate({
      tenantId: TEST_TENANT_ID,
      allowedTenantIds: [],
      teamsOnly: true,
      refusals: new RefusalAudit({
        audit,
        logger: createLogger('silent'),
        now: () => new Date(),
        perMinute: 10,
      }),
      logger: createLogger('silent'),
    });
    const adapter = new TestAdapter();
    const webchat = { ...teamsMessage('https://example.invalid/', 'help'), channelId: 'webchat' };
    const teams = teamsMessage('https://example.invalid/', 'help');
    expect(await gate.admit(new TurnContext(adapter, webchat))).toBe(false);
    expect(await gate.admit(new TurnContext(adapter, teams))).toBe(true);
    expect((await audit.recent(TEST_TENANT_ID, 5)).map((r) => r.detail)).toEqual([
      `tenant ${TEST_TENANT_ID}, channel webchat`,
    ]);
  });
});
