/** The tenant gate, through the bot: foreign tenants get nothing and change nothing but the audit. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TestAdapter, TurnContext } from 'botbuilder';
import { MemoryStorage } from 'botbuilder';
import { StorageAuditLog } from '../../src/adapters/storage/storageAuditLog';
import { RefusalAudit } from '../../src/bot/refusalAudit';
import { TenantGate } from '../../src/bot/tenantGate';
import { loadConfig } from '../../src/config';
import { type RunningBot, startBot } from '../../src/index';
import { createLogger } from '../../src/logger';
import { ALEX, postActivity, teamsCardAction, teamsMessage, TEST_TENANT_ID } from '../support/activities';
import { type FakeConnector, startFakeConnector } from '../support/fakeConnector';

const FOREIGN = '99999999-8888-4777-8666-555555555555';
const PARTNER = '12121212-3434-4565-8787-909090909090';

describe('the tenant gate', () => {
  let bot: RunningBot;
  let connector: FakeConnector;
  let url: string;

  beforeAll(async () => {
    connector = await startFakeConnector();
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sab-gate-'));
    bot = await startBot(
      loadConfig({ PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'silent', ALLOWED_TENANT_IDS: PARTNER }),
    );
    url = `http://127.0.0.1:${bot.address.port}`;
  });
  afterAll(async () => {
    await bot?.close();
    await connector?.close();
  });
  beforeEach(() => {
    connector.calls.length = 0;
  });

  it('when a message comes from another tenant, then nothing answers, nothing is stored, and the refusal is audited once', async () => {
    for (let i = 0; i < 5; i++) {
      const response = await postActivity(
        url,
        teamsMessage(connector.serviceUrl, 'new service account', { tenantId: FOREIGN }),
      );
      expect(response.status).toBeLessThan(300);
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
    const response = await postActivity(url, activity);
    expect(response.status).toBe(403);
    expect(connector.calls).toEqual([]);
  });

  it('when an activity names no tenant at all, then it is refused', async () => {
    const activity = teamsMessage(connector.serviceUrl, 'help');
    activity.channelData = {};
    activity.conversation = { id: 'a:nobody', conversationType: 'personal' };
    await postActivity(url, activity);
    await new Promise((r) => setTimeout(r, 200));
    expect(connector.calls).toEqual([]);
  });

  it('when a message comes from a tenant in ALLOWED_TENANT_IDS, then it is answered', async () => {
    await postActivity(url, teamsMessage(connector.serviceUrl, 'help', { tenantId: PARTNER }));
    const [reply] = await connector.waitForActivities(1);
    expect(JSON.stringify(reply.body)).toContain('new service account');
  });

  it('when Teams-only is required, then another channel is refused even from the right tenant', async () => {
    const audit = new StorageAuditLog(new MemoryStorage());
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
