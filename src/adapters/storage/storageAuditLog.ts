/**
 * The audit trail on the bot's store: append-only (there is no update or delete). Each record is its
 * own document, created only where its key is free, so appends to one day never touch each other;
 * the request's document gathers the same records by compare-and-set on the eTag with bounded
 * retries, so concurrent appends never lose a record there either.
 *
 * Keys (`<prefix>` is the constructor's; the other segments follow `storageKeySegment`):
 *   <prefix>/audit/<tenant>/<yyyy-mm-dd>/<HHmmssSSS>-<hex>  { record: {...} }   one record
 *   <prefix>/audit/<tenant>/requests/<request>             { records: [...] }  the request's records
 *   <prefix>/audit/<tenant>/<yyyy-mm-dd>                   { records: [...] }  a day's records, as
 *                                                           earlier versions kept them (read, never written)
 *
 * A record is filed under the UTC day and time of its `at`, with 16 random hex digits after, so a day's
 * keys sort by time. `recent` walks days back from today's (by `now`): it lists each day's keys, reads
 * only the newest it needs, and merges them with the day's old document where there is one.
 * Only the fields of `AuditRecord` are kept, control characters become spaces and long texts are cut,
 * so nothing else a caller happens to hold (a card payload, a token) can reach the log by accident.
 */
import { randomBytes } from 'node:crypto';
import type { Storage } from 'botbuilder';
import { AppError } from '../../domain/errors';
import type { AuditRecord } from '../../domain/request';
import type { AuditLog } from '../../domain/requestPorts';
import {
  CasDocuments,
  type CasOptions,
  checkKeyPrefix,
  type CreateIfAbsent,
  damaged,
  DEFAULT_KEY_PREFIX,
  isRecord,
  type KeyListing,
  storageFailure,
  storageKeySegment,
} from '../../lib/casDocuments';

/** What the log runs on: a store that lists keys under a prefix and creates a document only once. */
export type AuditStorage = Storage & KeyListing & CreateIfAbsent;

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
/** Days whose keys are listed at once. */
const LISTINGS_AT_ONCE = 16;
/** The last segment of a record's key: the time of day of its `at`, then random hex digits. */
const RECORD_NAME = /^\d{9}-[0-9a-f]{16}$/;
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

const parseRecord = (raw: unknown): AuditRecord | undefined =>
  isRecord(raw) && isAuditRecord(raw.record) ? raw.record : undefined;

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

/** A day `recent` looks at: its old document's key, whether it exists, and its records' keys. */
interface ListedDay {
  dayKey: string;
  hasDayDocument: boolean;
  recordKeys: string[];
}

export class StorageAuditLog implements AuditLog {
  private readonly docs: CasDocuments;
  private readonly prefix: string;
  private readonly now: () => Date;
  private readonly maxDaysBack: number;

  constructor(
    private readonly storage: AuditStorage,
    keyPrefix = DEFAULT_KEY_PREFIX,
    options: StorageAuditLogOptions = {},
  ) {
    this.docs = new CasDocuments(storage, options);
    this.prefix = checkKeyPrefix(keyPrefix);
    this.now = options.now ?? (() => new Date());
    this.maxDaysBack = Math.max(0, Math.floor(options.maxDaysBack ?? 400));
  }

  async append(record: AuditRecord): Promise<void> {
    const clean = auditRecordOf(record);
    await this.createRecord(clean);
    await this.docs.update(
      this.requestKey(clean.tenantId, clean.requestId),
      parseRecords,
      { records: [] },
      (doc) => ({ records: [...doc.records, clean] }),
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
      const listed = await this.listDays(tenantId, days);
      // The newest record keys that can still be among the `wanted`: a day's old document only makes
      // fewer of them needed, so this many always suffice, and never more than `wanted` in all.
      let room = wanted - found.length;
      const chosen = listed.map((day) => {
        const keys = day.recordKeys.slice(0, room);
        room -= keys.length;
        return keys;
      });
      const toRead = [
        ...listed.filter((day) => day.hasDayDocument).map((day) => day.dayKey),
        ...chosen.flat(),
      ];
      const items = toRead.length === 0 ? {} : await this.docs.readMany(toRead);
      for (const [i, day] of listed.entries()) {
        if (found.length >= wanted) break;
        const records = [
          ...this.recordsIn(day.dayKey, items[day.dayKey], tenantId),
          ...chosen[i].flatMap((key) => this.recordAt(key, items[key], tenantId)),
        ];
        found.push(...records.sort(newestFirst).slice(0, wanted - found.length));
      }
    }
    return found;
  }

