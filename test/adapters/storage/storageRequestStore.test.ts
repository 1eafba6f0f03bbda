/**
 * The request store over each Storage the bot runs on: SQLite (embedded), Azure Blobs (against Azurite
 * on loopback) and MemoryStorage (what the dialog tests use).
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MemoryStorage, type Storage } from 'botbuilder';
import { BlobDocumentStorage } from '../../../src/adapters/storage/blobDocumentStorage';
import { SqliteStorage } from '../../../src/adapters/storage/sqliteStorage';
import { StorageRequestStore } from '../../../src/adapters/storage/storageRequestStore';
import { isAppError } from '../../../src/domain/errors';
import type { ServiceAccountRequest } from '../../../src/domain/request';
import { type Azurite, startAzurite } from '../../support/azurite';

const TENANT = '7f1c4e2a-3b5d-4c6e-8f90-1a2b3c4d5e6f';
const OTHER_TENANT = '0b1c4e2a-3b5d-4c6e-8f90-1a2b3c4d5e6f';
const ALEX = { aadObjectId: '00000000-0000-0000-0000-000000000020', name: 'Alex Wilber' };
const MEGAN = { aadObjectId: '00000000-0000-0000-0000-000000000021', name: 'Megan Bowen' };
const T0 = Date.parse('2025-05-01T09:00:00.000Z');

function request(overrides: Partial<ServiceAccountRequest> = {}): ServiceAccountRequest {
  const at = new Date(T0).toISOString();
  return {
    id: randomUUID(),
    tenantId: TENANT,
    state: 'PendingApproval',
    version: 1,
    requester: ALEX,
    approver: { ...MEGAN, userPrincipalName: 'megan@contoso.com' },
    details: {
      displayName: 'CiraSync Service',
      username: 'cirasync-svc',
      domain: 'contoso.com',
      contact: { city: 'Redmond' },
      acknowledgedWarnings: [],
    },
    createdAt: at,
    updatedAt: at,
    expiresAt: new Date(T0 + 86_400_000).toISOString(),
    ...overrides,
  };
}

/** Storage that remembers every key it was asked for. */
function recording(storage: Storage): { storage: Storage; keys: Set<string> } {
  const keys = new Set<string>();
  return {
    keys,
    storage: {
      read: (k) => {
        k.forEach((key) => keys.add(key));
        return storage.read(k);
      },
      write: (changes) => {
        Object.keys(changes).forEach((key) => keys.add(key));
        return storage.write(changes);
      },
      delete: (k) => storage.delete(k),
    },
  };
}

