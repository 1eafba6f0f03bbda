/**
 * The requester sends a complete request for approval. Story: the requester never approves their own
 * request → the approval's background work is scheduled (idempotent, so it may come before the
 * request is stored) → the request is stored as `PendingApproval` → audited → the job runner woken.
 */
import { randomUUID } from 'node:crypto';
import {
  auditRecord,
  appGrant,
  createsAccount,
  type Actor,
  type Approver,
  type RequestDetails,
  type ServiceAccountRequest,
} from '../domain/request';
import { sameUser } from '../domain/authorization';
import { describeScope } from '../domain/appAccess';
import type { Services, Settings } from './services';

export interface SubmitRequestInput {
  /**
   * The request's id. Given by the caller when the same submission may arrive twice (a double press
   * racing itself): the second create then fails with `Conflict` instead of making a second request.
   */
  id?: string;
  requester: Actor;
  approver: Approver;
  details: RequestDetails;
}

export async function submitRequest(
  services: Pick<Services, 'tenantId' | 'requests' | 'audit' | 'scheduler' | 'now'> & {
    settings: Pick<Settings, 'approvalExpiryMs'>;
  },
  input: SubmitRequestInput,
): Promise<ServiceAccountRequest> {
  if (sameUser(input.approver.aadObjectId, input.requester.aadObjectId)) {
    throw new Error('The requester cannot approve their own request');
  }
  const now = services.now();
  const at = now.toISOString();
  const request: ServiceAccountRequest = {
    id: input.id ?? randomUUID(),
    tenantId: services.tenantId,
    state: 'PendingApproval',
    version: 1,
    requester: input.requester,
    approver: input.approver,
    details: input.details,
    createdAt: at,
    updatedAt: at,
    expiresAt: new Date(now.getTime() + services.settings.approvalExpiryMs).toISOString(),
  };
  await services.scheduler.approvalWork(request, now);
  await services.requests.create(request);
  await services.audit.append(
    auditRecord(
      request,
      input.requester,
      'submitted',
      'PendingApproval',
      at,
      `${submittedWhat(request)}, approver ${input.approver.userPrincipalName}`,
    ),
  );
  services.scheduler.wake();
  return request;
}

/** What the audit trail says a request asks for: the account, or exactly which app gets which roles where. */
function submittedWhat(request: ServiceAccountRequest): string {
  const app = appGrant(request);
  const account = `${request.details.username}@${request.details.domain}`;
  if (app === undefined) return account;
  const grant = `app ${app.displayName} (${app.appId}): ${app.roles.join(', ')} over ${describeScope(app.scope)}`;
  return createsAccount(request)
    ? `${account} without impersonation, and ${grant}`
    : `${grant}, no service account`;
}
