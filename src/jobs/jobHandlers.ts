/**
 * Which use case runs each kind of job. A handler only turns the job into the use case's input (the
 * request it is about, how often it ran, what it saved) and the outcome back. A late press is the one
 * kind that is not a use case: it is a card press done again, by the Teams side.
 */
import type { LatePress, WorkRun } from '../domain/workPorts';
import { deliverApproval } from '../useCases/deliverApproval';
import { expireRequest } from '../useCases/expireRequest';
import { checkHealth } from '../useCases/checkHealth';
import { limitGlobalAdministrator } from '../useCases/limitGlobalAdministrator';
import { provisionRequest } from '../useCases/provisionRequest';
import { purgePassword } from '../useCases/purgePassword';
import { remindApprover } from '../useCases/remindApprover';
import type { Services } from '../useCases/services';
import { watchReplication } from '../useCases/watchReplication';
import { JOB_KINDS, type JobKind } from './jobKinds';
import { latePressHandler } from './latePresses';
import type { JobContext, JobHandler, JobRecord } from './jobs';

function runOf(job: JobRecord, ctx: JobContext): WorkRun {
  return {
    attempts: job.attempts,
    scheduledAt: job.createdAt,
    saved: job.data,
    checkpoint: (data) => ctx.checkpoint(data),
  };
}

function keyOf(job: JobRecord) {
  return { tenantId: job.tenantId, requestId: job.requestId };
}

/** What the jobs hand back to Teams: a late press whose process stopped is done again there. */
export interface TeamsWork {
  finishLatePress(press: LatePress): Promise<void>;
}

export function jobHandlers(services: Services, teams: TeamsWork): Record<JobKind, JobHandler> {
  return {
    [JOB_KINDS.deliverApproval]: (job, ctx) => deliverApproval(services, keyOf(job), runOf(job, ctx)),
    [JOB_KINDS.remindApprover]: (job, ctx) => remindApprover(services, keyOf(job), runOf(job, ctx)),
    [JOB_KINDS.expireRequest]: (job, ctx) => expireRequest(services, keyOf(job), runOf(job, ctx)),
    [JOB_KINDS.provision]: (job, ctx) => provisionRequest(services, keyOf(job), runOf(job, ctx)),
    [JOB_KINDS.replication]: (job, ctx) => watchReplication(services, keyOf(job), runOf(job, ctx)),
    [JOB_KINDS.passwordPurge]: (job) => purgePassword(services, keyOf(job)),
    [JOB_KINDS.globalAdminLimit]: (job, ctx) =>
      limitGlobalAdministrator(services, keyOf(job), runOf(job, ctx)),
    [JOB_KINDS.healthWatch]: (job, ctx) => checkHealth(services, keyOf(job), runOf(job, ctx)),
    [JOB_KINDS.latePress]: latePressHandler((press) => teams.finishLatePress(press)),
  };
}
