/**
 * An approved request is set up in Microsoft 365. Story: only a request in `Provisioning` → before
 * the first write, the approval must still stand (asked of Graph afresh) and the app to be granted
 * must still be the same enabled enterprise application → the password (when an account is made)
 * made once and kept sealed → the engine's plan step by step (the account's, then the app's grant),
 * progress saved after each and shown on one progress card → `Provisioning → AwaitingReplication` (audited) and the replication watch scheduled, or, on a
 * failure a retry cannot fix, `Provisioning → Failed` with the reason in plain words. Retry resumes
 * from the failed step.
 */
import { ADMIN_ROLE_NAMES, directAccessChecks, sameUser } from '../domain/authorization';
import { isAppError } from '../domain/errors';
import { progressViewOf, provisionData, type ProvisionData } from '../domain/progress';
import type { AppAccessSpec } from '../domain/appAccess';
import { grantAppAccess } from '../domain/appAccessSteps';
import { provisionAccount, type ProvisioningProgress, specOf } from '../domain/provisionAccount';
import type { StepName } from '../domain/provisioningSteps';
import {
  type AuditEvent,
  appGrant,
  createsAccount,
  requestSubject,
  type ServiceAccountRequest,
  systemRecord,
} from '../domain/request';
import type { WorkOutcome, WorkRun } from '../domain/workPorts';
import type { RequestKey } from './pendingWork';
import type { Services } from './services';
import { literal } from '../domain/words';

type ProvisionServices = Pick<
  Services,
  | 'requests'
  | 'audit'
  | 'scheduler'
  | 'notifier'
  | 'passwords'
  | 'directory'
  | 'exchange'
  | 'appAccess'
  | 'patience'
  | 'newPassword'
  | 'now'
  | 'settings'
>;

/** A compare-and-set out of `Provisioning`, audited when it won. */
async function moveTo(
  services: ProvisionServices,
  request: ServiceAccountRequest,
  state: 'AwaitingReplication' | 'Failed',
  event: AuditEvent,
  detail?: string,
): Promise<ServiceAccountRequest | undefined> {
  const at = services.now().toISOString();
  const moved = await services.requests.transition(
    request.tenantId,
    request.id,
    { version: request.version, from: ['Provisioning'] },
    { state, at },
  );
  if (moved !== undefined) await services.audit.append(systemRecord(request, event, state, at, detail));
  return moved;
}

/**
 * Before the first write, the approval must still stand: the approver still holds an admin role (or,
 * for a decision in the approvals channel, is still in the approver group). Asked of Graph afresh,
 * not from the cache, since it gates creating a Global Administrator. Undefined when it stands.
 */
async function approvalLapsed(
  services: ProvisionServices,
  request: ServiceAccountRequest,
): Promise<string | undefined> {
  const by = request.decision?.by;
  if (by === undefined || request.decision?.outcome !== 'approved')
    return 'the request has no approval on record.';
  const checks = directAccessChecks(services.directory);
  if (sameUser(by.aadObjectId, request.approver.aadObjectId)) {
    return (await checks.isAdmin(by.aadObjectId))
      ? undefined
      : `${literal(by.name)} is no longer a ${ADMIN_ROLE_NAMES}, so their approval cannot create a Global Administrator. Ask for a new request with a current admin as approver.`;
  }
  const group = services.settings.approverGroupId;
  return group !== undefined && (await checks.isMember(by.aadObjectId, group))
    ? undefined
    : `${literal(by.name)} is no longer in the approver group, so their approval no longer stands. Ask for a new request.`;
}

/**
 * Before the first write, the app to be granted must still be the one the approver saw: its service
 * principal still in the tenant (the same object) and enabled. Undefined when it is.
 */
async function appLapsed(services: ProvisionServices, grant: AppAccessSpec): Promise<string | undefined> {
  const found = await services.directory.findServicePrincipal(grant.appId);
  if (found === undefined || found.id.toLowerCase() !== grant.servicePrincipalId.toLowerCase())
    return `${literal(grant.displayName)} (${grant.appId}) is no longer an enterprise application of this tenant. Add CiraSync's app again (its admin consent link), then ask for a new request.`;
  if (!found.accountEnabled)
    return `${literal(grant.displayName)} has been disabled in Microsoft Entra ID since it was approved. Enable it under Enterprise applications, then press Retry.`;
  return undefined;
}

/**
 * Why nothing may be written yet, or undefined when the approval and the app still stand. A check
 * Microsoft 365 refuses for good (e.g. a permission the bot's app lacks) stops the run the same way;
 * a throttled or unreachable one is retried.
 */
async function beforeFirstWrite(
  services: ProvisionServices,
  request: ServiceAccountRequest,
  grant: AppAccessSpec | undefined,
): Promise<{ message: string; tell: string; error: string } | undefined> {
  try {
    const lapsed = await approvalLapsed(services, request);
    if (lapsed !== undefined)
      return { message: lapsed, tell: `Nothing was created: ${lapsed}`, error: 'approval lapsed' };
    const gone = grant === undefined ? undefined : await appLapsed(services, grant);
    if (gone !== undefined)
      return { message: gone, tell: `Nothing was changed: ${gone}`, error: 'app no longer usable' };
    return undefined;
  } catch (error) {
    if (!isAppError(error) || error.retryable) throw error;
    const message = `I could not check the approval and the app before making changes: ${error.userMessage}`;
    return {
      message,
      tell: `Nothing was changed. ${message}`,
      error: 'checks before the first write failed',
    };
  }
}

