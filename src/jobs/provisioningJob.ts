/**
 * The provisioning job an approval starts: runs the engine's plan step by step, saving progress
 * after each, and keeps one progress card in the requester's chat up to date. The password is made
 * once, before the first step, and kept only sealed in the password vault. A failure a retry cannot fix
 * turns the request `Failed` with the reason in plain words; Retry resumes from the failed step.
 */
import { progressCard, type ProgressView } from '../../cards/progressCard';
import type { RequestMessages } from '../adapters/teams/requestMessages';
import type { PasswordVault } from '../adapters/secrets/passwordVault';
import { ADMIN_ROLE_NAMES, directAccessChecks, sameUser } from '../domain/authorization';
import { isAppError } from '../domain/errors';
import { generatePassword } from '../domain/password';
import type { Patience } from '../domain/patience';
import type { Directory, Exchange } from '../domain/ports';
import { type ProvisioningProgress, provisionAccount } from '../domain/provisionAccount';
import type { ServiceAccountSpec, StepName, StepResult } from '../domain/provisioningSteps';
import { type AuditEvent, type ServiceAccountRequest, systemRecord } from '../domain/request';
import type { AuditLog, RequestStore } from '../domain/requestPorts';
import { type JobContext, type JobRecord, type JobStore, scheduleJob } from './jobs';
import type { JobHandler, JobOutcome } from './jobRunner';

export const PROVISION_JOB = 'provision';
export const REPLICATION_JOB = 'replication';

export function provisionJobId(tenantId: string, requestId: string): string {
  return `${PROVISION_JOB}:${tenantId}:${requestId}`;
}

export function replicationJobId(tenantId: string, requestId: string): string {
  return `${REPLICATION_JOB}:${tenantId}:${requestId}`;
}

/** What the provisioning job keeps between runs (never the password: that is in the vault). */
export interface ProvisionData {
  progress?: ProvisioningProgress;
  startedAt?: string;
  failure?: { step?: StepName; message: string; detail?: string };
  /** Set when "Remove what was created" ran; a later Retry starts from the beginning. */
  removed?: string;
}

function isStepResult(value: unknown): value is StepResult {
  const v = value as Partial<StepResult> | undefined;
  return typeof v?.step === 'string' && typeof v.outcome === 'string' && typeof v.detail === 'string';
}

/** The job's data, narrowed: whatever is malformed is dropped rather than trusted. */
export function provisionData(raw: Record<string, unknown>): ProvisionData {
  const data: ProvisionData = {};
  const progress = raw.progress as Partial<ProvisioningProgress> | undefined;
  if (progress !== undefined && progress !== null && Array.isArray(progress.completed)) {
    data.progress = {
      ...(typeof progress.userId === 'string' ? { userId: progress.userId } : {}),
      completed: progress.completed.filter(isStepResult),
    };
  }
  for (const key of ['startedAt', 'removed'] as const) {
    if (typeof raw[key] === 'string') data[key] = raw[key];
  }
  const failure = raw.failure as ProvisionData['failure'] | undefined;
  if (failure !== undefined && failure !== null && typeof failure.message === 'string')
    data.failure = failure;
  return data;
}

export function specOf(request: ServiceAccountRequest): ServiceAccountSpec {
  return {
    requestId: request.id,
    displayName: request.details.displayName,
    username: request.details.username,
    domain: request.details.domain,
    usageLocation: request.details.usageLocation,
    contact: request.details.contact,
    ...(request.details.publicFolders === undefined
      ? {}
      : { publicFolders: { skuId: request.details.publicFolders.skuId } }),
  };
}

export interface ProvisioningJobDeps {
  /** Members of this group may approve in the approvals channel; their approvals are re-checked against it. */
  approverGroupId?: string;
  /** Makes the account's password; `generatePassword` unless a test supplies a canary. */
  newPassword?: () => string;
  requests: RequestStore;
  audit: AuditLog;
  jobs: JobStore;
  directory: Directory;
  exchange: Exchange;
  patience: Patience;
  passwords: PasswordVault;
  messages: RequestMessages;
  now: () => Date;
}

/** The progress card for a request as its job data describes it. */
export function progressViewOf(request: ServiceAccountRequest, data: ProvisionData): ProgressView {
  return {
    request,
    completed: data.progress?.completed ?? [],
    startedAt: data.startedAt,
    failure: request.state === 'Failed' ? data.failure : undefined,
    createdSomething: data.removed === undefined && (data.progress?.completed.length ?? 0) > 0,
    removed: data.removed,
  };
}

async function moveTo(
  deps: ProvisioningJobDeps,
  request: ServiceAccountRequest,
  state: 'AwaitingReplication' | 'Failed',
  event: AuditEvent,
  detail?: string,
): Promise<ServiceAccountRequest | undefined> {
  const at = deps.now().toISOString();
  const moved = await deps.requests.transition(
    request.tenantId,
    request.id,
    { version: request.version, from: ['Provisioning'] },
    { state, at },
  );
  if (moved !== undefined) {
    await deps.audit.append(systemRecord(request, event, state, at, detail));
  }
  return moved;
}

/**
 * Schedules the replication watch. `restart` starts an existing (finished) watch over, as after a
 * Retry; otherwise an existing watch is left as it is. Returns when the watch counts from.
 */
