/**
 * Rotate password and Hand over to Key Vault, in memory through their ports: a new password goes to
 * Key Vault and Entra and is shown nowhere; the held one moves to Key Vault; without Key Vault both
 * are refused (and Rotate is not offered); a non-owner, a reset in progress, and Entra or Key Vault
 * refusing are covered. No password ever reaches a notice, an audit record or a card.
 */
import { progressCard } from '../../cards/progressCard';
import { ACCOUNT_VERBS } from '../../cards/verbs';
import { AppError } from '../../src/domain/errors';
import type { ServiceAccountRequest } from '../../src/domain/request';
import { handOverToKeyVault } from '../../src/useCases/handOverToKeyVault';
import { readyViewNow } from '../../src/useCases/readyReport';
import { NO_KEY_VAULT, rotatePassword } from '../../src/useCases/rotatePassword';
import { MemoryKeyVault, memoryServices, type MemoryServices } from '../support/memoryServices';
import { ALEX, MEGAN, requestIn } from '../support/memoryRequests';

const ADELE = { aadObjectId: '00000000-0000-0000-0000-0000000000022', name: 'Adele Vance' };

let services: MemoryServices;
let vault: MemoryKeyVault;
let ready: ServiceAccountRequest;
beforeEach(async () => {
  services = memoryServices();
  vault = new MemoryKeyVault();
  services.handOver = vault;
  ready = await requestIn(services, 'Ready');
  await services.passwords.getOrCreate(services.tenantId, ready.id, () => 'Held-Secret-1!', services.now());
  await services.passwords.setRevealUntil(
    services.tenantId,
    ready.id,
    new Date(services.now().getTime() + 60_000),
  );
});

