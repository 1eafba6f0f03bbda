/**
 * Disable and Enable account, in memory through their ports: each asks once more, writes Entra and
 * the request's mark in the order that keeps "the card says disabled ⇒ Entra has it disabled", is
 * audited once, tells the other owners, and touches no other account. Repeating, a crash between the
 * two writes, Entra refusing, a non-owner and a removed owner are covered.
 */
import { progressCard } from '../../cards/progressCard';
import { ACCOUNT_VERBS } from '../../cards/verbs';
import { AppError } from '../../src/domain/errors';
import type { ServiceAccountRequest } from '../../src/domain/request';
import { removeOwner } from '../../src/useCases/manageOwners';
import { confirmSwitch, disableAccount, enableAccount } from '../../src/useCases/switchAccount';
import { memoryServices, type MemoryServices } from '../support/memoryServices';
import { ALEX, MEGAN, requestIn } from '../support/memoryRequests';

const ADELE = { aadObjectId: '00000000-0000-0000-0000-0000000000022', name: 'Adele Vance' };

let services: MemoryServices;
let ready: ServiceAccountRequest;
let other: ServiceAccountRequest;
beforeEach(async () => {
  services = memoryServices();
  other = await requestIn(services, 'Ready', 'cirasync-other');
  ready = await requestIn(services, 'Ready');
});

const stored = async () =>
  (await services.requests.get(services.tenantId, ready.id)) as ServiceAccountRequest;
const enabled = (request: ServiceAccountRequest) =>
  services.directory.users.get(`user-${request.id}`)?.accountEnabled;
