/**
 * "Replication seen → ready", in memory: the watch polls Exchange until the account holds
 * ApplicationImpersonation on enough polls in a row, then the request becomes Ready once, the
 * password's Reveal window opens with its purge, both admins are told, and `announcedAt` is recorded —
 * or, when time runs out, the request fails with what to check.
 */
import type { WorkRun } from '../../src/domain/workPorts';
import { announceReady } from '../../src/useCases/announceReady';
import { watchReplication } from '../../src/useCases/watchReplication';
import { memoryServices, type MemoryServices } from '../support/memoryServices';
import { requestIn } from '../support/memoryRequests';

let services: MemoryServices;
beforeEach(() => {
  services = memoryServices();
});

/** A job's run as the job runner gives it; checkpoints are kept for the next run. */
function run(saved: Record<string, unknown>): WorkRun & { checkpoints: Record<string, unknown>[] } {
  const checkpoints: Record<string, unknown>[] = [];
  return {
    attempts: 1,
    scheduledAt: services.now().getTime(),
    saved,
    checkpoints,
    checkpoint: async (data) => {
      checkpoints.push(data);
    },
  };
}

describe('watching replication', () => {
  it('when Exchange shows the account on two polls in a row, then the request is Ready and announced once', async () => {
    const waiting = await requestIn(services, 'AwaitingReplication');
    const key = { tenantId: waiting.tenantId, requestId: waiting.id };
    await services.passwords.getOrCreate(waiting.tenantId, waiting.id, () => 'Secret-1!', services.now());
    const since = services.now().toISOString();

    const notYet = await watchReplication(services, key, run({ since }));
    expect(notYet).toMatchObject({ kind: 'retryAt' });
    expect(services.notifier.notices.at(-1)).toMatchObject({ kind: 'progress' });

    services.exchange.impersonators = ['cirasync-svc@contoso.com'];
    let saved = notYet.kind === 'retryAt' ? (notYet.data ?? {}) : {};
    services.setNow(new Date(services.now().getTime() + 60_000));
    const once = await watchReplication(services, key, run(saved));
    expect(once).toMatchObject({ kind: 'retryAt' });
    saved = once.kind === 'retryAt' ? (once.data ?? {}) : {};
    services.setNow(new Date(services.now().getTime() + 120_000));
    const twice = await watchReplication(services, key, run(saved));
    expect(twice).toMatchObject({ kind: 'done' });

    const ready = await services.requests.get(waiting.tenantId, waiting.id);
    expect(ready).toMatchObject({ state: 'Ready', announcedAt: services.now().toISOString() });
    const sent = services.notifier.notices.filter((n) => n.kind === 'ready');
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({
      view: { ready: { canReveal: true, canDowngrade: true } },
      approverText: expect.stringContaining('which you approved for Alex Wilber, is ready'),
    });
    expect(services.scheduler.works()).toEqual(['passwordPurge', 'globalAdminLimit', 'healthWatch']);
    const state = await services.passwords.state(waiting.tenantId, waiting.id);
    expect(state).toMatchObject({ kind: 'held', revealUntil: expect.any(String) });
    const events = (await services.audit.forRequest(waiting.tenantId, waiting.id)).map((r) => r.event);
    expect(events.filter((e) => e === 'ready')).toHaveLength(1);

    // The same job running again (a crash after the change) announces nothing twice.
    expect(await watchReplication(services, key, run(saved))).toEqual({ kind: 'done' });
    expect(services.notifier.notices.filter((n) => n.kind === 'ready')).toHaveLength(1);
  });

  it('when a Ready request was not announced (a crash before the message), then the next run announces it', async () => {
    const ready = await requestIn(services, 'Ready');
    expect(ready.announcedAt).toBeUndefined();
    await watchReplication(services, { tenantId: ready.tenantId, requestId: ready.id }, run({}));
    expect(services.notifier.notices.filter((n) => n.kind === 'ready')).toHaveLength(1);
    expect((await services.requests.get(ready.tenantId, ready.id))?.announcedAt).toBeDefined();
    const trail = await services.audit.forRequest(ready.tenantId, ready.id);
    expect(trail.find((r) => r.event === 'ready')?.detail).toBe('announced after a restart');
  });

  it('when the time runs out, then the request fails once, with what to check in the Exchange admin center', async () => {
    const waiting = await requestIn(services, 'AwaitingReplication');
    const key = { tenantId: waiting.tenantId, requestId: waiting.id };
    const since = services.now().toISOString();
    services.setNow(new Date(services.now().getTime() + services.settings.replication.timeoutMs + 1));
    const outcome = await watchReplication(services, key, run({ since }));
    expect(outcome).toMatchObject({ kind: 'failed', error: 'replication timeout' });
    expect((await services.requests.get(waiting.tenantId, waiting.id))?.state).toBe('Failed');
    expect(services.notifier.told('requester')).toEqual([
      expect.stringContaining('Check in the Exchange admin center (Roles → Admin roles → App Impersonation)'),
    ]);
  });

  it('when Key Vault takes the password, then the ready message names the secret and nothing is left to reveal', async () => {
    const stored: string[] = [];
    services.handOver = {
      vaultUrl: 'https://contoso-vault.vault.azure.net',
      secretExpiryMs: 7 * 24 * 3_600_000,
      secretName: (upn) => upn.replace(/[^a-z0-9]/gi, '-'),
      store: async ({ name }) => {
        stored.push(name);
        return { name, version: 'v1', id: `https://contoso-vault.vault.azure.net/secrets/${name}/v1` };
      },
    };
    const ready = await requestIn(services, 'Ready');
    await services.passwords.getOrCreate(ready.tenantId, ready.id, () => 'Secret-1!', services.now());
    await announceReady(services, ready, 'replication seen');
    expect(stored).toEqual(['cirasync-svc-contoso-com']);
    expect((await services.passwords.state(ready.tenantId, ready.id)).kind).toBe('purged');
    const sent = services.notifier.notices.find((n) => n.kind === 'ready');
    expect(sent).toMatchObject({ view: { ready: { canReveal: false } } });
    expect(sent?.kind === 'ready' ? sent.view.ready?.note : '').toContain(
      'secret **cirasync-svc-contoso-com**',
    );
  });
});
