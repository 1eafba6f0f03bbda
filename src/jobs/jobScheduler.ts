/**
 * The use cases' `Scheduler` and `ProvisioningRecords` on the durable job store: each kind of work is
 * one job per request (ids from `jobKinds`), and the provisioning record is the provisioning job's
 * checkpoint.
 */
import { provisionData, type ProvisionData } from '../domain/progress';
import type { ServiceAccountRequest } from '../domain/request';
import type { ProvisioningRecords, Scheduler } from '../domain/workPorts';
import { JOB_KINDS, type JobKind, jobId } from './jobKinds';
import { type JobStore, type NewJob, scheduleJob } from './jobs';

type RequestKey = Pick<ServiceAccountRequest, 'tenantId' | 'id'>;

export interface JobSchedulerOptions {
  jobs: JobStore;
  /** The approver is reminded this long before a request expires; 0 for no reminder. */
  reminderMs: number;
  /** Wakes the job runner. */
  wake: () => void;
}

function job(kind: JobKind, request: RequestKey, runAt: number, data?: Record<string, unknown>): NewJob {
  return {
    id: jobId(kind, request.tenantId, request.id),
    kind,
    tenantId: request.tenantId,
    requestId: request.id,
    runAt,
    ...(data === undefined ? {} : { data }),
  };
}

export class JobScheduler implements Scheduler, ProvisioningRecords {
  constructor(private readonly options: JobSchedulerOptions) {}

  async approvalWork(request: RequestKey & { expiresAt: string }, now: Date): Promise<void> {
    const { jobs, reminderMs } = this.options;
    const at = now.getTime();
    const expiresAt = Date.parse(request.expiresAt);
    await jobs.enqueue(job(JOB_KINDS.deliverApproval, request, at), at);
    if (reminderMs > 0 && expiresAt - reminderMs > at)
      await jobs.enqueue(job(JOB_KINDS.remindApprover, request, expiresAt - reminderMs), at);
    await jobs.enqueue(job(JOB_KINDS.expireRequest, request, expiresAt), at);
  }

  async deliverAgain(request: RequestKey, now: Date): Promise<void> {
    await scheduleJob(
      this.options.jobs,
      job(JOB_KINDS.deliverApproval, request, now.getTime()),
      now.getTime(),
    );
  }

  async provisioning(request: RequestKey, now: Date): Promise<void> {
    await this.options.jobs.enqueue(job(JOB_KINDS.provision, request, now.getTime()), now.getTime());
  }

  async resumeProvisioning(request: RequestKey, now: Date): Promise<void> {
    const at = now.getTime();
    await this.options.jobs.requeue(jobId(JOB_KINDS.provision, request.tenantId, request.id), at, at);
  }

  async replicationWatch(request: RequestKey, at: Date, restart: boolean): Promise<string> {
    const since = at.toISOString();
    // `watch: null` drops what an earlier watch had seen.
    const watch = job(JOB_KINDS.replication, request, at.getTime(), { since, watch: null });
    if (restart) await scheduleJob(this.options.jobs, watch, at.getTime());
    else await this.options.jobs.enqueue(watch, at.getTime());
    return since;
  }

  async passwordPurge(request: RequestKey, at: Date, now: Date): Promise<void> {
    await scheduleJob(this.options.jobs, job(JOB_KINDS.passwordPurge, request, at.getTime()), now.getTime());
  }

  async globalAdminLimit(request: RequestKey, at: Date, readyAt: Date): Promise<void> {
    await this.options.jobs.enqueue(
      job(JOB_KINDS.globalAdminLimit, request, at.getTime(), { readyAt: readyAt.toISOString() }),
      readyAt.getTime(),
    );
  }

  async healthWatch(request: RequestKey, at: Date, readyAt: Date): Promise<void> {
    await this.options.jobs.enqueue(
      job(JOB_KINDS.healthWatch, request, at.getTime(), { readyAt: readyAt.toISOString() }),
      readyAt.getTime(),
    );
  }

  wake(): void {
    this.options.wake();
  }

  async get(request: RequestKey): Promise<ProvisionData> {
    const record = await this.options.jobs.get(jobId(JOB_KINDS.provision, request.tenantId, request.id));
    return provisionData(record?.data ?? {});
  }
}
