/**
 * Delivering the approval card while the request changes under it: a delivery that was under way
 * when the requester cancelled (or the approver decided) records what happened against the request as
 * it is now, redraws the cards from that, and never brings back a "Waiting for approval" card.
 */
import { cancelRequest } from '../../src/useCases/cancelRequest';
import { deliverApproval } from '../../src/useCases/deliverApproval';
import { memoryServices, type MemoryServices } from '../support/memoryServices';
import { ALEX, pendingIn } from '../support/memoryRequests';

let services: MemoryServices;
beforeEach(() => {
  services = memoryServices();
});

const submitted = () => pendingIn(services);

describe('delivering the approval card', () => {
  it.each([
    ['fails', { reached: false, permanent: false, reason: 'opening a chat answered HTTP 500' }],
    ['reaches Megan', { reached: true, where: 'chat' }],
  ] as const)(
    'when Alex cancels while the delivery is under way and it %s, then the cards are drawn cancelled, the audit says cancelled, and nothing is tried again',
    async (_how, delivery) => {
      const request = await submitted();
      const key = { tenantId: request.tenantId, requestId: request.id };
      const notifier = services.notifier;
      notifier.deliverToApprover = async () => {
        const cancelled = await cancelRequest(services, { ...key, actor: ALEX });
        expect(cancelled).not.toHaveProperty('refused');
        return delivery;
      };
      const outcome = await deliverApproval(services, key, {
        scheduledAt: services.now().getTime(),
        attempts: 1,
      });
      expect(outcome).toEqual({ kind: 'done' });

      const trail = await services.audit.forRequest(key.tenantId, key.requestId);
      const cancelledAt = trail.findIndex((r) => r.event === 'cancelled');
      expect(cancelledAt).toBeGreaterThanOrEqual(0);
      // Nothing after the cancel claims the request still waits for approval.
      expect(trail.slice(cancelledAt).map((r) => r.outcome)).toEqual(
        trail.slice(cancelledAt).map(() => 'Cancelled'),
      );
      const drawn = notifier.notices.filter((n) => n.kind === 'cards');
      expect(drawn.at(-1)).toMatchObject({ state: 'Cancelled' });
      // Alex is not told the request went to Megan, nor that it could not.
      expect(notifier.told('requester').filter((t) => /sent your request|could not deliver/.test(t))).toEqual(
        [],
      );
    },
  );

  it('when nothing changes during the delivery, then it is audited as waiting and Alex is told', async () => {
    const request = await submitted();
    const key = { tenantId: request.tenantId, requestId: request.id };
    await deliverApproval(services, key, { scheduledAt: services.now().getTime(), attempts: 1 });
    const trail = await services.audit.forRequest(key.tenantId, key.requestId);
    expect(trail.find((r) => r.event === 'delivered')).toMatchObject({ outcome: 'PendingApproval' });
    expect(services.notifier.notices.filter((n) => n.kind === 'cards').at(-1)).toMatchObject({
      state: 'PendingApproval',
    });
    expect(services.notifier.told('requester')).toContain(
      'I sent your request to Megan Bowen. Nothing is created until they approve.',
    );
  });
});
