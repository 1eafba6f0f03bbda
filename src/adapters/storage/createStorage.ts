/** Opens the bot-state store that the settings name. */
import path from 'node:path';
import { BlobsStorage } from 'botbuilder-azure-blobs';
import type { Storage } from 'botbuilder';
import { SqliteStorage } from './sqliteStorage';

export interface ClosableStorage {
  storage: Storage;
  describe: string;
  close(): Promise<void>;
}

/** Where bot state lives: one SQLite file in `dataDir`, or an Azure Blob Storage container. */
export type StorageOptions =
  { kind: 'sqlite'; dataDir: string } | { kind: 'azure'; connectionString: string; container: string };

export const SQLITE_FILE_NAME = 'service-account-bot.sqlite';

export function createStorage(settings: StorageOptions): ClosableStorage {
  if (settings.kind === 'sqlite') {
    const file = path.resolve(settings.dataDir, SQLITE_FILE_NAME);
    const storage = new SqliteStorage(file);
    return { storage, describe: `sqlite (${file})`, close: async () => storage.close() };
  }
  const storage = new BlobsStorage(settings.connectionString, settings.container);
  return { storage, describe: `azure blobs (container ${settings.container})`, close: async () => undefined };
}
