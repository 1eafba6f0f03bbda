/**
 * The two stores the settings name, opened together: bot state and records (`Storage`), and the jobs.
 * With `STORAGE=sqlite` both are tables of one file in `DATA_DIR`; with `STORAGE=azure` records are
 * blobs in one container and jobs rows of one Table of the same account, shared by every instance.
 */
import path from 'node:path';
import type { TokenCredential } from '@azure/core-auth';
import { ManagedIdentityCredential } from '@azure/identity';
import type { StorageSettings } from '../config';
import { type ClosableStorage, createStorage, SQLITE_FILE_NAME } from '../adapters/storage/createStorage';
import type { JobStore } from '../jobs/jobs';
import { SqliteJobStore } from '../jobs/sqliteJobStore';
import { TableJobStore } from '../jobs/tableJobStore';

export interface Stores {
  records: ClosableStorage;
  jobs: JobStore;
  /** For the start-up line: where records and jobs live. */
  describe: string;
  close(): Promise<void>;
}

/** `credential` replaces the managed identity (tests); by default it is made from the settings. */
export function openStores(settings: StorageSettings, credential?: TokenCredential): Stores {
  if (settings.kind === 'sqlite') {
    const records = createStorage(settings);
    const jobs = new SqliteJobStore(path.resolve(settings.dataDir, SQLITE_FILE_NAME));
    return {
      records,
      jobs,
      describe: records.describe,
      close: async () => {
        jobs.close();
        await records.close();
      },
    };
  }
  const access = settings.access;
  const signer =
    access.kind === 'managedIdentity' ? (credential ?? managedIdentity(access.clientId)) : undefined;
  const records = createStorage(settings, signer);
  const jobs =
    access.kind === 'connectionString'
      ? TableJobStore.fromConnectionString(access.connectionString, settings.table)
      : TableJobStore.fromUrl(access.tableUrl, settings.table, signer as TokenCredential);
  return {
    records,
    jobs,
    describe: `${records.describe}, jobs in ${jobs.describe()}`,
    close: async () => {
      jobs.close();
      await records.close();
    },
  };
}

function managedIdentity(clientId: string | undefined): TokenCredential {
  return clientId === undefined
    ? new ManagedIdentityCredential()
    : new ManagedIdentityCredential({ clientId });
}
