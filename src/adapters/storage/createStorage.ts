/** Opens the bot-state store that the configuration names. */
import path from 'node:path';
import { BlobsStorage } from 'botbuilder-azure-blobs';
import type { Storage } from 'botbuilder';
import type { StorageSettings } from '../../config';
import { SqliteStorage } from './sqliteStorage';

export interface ClosableStorage {
  storage: Storage;
  describe: string;
  close(): Promise<void>;
}

export const SQLITE_FILE_NAME = 'service-account-bot.sqlite';

export function createStorage(settings: StorageSettings): ClosableStorage {
  if (settings.kind === 'sqlite') {
    const file = path.resolve(settings.dataDir, SQLITE_FILE_NAME);
    const storage = new SqliteStorage(file);
    return { storage, describe: `sqlite (${file})`, close: async () => storage.close() };
  }
  const storage = new BlobsStorage(settings.connectionString, settings.container);
  return { storage, describe: `azure blobs (container ${settings.container})`, close: async () => undefined };
}
