/**
 * The records store's contract on both backends (SQLite, Azure Blob on Azurite): the Bot Framework
 * `Storage` with eTag compare-and-set, an atomic create-if-absent, and listing of keys (all, or under a
 * prefix), each seen from two stores on the same data as two instances would open them. The request
 * store and the audit log run their own suites on both (test/adapters/storage/).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConversationState, type Storage, TestAdapter } from 'botbuilder';
import { BlobDocumentStorage, blobNameOf } from '../../src/adapters/storage/blobDocumentStorage';
import { SqliteStorage } from '../../src/adapters/storage/sqliteStorage';
import { CasDocuments, type CreateIfAbsent, type KeyListing } from '../../src/lib/casDocuments';
import { type Azurite, startAzurite } from '../support/azurite';

type Store = Storage & CreateIfAbsent & KeyListing;

interface Rig {
  open(): Store;
  cleanup(): void;
}

let azurite: Azurite;
let containers = 0;
beforeAll(async () => {
  azurite = await startAzurite();
});
afterAll(async () => {
  await azurite?.stop();
});

const BACKENDS: [string, () => Rig][] = [
  [
    'SQLite',
    () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sab-storage-'));
      const opened: SqliteStorage[] = [];
      return {
        open: () => {
          const store = new SqliteStorage(path.join(dir, 'state.sqlite'));
          opened.push(store);
          return store;
        },
        cleanup: () => {
          for (const store of opened) store.close();
          fs.rmSync(dir, { recursive: true, force: true });
        },
      };
    },
  ],
  [
    'Azure Blob (Azurite)',
    () => {
      const container = `contract-${process.pid}-${++containers}`;
      return {
        open: () => BlobDocumentStorage.fromConnectionString(azurite.connectionString, container),
        cleanup: () => undefined,
      };
    },
  ],
];

async function keysOf(store: KeyListing, prefix?: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const key of store.listKeys(prefix)) keys.push(key);
  return keys.sort();
}

describe.each(BACKENDS)('Storage contract on %s', (_name, rig) => {
  let current: Rig;
  let store: Store;
  let other: Store;

  beforeEach(() => {
    current = rig();
    store = current.open();
    other = current.open();
  });
  afterEach(() => current.cleanup());

  it('when an item is written, then the other store reads it with an eTag, and missing keys are absent', async () => {
    await store.write({ a: { count: 1, text: 'Zoë ✓ “quoted”', nested: { x: 'y' } } });
    const items = await other.read(['a', 'missing']);
    expect(Object.keys(items)).toEqual(['a']);
    expect(items.a).toMatchObject({ count: 1, text: 'Zoë ✓ “quoted”', nested: { x: 'y' } });
    expect(typeof items.a.eTag).toBe('string');
  });

  it('when two writers start from the same eTag, then the later is refused and nothing is lost', async () => {
    await store.write({ a: { count: 1 } });
    const mine = (await store.read(['a'])).a;
    const theirs = (await other.read(['a'])).a;
    await other.write({ a: { ...theirs, count: 2 } });
    await expect(store.write({ a: { ...mine, count: 3 } })).rejects.toThrow(/eTag/);
    expect((await store.read(['a'])).a.count).toBe(2);
    await store.write({ a: { count: 4, eTag: '*' } });
    expect((await other.read(['a'])).a.count).toBe(4);
  });

  it('when both stores create the same key at once, then exactly one create succeeds and its value stays', async () => {
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? store : other).createIfAbsent('k', { by: i })),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
    const winner = results.indexOf(true);
    expect((await other.read(['k'])).k).toMatchObject({ by: winner });
  });

  it('when two instances add to a new document at once, then every addition is kept', async () => {
    const parse = (raw: unknown) => raw as { ids: string[] };
    const mine = new CasDocuments(store, { baseDelayMs: 2, maxDelayMs: 40 });
    const theirs = new CasDocuments(other, { baseDelayMs: 2, maxDelayMs: 40 });
    await Promise.all(
      Array.from({ length: 16 }, (_, i) =>
        (i % 2 === 0 ? mine : theirs).update('index', parse, { ids: [] }, (doc) => ({
          ids: [...doc.ids, `id-${i}`],
        })),
      ),
    );
    const stored = await mine.read('index', parse);
    expect(stored?.value.ids.sort()).toEqual(Array.from({ length: 16 }, (_, i) => `id-${i}`).sort());
  });

  it('when keys are listed, then every key comes back as written, odd characters and long keys too', async () => {
    const long = `service-account-bot/${'x'.repeat(1_100)}`;
    const keys = [
      'msteams/conversations/19:abc@thread.tacv2',
      'service-account-bot/requests/t/1',
      'a b/ü?#%',
      long,
    ];
    for (const key of keys) await store.write({ [key]: { key } });
    expect(await keysOf(other)).toEqual([...keys].sort());
    expect((await other.read([long]))[long]).toMatchObject({ key: long });
    await store.delete([keys[0], long, 'never-written']);
    expect(await keysOf(other)).toEqual([keys[1], keys[2]].sort());
  });

  it('when keys are listed under a prefix, then exactly the keys starting with it come back, odd and long ones too', async () => {
    const day = 'service-account-bot/audit/t/2025-03-01';
    const long = `${day}/${'y'.repeat(1_100)}`;
    const inside = [
      day,
      `${day}/100000000-0123456789abcdef`,
      `${day}/235959999-fedcba9876543210`,
      `${day}/😀 ü?#%`,
      `${day}/\uffff`,
      long,
    ];
    const outside = [
      'service-account-bot/audit/t/2025-03-02/100000000-0123456789abcdef',
      'service-account-bot/audit/t/2025-03-0',
      'service-account-bot/audit/t/requests/r',
      'service-account-bot/audit/u/2025-03-01/100000000-0123456789abcdef',
      `service-account-bot/${'z'.repeat(1_100)}`,
    ];
    for (const key of [...inside, ...outside]) await store.write({ [key]: { key } });
    expect(await keysOf(other, day)).toEqual([...inside].sort());
    expect(await keysOf(other, `${day}/`)).toEqual(inside.filter((key) => key !== day).sort());
    expect(await keysOf(other, `${day}/1`)).toEqual([`${day}/100000000-0123456789abcdef`]);
    expect(await keysOf(other, 'nothing/here')).toEqual([]);
    expect(await keysOf(other, '')).toEqual([...inside, ...outside].sort());
    expect(await keysOf(other)).toEqual([...inside, ...outside].sort());
    await store.delete([`${day}/100000000-0123456789abcdef`, long]);
    expect(await keysOf(other, `${day}/`)).toEqual(
      [`${day}/235959999-fedcba9876543210`, `${day}/😀 ü?#%`, `${day}/\uffff`].sort(),
    );
  });

  it('when conversation state is saved twice, then the second turn reads the first', async () => {
    const state = new ConversationState(store);
    const counter = state.createProperty<number>('counter');
    const adapter = new TestAdapter(async (context) => {
      const value = (await counter.get(context, 0)) + 1;
      await counter.set(context, value);
      await context.sendActivity(`count ${value}`);
      await state.saveChanges(context);
    });
    await adapter.send('one').assertReply('count 1').send('two').assertReply('count 2').startTest();
  });
});

describe('Blob names', () => {
  it('when a key is short, then its blob name is the name BlobsStorage gave it; a long one is its hash', () => {
    expect(blobNameOf('msteams/conversations/a:b')).toBe('msteams%2Fconversations%2Fa%3Ab');
    expect(blobNameOf('a//b')).toBe('a%2Fb');
    expect(blobNameOf('x'.repeat(2_000))).toMatch(/^~sha256\/[0-9a-f]{64}$/);
    expect(() => blobNameOf('')).toThrow();
  });
});
