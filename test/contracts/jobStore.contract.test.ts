/**
 * The job store contract (jobStoreContract.ts) on both backends: SQLite files, and Azure Tables on
 * Azurite (started here, on loopback).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { TableClient } from '@azure/data-tables';
import { SqliteJobStore } from '../../src/jobs/sqliteJobStore';
import { TableJobStore } from '../../src/jobs/tableJobStore';
import { dataProperties, jobRowKey, PARTITION } from '../../src/jobs/tableJobEntities';
import { type Azurite, startAzurite } from '../support/azurite';
import { jobStoreContract } from './jobStoreContract';

jobStoreContract('SQLite', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sab-jobs-'));
  const file = path.join(dir, 'state.sqlite');
  const opened: { close(): void }[] = [];
  const open = (): SqliteJobStore => {
    const store = new SqliteJobStore(file);
    opened.push(store);
    return store;
  };
  return {
    store: open(),
    open,
    damage: async (id, text) => {
      const db = new Database(file);
      db.prepare('UPDATE jobs SET data = ? WHERE id = ?').run(text, id);
      db.close();
    },
    cleanup: async () => {
      for (const store of opened) store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
});

let azurite: Azurite;
let tables = 0;
beforeAll(async () => {
  azurite = await startAzurite();
});
afterAll(async () => {
  await azurite?.stop();
});

jobStoreContract('Azure Table (Azurite)', async () => {
  const name = `jobs${process.pid}t${++tables}`;
  const connectionString = azurite.connectionString;
  const client = TableClient.fromConnectionString(connectionString, name, { allowInsecureConnection: true });
  return {
    store: TableJobStore.fromConnectionString(connectionString, name),
    open: () => TableJobStore.fromConnectionString(connectionString, name),
    damage: async (id, text) => {
      const entity = await client.getEntity(PARTITION, jobRowKey(id));
      const { etag: _etag, timestamp: _timestamp, ...rest } = entity as Record<string, unknown>;
      await client.updateEntity(
        { ...rest, partitionKey: PARTITION, rowKey: jobRowKey(id), ...dataProperties(id, {}), data0: text },
        'Replace',
      );
    },
    cleanup: async () => {
      await client.deleteTable();
    },
  };
});
