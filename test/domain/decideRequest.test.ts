/**
 * The approval decision against the real request store and audit log (SQLite): who may decide, the
 * comment rule, expiry, and exactly-once under concurrent presses.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { StorageAuditLog } from '../../src/adapters/storage/storageAuditLog';
import { StorageRequestStore } from '../../src/adapters/storage/storageRequestStore';
import { SqliteStorage } from '../../src/adapters/storage/sqliteStorage';
import { decideRequest, type DecisionInput } from '../../src/domain/decideRequest';
import type { ServiceAccountRequest } from '../../src/domain/request';
import { submitRequest } from '../../src/domain/requestUseCases';

const TENANT = 'a0b1c2d3-e4f5-4a6b-8c7d-9e0f1a2b3c4d';
const ALEX = { aadObjectId: '00000000-0000-0000-0000-0000000000020', name: 'Alex Wilber' };
const MEGAN = { aadObjectId: '00000000-0000-0000-0000-0000000000021', name: 'Megan Bowen' };
const ADELE = { aadObjectId: '00000000-0000-0000-0000-0000000000022', name: 'Adele Vance' };
const NOW = new Date('2026-11-26T12:00:00Z');

describe('deciding a request', () => {
  let storage: SqliteStorage;
  let store: StorageRequestStore;
  let audit: StorageAuditLog;
  let request: ServiceAccountRequest;

  beforeEach(async () => {
    storage = new SqliteStorage(
      path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'sab-decide-')), 'db.sqlite'),
    );
    store = new StorageRequestStore(storage);
    audit = new StorageAuditLog(storage, undefined, { now: () => NOW });
    request = await submitRequest(store, audit, {
      tenantId: TENANT,
      requester: ALEX,
      approver: { ...MEGAN, userPrincipalName: 'meganb@contoso.com' },
      details: {
        displayName: 'CiraSync Service',
        username: 'cirasync-svc',
        domain: 'contoso.com',
        contact: {},
        acknowledgedWarnings: [],
      },
      now: NOW,
      expiresInMs: 24 * 3_600_000,
    });
  });
  afterEach(() => storage.close());

  const input = (overrides: Partial<DecisionInput>): DecisionInput => ({
    tenantId: TENANT,
    requestId: request.id,
    actor: MEGAN,
    decision: 'approve',
    now: new Date(NOW.getTime() + 60_000),
    ...overrides,
  });

  const events = async () => (await audit.forRequest(TENANT, request.id)).map((r) => r.event);

  it('when the approver approves, then the request moves to provisioning once, with the decision and an audit record', async () => {
    const outcome = await decideRequest(store, audit, input({}));
    expect(outcome.kind).toBe('decided');
    const stored = await store.get(TENANT, request.id);
    expect(stored).toMatchObject({
      state: 'Provisioning',
      version: 2,
      decision: { outcome: 'approved', by: MEGAN },
    });
    expect(await events()).toEqual(['submitted', 'approved']);
  });

  it('when the approver rejects without a comment, then it is refused on the comment field and nothing changes', async () => {
    const outcome = await decideRequest(store, audit, input({ decision: 'reject', comment: '  \n ' }));
    expect(outcome).toMatchObject({ kind: 'refused', status: 400, field: 'comment' });
    expect((await store.get(TENANT, request.id))?.state).toBe('PendingApproval');
  });

  it('when the approver rejects with a comment, then the request is rejected and the comment kept', async () => {
    const outcome = await decideRequest(
      store,
      audit,
      input({ decision: 'reject', comment: 'Use the existing account.' }),
    );
    expect(outcome.kind).toBe('decided');
    expect(await store.get(TENANT, request.id)).toMatchObject({
      state: 'Rejected',
      decision: { outcome: 'rejected', comment: 'Use the existing account.' },
    });
    expect((await audit.forRequest(TENANT, request.id)).at(-1)).toMatchObject({
      event: 'rejected',
      detail: 'Use the existing account.',
    });
  });

  it.each([
    ['the requester', ALEX, /you cannot approve or reject it/],
    ['a third admin', ADELE, /Only Megan Bowen can decide/],
    ['nobody known', { aadObjectId: '', name: '' }, /could not tell who you are/],
  ])(
    'when %s presses Approve, then it is refused with 403 and nothing changes',
    async (_who, actor, message) => {
      const outcome = await decideRequest(store, audit, input({ actor }));
      expect(outcome).toMatchObject({ kind: 'refused', status: 403 });
      expect((outcome as { message: string }).message).toMatch(message);
      expect((await store.get(TENANT, request.id))?.version).toBe(1);
      expect(await events()).toEqual(['submitted']);
    },
  );

  it('when the request has expired, then approving expires it instead, audited once', async () => {
    const late = new Date(NOW.getTime() + 25 * 3_600_000);
    const first = await decideRequest(store, audit, input({ now: late }));
    expect(first).toMatchObject({ kind: 'unchanged', reason: 'expired', request: { state: 'Expired' } });
    const second = await decideRequest(store, audit, input({ now: late }));
    expect(second).toMatchObject({
      kind: 'unchanged',
      reason: 'alreadyDecided',
      request: { state: 'Expired' },
    });
    expect(await events()).toEqual(['submitted', 'expired']);
  });

  it.each(['Rejected', 'Cancelled'] as const)(
    'when the request is already %s, then Approve changes nothing and says so',
    async (state) => {
      await store.transition(
        TENANT,
        request.id,
        { version: 1, from: ['PendingApproval'] },
        { state, at: NOW.toISOString() },
      );
      const outcome = await decideRequest(store, audit, input({}));
      expect(outcome).toMatchObject({ kind: 'unchanged', reason: 'alreadyDecided', request: { state } });
    },
  );

  it('when 10 identical approvals arrive at once, then exactly one decides and nine get the decided request back', async () => {
    const outcomes = await Promise.all(
      Array.from({ length: 10 }, () => decideRequest(store, audit, input({}))),
    );
    expect(outcomes.filter((o) => o.kind === 'decided')).toHaveLength(1);
    const others = outcomes.filter((o) => o.kind === 'unchanged');
    expect(others).toHaveLength(9);
    expect(
      others.every(
        (o) => o.kind === 'unchanged' && o.reason === 'alreadyDecided' && o.request.state === 'Provisioning',
      ),
    ).toBe(true);
    expect((await store.get(TENANT, request.id))?.version).toBe(2);
    expect((await events()).filter((e) => e === 'approved')).toHaveLength(1);
  });

  it('when an approval and a rejection race, then exactly one wins', async () => {
    const [a, b] = await Promise.all([
      decideRequest(store, audit, input({})),
      decideRequest(store, audit, input({ decision: 'reject', comment: 'No.' })),
    ]);
    expect([a.kind, b.kind].sort()).toEqual(['decided', 'unchanged']);
    const decisions = (await events()).filter((e) => e === 'approved' || e === 'rejected');
    expect(decisions).toHaveLength(1);
  });
});
