/**
 * A ready account's owners, in memory through their ports: an owner adds an admin by what they type
 * and removes an owner by the stored list, one compare-and-set per change, audited and told to the
 * people concerned. Non-owners, forged ids, the last owner and a lost race change nothing.
 */
import type { ServiceAccountRequest } from '../../src/domain/request';
import { addOwner, removeOwner, showOwners } from '../../src/useCases/manageOwners';
import { memoryServices, type MemoryServices } from '../support/memoryServices';
import { ALEX, MEGAN, requestIn } from '../support/memoryRequests';

const ADELE = { aadObjectId: '00000000-0000-0000-0000-0000000000022', name: 'Adele Vance' };
const PATTI = { aadObjectId: '00000000-0000-0000-0000-0000000000024', name: 'Patti Fernandez' };
const ADMINS = new Set([ALEX.aadObjectId, MEGAN.aadObjectId, ADELE.aadObjectId]);

let services: MemoryServices & {
  access: { isAdmin(id: string): Promise<boolean>; isMember(): Promise<boolean> };
};
let ready: ServiceAccountRequest;

beforeEach(async () => {
  const base = memoryServices();
  services = Object.assign(base, {
    access: { isAdmin: async (id: string) => ADMINS.has(id), isMember: async () => false },
  });
  for (const [person, alias] of [
    [MEGAN, 'meganb'],
    [ADELE, 'adelev'],
    [PATTI, 'pattif'],
  ] as const)
    services.directory.add({
      id: person.aadObjectId,
      userPrincipalName: `${alias}@contoso.com`,
      displayName: person.name,
      accountEnabled: true,
      assignedLicenses: [],
    });
  ready = await requestIn(services, 'Ready');
});

const stored = async () =>
  (await services.requests.get(services.tenantId, ready.id)) as ServiceAccountRequest;
const ownerIds = async () => (await stored()).owners?.map((o) => o.aadObjectId);
const trail = async () => services.audit.forRequest(services.tenantId, ready.id);

describe('adding an owner', () => {
  it('when Alex types Adele’s address, then she is an owner, audited once, and she and Megan are told', async () => {
    const outcome = await addOwner(services, ALEX, ready, ' adelev@contoso.com ');
    expect(outcome).toMatchObject({
      kind: 'owners',
      notice: 'Adele Vance now looks after this account too.',
      error: '',
    });
    expect(await ownerIds()).toEqual([ALEX.aadObjectId, MEGAN.aadObjectId, ADELE.aadObjectId]);
    expect((await trail()).at(-1)).toMatchObject({
      event: 'owner added',
      actor: { aadObjectId: ALEX.aadObjectId },
      outcome: 'Ready',
      detail: 'Adele Vance (adelev@contoso.com)',
    });
    expect(services.notifier.toldPerson(ADELE.aadObjectId)).toEqual([
      'Alex Wilber made you an owner of cirasync-svc@contoso.com: you are told what happens to it and may press the buttons of its ready card.',
    ]);
    expect(services.notifier.toldPerson(MEGAN.aadObjectId)).toEqual([
      'Alex Wilber added Adele Vance as an owner of cirasync-svc@contoso.com.',
    ]);
    expect(services.notifier.toldPerson(ALEX.aadObjectId)).toEqual([]);
  });

  it.each([
    ['pattif@contoso.com', 'Patti Fernandez is not a Global Administrator or Privileged Role Administrator'],
    ['nobody@contoso.com', 'I could not find nobody@contoso.com in your directory'],
    ['cirasync-svc@contoso.com', 'That is the service account itself'],
    ['', 'Type the email address or user name of the admin to add.'],
    ['x'.repeat(300), 'That is too long'],
  ])('when Alex types “%.40s”, then nothing changes and the card says why', async (typed, why) => {
    const before = await stored();
    const outcome = await addOwner(services, ALEX, ready, typed);
    expect(outcome).toMatchObject({ kind: 'owners', error: expect.stringContaining(why) });
    expect(await stored()).toEqual(before);
    expect((await trail()).map((r) => r.event)).not.toContain('owner added');
    expect(services.notifier.notices).toEqual([]);
  });

  it('when Alex types someone already an owner, then nothing is written and the card says so', async () => {
    const before = await stored();
    const again = await addOwner(services, ALEX, ready, 'meganb@contoso.com');
    expect(again).toMatchObject({ kind: 'owners', notice: 'Megan Bowen already looks after this account.' });
    expect(await stored()).toEqual(before);
  });

  it('when Adele, an admin but no owner, adds herself, then she is refused and nothing changes', async () => {
    const before = await stored();
    const outcome = await addOwner(services, ADELE, ready, 'adelev@contoso.com');
    expect(outcome).toEqual({
      kind: 'refused',
      message: 'Only Alex Wilber or Megan Bowen, who look after this account, can do that.',
    });
    expect(showOwners(ADELE, ready).kind).toBe('refused');
    expect(await stored()).toEqual(before);
    expect(services.notifier.notices).toEqual([]);
  });

  it('when the account is not ready, then owners cannot be changed', async () => {
    const waiting = await requestIn(services, 'AwaitingReplication', 'cirasync-two');
    expect(await addOwner(services, ALEX, waiting, 'adelev@contoso.com')).toEqual({
      kind: 'refused',
      message: 'Owners can be changed once the account is ready.',
    });
  });

  it('when two owners add people from the same card at once, then one change is written and audited, the other is told to look again', async () => {
    services.directory.add({
      id: 'isaiah',
      userPrincipalName: 'isaiahl@contoso.com',
      displayName: 'Isaiah Langer',
      accountEnabled: true,
      assignedLicenses: [],
    });
    ADMINS.add('isaiah');
    try {
      const [first, second] = await Promise.all([
        addOwner(services, ALEX, ready, 'adelev@contoso.com'),
        addOwner(services, MEGAN, ready, 'isaiahl@contoso.com'),
      ]);
      const errors = [first, second].map((o) => (o.kind === 'owners' ? o.error : o.kind));
      expect(errors.filter((e) => e === '')).toHaveLength(1);
      expect(errors.find((e) => e !== '')).toContain(
        'Someone changed this account’s owners at the same moment',
      );
      expect((await trail()).filter((r) => r.event === 'owner added')).toHaveLength(1);
      expect(await ownerIds()).toHaveLength(3);
    } finally {
      ADMINS.delete('isaiah');
    }
  });
});

