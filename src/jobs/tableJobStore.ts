/**
 * Jobs in an Azure Table (`STORAGE=azure`), shared by every instance of the bot: the `JobStore`
 * contract of sqliteJobStore.ts, with the job row's ETag in place of a SQL `WHERE`. Each change reads
 * the job, decides on what it read, and writes the job and its due-index entries in one entity-group
 * transaction conditioned on that ETag (`If-Match`): when another instance changed the job in between,
 * the Table refuses it (412) and the change is decided again on the fresh row. So of two instances
 * claiming the same job exactly one gets it, and a lease holder's checkpoint never overwrites a job
 * another instance took over. Due jobs are found by a range query on the due index, never by reading
 * every job (tableJobEntities.ts has the layout).
 */
import type { TokenCredential } from '@azure/core-auth';
import { odata, TableClient, type TransactionAction } from '@azure/data-tables';
import { checkNewJob, checkRunAt } from './jobChecks';
import type { JobChange, JobCounts, JobRecord, JobRequest, JobStore, NewJob } from './jobs';
import {
  dataProperties,
  dueRange,
  DUE_PREFIX,
  FAILED_PREFIX,
  indexKeysOf,
  kindPrefix,
  liveLeaseRange,
  otherKeysOf,
  dueTimeOf,
  type JobEntity,
  jobRowKey,
  PARTITION,
  prefixRange,
  requestPrefix,
  requestRowKey,
  toJobRecord,
} from './tableJobEntities';
import { importTableJob, importTableJobs, tableJobs } from './tableJobTransfer';
import { statusOf } from '../lib/restStatus';

/** Compare-and-set attempts before a change gives up (each lost one means another writer won). */
const MAX_ATTEMPTS = 20;
/** Candidates read per claim beyond the jobs wanted, for those another instance takes first. */
const CLAIM_SLACK = 8;
/** Index reads per claim, when other instances keep taking the candidates first. */
const MAX_CLAIM_ROUNDS = 5;

/** What a change decides from the job as read: the job's next fields, or undefined to leave it. */
type Decision = (current: JobEntity) => Partial<JobEntity> | undefined;

export class TableJobStore implements JobStore {
  private ready: Promise<void> | undefined;

  constructor(private readonly table: TableClient) {}

  static fromConnectionString(connectionString: string, table: string): TableJobStore {
    const insecure =
      /(^|;)\s*DefaultEndpointsProtocol\s*=\s*http\s*(;|$)/i.test(connectionString) ||
      /UseDevelopmentStorage=true/i.test(connectionString);
    return new TableJobStore(
      TableClient.fromConnectionString(connectionString, table, { allowInsecureConnection: insecure }),
    );
  }

  static fromUrl(tableUrl: string, table: string, credential: TokenCredential): TableJobStore {
    const insecure = new URL(tableUrl).protocol === 'http:';
    return new TableJobStore(
      new TableClient(tableUrl, table, credential, { allowInsecureConnection: insecure }),
    );
  }

  describe(): string {
    return `table ${this.table.tableName}`;
  }

  async enqueue(job: NewJob, now: number): Promise<boolean> {
    checkNewJob(job);
    await this.ensureTable();
    const nextRunAt = Math.floor(job.runAt);
    const { dueKey, otherKeys } = indexKeysOf({ id: job.id, kind: job.kind, state: 'queued', nextRunAt });
    const entity = {
      partitionKey: PARTITION,
      rowKey: jobRowKey(job.id),
      id: job.id,
      kind: job.kind,
      tenantId: job.tenantId,
      requestId: job.requestId,
      state: 'queued',
      attempts: 0,
      nextRunAt,
      dueKey,
      otherKeys: JSON.stringify(otherKeys),
      createdAt: now,
      updatedAt: now,
      ...dataProperties(job.id, job.data ?? {}),
    };
    try {
      await this.table.submitTransaction([
        ['create', entity],
        ['create', { partitionKey: PARTITION, rowKey: dueKey, id: job.id }],
        ...otherKeys.map((rowKey): TransactionAction => [
          'create',
          { partitionKey: PARTITION, rowKey, id: job.id },
        ]),
        [
          'create',
          {
            partitionKey: PARTITION,
            rowKey: requestRowKey(job.tenantId, job.requestId, now, job.id),
            id: job.id,
          },
        ],
      ]);
      return true;
    } catch (error) {
      if (statusOf(error) === 409) return false;
      throw error;
    }
  }

