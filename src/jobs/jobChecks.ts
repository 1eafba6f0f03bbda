/**
 * What every job store checks before it writes a job: a new job's names and due time, its data, and a
 * job copied from another store (`importJob`), so a bad value is refused with the job's name before it
 * is stored; and what it checks of a job it reads back (its state, its data), so a damaged one is an
 * error naming the job.
 */
import { JOB_STATES, type JobRecord, type JobState, type NewJob } from './jobs';

export function checkRunAt(id: string, runAt: number): void {
  if (!Number.isFinite(runAt)) throw new Error(`Job "${id}": runAt must be a finite time`);
}

/** A JSON object: not null, not a list. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The data's JSON, to be stored; the data must be an object. */
export function dataToJson(id: string, data: Record<string, unknown>): string {
  if (!isPlainObject(data)) throw new Error(`Job "${id}": data must be an object`);
  return JSON.stringify(data);
}

/** Stored data read back: a JSON object, or an error naming the job. */
export function parseStoredData(id: string, text: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error(`Job "${id}": stored data is damaged (not valid JSON)`);
  }
  if (!isPlainObject(parsed)) throw new Error(`Job "${id}": stored data is damaged (not a JSON object)`);
  return parsed;
}

/** A stored state read back: a job state, or an error naming the job. */
export function storedState(id: string, state: string): JobState {
  if (!(JOB_STATES as readonly string[]).includes(state))
    throw new Error(`Job "${id}": stored state "${state}" is not a job state`);
  return state as JobState;
}

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
  checkRunAt(job.id, job.runAt);
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
