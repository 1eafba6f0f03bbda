/**
 * What the job runner logs about a job: its id, kind and attempts (and the outcome or error), never
 * its `data` (it may hold secrets).
 */
import type { JobRecord } from './jobs';

export interface JobRunnerLog {
  info(msg: string, fields?: object): void;
  warn(msg: string, fields?: object): void;
  error(msg: string, fields?: object): void;
}

export const silentLog: JobRunnerLog = { info: () => {}, warn: () => {}, error: () => {} };

export function fieldsOf(job: JobRecord): { jobId: string; kind: string; attempts: number } {
  return { jobId: job.id, kind: job.kind, attempts: job.attempts };
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
