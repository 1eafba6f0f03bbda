/** The directory's names by object id: remembered, waited for only briefly, marked when unchecked. */
import { AppError } from '../../src/domain/errors';
import { DirectoryNames, UNCHECKED_NAME_NOTE } from '../../src/domain/directoryNames';
import type { DirectoryUser } from '../../src/domain/tenant';

const MEGAN_ID = '00000000-0000-0000-0000-0000000000021';
const CLAIMED = { aadObjectId: MEGAN_ID, name: 'Mallory Forged' };
const UNCHECKED = { aadObjectId: MEGAN_ID, name: `Mallory Forged (${UNCHECKED_NAME_NOTE})` };

function user(displayName: string): DirectoryUser {
  return {
    id: MEGAN_ID,
    userPrincipalName: 'megan@contoso.com',
    displayName,
    accountEnabled: true,
    assignedLicenses: [],
  };
}

/** A directory whose `findUser` answers what the test says, when it says. */
function directory(answer: () => Promise<DirectoryUser | undefined>) {
  const asked: string[] = [];
  return {
    asked,
    findUser: (id: string) => {
      asked.push(id);
      return answer();
    },
  };
}

const later = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('DirectoryNames', () => {
  it('names the actor as the directory does, and asks the directory once while it remembers', async () => {
    let now = 0;
    const dir = directory(async () => user('Megan Bowen'));
    const names = new DirectoryNames(dir, { ttlMs: 1_000, now: () => now });
    expect(await names.resolve(CLAIMED)).toEqual({ aadObjectId: MEGAN_ID, name: 'Megan Bowen' });
    expect(await names.resolve({ ...CLAIMED, aadObjectId: MEGAN_ID.toUpperCase() })).toEqual({
      aadObjectId: MEGAN_ID.toUpperCase(),
      name: 'Megan Bowen',
    });
    expect(dir.asked).toHaveLength(1);
    now = 1_001;
    await names.resolve(CLAIMED);
    expect(dir.asked).toHaveLength(2);
  });

  it('when the directory is slow, gives the name from Teams marked as unchecked after the wait, and the lookup fills the cache', async () => {
    let release: (u: DirectoryUser) => void = () => undefined;
    const dir = directory(() => new Promise((resolve) => (release = resolve)));
    const names = new DirectoryNames(dir, { waitMs: 50 });
    const started = Date.now();
    expect(await names.resolve(CLAIMED)).toEqual(UNCHECKED);
    expect(Date.now() - started).toBeLessThan(1_000);
    // A second press meanwhile joins the lookup under way rather than asking again.
    expect(await names.resolve(CLAIMED)).toEqual(UNCHECKED);
    expect(dir.asked).toHaveLength(1);
    release(user('Megan Bowen'));
    await later(0);
    expect(await names.resolve(CLAIMED)).toEqual({ aadObjectId: MEGAN_ID, name: 'Megan Bowen' });
    expect(dir.asked).toHaveLength(1);
  });

  it('when the lookup fails, says so, gives the marked name, and asks again next time', async () => {
    const failures: string[] = [];
    const dir = directory(() => Promise.reject(new AppError('ServiceUnavailable', 'Graph is down.')));
    const names = new DirectoryNames(dir, { onFailure: (id) => failures.push(id) });
    expect(await names.resolve(CLAIMED)).toEqual(UNCHECKED);
    expect(await names.resolve(CLAIMED)).toEqual(UNCHECKED);
    expect(dir.asked).toHaveLength(2);
    expect(failures).toEqual([MEGAN_ID, MEGAN_ID]);
  });

  it('marks the name of someone the directory does not know, or who has no display name', async () => {
    const unknown = new DirectoryNames(directory(async () => undefined));
    expect(await unknown.resolve(CLAIMED)).toEqual(UNCHECKED);
    const nameless = new DirectoryNames(directory(async () => user(' ')));
    expect(await nameless.resolve({ aadObjectId: MEGAN_ID, name: '' })).toEqual({
      aadObjectId: MEGAN_ID,
      name: `the user with object id ${MEGAN_ID} (no name from the directory)`,
    });
  });

  it('looks up only object ids, never a sign-in name put in their place', async () => {
    const dir = directory(async () => user('Megan Bowen'));
    const names = new DirectoryNames(dir);
    const actor = await names.resolve({ aadObjectId: 'megan@contoso.com', name: 'Megan' });
    expect(actor.name).toBe(`Megan (${UNCHECKED_NAME_NOTE})`);
    expect(dir.asked).toEqual([]);
  });
});
