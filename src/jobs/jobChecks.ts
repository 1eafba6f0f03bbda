/**
 * What every job store checks before it writes a job: a new job's names and due time, and a job copied
 * from another store (`importJob`), so a bad value is refused with the job's name before it is stored.
 */
import { JOB_STATES, type JobRecord, type NewJob } from './jobs';

function checkNames(job: { id: string; kind: string; tenantId: string; requestId: string }): void {
  for (const [name, value] of [
    ['id', job.id],
    ['kind', job.kind],
    ['tenantId', job.tenantId],
    ['requestId', job.requestId],
  ] as const) {
    if (typeof value !== 'string' || value === '') throw new Error(`Job: ${name} must be a non-empty string`);
  }
}

export function checkNewJob(job: NewJob): void {
  checkNames(job);
  if (!Number.isFinite(job.runAt)) throw new Error(`Job "${job.id}": runAt must be a finite time`);
}

export function checkImportedJob(job: JobRecord): void {
  checkNames(job);
  if (!(JOB_STATES as readonly string[]).includes(job.state))
    throw new Error(`Job "${job.id}": "${job.state}" is not a job state`);
  for (const [name, value] of [
    ['attempts', job.attempts],
    ['nextRunAt', job.nextRunAt],
    ['createdAt', job.createdAt],
    ['updatedAt', job.updatedAt],
  ] as const) {
    if (!Number.isSafeInteger(value) || value < 0)
      throw new Error(`Job "${job.id}": ${name} must be a whole number of at least 0`);
  }
}
