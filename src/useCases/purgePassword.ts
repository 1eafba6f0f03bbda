/**
 * At the hand-over deadline the password is forgotten for good. Story: only a password still held →
 * not before its Reveal window ends (a reset may have moved it) → purged → audited → the ready card
 * redrawn in place, so a password revealed on it does not stay on screen.
 */
import { systemRecord } from '../domain/request';
import type { WorkOutcome } from '../domain/workPorts';
import type { RequestKey } from './pendingWork';
import { currentReadyView } from './readyReport';
import type { Services } from './services';

export async function purgePassword(
  services: Pick<
    Services,
    'passwords' | 'audit' | 'now' | 'requests' | 'provisioning' | 'settings' | 'notifier' | 'handOver'
  >,
  key: RequestKey,
): Promise<WorkOutcome> {
  const state = await services.passwords.state(key.tenantId, key.requestId);
  const now = services.now();
  if (state.kind !== 'held') return { kind: 'done' };
  if (state.revealUntil !== undefined && Date.parse(state.revealUntil) > now.getTime())
    return { kind: 'retryAt', at: Date.parse(state.revealUntil) };
  if (await services.passwords.purge(key.tenantId, key.requestId, now)) {
    await services.audit.append(
      systemRecord(
        { id: key.requestId, tenantId: key.tenantId },
        'password purged',
        'Ready',
        now.toISOString(),
      ),
    );
    const request = await services.requests.get(key.tenantId, key.requestId);
    if (request?.state === 'Ready')
      await services.notifier.updateReady(
        request,
        await currentReadyView(services, request, { kind: 'forgotten', at: now.toISOString() }),
      );
  }
  return { kind: 'done' };
}
