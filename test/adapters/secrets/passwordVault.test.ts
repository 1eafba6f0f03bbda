/** The password vault's reset lease: one Reset password at a time per request, freed on release or expiry. */
import { randomBytes } from 'node:crypto';
import { MemoryStorage } from 'botbuilder';
import { PasswordVault } from '../../../src/adapters/secrets/passwordVault';
import { SecretBox } from '../../../src/adapters/secrets/secretBox';

const T0 = new Date('2026-12-02T10:00:00Z');
const at = (ms: number) => new Date(T0.getTime() + ms);
const LEASE = 60_000;

describe('the password vault’s reset lease', () => {
  let vault: PasswordVault;

  beforeEach(async () => {
    vault = new PasswordVault(new MemoryStorage(), new SecretBox(randomBytes(32)));
    await vault.getOrCreate('t', 'r', () => 'first-password', T0);
  });

  it('when two resets claim the lease, then only the first gets it until it is released', async () => {
    expect(await vault.claimReset('t', 'r', 'a', T0, LEASE)).toBe(true);
    expect(await vault.claimReset('t', 'r', 'b', at(1_000), LEASE)).toBe(false);
    await vault.releaseReset('t', 'r', 'b'); // not b's to release
    expect(await vault.claimReset('t', 'r', 'b', at(2_000), LEASE)).toBe(false);
    await vault.releaseReset('t', 'r', 'a');
    expect(await vault.claimReset('t', 'r', 'b', at(3_000), LEASE)).toBe(true);
  });

  it('when a reset never releases (a crash), then another may claim once the lease has run out', async () => {
    expect(await vault.claimReset('t', 'r', 'a', T0, LEASE)).toBe(true);
    expect(await vault.claimReset('t', 'r', 'b', at(LEASE - 1), LEASE)).toBe(false);
    expect(await vault.claimReset('t', 'r', 'b', at(LEASE + 1), LEASE)).toBe(true);
  });

  it('when the password is replaced or purged under a reset, then the lease stays held and the password is as written', async () => {
    expect(await vault.claimReset('t', 'r', 'a', T0, LEASE)).toBe(true);
    await vault.replace('t', 'r', 'second-password', at(10), at(LEASE));
    expect(await vault.reveal('t', 'r')).toBe('second-password');
    expect(await vault.claimReset('t', 'r', 'b', at(20), LEASE)).toBe(false);
    expect(await vault.purge('t', 'r', at(30))).toBe(true);
    expect(await vault.reveal('t', 'r')).toBeUndefined();
    expect(await vault.claimReset('t', 'r', 'b', at(40), LEASE)).toBe(false);
    await vault.releaseReset('t', 'r', 'a');
    expect(await vault.claimReset('t', 'r', 'b', at(50), LEASE)).toBe(true);
  });
});
