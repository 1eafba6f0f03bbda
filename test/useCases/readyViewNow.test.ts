/**
 * The ready card as `status` draws it again: where the password is, read from the vault and the
 * audit trail — inside the Reveal window, handed over to Key Vault, forgotten after the window, or
 * nothing to hand over once the role was lowered — and the buttons that go with each.
 */
import { keyVaultDetail } from '../../src/domain/keyVaultPlace';
import { auditRecord, type ServiceAccountRequest } from '../../src/domain/request';
import { readyViewNow } from '../../src/useCases/readyReport';
import { memoryServices, type MemoryServices } from '../support/memoryServices';
import { ALEX, requestIn } from '../support/memoryRequests';

let services: MemoryServices;
let request: ServiceAccountRequest;
beforeEach(async () => {
  services = memoryServices();
  request = await requestIn(services, 'Ready');
  await services.passwords.getOrCreate(request.tenantId, request.id, () => 'Sealed-1!', services.now());
});

const later = (minutes: number) => new Date(services.now().getTime() + minutes * 60_000);

describe('the ready card drawn again', () => {
  it('when the Reveal window is open, then Reveal is offered with its deadline', async () => {
    await services.passwords.setRevealUntil(request.tenantId, request.id, later(30));
    const view = await readyViewNow(services, request);
    expect(view.ready).toMatchObject({ canReveal: true, canReset: true, canDowngrade: true });
    expect(view.ready?.note).toContain('Press **Reveal password** (until 2026-11-26 12:30 UTC');
    expect(JSON.stringify(view)).not.toContain('Sealed-1!');
  });

  it('when the window has passed, then the card says the password was forgotten and offers Reset, not Reveal', async () => {
    await services.passwords.setRevealUntil(request.tenantId, request.id, later(30));
    await services.passwords.purge(request.tenantId, request.id, later(31));
    const view = await readyViewNow(services, request);
    expect(view.ready).toMatchObject({ canReveal: false, canReset: true, canDowngrade: true });
    expect(view.ready?.note).toContain('I forgot its password at 2026-11-26 12:31 UTC, as planned');
  });

  it('when the password was handed over to Key Vault, then the card names the vault and the secret', async () => {
    await services.passwords.purge(request.tenantId, request.id, services.now());
    const detail = keyVaultDetail({
      vaultUrl: 'https://contoso-sab.vault.azure.net',
      name: 'cirasync-svc-contoso-com',
      version: '3f2a',
      expiresOn: later(7 * 24 * 60).toISOString(),
    });
    await services.audit.append(
      auditRecord(request, ALEX, 'password handed over', 'Ready', services.now().toISOString(), detail),
    );
    const view = await readyViewNow(services, request);
    expect(view.ready?.canReveal).toBe(false);
    expect(view.ready?.note).toContain(
      'Read its password in Key Vault https://contoso-sab.vault.azure.net, secret **cirasync-svc-contoso-com** (readable until 2026-12-03 12:00 UTC',
    );
  });

  it('when the role was lowered, then there is nothing to hand over and no Downgrade', async () => {
    await services.passwords.setRevealUntil(request.tenantId, request.id, later(30));
    await services.audit.append(
      auditRecord(request, ALEX, 'downgraded', 'Ready', services.now().toISOString()),
    );
    const view = await readyViewNow(services, request);
    expect(view.ready).toMatchObject({ canReveal: false, canDowngrade: false });
    expect(view.ready?.note).toContain('no longer a Global Administrator');
  });
});
