/**
 * The approval decision against the real request store and audit log (SQLite): who may decide, the
 * comment rule, expiry, exactly-once under concurrent presses, and what the winner sets off (the
 * provisioning job scheduled before the change, the requester told after it).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { StorageAuditLog } from '../../src/adapters/storage/storageAuditLog';
import { StorageRequestStore } from '../../src/adapters/storage/storageRequestStore';
import { SqliteStorage } from '../../src/adapters/storage/sqliteStorage';
import type { ServiceAccountRequest } from '../../src/domain/request';
import { decideRequest, type DecisionInput } from '../../src/useCases/decideRequest';
import { submitRequest } from '../../src/useCases/submitRequest';
import { InlineBackground, RecordingNotifier, RecordingScheduler } from '../support/memoryServices';

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
  let scheduler: RecordingScheduler;
  let notifier: RecordingNotifier;
  let background: InlineBackground;

  /** Decides at `now` (a minute after submission unless told). */
  const decide = (input: DecisionInput, now = new Date(NOW.getTime() + 60_000)) =>
    decideRequest({ requests: store, audit, scheduler, notifier, background, now: () => now }, input);

  beforeEach(async () => {
    scheduler = new RecordingScheduler();
    notifier = new RecordingNotifier();
    background = new InlineBackground();
    storage = new SqliteStorage(
      path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'sab-decide-')), 'db.sqlite'),
    );
    store = new StorageRequestStore(storage);
    audit = new StorageAuditLog(storage, undefined, { now: () => NOW });
    request = await submitRequest(
      {
        tenantId: TENANT,
        requests: store,
        audit,
        scheduler,
        now: () => NOW,
        settings: { approvalExpiryMs: 24 * 3_600_000 },
      },
      {
        requester: ALEX,
        approver: { ...MEGAN, userPrincipalName: 'meganb@contoso.com' },
        details: {
          displayName: 'CiraSync Service',
          username: 'cirasync-svc',
          domain: 'contoso.com',
          contact: {},
          acknowledgedWarnings: [],
        },
      },
    );
  });
  afterEach(() => storage.close());

  const input = (overrides: Partial<DecisionInput>): DecisionInput => ({
    tenantId: TENANT,
    requestId: request.id,
    actor: MEGAN,
    decision: 'approve',
    ...overrides,
  });

  const events = async () => (await audit.forRequest(TENANT, request.id)).map((r) => r.event);

  it('when the approver approves, then the request moves to provisioning once, with the decision and an audit record', async () => {
    const outcome = await decide(input({}));
    expect(outcome.kind).toBe('decided');
    const stored = await store.get(TENANT, request.id);
    expect(stored).toMatchObject({
      state: 'Provisioning',
      version: 2,
      decision: { outcome: 'approved', by: MEGAN },
    });
    expect(await events()).toEqual(['submitted', 'approved']);
    // The provisioning job is scheduled before the change, so an approval can never lose its job.
    expect(scheduler.works()).toEqual(['approval', 'provisioning']);
    await background.idle();
    expect(notifier.told('requester')).toEqual([
      'Megan Bowen approved your request for cirasync-svc@contoso.com. I am setting up the account now and will keep you posted here.',
    ]);
    expect(notifier.notices[0]).toMatchObject({ kind: 'cards', state: 'Provisioning' });
  });

  it('when the approver rejects without a comment, then it is refused on the comment field and nothing changes', async () => {
    const outcome = await decide(input({ decision: 'reject', comment: '  \n ' }));
    expect(outcome).toMatchObject({ kind: 'refused', status: 400, field: 'comment' });
    expect((await store.get(TENANT, request.id))?.state).toBe('PendingApproval');
  });

  it('when the approver rejects with a comment, then the request is rejected and the comment kept', async () => {
    const outcome = await decide(input({ decision: 'reject', comment: 'Use the existing account.' }));
    expect(outcome.kind).toBe('decided');
    expect(await store.get(TENANT, request.id)).toMatchObject({
      state: 'Rejected',
      decision: { outcome: 'rejected', comment: 'Use the existing account.' },
    });
    expect((await audit.forRequest(TENANT, request.id)).at(-1)).toMatchObject({
      event: 'rejected',
      detail: 'Use the existing account.',
    });
    expect(scheduler.works()).toEqual(['approval']);
    await background.idle();
    expect(notifier.told('requester')).toEqual([
      'Megan Bowen rejected your request for cirasync-svc@contoso.com: “Use the existing account.”. Nothing was created.',
    ]);
  });

  it.each([
    ['the requester', ALEX, /you cannot approve or reject it/],
    ['a third admin', ADELE, /Only Megan Bowen can decide/],
    ['nobody known', { aadObjectId: '', name: '' }, /could not tell who you are/],
  ])(
    'when %s presses Approve, then it is refused with 403 and nothing changes',
    async (_who, actor, message) => {
      const outcome = await decide(input({ actor }));
      expect(outcome).toMatchObject({ kind: 'refused', status: 403 });
      expect((outcome as { message: string }).message).toMatch(message);
      expect((await store.get(TENANT, request.id))?.version).toBe(1);
      expect(await events()).toEqual(['submitted']);
      expect(scheduler.works()).toEqual(['approval']);
      await background.idle();
      expect(notifier.notices).toEqual([]);
    },
  );

  it('when the request has expired, then approving expires it instead, audited once', async () => {
    const late = new Date(NOW.getTime() + 25 * 3_600_000);
    const first = await decide(input({}), late);
    expect(first).toMatchObject({ kind: 'unchanged', reason: 'expired', request: { state: 'Expired' } });
    const second = await decide(input({}), late);
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
      const outcome = await decide(input({}));
      expect(outcome).toMatchObject({ kind: 'unchanged', reason: 'alreadyDecided', request: { state } });
    },
  );

  it('when 10 identical approvals arrive at once, then exactly one decides and nine get the decided request back', async () => {
    const outcomes = await Promise.all(Array.from({ length: 10 }, () => decide(input({}))));
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
    await background.idle();
    expect(notifier.told('requester')).toHaveLength(1);
  });

  it('when an approval and a rejection race, then exactly one wins', async () => {
    const [a, b] = await Promise.all([
      decide(input({})),
      decide(input({ decision: 'reject', comment: 'No.' })),
    ]);
    expect([a.kind, b.kind].sort()).toEqual(['decided', 'unchanged']);
    const decisions = (await events()).filter((e) => e === 'approved' || e === 'rejected');
    expect(decisions).toHaveLength(1);
  });
});