describe('removing an owner', () => {
  it('when Alex removes Megan, then she is no longer an owner, audited, told, and her later presses are refused', async () => {
    const outcome = await removeOwner(services, ALEX, ready, MEGAN.aadObjectId);
    expect(outcome).toMatchObject({
      kind: 'owners',
      notice: 'Megan Bowen no longer looks after this account.',
    });
    expect(await ownerIds()).toEqual([ALEX.aadObjectId]);
    expect((await trail()).at(-1)).toMatchObject({ event: 'owner removed', detail: 'Megan Bowen' });
    expect(services.notifier.toldPerson(MEGAN.aadObjectId)).toEqual([
      'Alex Wilber removed you as an owner of cirasync-svc@contoso.com: you are no longer told what happens to it, and its buttons no longer work for you.',
    ]);
    const now = await stored();
    expect(await addOwner(services, MEGAN, now, 'adelev@contoso.com')).toMatchObject({ kind: 'refused' });
    expect(await removeOwner(services, MEGAN, now, ALEX.aadObjectId)).toEqual({
      kind: 'refused',
      message: 'Only Alex Wilber, who looks after this account, can do that.',
    });
    expect(await ownerIds()).toEqual([ALEX.aadObjectId]);
  });

  it('when the requester was removed by the approver, then the requester can no longer change owners', async () => {
    await removeOwner(services, MEGAN, ready, ALEX.aadObjectId);
    const now = await stored();
    expect(await removeOwner(services, ALEX, now, MEGAN.aadObjectId)).toMatchObject({ kind: 'refused' });
    expect(await addOwner(services, ALEX, now, 'adelev@contoso.com')).toMatchObject({ kind: 'refused' });
    expect(await ownerIds()).toEqual([MEGAN.aadObjectId]);
  });

  it('when the last owner tries to remove themself, then it is refused; with another owner left, they may leave', async () => {
    await removeOwner(services, ALEX, ready, MEGAN.aadObjectId);
    const alone = await stored();
    expect(await removeOwner(services, ALEX, alone, ALEX.aadObjectId)).toEqual({
      kind: 'refused',
      message:
        'Alex Wilber is the only owner left, and someone must look after this account: add another owner first.',
    });
    expect(await ownerIds()).toEqual([ALEX.aadObjectId]);

    await addOwner(services, ALEX, alone, 'adelev@contoso.com');
    const left = await removeOwner(services, ALEX, await stored(), ALEX.aadObjectId);
    expect(left).toEqual({
      kind: 'left',
      message: 'You no longer look after cirasync-svc@contoso.com. The other owners were told.',
    });
    expect(await ownerIds()).toEqual([ADELE.aadObjectId]);
    expect(services.notifier.toldPerson(ADELE.aadObjectId).at(-1)).toBe(
      'Alex Wilber no longer looks after cirasync-svc@contoso.com.',
    );
  });

  it('when the card names someone who is not an owner (forged, or from before a change), then nothing is removed', async () => {
    const before = await stored();
    for (const forged of [PATTI.aadObjectId, '', 'not-an-id'])
      expect(await removeOwner(services, ALEX, ready, forged)).toEqual({
        kind: 'refused',
        message: 'That person does not look after this account, so there is nobody to remove.',
      });
    expect(await stored()).toEqual(before);
    expect((await trail()).map((r) => r.event)).not.toContain('owner removed');
  });

  it('when a stale card removes an owner after another change, then the compare-and-set loses and nothing is recorded', async () => {
    await addOwner(services, ALEX, ready, 'adelev@contoso.com');
    // `ready` is the request as it was before Adele was added.
    const outcome = await removeOwner(services, MEGAN, ready, ALEX.aadObjectId);
    expect(outcome).toMatchObject({ kind: 'owners', error: expect.stringContaining('at the same moment') });
    expect(await ownerIds()).toEqual([ALEX.aadObjectId, MEGAN.aadObjectId, ADELE.aadObjectId]);
    expect((await trail()).map((r) => r.event)).not.toContain('owner removed');
  });
});
