/**
 * The audit log over each Storage the bot runs on: SQLite (embedded), Azure Blobs (against Azurite on
 * loopback) and the listing MemoryStorage the dialog tests use.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BlobDocumentStorage } from '../../../src/adapters/storage/blobDocumentStorage';
import { SqliteStorage } from '../../../src/adapters/storage/sqliteStorage';
import { type AuditStorage, StorageAuditLog } from '../../../src/adapters/storage/storageAuditLog';
import { isAppError } from '../../../src/domain/errors';
import type { AuditRecord } from '../../../src/domain/request';
import { type Azurite, startAzurite } from '../../support/azurite';
import { ListingMemoryStorage } from '../../support/listingMemoryStorage';

const TENANT = '7f1c4e2a-3b5d-4c6e-8f90-1a2b3c4d5e6f';
const OTHER_TENANT = '0b1c4e2a-3b5d-4c6e-8f90-1a2b3c4d5e6f';
const ALEX = { aadObjectId: '00000000-0000-0000-0000-000000000020', name: 'Alex Wilber' };
const DAY_MS = 86_400_000;
const DAY1 = Date.parse('2025-03-01T10:00:00.000Z');
const DAY2 = DAY1 + DAY_MS;
const DAY_PREFIX = `test/audit/${TENANT}/2025-03-01`;
const RECORD_KEY = /^test\/audit\/[0-9a-f-]+\/\d{4}-\d{2}-\d{2}\/\d{9}-[0-9a-f]{16}$/;

function record(at: number, overrides: Partial<AuditRecord> = {}): AuditRecord {
  return {
    requestId: 'req-1',
    tenantId: TENANT,
    event: 'submitted',
    actor: ALEX,
    at: new Date(at).toISOString(),
    outcome: 'PendingApproval',
    ...overrides,
  };
}

let azurite: Azurite;
let containers = 0;
beforeAll(async () => {
  azurite = await startAzurite();
});
afterAll(async () => {
  await azurite?.stop();
});

type Open = () => { storage: AuditStorage; close(): void };
const BACKENDS: [string, Open][] = [
  [
    'SqliteStorage',
    () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sab-audit-'));
      const storage = new SqliteStorage(path.join(dir, 'state.sqlite'));
      return { storage, close: () => storage.close() };
    },
  ],
  [
    'BlobDocumentStorage on Azurite',
    () => ({
      storage: BlobDocumentStorage.fromConnectionString(
        azurite.connectionString,
        `audit-${process.pid}-${++containers}`,
      ),
      close: () => undefined,
    }),
  ],
  ['ListingMemoryStorage', () => ({ storage: new ListingMemoryStorage(), close: () => undefined })],
];

async function keysUnder(storage: AuditStorage, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const key of storage.listKeys(prefix)) keys.push(key);
  return keys.sort();
}

describe.each(BACKENDS)('StorageAuditLog on %s', (_name, open) => {
  let storage: AuditStorage;
  let close: () => void;
  let clock: number;
  let log: StorageAuditLog;

  beforeEach(() => {
    ({ storage, close } = open());
    clock = DAY1;
    log = new StorageAuditLog(storage, 'test', { now: () => new Date(clock) });
  });
  afterEach(() => close());

  it('when twenty records are appended at once, then all twenty are kept, by day and by request', async () => {
    const records = Array.from({ length: 20 }, (_, n) =>
      record(DAY1 + n * 1000, { requestId: `req-${n % 2}`, detail: `record ${n}` }),
    );
    await Promise.all(records.map((r) => log.append(r)));
    const recent = await log.recent(TENANT, 100);
    expect(recent).toHaveLength(20);
    expect(new Set(recent.map((r) => r.detail))).toEqual(new Set(records.map((r) => r.detail)));
    expect(recent.map((r) => r.at)).toEqual(records.map((r) => r.at).reverse());
    expect(await log.forRequest(TENANT, 'req-0')).toEqual(records.filter((r) => r.requestId === 'req-0'));
    expect(await log.forRequest(TENANT, 'req-1')).toHaveLength(10);
  });

  it('when two bot instances append to the same day at once, then no record is lost', async () => {
    const other = new StorageAuditLog(storage, 'test', { now: () => new Date(clock) });
    await log.append(record(DAY1, { detail: 'first' }));
    const more = Array.from({ length: 10 }, (_, n) => record(DAY1 + (n + 1) * 1000, { detail: `more ${n}` }));
    await Promise.all(more.map((r, n) => (n % 2 === 0 ? log : other).append(r)));
    expect(await log.recent(TENANT, 50)).toHaveLength(11);
  });

  it('when records span two days, then recent walks back from today, newest first, up to the limit', async () => {
    await log.append(record(DAY1, { detail: 'day 1 early' }));
    await log.append(record(DAY1 + 3_600_000, { detail: 'day 1 late' }));
    clock = DAY2;
    await log.append(record(DAY2, { detail: 'day 2 early' }));
    await log.append(record(DAY2 + 60_000, { detail: 'day 2 late' }));
    await log.append(record(DAY2, { tenantId: OTHER_TENANT, detail: 'other tenant' }));
    expect((await log.recent(TENANT, 3)).map((r) => r.detail)).toEqual([
      'day 2 late',
      'day 2 early',
      'day 1 late',
    ]);
    expect((await log.recent(TENANT, 10)).map((r) => r.detail)).toEqual([
      'day 2 late',
      'day 2 early',
      'day 1 late',
      'day 1 early',
    ]);
    expect(await log.recent(TENANT, 0)).toEqual([]);
    clock = DAY2 + 30 * DAY_MS;
    expect(await log.recent(TENANT, 10)).toHaveLength(4);
  });

  it('when a record is older than the days recent looks back, then recent leaves it out', async () => {
    const short = new StorageAuditLog(storage, 'test', { now: () => new Date(clock), maxDaysBack: 5 });
    await short.append(record(DAY1 - 5 * DAY_MS, { detail: 'five days ago' }));
    await short.append(record(DAY1 - 6 * DAY_MS, { detail: 'six days ago' }));
    expect((await short.recent(TENANT, 10)).map((r) => r.detail)).toEqual(['five days ago']);
    expect(await short.forRequest(TENANT, 'req-1')).toHaveLength(2);
  });

  it('when a record carries extra fields and long or multi-line text, then only the audit fields are kept, capped', async () => {
    const stuffed = {
      ...record(DAY1),
      password: 'P@ssw0rd-should-never-be-stored',
      card: { body: ['secret'] },
      actor: { ...ALEX, token: 'eyJ0eXAi-token' },
      detail: `line one\nline two ${'x'.repeat(2000)}`,
    } as AuditRecord;
    await log.append(stuffed);
    const [kept] = await log.forRequest(TENANT, 'req-1');
    expect(Object.keys(kept).sort()).toEqual([
      'actor',
      'at',
      'detail',
      'event',
      'outcome',
      'requestId',
      'tenantId',
    ]);
    expect(kept.actor).toEqual(ALEX);
    expect(kept.detail).toHaveLength(500);
    expect(kept.detail?.startsWith('line one line two xx')).toBe(true);
    expect(kept.detail?.endsWith('…')).toBe(true);
    const raw = JSON.stringify(await storage.read(await keysUnder(storage, DAY_PREFIX)));
    expect(raw).toContain('line one');
    expect(raw).not.toMatch(/P@ssw0rd|eyJ0eXAi|secret/);
  });

  it.each<[string, Partial<AuditRecord>]>([
    ['a time that is not a time', { at: 'yesterday' }],
    ['no tenant', { tenantId: '' }],
    ['no request id', { requestId: undefined as unknown as string }],
    ['an actor without an id', { actor: { name: 'Alex' } as AuditRecord['actor'] }],
  ])(
    'when a record has %s, then append refuses it as BadRequest and stores nothing',
    async (_case, broken) => {
      const error: unknown = await log.append(record(DAY1, broken)).catch((e: unknown) => e);
      expect(isAppError(error, 'BadRequest')).toBe(true);
      expect(await log.recent(TENANT, 10)).toEqual([]);
    },
  );

  it('when a request has records in two tenants, then forRequest shows only the asked tenant’s, oldest first', async () => {
    await log.append(record(DAY1 + 2000, { event: 'approved' }));
    await log.append(record(DAY1, { event: 'submitted' }));
    await log.append(record(DAY1 + 1000, { tenantId: OTHER_TENANT, event: 'elsewhere' }));
    expect((await log.forRequest(TENANT, 'req-1')).map((r) => r.event)).toEqual(['submitted', 'approved']);
    expect(await log.forRequest(TENANT, 'req-unknown')).toEqual([]);
  });

  it('when a day document is damaged, then recent fails with a clear Unexpected error', async () => {
    await storage.write({ [`test/audit/${TENANT}/2025-03-01`]: { records: [{ at: 5 }] } });
    const error: unknown = await log.recent(TENANT, 10).catch((e: unknown) => e);
    expect(isAppError(error, 'Unexpected')).toBe(true);
  });

  it('when fifty records are appended at once by two instances, then each is kept exactly once', async () => {
    const other = new StorageAuditLog(storage, 'test', { now: () => new Date(clock) });
    const records = Array.from({ length: 50 }, (_, n) =>
      record(DAY1 + (n % 10) * 1000, { requestId: `req-${n % 5}`, detail: `record ${n}` }),
    );
    await Promise.all(records.map((r, n) => (n % 2 === 0 ? log : other).append(r)));
    const recent = await log.recent(TENANT, 100);
    expect(recent.map((r) => r.detail).sort()).toEqual(records.map((r) => r.detail).sort());
    expect(recent.map((r) => r.at)).toEqual(
      recent
        .map((r) => r.at)
        .sort()
        .reverse(),
    );
    for (let n = 0; n < 5; n++) {
      const story = await log.forRequest(TENANT, `req-${n}`);
      expect(story.map((r) => r.detail).sort()).toEqual(
        records
          .filter((r) => r.requestId === `req-${n}`)
          .map((r) => r.detail)
          .sort(),
      );
    }
  });

  it('when records are appended, then each is a document of its own under its day and time, and no day document is written', async () => {
    await log.append(record(DAY1, { detail: 'first' }));
    await log.append(record(DAY1 + 3_723_456, { detail: 'second' }));
    await log.append(record(DAY1 + 3_723_456, { detail: 'same moment' }));
    const keys = await keysUnder(storage, DAY_PREFIX);
    expect(keys).toHaveLength(3);
    for (const key of keys) expect(key).toMatch(RECORD_KEY);
    expect(keys.map((key) => key.slice(DAY_PREFIX.length + 1, DAY_PREFIX.length + 10))).toEqual([
      '100000000',
      '110203456',
      '110203456',
    ]);
    expect(await storage.read([DAY_PREFIX])).toEqual({});
    const stored = await storage.read(keys);
    expect(
      Object.values(stored)
        .map((item) => (item as { record: AuditRecord }).record.detail)
        .sort(),
    ).toEqual(['first', 'same moment', 'second']);
    expect(await keysUnder(storage, `test/audit/${TENANT}/requests/`)).toEqual([
      `test/audit/${TENANT}/requests/req-1`,
    ]);
  });

  it('when a day document of an earlier version holds records, then recent merges them with the new ones, newest first, and append leaves it as it was', async () => {
    const legacy = [
      record(DAY1 + 1000, { detail: 'old early' }),
      record(DAY1 + 5 * 60_000, { detail: 'old late', requestId: 'req-old' }),
      record(DAY1 + 2000, { detail: 'old other tenant', tenantId: OTHER_TENANT }),
    ];
    await storage.write({ [DAY_PREFIX]: { records: legacy } });
    const before = (await storage.read([DAY_PREFIX]))[DAY_PREFIX] as { eTag: string };
    await log.append(record(DAY1 + 2 * 60_000, { detail: 'new middle' }));
    await log.append(record(DAY1 + 10 * 60_000, { detail: 'new latest' }));
    clock = DAY2;
    await log.append(record(DAY2, { detail: 'next day' }));
    await log.append(record(DAY1 - DAY_MS, { detail: 'day before' }));
    expect((await log.recent(TENANT, 10)).map((r) => r.detail)).toEqual([
      'next day',
      'new latest',
      'old late',
      'new middle',
      'old early',
      'day before',
    ]);
    expect((await log.recent(TENANT, 3)).map((r) => r.detail)).toEqual([
      'next day',
      'new latest',
      'old late',
    ]);
    expect((await log.recent(TENANT, 4)).map((r) => r.detail)).toEqual([
      'next day',
      'new latest',
      'old late',
      'new middle',
    ]);
    const after = (await storage.read([DAY_PREFIX]))[DAY_PREFIX] as { eTag: string; records: AuditRecord[] };
    expect(after.eTag).toBe(before.eTag);
    expect(after.records).toHaveLength(3);
  });

  it('when a day holds many records, then recent reads only as many of them as it returns', async () => {
    for (let n = 0; n < 30; n++) await log.append(record(DAY1 + n * 1000, { detail: `record ${n}` }));
    const read = jest.spyOn(storage, 'read');
    try {
      expect((await log.recent(TENANT, 5)).map((r) => r.detail)).toEqual([
        'record 29',
        'record 28',
        'record 27',
        'record 26',
        'record 25',
      ]);
      const keysRead = read.mock.calls.flatMap(([keys]) => keys);
      expect(keysRead).toHaveLength(5);
      expect(keysRead.every((key) => RECORD_KEY.test(key))).toBe(true);
    } finally {
      read.mockRestore();
    }
  });

  it('when a record document is damaged, then recent fails with a clear Unexpected error', async () => {
    await storage.write({ [`${DAY_PREFIX}/100000000-0123456789abcdef`]: { record: { at: 5 } } });
    const error: unknown = await log.recent(TENANT, 10).catch((e: unknown) => e);
    expect(isAppError(error, 'Unexpected')).toBe(true);
  });
});