/** Ends the run as Failed: the request (if this run still may), the card, the requester told. */
async function fail(
  services: ProvisionServices,
  request: ServiceAccountRequest,
  data: ProvisionData,
  tellText: string,
  error: string,
): Promise<WorkOutcome> {
  const failed = await moveTo(services, request, 'Failed', 'failed', data.failure?.message);
  const shown = failed ?? request;
  await services.notifier.showProgress(shown, progressViewOf(shown, data));
  await services.notifier.tell(shown, 'requester', tellText);
  return { kind: 'failed', error, data: { ...data } };
}

export async function provisionRequest(
  services: ProvisionServices,
  key: RequestKey,
  run: WorkRun,
): Promise<WorkOutcome> {
  const request = await services.requests.get(key.tenantId, key.requestId);
  if (request === undefined) return { kind: 'cancelled' };
  const now = services.now();
  switch (request.state) {
    case 'PendingApproval':
      // The approval is being written (the job is scheduled just before it); come back shortly.
      return now.getTime() >= Date.parse(request.expiresAt)
        ? { kind: 'cancelled' }
        : { kind: 'retryAt', at: now.getTime() + 1_000, error: 'waiting for the approval to be saved' };
    case 'Provisioning':
      break;
    case 'Rejected':
    case 'Expired':
    case 'Cancelled':
      return { kind: 'cancelled' };
    case 'AwaitingReplication':
      // A run that stopped between "created" and scheduling the watch: schedule it now.
      await services.scheduler.replicationWatch(request, now, false);
      return { kind: 'done' };
    default:
      return { kind: 'done' };
  }

  const data = provisionData(run.saved);
  if (data.removed !== undefined) {
    // A Retry after "Remove what was created": start again from nothing.
    delete data.removed;
    delete data.progress;
  }
  delete data.failure;
  const grant = appGrant(request);
  if ((data.progress?.completed.length ?? 0) === 0) {
    const stop = await beforeFirstWrite(services, request, grant);
    if (stop !== undefined) {
      data.failure = { message: stop.message };
      return fail(services, request, data, stop.tell, stop.error);
    }
  }
  const account = createsAccount(request);
  // Made (and sealed) before the first step; every later run uses the same one. An app-only grant
  // creates no account, so it has no password.
  const password = account
    ? await services.passwords.getOrCreate(request.tenantId, request.id, services.newPassword, now)
    : '';
  data.startedAt ??= now.toISOString();
  await run.checkpoint({ ...data });

  let current: StepName | undefined;
  const steps = {
    progress: data.progress,
    onStepStarted: async (step: StepName) => {
      current = step;
      await services.notifier.showProgress(request, { ...progressViewOf(request, data), current });
    },
    onStepDone: async (progress: Pick<ProvisioningProgress, 'completed'>) => {
      // The app's steps carry no user id: keep the one the account's steps found.
      data.progress = { ...data.progress, ...progress, completed: [...progress.completed] };
      current = undefined;
      await run.checkpoint({ ...data });
    },
  };
  try {
    // The account first (when asked for), then the app's grant: each skips the steps already done.
    if (account)
      await provisionAccount(specOf(request), {
        directory: services.directory,
        exchange: services.exchange,
        patience: services.patience,
        password,
        ...steps,
      });
    if (grant !== undefined)
      await grantAppAccess(grant, { exchange: services.appAccess, ...steps, progress: data.progress });
  } catch (error) {
    if (isAppError(error) && error.retryable) throw error;
    // A bug or an unknown failure gets a few runs before it is called a failure.
    if (!isAppError(error) && run.attempts < 3) throw error;
    data.failure = {
      step: current,
      message: isAppError(error)
        ? error.userMessage
        : 'Something unexpected went wrong; the bot’s logs have the details.',
      ...(isAppError(error) && error.details.requestId !== undefined
        ? { detail: `Microsoft 365 request-id ${error.details.requestId}` }
        : {}),
    };
    return fail(
      services,
      request,
      data,
      `Setting up ${requestSubject(request)} stopped: ${data.failure.message} The progress card has Retry.`,
      data.failure.message,
    );
  }

  const created = await moveTo(
    services,
    request,
    'AwaitingReplication',
    'provisioned',
    `${(data.progress?.completed ?? []).filter((r) => r.outcome === 'created').length} changes made`,
  );
  const shown = created ?? (await services.requests.get(request.tenantId, request.id)) ?? request;
  const since = await services.scheduler.replicationWatch(request, services.now(), true);
  await services.notifier.showProgress(shown, { ...progressViewOf(shown, data), replication: { since } });
  await services.notifier.refreshApprovalCards(shown);
  return { kind: 'done', data: { ...data } };
}
