/**
 * What the job runner logs about a job: its id, kind and attempts (and the outcome or error), never
 * its `data` (it may hold secrets).
 */
import type { JobRecord } from './jobs';

export interface JobRunnerLog {
  /** Claims and finished runs (`LOG_LEVEL=debug`); asked `enabled('debug')` first when it has that. */
  debug?(msg: string, fields?: object): void;
  enabled?(level: 'debug'): boolean;
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

/** A debug line, its fields gathered only when the log writes debug lines. */
export function debugLine(log: JobRunnerLog, msg: string, fields: () => object): void {
  if (log.debug === undefined || log.enabled?.('debug') === false) return;
  log.debug(msg, fields());
}