  /** The request's records, oldest first: its story. */
  async forRequest(tenantId: string, requestId: string): Promise<AuditRecord[]> {
    const doc = await this.docs.read(this.requestKey(tenantId, requestId), parseRecords);
    const records = doc?.value.records ?? [];
    return records
      .filter((record) => record.tenantId === tenantId && record.requestId === requestId)
      .sort((a, b) => a.at.localeCompare(b.at));
  }

  /** Writes the record under a key of its own; a key already taken (by chance) is drawn again. */
  private async createRecord(record: AuditRecord): Promise<void> {
    const time = record.at.slice(11, 23).replace(/[:.]/g, '');
    const dayKey = this.dayKey(record.tenantId, record.at.slice(0, 10));
    for (let attempt = 1; ; attempt++) {
      const key = `${dayKey}/${time}-${randomBytes(8).toString('hex')}`;
      let created: boolean;
      try {
        created = await this.storage.createIfAbsent(key, { record });
      } catch (error) {
        throw storageFailure(key, error);
      }
      if (created) return;
      if (attempt >= 3) {
        throw new AppError('Unexpected', 'The bot could not save its records just now; try again.', {
          message: `Storage: three fresh audit keys like "${key}" were all taken`,
        });
      }
    }
  }

  /** Each day's old document (whether there is one) and its record keys, newest first. */
  private async listDays(tenantId: string, days: string[]): Promise<ListedDay[]> {
    const listed: ListedDay[] = [];
    for (let i = 0; i < days.length; i += LISTINGS_AT_ONCE) {
      listed.push(
        ...(await Promise.all(
          days.slice(i, i + LISTINGS_AT_ONCE).map((day) => this.listDay(this.dayKey(tenantId, day))),
        )),
      );
    }
    return listed;
  }

  private async listDay(dayKey: string): Promise<ListedDay> {
    const day: ListedDay = { dayKey, hasDayDocument: false, recordKeys: [] };
    try {
      // The day's own key is a prefix of its records' keys: one listing finds them all.
      for await (const key of this.storage.listKeys(dayKey)) {
        if (key === dayKey) day.hasDayDocument = true;
        else if (key.startsWith(`${dayKey}/`) && RECORD_NAME.test(key.slice(dayKey.length + 1)))
          day.recordKeys.push(key);
      }
    } catch (error) {
      throw storageFailure(dayKey, error, 'read');
    }
    day.recordKeys.sort().reverse();
    return day;
  }

  private recordsIn(key: string, raw: unknown, tenantId: string): AuditRecord[] {
    if (raw === undefined) return [];
    const doc = isRecord(raw) ? parseRecords(raw) : undefined;
    if (doc === undefined) throw damaged(key);
    return doc.records.filter((record) => record.tenantId === tenantId);
  }

  /** The record stored under `key` (none when it is gone since it was listed). */
  private recordAt(key: string, raw: unknown, tenantId: string): AuditRecord[] {
    if (raw === undefined) return [];
    const record = parseRecord(raw);
    if (record === undefined || record.tenantId !== tenantId) throw damaged(key);
    return [record];
  }

  private dayKey(tenantId: string, day: string): string {
    return `${this.prefix}/audit/${storageKeySegment(tenantId)}/${day}`;
  }

  private requestKey(tenantId: string, requestId: string): string {
    return `${this.prefix}/audit/${storageKeySegment(tenantId)}/requests/${storageKeySegment(requestId)}`;
  }
}
