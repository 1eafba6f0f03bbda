/**
 * Requests for the in-memory use-case tests: Alex asks, Megan approves, and the request is moved
 * along its lifecycle (by the store's own compare-and-set) to the state a test starts from. The
 * account it made is in the memory directory, marked as this request's.
 */
import type { RequestState, ServiceAccountRequest } from '../../src/domain/request';
import { creationMarker } from '../../src/domain/wellKnown';
import { decideRequest } from '../../src/useCases/decideRequest';
import { submitRequest } from '../../src/useCases/submitRequest';
import type { MemoryServices } from './memoryServices';

export const ALEX = { aadObjectId: '00000000-0000-0000-0000-0000000000020', name: 'Alex Wilber' };
export const MEGAN = {
  aadObjectId: '00000000-0000-0000-0000-0000000000021',
  name: 'Megan Bowen',
  userPrincipalName: 'meganb@contoso.com',
};

/** The path from approval to each later state. */
const PATH: Partial<Record<RequestState, RequestState[]>> = {
  Provisioning: [],
  Failed: ['Failed'],
  AwaitingReplication: ['AwaitingReplication'],
  Ready: ['AwaitingReplication', 'Ready'],
};

/** A request Alex submitted for Megan's approval, waiting for it. */
export async function pendingIn(
  services: MemoryServices,
  username = 'cirasync-svc',
): Promise<ServiceAccountRequest> {
  return submitRequest(services, {
    requester: ALEX,
    approver: MEGAN,
    details: {
      displayName: 'CiraSync Service',
      username,
      domain: 'contoso.com',
      contact: {},
      acknowledgedWarnings: [],
    },
  });
}

export async function requestIn(
  services: MemoryServices,
  state: 'Provisioning' | 'Failed' | 'AwaitingReplication' | 'Ready',
  username = 'cirasync-svc',
): Promise<ServiceAccountRequest> {
  const submitted = await pendingIn(services, username);
  const decided = await decideRequest(services, {
    tenantId: submitted.tenantId,
    requestId: submitted.id,
    actor: MEGAN,
    decision: 'approve',
  });
  if (decided.kind !== 'decided') throw new Error(`The approval did not go through: ${decided.kind}`);
  let request = decided.request;
  for (const next of PATH[state] ?? []) {
    const moved = await services.requests.transition(
      request.tenantId,
      request.id,
      { version: request.version, from: [request.state] },
      { state: next, at: services.now().toISOString() },
    );
    if (moved === undefined) throw new Error(`Could not move the request to ${next}`);
    request = moved;
  }
  const userId = `user-${request.id}`;
  services.directory.add({
    id: userId,
    userPrincipalName: `${username}@contoso.com`,
    displayName: 'CiraSync Service',
    accountEnabled: true,
    employeeType: creationMarker(request.id),
    assignedLicenses: [],
  });
  services.scheduler.records.set(request.id, {
    startedAt: services.now().toISOString(),
    progress: {
      userId,
      completed: [{ step: 'user', outcome: 'created', detail: `Created ${username}@contoso.com` }],
    },
    ...(state === 'Failed' ? { failure: { message: 'Exchange did not answer.' } } : {}),
  });
  await services.background.idle();
  services.notifier.notices.length = 0;
  services.scheduler.scheduled.length = 0;
  return request;
}
