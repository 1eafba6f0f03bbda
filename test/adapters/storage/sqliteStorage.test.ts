import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConversationState, MemoryStorage, type Storage, type StoreItems, TestAdapter } from 'botbuilder';
import { CasDocuments } from '../../../src/lib/casDocuments';
import { ETagConflictError, SqliteStorage } from '../../../src/adapters/storage/sqliteStorage';

function tempFile(): string {
  return path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'sab-sqlite-')), 'nested', 'state.sqlite');
}

describe('SqliteStorage', () => {
  let file: string;
  let storage: SqliteStorage;

  beforeEach(() => {
    file = tempFile();
    storage = new SqliteStorage(file);
  });
  afterEach(() => storage.close());

  it('when an item is written, then it reads back with a fresh eTag, and missing keys are absent', async () => {
    await storage.write({ a: { count: 1, nested: { x: 'y' } } });
    const items = await storage.read(['a', 'missing']);
    expect(Object.keys(items)).toEqual(['a']);
    expect(items.a).toMatchObject({ count: 1, nested: { x: 'y' } });
    expect(typeof items.a.eTag).toBe('string');
  });

  it('when a writer holds the current eTag, then its write wins and the eTag changes', async () => {
    await storage.write({ a: { count: 1 } });
    const first = (await storage.read(['a'])).a;
    await storage.write({ a: { ...first, count: 2 } });
    const second = (await storage.read(['a'])).a;
    expect(second.count).toBe(2);
    expect(second.eTag).not.toBe(first.eTag);
  });

  it('when two writers start from the same eTag, then the second is refused and nothing is lost', async () => {
    await storage.write({ a: { count: 1 } });
    const read1 = (await storage.read(['a'])).a;
    const read2 = (await storage.read(['a'])).a;
    await storage.write({ a: { ...read1, count: 2 } });
    await expect(storage.write({ a: { ...read2, count: 3 } })).rejects.toBeInstanceOf(ETagConflictError);
    expect((await storage.read(['a'])).a.count).toBe(2);
  });

  it('when a batch holds one stale item, then none of the batch is written', async () => {
    await storage.write({ a: { v: 1 }, b: { v: 1 } });
    const { a, b } = await storage.read(['a', 'b']);
    await storage.write({ b: { ...b, v: 2 } });
    await expect(storage.write({ a: { ...a, v: 9 }, b: { ...b, v: 9 } })).rejects.toBeInstanceOf(
      ETagConflictError,
    );
    const after = await storage.read(['a', 'b']);
    expect([after.a.v, after.b.v]).toEqual([1, 2]);
  });

  it('when eTag is "*", then the write is unconditional', async () => {
    await storage.write({ a: { v: 1 } });
    await storage.write({ a: { v: 5, eTag: '*' } });
    expect((await storage.read(['a'])).a.v).toBe(5);
  });

  it('when an item is deleted, then it is gone', async () => {
    await storage.write({ a: { v: 1 }, b: { v: 2 } });
    await storage.delete(['a']);
    expect(Object.keys(await storage.read(['a', 'b']))).toEqual(['b']);
  });

  it('when the file is reopened, then the state survives (a restart)', async () => {
    await storage.write({ a: { v: 'kept' } });
    storage.close();
    storage = new SqliteStorage(file);
    expect((await storage.read(['a'])).a.v).toBe('kept');
  });

  it('when a key is free, then createIfAbsent writes it once; a second create changes nothing', async () => {
    expect(await storage.createIfAbsent('k', { v: 1 })).toBe(true);
    expect(await storage.createIfAbsent('k', { v: 2 })).toBe(false);
    expect((await storage.read(['k'])).k.v).toBe(1);
  });

  it('when another instance’s first write lands late, then it cannot erase a change made meanwhile', async () => {
    const other = new SqliteStorage(file);
    // The second instance is slow: its first write of a document arrives after the first instance's change.
    const slow = {
      read: (keys: string[]) => other.read(keys),
      delete: (keys: string[]) => other.delete(keys),
      write: async (changes: StoreItems) => {
        await new Promise((r) => setTimeout(r, 100));
        return other.write(changes);
      },
      createIfAbsent: async (key: string, value: object) => {
        await new Promise((r) => setTimeout(r, 100));
        return other.createIfAbsent(key, value);
      },
    };
    try {
      const parse = (raw: unknown) => raw as { ids: string[] };
      const late = new CasDocuments(slow).update('index', parse, { ids: [] }, (doc) => ({
        ids: [...doc.ids, 'late'],
      }));
      await new CasDocuments(storage).update('index', parse, { ids: [] }, (doc) => ({
        ids: [...doc.ids, 'early'],
      }));
      await late;
      const stored = (await storage.read(['index'])).index as { ids: string[] };
      expect([...stored.ids].sort()).toEqual(['early', 'late']);
    } finally {
      other.close();
    }
  });

  it.each<[string, () => Storage]>([
    ['MemoryStorage (the reference)', () => new MemoryStorage()],
    ['SqliteStorage', () => storage],
  ])(
    'when ConversationState saves through %s, then a second turn sees the first turn’s data',
    async (_name, make) => {
      const store = make();
      const state = new ConversationState(store);
      const counter = state.createProperty<number>('counter');
      const adapter = new TestAdapter(async (context) => {
        const value = (await counter.get(context, 0)) + 1;
        await counter.set(context, value);
        await context.sendActivity(`count ${value}`);
        await state.saveChanges(context);
      });
      await adapter.send('one').assertReply('count 1').send('two').assertReply('count 2').startTest();
    },
  );
});