/** Storage whose first unconditional write of a key matching `pattern` takes `ms` longer. */
function slowFirstWrite(storage: Storage, pattern: RegExp, ms: number): Storage {
  let slowed = false;
  return {
    read: (keys) => storage.read(keys),
    write: async (changes) => {
      const entries = Object.entries(changes) as [string, { eTag?: unknown }][];
      if (!slowed && entries.some(([key, item]) => pattern.test(key) && item.eTag === undefined)) {
        slowed = true;
        await new Promise((resolve) => setTimeout(resolve, ms));
      }
      return storage.write(changes);
    },
    delete: (keys) => storage.delete(keys),
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

type Open = () => { storage: Storage; close(): void };
const BACKENDS: [string, Open][] = [
  [
    'SqliteStorage',
    () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sab-requests-'));
      const storage = new SqliteStorage(path.join(dir, 'state.sqlite'));
      return { storage, close: () => storage.close() };
    },
  ],
  [
    'BlobDocumentStorage on Azurite',
    () => ({
      storage: BlobDocumentStorage.fromConnectionString(
        azurite.connectionString,
        `requests-${process.pid}-${++containers}`,
      ),
      close: () => undefined,
    }),
  ],
  ['MemoryStorage', () => ({ storage: new MemoryStorage(), close: () => undefined })],
];

describe.each(BACKENDS)('StorageRequestStore on %s', (_name, open) => {
  let storage: Storage;
  let close: () => void;
  let store: StorageRequestStore;

  beforeEach(() => {
    ({ storage, close } = open());
    store = new StorageRequestStore(storage, 'test');
  });
  afterEach(() => close());

  it('when a request is created, then get returns it, and neither another tenant nor an unknown id sees it', async () => {
    const created = request();
    await store.create(created);
    expect(await store.get(TENANT, created.id)).toEqual(created);
    expect(await store.get(OTHER_TENANT, created.id)).toBeUndefined();
    expect(await store.get(TENANT, randomUUID())).toBeUndefined();
  });

  it('when the same id is created twice, then the second fails with Conflict and the first is kept', async () => {
    const first = request();
    await store.create(first);
    const again = { ...first, details: { ...first.details, username: 'someone-else' } };
    const error: unknown = await store.create(again).catch((e: unknown) => e);
    expect(isAppError(error, 'Conflict')).toBe(true);
    expect((await store.get(TENANT, first.id))?.details.username).toBe('cirasync-svc');
  });

  it('when the same id is created five times at once, then exactly one succeeds and four get Conflict', async () => {
    const id = randomUUID();
    const results = await Promise.allSettled(
      [1, 2, 3, 4, 5].map((n) =>
        store.create(request({ id, details: { ...request().details, username: `u${n}` } })),
      ),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(refused.every((r) => isAppError(r.reason, 'Conflict'))).toBe(true);
    expect(await store.listByRequester(TENANT, ALEX.aadObjectId)).toHaveLength(1);
  });

  it('when a transition applies, then it returns version + 1 with updatedAt = at, and get shows the same', async () => {
    const created = request();
    await store.create(created);
    const at = new Date(T0 + 60_000).toISOString();
    const updated = await store.transition(
      TENANT,
      created.id,
      { version: 1, from: ['PendingApproval'] },
      { state: 'Provisioning', at },
    );
    expect(updated).toEqual({ ...created, state: 'Provisioning', version: 2, updatedAt: at });
    expect(await store.get(TENANT, created.id)).toEqual(updated);
  });

  it('when a Ready request’s announcement is recorded by five callers at once, then exactly one records it, and only a Ready request takes it', async () => {
    const pending = request();
    await store.create(pending);
    expect(await store.recordAnnounced(TENANT, pending.id, new Date(T0).toISOString())).toBeUndefined();
    const ready = request({ state: 'Ready', version: 4 });
    await store.create(ready);
    const at = new Date(T0 + 1_000).toISOString();
    const results = await Promise.all(
      Array.from({ length: 5 }, () => store.recordAnnounced(TENANT, ready.id, at)),
    );
    expect(results.filter((r) => r !== undefined)).toEqual([
      { ...ready, version: 5, updatedAt: at, announcedAt: at },
    ]);
    expect((await store.get(TENANT, ready.id))?.announcedAt).toBe(at);
    expect((await store.get(TENANT, pending.id))?.announcedAt).toBeUndefined();
  });

  it('when owners, the approver and the disabled mark are amended, then each change is compare-and-set on the version and the state never moves', async () => {
    const ready = request({ state: 'Ready', version: 3 });
    await store.create(ready);
    const at = new Date(T0 + 2_000).toISOString();
    const owners = [
      ALEX,
      MEGAN,
      { aadObjectId: '00000000-0000-0000-0000-000000000022', name: 'Adele Vance' },
    ];
    const racing = await Promise.all(
      Array.from({ length: 6 }, () =>
        store.amend(TENANT, ready.id, { version: 3, states: ['Ready'] }, { owners }, at),
      ),
    );
    const winners = racing.filter((r) => r !== undefined);
    expect(winners).toEqual([{ ...ready, version: 4, updatedAt: at, owners }]);
    // A stale version, or a state the change does not allow, changes nothing.
    expect(
      await store.amend(TENANT, ready.id, { version: 3, states: ['Ready'] }, { owners: [ALEX] }, at),
    ).toBeUndefined();
    expect(
      await store.amend(
        TENANT,
        ready.id,
        { version: 4, states: ['PendingApproval'] },
        { owners: [ALEX] },
        at,
      ),
    ).toBeUndefined();
    const disabled = await store.amend(
      TENANT,
      ready.id,
      { version: 4, states: ['Ready'] },
      { accountDisabled: { by: MEGAN, at } },
      at,
    );
    expect(disabled?.accountDisabled).toEqual({ by: MEGAN, at });
    const enabled = await store.amend(
      TENANT,
      ready.id,
      { version: 5, states: ['Ready'] },
      { accountDisabled: null },
      at,
    );
    expect(enabled).not.toHaveProperty('accountDisabled');
    expect(enabled?.state).toBe('Ready');
    expect(await store.get(TENANT, ready.id)).toEqual(enabled);
    // A malformed person is refused, and nothing is written.
    const forged = await store.amend(
      TENANT,
      ready.id,
      { version: 6, states: ['Ready'] },
      { owners: [{ aadObjectId: 42 } as unknown as typeof ALEX] },
      at,
    );
    expect(forged).toBeUndefined();
    expect((await store.get(TENANT, ready.id))?.version).toBe(6);
  });

  it('when ten transitions race from the same version, then exactly one wins, nine get undefined and the version is 2', async () => {
    const created = request();
    await store.create(created);
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, n) =>
        store.transition(
          TENANT,
          created.id,
          { version: 1, from: ['PendingApproval'] },
          { state: n % 2 === 0 ? 'Provisioning' : 'Rejected', at: new Date(T0 + n).toISOString() },
        ),
      ),
    );
    const winners = results.filter((r) => r !== undefined);
    expect(winners).toHaveLength(1);
    expect(results.filter((r) => r === undefined)).toHaveLength(9);
    const stored = await store.get(TENANT, created.id);
    expect(stored?.version).toBe(2);
    expect(stored).toEqual(winners[0]);
  });

  it.each<
    [string, { version: number; from: ServiceAccountRequest['state'][] }, ServiceAccountRequest['state']]
  >([
    ['an illegal one (Rejected → Provisioning)', { version: 2, from: ['Rejected'] }, 'Provisioning'],
    ['from a stale version', { version: 1, from: ['PendingApproval', 'Rejected'] }, 'Cancelled'],
    ['from a state the request is not in', { version: 2, from: ['PendingApproval'] }, 'Cancelled'],
    ['to the same final state again', { version: 2, from: ['Rejected'] }, 'Rejected'],
  ])('when a transition is %s, then it is refused and nothing changes', async (_case, expected, to) => {
    const created = request();
    await store.create(created);
    const rejectedAt = new Date(T0 + 1000).toISOString();
    const rejected = await store.transition(
      TENANT,
      created.id,
      { version: 1, from: ['PendingApproval'] },
      { state: 'Rejected', at: rejectedAt },
    );
    expect(rejected?.state).toBe('Rejected');
    const result = await store.transition(TENANT, created.id, expected, {
      state: to,
      at: new Date(T0 + 2000).toISOString(),
    });
    expect(result).toBeUndefined();
    expect(await store.get(TENANT, created.id)).toEqual({
      ...created,
      state: 'Rejected',
      version: 2,
      updatedAt: rejectedAt,
    });
  });

  it('when a request is unknown, then transition returns undefined and creates nothing', async () => {
    const id = randomUUID();
    const result = await store.transition(
      TENANT,
      id,
      { version: 1, from: ['PendingApproval'] },
      { state: 'Provisioning', at: new Date(T0).toISOString() },
    );
    expect(result).toBeUndefined();
    expect(await store.get(TENANT, id)).toBeUndefined();
  });

  it('when a requester submits ten requests at once, then all are listed newest first and no one else’s are', async () => {
    const minutes = [3, 7, 1, 9, 0, 5, 2, 8, 4, 6];
    const mine = minutes.map((m) => request({ createdAt: new Date(T0 + m * 60_000).toISOString() }));
    await store.create(request({ requester: MEGAN }));
    await store.create(request({ tenantId: OTHER_TENANT }));
    await Promise.all(mine.map((r) => store.create(r)));
    const listed = await store.listByRequester(TENANT, ALEX.aadObjectId);
    expect(listed.map((r) => r.createdAt)).toEqual(
      [...minutes].sort((a, b) => b - a).map((m) => new Date(T0 + m * 60_000).toISOString()),
    );
    expect(new Set(listed.map((r) => r.id))).toEqual(new Set(mine.map((r) => r.id)));
    expect(await store.listByRequester(TENANT, 'nobody')).toEqual([]);
  });

  it('when the first write of a requester’s index is slow, then concurrent creates still all land', async () => {
    const slow = new StorageRequestStore(slowFirstWrite(storage, /\/requesters\//, 150), 'test');
    const created = Array.from({ length: 6 }, (_, n) =>
      request({ createdAt: new Date(T0 + n).toISOString() }),
    );
    await Promise.all(created.map((r) => slow.create(r)));
    expect(await slow.listByRequester(TENANT, ALEX.aadObjectId)).toHaveLength(6);
  });

  it('when two bot instances create for the same requester at once, then every request is listed', async () => {
    const other = new StorageRequestStore(storage, 'test');
    await store.create(request({ createdAt: new Date(T0).toISOString() }));
    const more = Array.from({ length: 12 }, (_, n) =>
      request({ createdAt: new Date(T0 + (n + 1) * 1000).toISOString() }),
    );
    await Promise.all(more.map((r, n) => (n % 2 === 0 ? store : other).create(r)));
    const listed = await store.listByRequester(TENANT, ALEX.aadObjectId);
    expect(listed).toHaveLength(13);
    expect(listed[0].id).toBe(more[11].id);
  });

  it('when ids hold upper case, slashes, spaces and accents, then every key is lowercase ascii, digits, - and /', async () => {
    const recorder = recording(storage);
    const odd = new StorageRequestStore(recorder.storage, 'test');
    const created = request({ tenantId: 'Contoso/Tenant ÄÖ', id: 'ID with spaces/../x' });
    created.requester = { aadObjectId: 'UPPER-Case', name: 'Alex' };
    await odd.create(created);
    expect(await odd.get('Contoso/Tenant ÄÖ', 'ID with spaces/../x')).toEqual(created);
    expect(await odd.get('contoso/tenant äö', 'ID with spaces/../x')).toBeUndefined();
    expect(await odd.listByRequester('Contoso/Tenant ÄÖ', 'UPPER-Case')).toEqual([created]);
    expect(recorder.keys.size).toBeGreaterThan(0);
    for (const key of recorder.keys) expect(key).toMatch(/^[a-z0-9-]+(\/[a-z0-9-]+)*$/);
  });

  it('when a stored request is damaged, then get fails with a clear Unexpected error, not a TypeError', async () => {
    const id = randomUUID();
    await storage.write({ [`test/requests/${TENANT}/${id}`]: { request: { id, state: 'Nonsense' } } });
    const error: unknown = await store.get(TENANT, id).catch((e: unknown) => e);
    expect(isAppError(error, 'Unexpected')).toBe(true);
  });

  it('when create is given something that is not a request, then it is refused as BadRequest and nothing is stored', async () => {
    const broken = { ...request(), version: 'one' } as unknown as ServiceAccountRequest;
    const error: unknown = await store.create(broken).catch((e: unknown) => e);
    expect(isAppError(error, 'BadRequest')).toBe(true);
    expect(await store.listByRequester(TENANT, ALEX.aadObjectId)).toEqual([]);
  });
});

describe('StorageRequestStore key prefix', () => {
  it('when the prefix is not lowercase ascii, then the store refuses to start', () => {
    expect(() => new StorageRequestStore(new MemoryStorage(), 'Bad Prefix')).toThrow(/prefix/);
  });
});