  async get(id: string): Promise<JobRecord | undefined> {
    const entity = await this.read(id);
    return entity === undefined ? undefined : toJobRecord(entity);
  }

  async listForRequest(tenantId: string, requestId: string): Promise<JobRecord[]> {
    const ids = await this.idsIn(prefixRange(requestPrefix(tenantId, requestId)));
    const jobs = await Promise.all(ids.map((id) => this.get(id)));
    return jobs.filter((job): job is JobRecord => job !== undefined);
  }

  /**
   * Walks the due index from the earliest entry and claims each job by compare-and-set, until `limit`
   * are claimed. A job whose row cannot be read is marked failed instead of handed to a handler.
   */
  async claimDue(owner: string, now: number, leaseMs: number, limit: number): Promise<JobRecord[]> {
    if (limit <= 0) return [];
    await this.ensureTable();
    const claimed: JobRecord[] = [];
    const tried = new Set<string>();
    // Another instance may take candidates first; their index entries then move past `now`, so a
    // fresh read of the index shows the jobs still due.
    for (let round = 0; round < MAX_CLAIM_ROUNDS && claimed.length < limit; round++) {
      const fresh = (await this.idsIn(dueRange(now), limit + CLAIM_SLACK + tried.size)).filter(
        (id) => !tried.has(id),
      );
      if (fresh.length === 0) break;
      for (let i = 0; i < fresh.length && claimed.length < limit;) {
        const batch = fresh.slice(i, i + (limit - claimed.length));
        i += batch.length;
        for (const id of batch) tried.add(id);
        const results = await Promise.all(batch.map((id) => this.claimOne(id, owner, now, leaseMs)));
        for (const job of results) if (job !== undefined) claimed.push(job);
      }
    }
    return claimed;
  }

  async renew(id: string, owner: string, now: number, leaseMs: number): Promise<boolean> {
    return this.change(id, (job) =>
      held(job, owner) ? { leaseExpiresAt: now + leaseMs, updatedAt: now } : undefined,
    );
  }

  async checkpoint(id: string, owner: string, data: Record<string, unknown>, now: number): Promise<boolean> {
    const stored = dataProperties(id, data);
    return this.change(id, (job) => (held(job, owner) ? { ...stored, updatedAt: now } : undefined));
  }

  async reschedule(
    id: string,
    owner: string,
    runAt: number,
    now: number,
    change: JobChange & { resetAttempts?: boolean } = {},
  ): Promise<boolean> {
    checkRunAt(id, runAt);
    const ending = endingProperties(id, change);
    return this.change(id, (job) =>
      held(job, owner)
        ? {
            ...ending,
            nextRunAt: Math.floor(runAt),
            leaseOwner: undefined,
            leaseExpiresAt: undefined,
            ...(change.resetAttempts === true ? { attempts: 0 } : {}),
            updatedAt: now,
          }
        : undefined,
    );
  }

  async finish(
    id: string,
    owner: string,
    state: 'done' | 'failed' | 'cancelled',
    now: number,
    change: JobChange = {},
  ): Promise<boolean> {
    const ending = endingProperties(id, change);
    return this.change(id, (job) =>
      held(job, owner)
        ? { ...ending, state, leaseOwner: undefined, leaseExpiresAt: undefined, updatedAt: now }
        : undefined,
    );
  }

  async release(id: string, owner: string, now: number): Promise<boolean> {
    return this.change(id, (job) =>
      held(job, owner) ? { leaseOwner: undefined, leaseExpiresAt: undefined, updatedAt: now } : undefined,
    );
  }

  async requeue(id: string, runAt: number, now: number, data?: Record<string, unknown>): Promise<boolean> {
    checkRunAt(id, runAt);
    return this.change(id, (job) => {
      if (!['queued', 'failed', 'done'].includes(job.state) || !free(job, now)) return undefined;
      const merged = data === undefined ? {} : dataProperties(id, { ...toJobRecord(job).data, ...data });
      return {
        ...merged,
        state: 'queued',
        nextRunAt: Math.floor(runAt),
        attempts: 0,
        leaseOwner: undefined,
        leaseExpiresAt: undefined,
        updatedAt: now,
      };
    });
  }