const events = async () => (await services.audit.forRequest(services.tenantId, ready.id)).map((r) => r.event);
const verbs = (view: Parameters<typeof progressCard>[0]) => [
  ...new Set([...JSON.stringify(progressCard(view)).matchAll(/"verb":"([^"]+)"/g)].map((m) => m[1])),
];

describe('Disable account', () => {
  it('when Alex presses Disable, then the card asks once more and nothing is written yet', async () => {
    const asked = await confirmSwitch(services, ALEX, ready, 'disable');
    expect(asked.kind).toBe('switched');
    if (asked.kind !== 'switched') return;
    expect(asked.view.ready?.note).toContain(
      'No other account is affected. Press **Yes, disable it** to go ahead.',
    );
    expect(verbs(asked.view)).toEqual([ACCOUNT_VERBS.disableConfirmed]);
    expect(services.directory.calls).toEqual([]);
    expect(await stored()).toEqual(ready);
  });

  it('when Alex confirms, then Entra disables the account, the card says who and when and offers Enable, audited once, Megan told; the other account is untouched', async () => {
    const outcome = await disableAccount(services, ALEX, ready);
    expect(outcome).toMatchObject({ kind: 'switched', changed: true });
    expect(services.directory.calls).toEqual([`updateUser user-${ready.id} accountEnabled=false`]);
    expect(enabled(ready)).toBe(false);
    expect(enabled(other)).toBe(true);
    expect((await stored()).accountDisabled).toEqual({ by: ALEX, at: '2026-11-26T12:00:00.000Z' });
    if (outcome.kind !== 'switched') return;
    const card = JSON.stringify(progressCard(outcome.view));
    expect(card).toContain('Disabled by Alex Wilber at 2026-11-26 12:00 UTC');
    expect(verbs(outcome.view)).toContain(ACCOUNT_VERBS.enable);
    expect(verbs(outcome.view)).not.toContain(ACCOUNT_VERBS.disable);
    const audit = (await services.audit.forRequest(services.tenantId, ready.id)).at(-1);
    expect(audit).toMatchObject({
      event: 'account disabled',
      actor: { aadObjectId: ALEX.aadObjectId },
      detail: 'cirasync-svc@contoso.com',
    });
    expect(services.notifier.toldPerson(MEGAN.aadObjectId)).toEqual([
      'Alex Wilber disabled cirasync-svc@contoso.com at 2026-11-26 12:00 UTC: it cannot sign in until an owner enables it again.',
    ]);
    expect(services.notifier.toldPerson(ALEX.aadObjectId)).toEqual([]);
    expect(services.notifier.notices.some((n) => n.kind === 'readyUpdated')).toBe(true);

    // Pressed again (a second copy of the card): harmless, nothing more recorded.
    const again = await disableAccount(services, MEGAN, ready);
    expect(again).toMatchObject({ kind: 'switched', changed: false });
    expect((await events()).filter((e) => e === 'account disabled')).toHaveLength(1);
    expect((await stored()).accountDisabled?.by).toEqual(ALEX);
  });

  it('when the bot stops between the Entra write and the mark, then the account stays disabled and pressing again finishes, audited once', async () => {
    const amend = services.requests.amend.bind(services.requests);
    services.requests.amend = async () => {
      throw new Error('the process stopped');
    };
    await expect(disableAccount(services, ALEX, ready)).rejects.toThrow('the process stopped');
    services.requests.amend = amend;
    expect(enabled(ready)).toBe(false);
    expect((await stored()).accountDisabled).toBeUndefined();
    expect(await events()).not.toContain('account disabled');

    const outcome = await disableAccount(services, ALEX, await stored());
    expect(outcome).toMatchObject({ kind: 'switched', changed: true });
    expect(enabled(ready)).toBe(false);
    expect((await events()).filter((e) => e === 'account disabled')).toHaveLength(1);
  });

  it('when Adele, no owner, or Megan after being removed, presses it, then it is refused and nothing is written', async () => {
    expect(await disableAccount(services, ADELE, ready)).toEqual({
      kind: 'refused',
      message: 'Only Alex Wilber or Megan Bowen, who look after this account, can do that.',
    });
    await removeOwner(
      { ...services, access: { isAdmin: async () => true, isMember: async () => false } },
      ALEX,
      ready,
      MEGAN.aadObjectId,
    );
    const now = await stored();
    expect(await disableAccount(services, MEGAN, now)).toMatchObject({ kind: 'refused' });
    expect(await confirmSwitch(services, MEGAN, now, 'disable')).toMatchObject({ kind: 'refused' });
    expect(services.directory.calls).toEqual([]);
    expect(enabled(ready)).toBe(true);
    expect((await stored()).accountDisabled).toBeUndefined();
  });

  it('when the account is not ready, then it cannot be disabled here', async () => {
    const waiting = await requestIn(services, 'AwaitingReplication', 'cirasync-two');
    expect(await disableAccount(services, ALEX, waiting)).toEqual({
      kind: 'refused',
      message: 'The account can be disabled or enabled once it is ready.',
    });
    expect(services.directory.calls).toEqual([]);
  });
});

describe('Enable account', () => {
  it('when Megan confirms Enable on the disabled account, then the mark is cleared, Entra enables it, audited, Alex told', async () => {
    await disableAccount(services, ALEX, ready);
    const disabled = await stored();
    const asked = await confirmSwitch(services, MEGAN, disabled, 'enable');
    if (asked.kind !== 'switched') throw new Error('not asked');
    expect(verbs(asked.view)).toEqual([ACCOUNT_VERBS.enableConfirmed]);
    const outcome = await enableAccount(services, MEGAN, disabled);
    expect(outcome).toMatchObject({ kind: 'switched', changed: true });
    expect(enabled(ready)).toBe(true);
    expect((await stored()).accountDisabled).toBeUndefined();
    expect((await services.audit.forRequest(services.tenantId, ready.id)).at(-1)).toMatchObject({
      event: 'account enabled',
      actor: { aadObjectId: MEGAN.aadObjectId },
    });
    expect(services.notifier.toldPerson(ALEX.aadObjectId)).toEqual([
      'Megan Bowen enabled cirasync-svc@contoso.com again: it can sign in.',
    ]);
    if (outcome.kind === 'switched') expect(verbs(outcome.view)).toContain(ACCOUNT_VERBS.disable);

    // A second Enable (the mark is gone): nothing written, nothing recorded.
    const calls = services.directory.calls.length;
    expect(await enableAccount(services, ALEX, await stored())).toMatchObject({ changed: false });
    expect(services.directory.calls).toHaveLength(calls);
    expect((await events()).filter((e) => e === 'account enabled')).toHaveLength(1);
  });

  it('when Entra refuses to enable it, then the mark is put back, so the card still says disabled and offers Enable', async () => {
    await disableAccount(services, ALEX, ready);
    const disabled = await stored();
    services.directory.beforeWrite = async () => {
      throw new AppError('ServiceUnavailable', 'Microsoft Graph is temporarily unavailable.');
    };
    await expect(enableAccount(services, ALEX, disabled)).rejects.toThrow('temporarily unavailable');
    expect((await stored()).accountDisabled).toEqual(disabled.accountDisabled);
    expect(enabled(ready)).toBe(false);
    expect(await events()).not.toContain('account enabled');
  });
});
