/** Opens the store for bot state and the bot's records that the settings name. */
import path from 'node:path';
import type { TokenCredential } from '@azure/core-auth';
import type { Storage } from 'botbuilder';
import type { CreateIfAbsent, KeyListing } from '../../lib/casDocuments';
import { BlobDocumentStorage } from './blobDocumentStorage';
import { SqliteStorage } from './sqliteStorage';

export interface ClosableStorage {
  storage: Storage & KeyListing & CreateIfAbsent;
  describe: string;
  close(): Promise<void>;
}

/** How the bot reaches an Azure storage account. */
export type AzureAccess =
  | { kind: 'connectionString'; connectionString: string }
  | { kind: 'managedIdentity'; blobUrl: string; tableUrl: string; clientId?: string };

/** Where bot state and records live: one SQLite file in `dataDir`, or an Azure Blob Storage container. */
export type StorageOptions =
  { kind: 'sqlite'; dataDir: string } | { kind: 'azure'; access: AzureAccess; container: string };

export const SQLITE_FILE_NAME = 'service-account-bot.sqlite';

/** `credential` signs requests when the settings name the account by URL (a managed identity). */
export function createStorage(settings: StorageOptions, credential?: TokenCredential): ClosableStorage {
  if (settings.kind === 'sqlite') {
    const file = path.resolve(settings.dataDir, SQLITE_FILE_NAME);
    const storage = new SqliteStorage(file);
    return { storage, describe: `sqlite (${file})`, close: async () => storage.close() };
  }
  const access = settings.access;
  let storage: BlobDocumentStorage;
  if (access.kind === 'connectionString') {
    storage = BlobDocumentStorage.fromConnectionString(access.connectionString, settings.container);
  } else {
    if (credential === undefined)
      throw new Error('Storage: a credential is needed to reach the account by URL');
    storage = BlobDocumentStorage.fromUrl(access.blobUrl, settings.container, credential);
  }
  return { storage, describe: `azure blobs (${storage.describe()})`, close: async () => undefined };
}