  async cancel(id: string, now: number): Promise<boolean> {
    return this.change(id, (job) =>
      job.state === 'queued' && free(job, now)
        ? { state: 'cancelled', leaseOwner: undefined, leaseExpiresAt: undefined, updatedAt: now }
        : undefined,
    );
  }

  async nextDueAt(): Promise<number | undefined> {
    await this.ensureTable();
    const first = await this.rowKeysIn(prefixRange(DUE_PREFIX), 1);
    return first.length === 0 ? undefined : dueTimeOf(first[0]);
  }

  /** Counted from the index entries alone: due ones up to `now`, live leases, failed jobs. */
  async counts(now: number): Promise<JobCounts> {
    await this.ensureTable();
    const [due, running, failed] = await Promise.all([
      this.countIn(dueRange(now)),
      this.countIn(liveLeaseRange(now)),
      this.countIn(prefixRange(FAILED_PREFIX)),
    ]);
    return { due, running, failed };
  }

  async queuedOfKind(kind: string, limit: number): Promise<JobRequest[]> {
    await this.ensureTable();
    const ids = await this.idsIn(prefixRange(kindPrefix(kind)), limit);
    const jobs = await Promise.all(ids.map((id) => this.read(id)));
    return jobs
      .filter((job): job is JobEntity => job !== undefined && job.state === 'queued')
      .map((job) => ({ tenantId: job.tenantId, requestId: job.requestId }));
  }

  async *allJobs(): AsyncIterable<JobRecord> {
    await this.ensureTable();
    yield* tableJobs(this.table);
  }

  async importJob(record: JobRecord): Promise<boolean> {
    await this.ensureTable();
    return importTableJob(this.table, record);
  }

  async importJobs(records: readonly JobRecord[]): Promise<boolean[]> {
    await this.ensureTable();
    return importTableJobs(this.table, records);
  }

  close(): void {
    // Nothing to close: every call is its own HTTP request.
  }

  private async countIn(range: { from: string; to: string }): Promise<number> {
    let n = 0;
    const entities = this.table.listEntities({
      queryOptions: { filter: rangeFilter(range), select: ['RowKey'] },
    });
    for await (const page of entities.byPage({ maxPageSize: 1000 })) n += page.length;
    return n;
  }

  private async claimOne(
    id: string,
    owner: string,
    now: number,
    leaseMs: number,
  ): Promise<JobRecord | undefined> {
    let claimed: JobRecord | undefined;
    let damage: string | undefined;
    const won = await this.change(
      id,
      (job) => {
        if (job.state !== 'queued' || job.nextRunAt > now || !free(job, now)) return undefined;
        try {
          toJobRecord(job);
        } catch (error) {
          damage = (error as Error).message;
          return undefined;
        }
        return {
          leaseOwner: owner,
          leaseExpiresAt: now + leaseMs,
          attempts: job.attempts + 1,
          updatedAt: now,
        };
      },
      (stored) => {
        claimed = toJobRecord(stored);
      },
    );
    if (damage !== undefined) {
      const reason = damage;
      await this.change(id, (job) =>
        job.state === 'queued'
          ? {
              state: 'failed',
              leaseOwner: undefined,
              leaseExpiresAt: undefined,
              lastError: reason,
              updatedAt: now,
            }
          : undefined,
      );
    }
    return won ? claimed : undefined;
  }

