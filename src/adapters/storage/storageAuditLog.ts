/**
 * The audit trail on any Bot Framework `Storage`: append-only (there is no update or delete), every
 * append a compare-and-set on the eTag with bounded retries, so concurrent appends never lose a record.
 *
 * Keys (`<prefix>` is the constructor's; the other segments follow `storageKeySegment`):
 *   <prefix>/audit/<tenant>/<yyyy-mm-dd>         { records: [...] }  the tenant's records of one UTC day
 *   <prefix>/audit/<tenant>/requests/<request>   { records: [...] }  the same records, by request
 *
 * A record is filed under the UTC day of its `at`; `recent` walks days back from today's (by `now`).
 * Only the fields of `AuditRecord` are kept, control characters become spaces and long texts are cut,
 * so nothing else a caller happens to hold (a card payload, a token) can reach the log by accident.
 */
import type { Storage } from 'botbuilder';
import { AppError } from '../../domain/errors';
import type { AuditRecord } from '../../domain/request';
import type { AuditLog } from '../../domain/requestPorts';
import {
  CasDocuments,
  type CasOptions,
  checkKeyPrefix,
  damaged,
  DEFAULT_KEY_PREFIX,
  isRecord,
  storageKeySegment,
} from '../../lib/casDocuments';

export interface StorageAuditLogOptions extends CasOptions {
  /** The clock `recent` starts from (tests inject one). */
  now?: () => Date;
  /** How many days before today `recent` looks at, at most. Default 400. */
  maxDaysBack?: number;
}

/** Longest text kept per field; longer is cut with "…". Ids longer than `id` are refused, not cut. */
export const AUDIT_LIMITS = { id: 128, event: 64, name: 256, outcome: 200, detail: 500 } as const;

const DAY_MS = 86_400_000;
/** Days read per storage call while `recent` walks back: 7 first, then twice as many, up to 64. */
const FIRST_READ_DAYS = 7;
const MAX_READ_DAYS = 64;
/** Most records one `recent` call returns. */
const MAX_RECENT = 1000;
// eslint-disable-next-line no-control-regex
const CONTROLS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;
// eslint-disable-next-line no-control-regex
const HAS_CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

interface RecordsDocument {
  records: AuditRecord[];
}

function isAuditRecord(value: unknown): value is AuditRecord {
  return (
    isRecord(value) &&
    ['requestId', 'tenantId', 'event', 'at', 'outcome'].every((name) => typeof value[name] === 'string') &&
    (value.detail === undefined || typeof value.detail === 'string') &&
    isRecord(value.actor) &&
    typeof value.actor.aadObjectId === 'string' &&
    typeof value.actor.name === 'string'
  );
}

const parseRecords = (raw: unknown): RecordsDocument | undefined =>
  isRecord(raw) && Array.isArray(raw.records) && raw.records.every(isAuditRecord)
    ? { records: raw.records }
    : undefined;

function text(value: unknown, max: number): string {
  const clean = String(value).replace(CONTROLS, ' ');
  return clean.length <= max ? clean : `${clean.slice(0, max - 1)}…`;
}

function id(value: unknown, field: string): string {
  if (
    typeof value !== 'string' ||
    value === '' ||
    value.length > AUDIT_LIMITS.id ||
    HAS_CONTROL.test(value)
  ) {
    throw new AppError('BadRequest', 'The audit record is incomplete.', {
      message: `Audit: "${field}" must be a non-empty id of at most ${AUDIT_LIMITS.id} characters`,
    });
  }
  return value;
}

