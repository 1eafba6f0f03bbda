/**
 * How jobs sit in an Azure Table (tableJobStore.ts): one partition, three kinds of row.
 *
 * - `j|<id>`: the job itself (the truth): state, attempts, due time, lease, data, error, and `dueKey`,
 *   the row key of its entry in the due index while it is queued.
 * - `d|<due time, 15 digits>|<id>`: the due index. A queued job has exactly one entry, at the moment it
 *   can next be claimed (its due time, or when its lease ends). A range query on this prefix returns the
 *   due jobs earliest first without reading any other job.
 * - `r|<tenant>|<request>|<created, 15 digits>|<id>`: the jobs of one request, written once.
 * - For the metrics, each counted by reading only its own entries: `l|<lease end>|<id>` while a job is
 *   leased, `f|<id>` while it stands failed, `k|<kind>|<due time>|<id>` while it is queued.
 *
 * The job row and its index entries change in one entity-group transaction, which is atomic within a
 * partition, so the index never disagrees with the jobs. Source: Azure Table service REST "Performing
 * entity group transactions", "Understanding the Table service data model" (key characters, sizes).
 */
import { dataToJson, parseStoredData, storedState } from './jobChecks';
import type { JobRecord } from './jobs';

export const PARTITION = 'jobs';
const JOB = 'j|';
const DUE = 'd|';
const BY_REQUEST = 'r|';
/** Epoch ms as 15 digits sort as numbers until the year 33658. */
const TIME_DIGITS = 15;
/** A string property holds at most 64 KiB (32K UTF-16 characters); longer data spans several. */
const CHUNK_CHARS = 30_000;
/** An entity holds at most 1 MiB: with the other properties, 30 chunks stay below it. */
const MAX_CHUNKS = 30;

/** The job row as the Table stores it. */
export interface JobEntity {
  partitionKey: string;
  rowKey: string;
  etag?: string;
  id: string;
  kind: string;
  tenantId: string;
  requestId: string;
  state: string;
  attempts: number;
  nextRunAt: number;
  leaseOwner?: string;
  leaseExpiresAt?: number;
  /** Row key of the job's due-index entry; empty when it is not queued. */
  dueKey: string;
  /** JSON array of the row keys of its other index entries (lease, failed, kind); absent = none. */
  otherKeys?: string;
  lastError?: string;
  createdAt: number;
  updatedAt: number;
  /** How many `data<n>` properties hold the data's JSON. */
  dataChunks: number;
  [chunk: `data${number}`]: string;
}

