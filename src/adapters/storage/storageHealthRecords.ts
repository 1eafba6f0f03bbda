/**
 * The health watch's records on any Bot Framework `Storage`, each changed by compare-and-set on its
 * eTag, with an index of every account the watch has seen so `health` can list them.
 *
 * Keys (`<prefix>` is the constructor's; the other segments follow `storageKeySegment`):
 *   <prefix>/health/<tenant>/<request>   { record }      one account's last check
 *   <prefix>/health-index/<tenant>       { ids: [...] }  the request ids, in the order first recorded
 */
import type { Storage } from 'botbuilder';
import type { HealthRecord, HealthRecords } from '../../domain/workPorts';
import {
  CasDocuments,
  type CasOptions,
  checkKeyPrefix,
  DEFAULT_KEY_PREFIX,
  isRecord,
  isStringArray,
  storageKeySegment,
} from '../../lib/casDocuments';

interface RecordDocument {
  record?: HealthRecord;
}

function isHealthRecord(value: unknown): value is HealthRecord {
  return (
    isRecord(value) &&
    typeof value.tenantId === 'string' &&
    typeof value.requestId === 'string' &&
    typeof value.subject === 'string' &&
    typeof value.version === 'number' &&
    Array.isArray(value.problems) &&
    value.problems.every(
      (problem) =>
        isRecord(problem) &&
        typeof problem.code === 'string' &&
        typeof problem.title === 'string' &&
        typeof problem.since === 'string',
    )
  );
}

const parseRecord = (raw: unknown): RecordDocument | undefined =>
  isRecord(raw) ? (isHealthRecord(raw.record) ? { record: raw.record } : {}) : undefined;
const parseIndex = (raw: unknown): { ids: string[] } | undefined =>
  isRecord(raw) && isStringArray(raw.ids) ? { ids: raw.ids } : undefined;

export class StorageHealthRecords implements HealthRecords {
  private readonly docs: CasDocuments;
  private readonly prefix: string;

  constructor(storage: Storage, keyPrefix = DEFAULT_KEY_PREFIX, options: CasOptions = {}) {
    this.docs = new CasDocuments(storage, options);
    this.prefix = checkKeyPrefix(keyPrefix);
  }

  async get(tenantId: string, requestId: string): Promise<HealthRecord | undefined> {
    const doc = await this.docs.read(this.recordKey(tenantId, requestId), parseRecord);
    const record = doc?.value.record;
    return record?.tenantId === tenantId && record.requestId === requestId ? record : undefined;
  }

  async update(
    tenantId: string,
    requestId: string,
    change: (current: HealthRecord | undefined) => Omit<HealthRecord, 'version'> | undefined,
  ): Promise<HealthRecord | undefined> {
    let written: HealthRecord | undefined;
    await this.docs.update(this.recordKey(tenantId, requestId), parseRecord, {}, (doc) => {
      written = undefined;
      const next = change(doc.record);
      if (next === undefined) return undefined;
      written = { ...structuredClone(next), tenantId, requestId, version: (doc.record?.version ?? 0) + 1 };
      return { record: written };
    });
    if (written?.version === 1) {
      await this.docs.update(this.indexKey(tenantId), parseIndex, { ids: [] }, (index) =>
        index.ids.includes(requestId) ? undefined : { ids: [...index.ids, requestId] },
      );
    }
    return written;
  }

  async list(tenantId: string): Promise<HealthRecord[]> {
    const index = await this.docs.read(this.indexKey(tenantId), parseIndex);
    const ids = index?.value.ids ?? [];
    if (ids.length === 0) return [];
    const found: HealthRecord[] = [];
    // Read in slices, so a tenant with thousands of accounts is not one enormous storage call.
    for (let start = 0; start < ids.length; start += 100) {
      const keys = ids.slice(start, start + 100).map((id) => this.recordKey(tenantId, id));
      const items = await this.docs.readMany(keys);
      for (const key of keys) {
        const record = parseRecord(items[key])?.record;
        if (record?.tenantId === tenantId) found.push(record);
      }
    }
    return found;
  }

  private recordKey(tenantId: string, requestId: string): string {
    return `${this.prefix}/health/${storageKeySegment(tenantId)}/${storageKeySegment(requestId)}`;
  }

  private indexKey(tenantId: string): string {
    return `${this.prefix}/health-index/${storageKeySegment(tenantId)}`;
  }
}