  /**
   * Reads the job, lets `decide` choose its next fields, and writes them with the job's due-index entry
   * moved to match, in one transaction conditioned on the ETag read. Decided again when another writer
   * got there first. False when the job is absent or `decide` leaves it.
   */
  private async change(id: string, decide: Decision, stored?: (entity: JobEntity) => void): Promise<boolean> {
    await this.ensureTable();
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      const current = await this.read(id);
      if (current === undefined) return false;
      const changes = decide(current);
      if (changes === undefined) return false;
      const next = { ...withoutEtag(current), ...changes } as JobEntity;
      const keys = indexKeysOf(next);
      next.dueKey = keys.dueKey;
      next.otherKeys = JSON.stringify(keys.otherKeys);
      const actions: TransactionAction[] = [['update', compact(next), 'Replace', { etag: current.etag }]];
      const before = new Set([current.dueKey, ...otherKeysOf(current)].filter((k) => k !== ''));
      const after = new Set([keys.dueKey, ...keys.otherKeys].filter((k) => k !== ''));
      for (const rowKey of before)
        if (!after.has(rowKey)) actions.push(['delete', { partitionKey: PARTITION, rowKey }]);
      for (const rowKey of after)
        if (!before.has(rowKey)) actions.push(['upsert', { partitionKey: PARTITION, rowKey, id }, 'Replace']);
      try {
        await this.table.submitTransaction(actions);
        stored?.(next);
        return true;
      } catch (error) {
        const status = statusOf(error);
        // 412: the job changed since it was read. 404: its old index entry went with that change.
        if (status !== 412 && status !== 404) throw error;
      }
    }
    throw new Error(`Job "${id}": ${MAX_ATTEMPTS} compare-and-set attempts all lost to other writers`);
  }

  private async read(id: string): Promise<JobEntity | undefined> {
    await this.ensureTable();
    try {
      return await this.table.getEntity<JobEntity>(PARTITION, jobRowKey(id));
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      throw error;
    }
  }

  /** Job ids named by the index entries in a row-key range, in key order, at most `limit`. */
  private async idsIn(range: { from: string; to: string }, limit?: number): Promise<string[]> {
    const ids: string[] = [];
    const entities = this.table.listEntities<{ id?: unknown }>({
      queryOptions: { filter: rangeFilter(range), select: ['RowKey', 'id'] },
    });
    for await (const page of entities.byPage({ maxPageSize: Math.min(limit ?? 1000, 1000) })) {
      for (const entity of page) {
        if (typeof entity.id === 'string') ids.push(entity.id);
        if (limit !== undefined && ids.length >= limit) return ids;
      }
    }
    return ids;
  }

  private async rowKeysIn(range: { from: string; to: string }, limit: number): Promise<string[]> {
    const keys: string[] = [];
    const entities = this.table.listEntities({
      queryOptions: { filter: rangeFilter(range), select: ['RowKey'] },
    });
    for await (const page of entities.byPage({ maxPageSize: limit })) {
      for (const entity of page) {
        if (typeof entity.rowKey === 'string') keys.push(entity.rowKey);
        if (keys.length >= limit) return keys;
      }
    }
    return keys;
  }

  private ensureTable(): Promise<void> {
    this.ready ??= (async () => {
      try {
        await this.table.createTable();
      } catch (error) {
        // 409: it exists. 403: an identity with data access only; the infrastructure made the table.
        const status = statusOf(error);
        if (status !== 409 && status !== 403) throw error;
      }
    })();
    this.ready.catch(() => (this.ready = undefined));
    return this.ready;
  }
}

/** Only the lease holder may touch a job it claimed; `queued` because finishing clears the lease. */
function held(job: JobEntity, owner: string): boolean {
  return job.state === 'queued' && job.leaseOwner === owner;
}

/** No live lease: never leased, released, or expired without anyone claiming it since. */
function free(job: JobEntity, now: number): boolean {
  return typeof job.leaseExpiresAt !== 'number' || job.leaseExpiresAt <= now;
}

function endingProperties(id: string, change: JobChange): Partial<JobEntity> {
  return {
    ...(change.data === undefined ? {} : dataProperties(id, change.data)),
    ...(change.error === undefined ? {} : { lastError: change.error }),
  };
}

function withoutEtag(entity: JobEntity): JobEntity {
  const { etag: _etag, timestamp: _timestamp, ...rest } = entity as JobEntity & { timestamp?: string };
  return rest as JobEntity;
}

/** The row as written: properties set to undefined are left out, so Replace removes them. */
function compact(entity: JobEntity): TableRow {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(entity)) if (value !== undefined) out[key] = value;
  // Chunks beyond the data's count (data that shrank) are dropped with Replace.
  for (const key of Object.keys(out)) {
    const chunk = /^data(\d+)$/.exec(key);
    if (chunk !== null && Number(chunk[1]) >= entity.dataChunks) delete out[key];
  }
  return out as TableRow;
}

type TableRow = { partitionKey: string; rowKey: string } & Record<string, unknown>;

function rangeFilter(range: { from: string; to: string }): string {
  return odata`PartitionKey eq ${PARTITION} and RowKey ge ${range.from} and RowKey lt ${range.to}`;
}