const userId = () => `user-${ready.id}`;
const trail = () => services.audit.forRequest(services.tenantId, ready.id);
const secretName = () => vault.secretName('cirasync-svc@contoso.com', ready.id);
const verbs = (view: Parameters<typeof progressCard>[0]) => [
  ...new Set([...JSON.stringify(progressCard(view)).matchAll(/"verb":"([^"]+)"/g)].map((m) => m[1])),
];

/** Everything the story said or recorded, as text: no password may be in it. */
async function everythingSaid(extra: unknown = null): Promise<string> {
  return JSON.stringify([services.notifier.notices, await trail(), extra]);
}

describe('Rotate password', () => {
  it('when Megan presses it, then Key Vault and Entra hold the same new password, the held one is forgotten, audited with where it is, Alex told; the password is in no notice, record or card', async () => {
    const outcome = await rotatePassword(services, MEGAN, ready);
    expect(outcome.kind).toBe('rotated');
    const password = services.directory.passwords.get(userId());
    expect(password).toBe('Memory-Password-1!');
    expect(vault.latest(secretName())).toBe(password);
    expect(vault.versions[0].requestId).toBe(ready.id);
    expect(await services.passwords.state(services.tenantId, ready.id)).toMatchObject({ kind: 'purged' });
    expect((await trail()).at(-1)).toMatchObject({
      event: 'password rotated',
      actor: { aadObjectId: MEGAN.aadObjectId },
      outcome: 'Ready',
      detail: `Key Vault ${vault.vaultUrl}, secret ${secretName()}, version v1, expires 2026-12-03T12:00:00.000Z`,
    });
    expect(services.notifier.toldPerson(ALEX.aadObjectId)).toEqual([
      `Megan Bowen gave cirasync-svc@contoso.com a new password. It is in Key Vault ${vault.vaultUrl}, secret ${secretName()} (readable until 2026-12-03 12:00 UTC); CiraSync Enterprise needs it before it signs in again.`,
    ]);
    if (outcome.kind !== 'rotated') return;
    expect(outcome.view.ready?.note).toContain(
      `Read its password in Key Vault ${vault.vaultUrl}, secret **${secretName()}**`,
    );
    expect(verbs(outcome.view)).not.toContain(ACCOUNT_VERBS.reveal);
    expect(verbs(outcome.view)).not.toContain(ACCOUNT_VERBS.handOver);
    const said = await everythingSaid(progressCard(outcome.view));
    expect(said).not.toContain('Memory-Password-1!');
    expect(said).not.toContain('Held-Secret-1!');
    // Drawn again later (status), the card still points at the new version.
    expect((await readyViewNow(services, ready)).ready?.note).toContain(`secret **${secretName()}**`);
  });

  it('when Key Vault is not set up, then Rotate is refused in plain words, nothing changes, and the ready card does not offer it', async () => {
    services.handOver = undefined;
    expect(await rotatePassword(services, ALEX, ready)).toEqual({ kind: 'refused', message: NO_KEY_VAULT });
    expect(NO_KEY_VAULT).toContain('so that the new password is never shown in chat');
    expect(services.directory.calls).toEqual([]);
    expect(await services.passwords.reveal(services.tenantId, ready.id)).toBe('Held-Secret-1!');
    const view = await readyViewNow(services, ready);
    expect(verbs(view)).not.toContain(ACCOUNT_VERBS.rotate);
    expect(verbs(view)).not.toContain(ACCOUNT_VERBS.handOver);
    expect(await handOverToKeyVault(services, ALEX, ready)).toEqual({
      kind: 'refused',
      message: NO_KEY_VAULT,
    });
  });

  it('when Adele, an admin but no owner, presses it, then it is refused and neither Entra nor Key Vault is written', async () => {
    expect(await rotatePassword(services, ADELE, ready)).toEqual({
      kind: 'refused',
      message: 'Only Alex Wilber or Megan Bowen, who look after this account, can do that.',
    });
    expect(await handOverToKeyVault(services, ADELE, ready)).toMatchObject({ kind: 'refused' });
    expect(services.directory.calls).toEqual([]);
    expect(vault.versions).toEqual([]);
  });

  it('when a reset holds the password’s lease, then Rotate is told to wait and writes nothing', async () => {
    await services.passwords.claimReset(services.tenantId, ready.id, 'a reset', services.now(), 60_000);
    expect(await rotatePassword(services, ALEX, ready)).toMatchObject({
      kind: 'refused',
      message: expect.stringContaining('being changed already'),
    });
    expect(services.directory.calls).toEqual([]);
    expect(vault.versions).toEqual([]);
  });

  it('when Key Vault refuses, then Entra keeps the old password and nothing is recorded', async () => {
    vault.failNext = new AppError('Forbidden', 'The bot may not write secrets to the Azure Key Vault.');
    await expect(rotatePassword(services, ALEX, ready)).rejects.toThrow('may not write secrets');
    expect(services.directory.calls).toEqual([]);
    expect(await services.passwords.reveal(services.tenantId, ready.id)).toBe('Held-Secret-1!');
    expect((await trail()).map((r) => r.event)).not.toContain('password rotated');
    // The lease was given back: the next press goes through.
    expect((await rotatePassword(services, ALEX, ready)).kind).toBe('rotated');
  });

  it('when Entra refuses the new password, then the account keeps its old one, the answer says to press again, and nothing is recorded', async () => {
    services.directory.beforeWrite = async () => {
      throw new AppError('ServiceUnavailable', 'Microsoft Graph is temporarily unavailable.');
    };
    const outcome = await rotatePassword(services, ALEX, ready);
    expect(outcome).toMatchObject({
      kind: 'refused',
      message: expect.stringContaining('keeps the one it had'),
    });
    expect(JSON.stringify(outcome)).not.toContain('Memory-Password-1!');
    expect((await trail()).map((r) => r.event)).not.toContain('password rotated');
    expect(await everythingSaid()).not.toContain('Memory-Password-1!');
  });
});

describe('Hand over to Key Vault', () => {
  it('when the bot still holds the password and Alex presses it, then it goes to Key Vault, is forgotten here, audited, Megan told — and is in no notice or record', async () => {
    const before = await readyViewNow(services, ready);
    expect(verbs(before)).toEqual(expect.arrayContaining([ACCOUNT_VERBS.handOver, ACCOUNT_VERBS.rotate]));
    const outcome = await handOverToKeyVault(services, ALEX, ready);
    expect(outcome.kind).toBe('handedOver');
    expect(vault.latest(secretName())).toBe('Held-Secret-1!');
    expect(await services.passwords.state(services.tenantId, ready.id)).toMatchObject({ kind: 'purged' });
    expect(services.directory.calls).toEqual([]);
    expect((await trail()).at(-1)).toMatchObject({
      event: 'password handed over',
      actor: { aadObjectId: ALEX.aadObjectId },
    });
    expect(services.notifier.toldPerson(MEGAN.aadObjectId)[0]).toContain(
      `handed the password of cirasync-svc@contoso.com over to Key Vault ${vault.vaultUrl}`,
    );
    if (outcome.kind === 'handedOver') {
      expect(verbs(outcome.view)).not.toContain(ACCOUNT_VERBS.handOver);
      expect(await everythingSaid(progressCard(outcome.view))).not.toContain('Held-Secret-1!');
    }
    // Nothing is held any more: a second press has nothing to hand over.
    expect(await handOverToKeyVault(services, ALEX, ready)).toMatchObject({
      kind: 'refused',
      message: expect.stringContaining('nothing to hand over'),
    });
  });

  it('when Key Vault refuses, then the password stays held here and the answer says why', async () => {
    vault.failNext = new AppError('Forbidden', 'The bot may not write secrets to the Azure Key Vault.');
    expect(await handOverToKeyVault(services, ALEX, ready)).toEqual({
      kind: 'refused',
      message:
        'I could not put the password in Key Vault (The bot may not write secrets to the Azure Key Vault.), so I still hold it here.',
    });
    expect(await services.passwords.reveal(services.tenantId, ready.id)).toBe('Held-Secret-1!');
  });
});
