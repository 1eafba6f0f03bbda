/**
 * Jobs of an Azure Table read out and written in whole (tableJobStore.ts `allJobs`, `importJob`), for
 * `npm run migrate`. A copied job is written with the rows its state calls for — the job, its index
 * entries as `indexKeysOf` (tableJobEntities.ts) gives them, its request-index entry at its creation
 * time — in one entity-group transaction (with other jobs' rows when several are imported at once), so
 * a copy that stops half-way leaves no job without its index entries.
 */
import { odata, type TableClient, type TransactionAction } from '@azure/data-tables';
import { checkImportedJob } from './jobChecks';
import type { JobRecord } from './jobs';
import {
  dataProperties,
  indexKeysOf,
  type JobEntity,
  JOB_PREFIX,
  jobRowKey,
  PARTITION,
  prefixRange,
  requestRowKey,
  toJobRecord,
} from './tableJobEntities';
import { statusOf } from '../lib/restStatus';

/** Every job row, read page by page over the job rows' key range (index rows are not read). */
export async function* tableJobs(table: TableClient): AsyncIterable<JobRecord> {
  const range = prefixRange(JOB_PREFIX);
  const entities = table.listEntities<JobEntity>({
    queryOptions: {
      filter: odata`PartitionKey eq ${PARTITION} and RowKey ge ${range.from} and RowKey lt ${range.to}`,
    },
  });
  for await (const page of entities.byPage({ maxPageSize: 1000 })) {
    for (const entity of page) yield toJobRecord(entity);
  }
}

/** Writes the copied job and its index rows; false when a job with its id (or its rows) exists. */
export async function importTableJob(table: TableClient, record: JobRecord): Promise<boolean> {
  try {
    await table.submitTransaction(importActions(record));
    return true;
  } catch (error) {
    if (statusOf(error) === 409) return false;
    throw error;
  }
}

/**
 * Several copied jobs per transaction (at most 100 rows and about 1 MB of data each, within the
 * service's 100-operation and 4 MiB limits). A transaction is all or nothing: when one of its jobs is
 * there already (409), its jobs are imported one by one instead, so each gets its own answer.
 */
export async function importTableJobs(table: TableClient, records: readonly JobRecord[]): Promise<boolean[]> {
  const groups: { actions: TransactionAction[]; at: number[] }[] = [];
  let group: { actions: TransactionAction[]; at: number[]; bytes: number } | undefined;
  for (const [i, record] of records.entries()) {
    const actions = importActions(record);
    const bytes = JSON.stringify(actions).length;
    if (
      group === undefined ||
      group.actions.length + actions.length > MAX_ACTIONS ||
      group.bytes + bytes > MAX_BYTES
    ) {
      group = { actions: [], at: [], bytes: 0 };
      groups.push(group);
    }
    group.actions.push(...actions);
    group.at.push(i);
    group.bytes += bytes;
  }
  const answers: boolean[] = records.map(() => false);
  for (const { actions, at } of groups) {
    try {
      await table.submitTransaction(actions);
      for (const i of at) answers[i] = true;
    } catch (error) {
      if (statusOf(error) !== 409) throw error;
      for (const i of at) answers[i] = await importTableJob(table, records[i]);
    }
  }
  return answers;
}

const MAX_ACTIONS = 100;
const MAX_BYTES = 1_000_000;

/** The rows `enqueue` would have written for this job, created only where absent. */
function importActions(record: JobRecord): TransactionAction[] {
  checkImportedJob(record);
  const nextRunAt = Math.floor(record.nextRunAt);
  const { dueKey, otherKeys } = indexKeysOf({
    id: record.id,
    kind: record.kind,
    state: record.state,
    nextRunAt,
  });
  const entity: Record<string, unknown> & { partitionKey: string; rowKey: string } = {
    partitionKey: PARTITION,
    rowKey: jobRowKey(record.id),
    id: record.id,
    kind: record.kind,
    tenantId: record.tenantId,
    requestId: record.requestId,
    state: record.state,
    attempts: record.attempts,
    nextRunAt,
    dueKey,
    otherKeys: JSON.stringify(otherKeys),
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
    ...(record.lastError === undefined ? {} : { lastError: record.lastError }),
    ...dataProperties(record.id, record.data),
  };
  const byRequest = requestRowKey(record.tenantId, record.requestId, record.createdAt, record.id);
  const actions: TransactionAction[] = [
    ['create', entity],
    ['create', { partitionKey: PARTITION, rowKey: byRequest, id: record.id }],
  ];
  for (const rowKey of [dueKey, ...otherKeys])
    if (rowKey !== '') actions.push(['create', { partitionKey: PARTITION, rowKey, id: record.id }]);
  return actions;
}