/** Exactly the fields of an `AuditRecord`, checked and capped; `at` becomes an ISO instant. */
export function auditRecordOf(record: AuditRecord): AuditRecord {
  const input: unknown = record;
  if (!isRecord(input) || !isRecord(input.actor)) {
    throw new AppError('BadRequest', 'The audit record is incomplete.', {
      message: 'Audit: record or actor missing',
    });
  }
  const at = typeof input.at === 'string' ? new Date(input.at) : new Date(Number.NaN);
  if (Number.isNaN(at.getTime()) || at.getUTCFullYear() < 1970 || at.getUTCFullYear() > 9999) {
    throw new AppError('BadRequest', 'The audit record is incomplete.', {
      message: 'Audit: "at" is not a time',
    });
  }
  const clean: AuditRecord = {
    requestId: id(input.requestId, 'requestId'),
    tenantId: id(input.tenantId, 'tenantId'),
    event: text(input.event ?? '', AUDIT_LIMITS.event),
    actor: {
      aadObjectId: id(input.actor.aadObjectId, 'actor.aadObjectId'),
      name: text(input.actor.name ?? '', AUDIT_LIMITS.name),
    },
    at: at.toISOString(),
    outcome: text(input.outcome ?? '', AUDIT_LIMITS.outcome),
  };
  if (input.detail !== undefined && input.detail !== null)
    clean.detail = text(input.detail, AUDIT_LIMITS.detail);
  return clean;
}

const newestFirst = (a: AuditRecord, b: AuditRecord): number => b.at.localeCompare(a.at);

export class StorageAuditLog implements AuditLog {
  private readonly docs: CasDocuments;
  private readonly prefix: string;
  private readonly now: () => Date;
  private readonly maxDaysBack: number;

  constructor(storage: Storage, keyPrefix = DEFAULT_KEY_PREFIX, options: StorageAuditLogOptions = {}) {
    this.docs = new CasDocuments(storage, options);
    this.prefix = checkKeyPrefix(keyPrefix);
    this.now = options.now ?? (() => new Date());
    this.maxDaysBack = Math.max(0, Math.floor(options.maxDaysBack ?? 400));
  }

  async append(record: AuditRecord): Promise<void> {
    const clean = auditRecordOf(record);
    const add = (doc: RecordsDocument): RecordsDocument => ({ records: [...doc.records, clean] });
    await this.docs.update(
      this.dayKey(clean.tenantId, clean.at.slice(0, 10)),
      parseRecords,
      { records: [] },
      add,
    );
    await this.docs.update(
      this.requestKey(clean.tenantId, clean.requestId),
      parseRecords,
      { records: [] },
      add,
    );
  }

  async recent(tenantId: string, limit: number): Promise<AuditRecord[]> {
    const wanted = Number.isFinite(limit) ? Math.min(MAX_RECENT, Math.max(0, Math.floor(limit))) : 0;
    const today = Date.parse(this.now().toISOString().slice(0, 10));
    const found: AuditRecord[] = [];
    const more = (batch: number): number => Math.min(batch * 2, MAX_READ_DAYS);
    for (
      let offset = 0, batch = FIRST_READ_DAYS;
      offset <= this.maxDaysBack && found.length < wanted;
      offset += batch, batch = more(batch)
    ) {
      const days: string[] = [];
      for (let d = offset; d < offset + batch && d <= this.maxDaysBack; d++) {
        days.push(new Date(today - d * DAY_MS).toISOString().slice(0, 10));
      }
      const keys = days.map((day) => this.dayKey(tenantId, day));
      const items = await this.docs.readMany(keys);
      for (const key of keys) found.push(...this.recordsIn(key, items[key], tenantId).sort(newestFirst));
    }
    return found.slice(0, wanted);
  }

  /** The request's records, oldest first: its story. */
  async forRequest(tenantId: string, requestId: string): Promise<AuditRecord[]> {
    const doc = await this.docs.read(this.requestKey(tenantId, requestId), parseRecords);
    const records = doc?.value.records ?? [];
    return records
      .filter((record) => record.tenantId === tenantId && record.requestId === requestId)
      .sort((a, b) => a.at.localeCompare(b.at));
  }

  private recordsIn(key: string, raw: unknown, tenantId: string): AuditRecord[] {
    if (raw === undefined) return [];
    const doc = isRecord(raw) ? parseRecords(raw) : undefined;
    if (doc === undefined) throw damaged(key);
    return doc.records.filter((record) => record.tenantId === tenantId);
  }

  private dayKey(tenantId: string, day: string): string {
    return `${this.prefix}/audit/${storageKeySegment(tenantId)}/${day}`;
  }

  private requestKey(tenantId: string, requestId: string): string {
    return `${this.prefix}/audit/${storageKeySegment(tenantId)}/requests/${storageKeySegment(requestId)}`;
  }
}
