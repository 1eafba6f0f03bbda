import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Activity, StoreItems } from 'botbuilder';
import { SqliteStorage } from '../../src/adapters/storage/sqliteStorage';
import { ConversationReferenceStore } from '../../src/teams/conversationReferences';
import { ALEX, postActivity, teamsInstall, teamsMessage, TEST_TENANT_ID } from '../support/activities';
import { startTestBot, type TestBot } from '../support/botHarness';

const SERVICE_URL = 'https://smba.trafficmanager.net/emea/';

function counting(storage: SqliteStorage): { storage: SqliteStorage; writes: () => number } {
  let writes = 0;
  const original = storage.write.bind(storage);
  storage.write = async (changes: StoreItems) => {
    writes += 1;
    return original(changes);
  };
  return { storage, writes: () => writes };
}

describe('conversation references', () => {
  let file: string;
  beforeEach(() => {
    file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'sab-refs-')), 'refs.sqlite');
  });

  it('when an admin messages the bot in personal chat, then the reference is stored by tenant and object id', async () => {
    const storage = new SqliteStorage(file);
    const refs = new ConversationReferenceStore(storage);
    const wrote = await refs.remember(
      teamsMessage(SERVICE_URL, 'help') as Partial<Activity>,
      new Date('2026-11-26T10:00:00Z'),
    );
    expect(wrote).toBe(true);
    const stored = await refs.get(TEST_TENANT_ID, ALEX.aadObjectId);
    expect(stored).toMatchObject({
      tenantId: TEST_TENANT_ID,
      aadObjectId: ALEX.aadObjectId,
      name: 'Alex Wilber',
      updatedAt: '2026-11-26T10:00:00.000Z',
      reference: {
        serviceUrl: SERVICE_URL,
        channelId: 'msteams',
        user: { id: ALEX.id },
        conversation: { id: `a:personal-${ALEX.aadObjectId}` },
      },
    });
    storage.close();
  });

  it('when nothing about the conversation changed, then the next message writes nothing; a new service URL is stored', async () => {
    const { storage, writes } = counting(new SqliteStorage(file));
    const refs = new ConversationReferenceStore(storage);
    await refs.remember(teamsMessage(SERVICE_URL, 'help') as Partial<Activity>, new Date());
    const afterFirst = writes();
    expect(await refs.remember(teamsMessage(SERVICE_URL, 'status') as Partial<Activity>, new Date())).toBe(
      false,
    );
    expect(writes()).toBe(afterFirst);
    const moved = 'https://smba.trafficmanager.net/amer/';
    expect(await refs.remember(teamsMessage(moved, 'status') as Partial<Activity>, new Date())).toBe(true);
    expect((await refs.get(TEST_TENANT_ID, ALEX.aadObjectId))?.reference.serviceUrl).toBe(moved);
    storage.close();
  });

  it.each<[string, (a: Record<string, unknown>) => void]>([
    [
      'a channel message',
      (a) => (a.conversation = { id: '19:channel@thread.tacv2', conversationType: 'channel', isGroup: true }),
    ],
    [
      'a group chat',
      (a) => (a.conversation = { id: '19:group@thread.v2', conversationType: 'groupChat', isGroup: true }),
    ],
    ['no Entra object id', (a) => (a.from = { id: '29:anon', name: 'Anon' })],
    [
      'no tenant',
      (a) => ((a.channelData = {}), (a.conversation = { id: 'a:x', conversationType: 'personal' })),
    ],
  ])('when the activity is %s, then nothing is stored', async (_name, change) => {
    const storage = new SqliteStorage(file);
    const refs = new ConversationReferenceStore(storage);
    const activity = teamsMessage(SERVICE_URL, 'help');
    change(activity);
    expect(await refs.remember(activity as Partial<Activity>, new Date())).toBe(false);
    expect(await refs.get(TEST_TENANT_ID, ALEX.aadObjectId)).toBeUndefined();
    storage.close();
  });

  describe('through the bot', () => {
    // Nobody has talked to the bot yet: only the install can store Alex's reference.
    let running: TestBot;
    beforeAll(async () => {
      running = await startTestBot({ known: [] });
    });
    afterAll(async () => {
      await running?.close();
    });

    it('when the app is installed, then the installer can be reached proactively afterwards', async () => {
      const { bot, connector } = running;
      expect(await bot.conversations.get(TEST_TENANT_ID, ALEX.aadObjectId)).toBeUndefined();
      await postActivity(running.url, teamsInstall(connector.serviceUrl, { from: ALEX }));
      const stored = await bot.conversations.get(TEST_TENANT_ID, ALEX.aadObjectId);
      expect(stored?.reference.serviceUrl).toBe(connector.serviceUrl);
      expect(stored?.reference.conversation?.id).toBe(`a:personal-${ALEX.aadObjectId}`);
    });
  });
});