async function startReplicationWatch(
  deps: ProvisioningJobDeps,
  request: ServiceAccountRequest,
  at: number,
  restart: boolean,
): Promise<string> {
  const watchId = replicationJobId(request.tenantId, request.id);
  const since = new Date(at).toISOString();
  const job = {
    id: watchId,
    kind: REPLICATION_JOB,
    tenantId: request.tenantId,
    requestId: request.id,
    runAt: at,
    // `watch: null` drops what an earlier watch had seen.
    data: { since, watch: null },
  };
  if (restart) await scheduleJob(deps.jobs, job, at);
  else await deps.jobs.enqueue(job, at);
  return since;
}

/**
 * Before the first write, the approval must still stand: the approver still holds an admin role (or,
 * for a decision in the approvals channel, is still in the approver group). Asked of Graph afresh,
 * not from the cache, since it gates creating a Global Administrator. Undefined when it stands.
 */
async function approvalLapsed(
  deps: ProvisioningJobDeps,
  request: ServiceAccountRequest,
): Promise<string | undefined> {
  const by = request.decision?.by;
  if (by === undefined || request.decision?.outcome !== 'approved')
    return 'the request has no approval on record.';
  const checks = directAccessChecks(deps.directory);
  const namedApprover = sameUser(by.aadObjectId, request.approver.aadObjectId);
  if (namedApprover) {
    return (await checks.isAdmin(by.aadObjectId))
      ? undefined
      : `${by.name} is no longer a ${ADMIN_ROLE_NAMES}, so their approval cannot create a Global Administrator. Ask for a new request with a current admin as approver.`;
  }
  const group = deps.approverGroupId;
  return group !== undefined && (await checks.isMember(by.aadObjectId, group))
    ? undefined
    : `${by.name} is no longer in the approver group, so their approval no longer stands. Ask for a new request.`;
}

export function provisioningJobHandler(deps: ProvisioningJobDeps): JobHandler {
  return async (job: JobRecord, ctx: JobContext): Promise<JobOutcome> => {
    const request = await deps.requests.get(job.tenantId, job.requestId);
    if (request === undefined) return { kind: 'cancelled' };
    const now = deps.now();
    switch (request.state) {
      case 'PendingApproval':
        // The approval is being written (the job is enqueued just before it); come back shortly.
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
        await startReplicationWatch(deps, request, now.getTime(), false);
        return { kind: 'done' };
      default:
        return { kind: 'done' };
    }

    const data = provisionData(job.data);
    if (data.removed !== undefined) {
      // A Retry after "Remove what was created": start again from nothing.
      delete data.removed;
      delete data.progress;
    }
    delete data.failure;
    if ((data.progress?.completed.length ?? 0) === 0) {
      const lapsed = await approvalLapsed(deps, request);
      if (lapsed !== undefined) {
        data.failure = { message: lapsed };
        const failed = await moveTo(deps, request, 'Failed', 'failed', lapsed);
        const shown = failed ?? request;
        await deps.messages.showProgress(shown, progressCard(progressViewOf(shown, data)));
        await deps.messages.tell(shown, 'requester', `Nothing was created: ${lapsed}`);
        return { kind: 'failed', error: 'approval lapsed', data: { ...data } };
      }
    }
    // Made (and sealed) before the first step; every later run uses the same one.
    const password = await deps.passwords.getOrCreate(
      request.tenantId,
      request.id,
      deps.newPassword ?? generatePassword,
      now,
    );
    data.startedAt ??= now.toISOString();
    await ctx.checkpoint({ ...data });

    let current: StepName | undefined;
    const showProgress = async (): Promise<void> => {
      await deps.messages.showProgress(request, progressCard({ ...progressViewOf(request, data), current }));
    };
    try {
      await provisionAccount(specOf(request), {
        directory: deps.directory,
        exchange: deps.exchange,
        patience: deps.patience,
        password,
        progress: data.progress,
        onStepStarted: async (step) => {
          current = step;
          await showProgress();
        },
        onStepDone: async (progress) => {
          data.progress = { ...progress, completed: [...progress.completed] };
          current = undefined;
          await ctx.checkpoint({ ...data });
        },
      });
    } catch (error) {
      if (isAppError(error) && error.retryable) throw error;
      const unexpected = !isAppError(error);
      // A bug or an unknown failure gets a few runs before it is called a failure.
      if (unexpected && job.attempts < 3) throw error;
      data.failure = {
        step: current,
        message: isAppError(error)
          ? error.userMessage
          : 'Something unexpected went wrong; the bot’s logs have the details.',
        ...(isAppError(error) && error.details.requestId !== undefined
          ? { detail: `Microsoft 365 request-id ${error.details.requestId}` }
          : {}),
      };
      const failed = await moveTo(deps, request, 'Failed', 'failed', data.failure.message);
      const shown = failed ?? request;
      await deps.messages.showProgress(shown, progressCard(progressViewOf(shown, data)));
      await deps.messages.tell(
        shown,
        'requester',
        `Setting up ${request.details.username}@${request.details.domain} stopped: ${data.failure.message} The progress card has Retry.`,
      );
      return { kind: 'failed', error: data.failure.message, data: { ...data } };
    }

    const created = await moveTo(
      deps,
      request,
      'AwaitingReplication',
      'provisioned',
      `${(data.progress?.completed ?? []).filter((r) => r.outcome === 'created').length} changes made`,
    );
    const shown = created ?? (await deps.requests.get(request.tenantId, request.id)) ?? request;
    const startedAt = deps.now().getTime();
    const since = await startReplicationWatch(deps, request, startedAt, true);
    await deps.messages.showProgress(
      shown,
      progressCard({
        ...progressViewOf(shown, data),
        replication: { since },
      }),
    );
    await deps.messages.updateCopies(shown);
    return { kind: 'done', data: { ...data } };
  };
}
