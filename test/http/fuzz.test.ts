/**
 * Thousands of generated activities and card actions — malformed, foreign, oversized, oddly typed —
 * at the running bot (in process, over HTTP). The process stays up, every request gets an answer,
 * and no request or approval state is written: only conversation state and audit records may change.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { SQLITE_FILE_NAME } from '../../src/adapters/storage/createStorage';
import { loadConfig } from '../../src/config';
import { type RunningBot, startBot } from '../../src/index';
import { ALEX, BOT_CHANNEL_ID, TEST_TENANT_ID } from '../support/activities';
import { type FakeConnector, startFakeConnector } from '../support/fakeConnector';

const RUNS = 1000;
const SEED = 20261126;
const CLOSED_PORT_URL = 'http://127.0.0.1:9/';

describe('fuzzing /api/messages', () => {
  let bot: RunningBot;
  let connector: FakeConnector;
  let url: string;
  let dataDir: string;

  beforeAll(async () => {
    connector = await startFakeConnector();
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sab-fuzz-'));
    bot = await startBot(loadConfig({ PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'silent' }));
    url = `http://127.0.0.1:${bot.address.port}`;
  });
  afterAll(async () => {
    await bot?.close();
    await connector?.close();
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
      ),
      membersAdded: fc.array(fc.record({ id: fc.string({ maxLength: 20 }) }), { maxLength: 3 }),
    },
    { requiredKeys: [] },
  );
  const body = fc.oneof(
    { weight: 8, arbitrary: activity.map((a) => JSON.stringify(a)) },
    { weight: 1, arbitrary: fc.jsonValue().map((v) => JSON.stringify(v)) },
    { weight: 1, arbitrary: fc.string({ maxLength: 200 }) },
  );

  it(`when ${RUNS} generated requests arrive, then every one is answered, the bot stays up and no request state is written`, async () => {
    const before = storedKeys();
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(body, async (payload) => {
        const response = await fetch(`${url}/api/messages`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: payload,
        });
        await response.arrayBuffer();
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
        return response.status >= 200 && response.status < 600;
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