/** Key characters the Table service refuses (`/ \ # ?` and control characters), and our separators. */
export function keyPart(value: string): string {
  return value.replace(
    // eslint-disable-next-line no-control-regex
    /[%|/\\#?\u0000-\u001f\u007f-\u009f]/g,
    (c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`,
  );
}

function time(ms: number): string {
  return String(Math.max(0, Math.floor(ms))).padStart(TIME_DIGITS, '0');
}

export function jobRowKey(id: string): string {
  return `${JOB}${keyPart(id)}`;
}

export function dueRowKey(at: number, id: string): string {
  return `${DUE}${time(at)}|${keyPart(id)}`;
}

export function requestRowKey(tenantId: string, requestId: string, createdAt: number, id: string): string {
  return `${requestPrefix(tenantId, requestId)}${time(createdAt)}|${keyPart(id)}`;
}

export function requestPrefix(tenantId: string, requestId: string): string {
  return `${BY_REQUEST}${keyPart(tenantId)}|${keyPart(requestId)}|`;
}

/** Row keys from `prefix` up to (not including) the next prefix. */
export function prefixRange(prefix: string): { from: string; to: string } {
  return {
    from: prefix,
    to: prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1),
  };
}

/** Due-index keys of jobs that can be claimed at `now` or earlier. */
export function dueRange(now: number): { from: string; to: string } {
  return { from: DUE, to: `${DUE}${time(now + 1)}` };
}

export const DUE_PREFIX = DUE;
export const LEASE_PREFIX = 'l|';
export const FAILED_PREFIX = 'f|';

export function kindPrefix(kind: string): string {
  return `k|${keyPart(kind)}|`;
}

/** The index entries a job has in its state: the due entry, and the others (lease, failed, kind). */
export function indexKeysOf(job: Pick<JobEntity, 'id' | 'kind' | 'state' | 'nextRunAt' | 'leaseExpiresAt'>): {
  dueKey: string;
  otherKeys: string[];
} {
  if (job.state === 'failed') return { dueKey: '', otherKeys: [`${FAILED_PREFIX}${keyPart(job.id)}`] };
  if (job.state !== 'queued') return { dueKey: '', otherKeys: [] };
  const otherKeys = [`${kindPrefix(job.kind)}${time(job.nextRunAt)}|${keyPart(job.id)}`];
  if (typeof job.leaseExpiresAt === 'number')
    otherKeys.push(`${LEASE_PREFIX}${time(job.leaseExpiresAt)}|${keyPart(job.id)}`);
  return { dueKey: dueRowKey(claimableAt(job.nextRunAt, job.leaseExpiresAt), job.id), otherKeys };
}

/** The other index keys a stored job row lists. */
export function otherKeysOf(entity: Pick<JobEntity, 'otherKeys'>): string[] {
  if (typeof entity.otherKeys !== 'string' || entity.otherKeys === '') return [];
  try {
    const keys: unknown = JSON.parse(entity.otherKeys);
    return Array.isArray(keys) ? keys.filter((k): k is string => typeof k === 'string') : [];
  } catch {
    return [];
  }
}

/** Lease-index keys of leases still live at `now`: from the first one ending after it. */
export function liveLeaseRange(now: number): { from: string; to: string } {
  return { from: `${LEASE_PREFIX}${time(now + 1)}`, to: `${LEASE_PREFIX.slice(0, -1)}}` };
}
export const JOB_PREFIX = JOB;

/** The moment a due-index key names. */
export function dueTimeOf(rowKey: string): number {
  return Number(rowKey.slice(DUE.length, DUE.length + TIME_DIGITS));
}

/** The job id a due-index or request-index entry points at. */
export function indexedJobId(entity: { id?: unknown }): string | undefined {
  return typeof entity.id === 'string' ? entity.id : undefined;
}

/** When a queued job can next be claimed: its due time, or when its lease ends if that is later. */
export function claimableAt(nextRunAt: number, leaseExpiresAt: number | undefined): number {
  return leaseExpiresAt === undefined ? nextRunAt : Math.max(nextRunAt, leaseExpiresAt);
}

export function dataProperties(id: string, data: Record<string, unknown>): Record<string, string | number> {
  const json = dataToJson(id, data);
  const chunks = Math.max(1, Math.ceil(json.length / CHUNK_CHARS));
  if (chunks > MAX_CHUNKS) throw new Error(`Job "${id}": data is larger than a table row can hold`);
  const out: Record<string, string | number> = { dataChunks: chunks };
  for (let i = 0; i < chunks; i++) out[`data${i}`] = json.slice(i * CHUNK_CHARS, (i + 1) * CHUNK_CHARS);
  return out;
}

/** The JSON of the data, joined from its chunks. */
export function dataJson(entity: JobEntity): string {
  let json = '';
  for (let i = 0; i < entity.dataChunks; i++) json += entity[`data${i}`] ?? '';
  return json;
}

export function toJobRecord(entity: JobEntity): JobRecord {
  const record: JobRecord = {
    id: entity.id,
    kind: entity.kind,
    tenantId: entity.tenantId,
    requestId: entity.requestId,
    state: storedState(entity.id, entity.state),
    attempts: entity.attempts,
    nextRunAt: entity.nextRunAt,
    data: parseStoredData(entity.id, dataJson(entity)),
    createdAt: entity.createdAt,
    updatedAt: entity.updatedAt,
  };
  if (
    typeof entity.leaseOwner === 'string' &&
    entity.leaseOwner !== '' &&
    typeof entity.leaseExpiresAt === 'number'
  )
    record.lease = { owner: entity.leaseOwner, expiresAt: entity.leaseExpiresAt };
  if (typeof entity.lastError === 'string' && entity.lastError !== '') record.lastError = entity.lastError;
  return record;
}
