/**
 * Jobs of an Azure Table read out and written in whole (tableJobStore.ts `allJobs`, `importJob`), for
 * `npm run migrate`. A copied job is written with the rows `enqueue` would have given it (the job, its
 * due-index entry while queued, its request-index entry at its creation time) in one entity-group
 * transaction, so a copy that stops half-way leaves no job without its index entries.
 */
import { odata, type TableClient, type TransactionAction } from '@azure/data-tables';
import { checkImportedJob } from './jobChecks';
import type { JobRecord } from './jobs';
import {
  dataProperties,
  dueRowKey,
  type JobEntity,
  JOB_PREFIX,
  jobRowKey,
  PARTITION,
  prefixRange,
  requestRowKey,
  toJobRecord,
} from './tableJobEntities';

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
  checkImportedJob(record);
  const nextRunAt = Math.floor(record.nextRunAt);
  const dueKey = record.state === 'queued' ? dueRowKey(nextRunAt, record.id) : '';
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
  if (dueKey !== '') actions.push(['create', { partitionKey: PARTITION, rowKey: dueKey, id: record.id }]);
  try {
    await table.submitTransaction(actions);
    return true;
  } catch (error) {
    if ((error as { statusCode?: unknown } | null)?.statusCode === 409) return false;
    throw error;
  }
}
