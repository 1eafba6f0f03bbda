/**
 * Bot state and the bot's records as JSON blobs in one Azure Blob Storage container (`STORAGE=azure`).
 * Implements the Bot Framework `Storage` contract with the blob's ETag: a write that carries an eTag is
 * sent with `If-Match` and refused (412) when another writer changed the blob; `createIfAbsent` is sent
 * with `If-None-Match: *` and refused (409) when the blob exists, so a record's first write is atomic
 * across every instance sharing the container.
 *
 * Blob names are the URI-encoded key (the names `BlobsStorage` of botbuilder-azure-blobs gives, so a
 * container it filled reads the same); a key whose name would pass Azure's 1,024-character limit is
 * named by its SHA-256, with the key itself kept in the blob's metadata. Sources: Azure Storage REST
 * "Put Blob" and "Specifying conditional headers for Blob service operations".
 */
import { createHash } from 'node:crypto';
import { buffer } from 'node:stream/consumers';
import type { TokenCredential } from '@azure/core-auth';
import { type BlobItem, ContainerClient } from '@azure/storage-blob';
import type { Storage, StoreItems } from 'botbuilder';
import { type CreateIfAbsent, ETagConflictError, type KeyListing } from '../../lib/casDocuments';
import { statusOf } from '../../lib/restStatus';

const MAX_BLOB_NAME = 1024;
const HASHED_PREFIX = '~sha256/';
/** Parallel blob requests per read or write call. */
const CONCURRENCY = 16;

export class BlobDocumentStorage implements Storage, CreateIfAbsent, KeyListing {
  private ready: Promise<void> | undefined;

  constructor(private readonly container: ContainerClient) {}

  static fromConnectionString(connectionString: string, container: string): BlobDocumentStorage {
    return new BlobDocumentStorage(new ContainerClient(connectionString, container));
  }

  static fromUrl(accountUrl: string, container: string, credential: TokenCredential): BlobDocumentStorage {
    return new BlobDocumentStorage(
      new ContainerClient(`${accountUrl.replace(/\/+$/, '')}/${container}`, credential),
    );
  }

  describe(): string {
    return `container ${this.container.containerName}`;
  }

  async read(keys: string[]): Promise<StoreItems> {
    await this.ensureContainer();
    const items: StoreItems = {};
    await eachLimited(keys, async (key) => {
      const found = await this.download(key);
      if (found !== undefined) items[key] = { ...found.value, eTag: found.eTag };
    });
    return items;
  }

  async write(changes: StoreItems): Promise<void> {
    await this.ensureContainer();
    await eachLimited(Object.entries(changes), async ([key, item]) => {
      const { eTag, ...value } = item as Record<string, unknown>;
      const conditional = typeof eTag === 'string' && eTag !== '' && eTag !== '*';
      try {
        await this.upload(key, value, conditional ? { ifMatch: eTag } : {});
      } catch (error) {
        if (conditional && statusOf(error) === 412) throw new ETagConflictError(key);
        throw error;
      }
    });
  }

  async delete(keys: string[]): Promise<void> {
    await this.ensureContainer();
    await eachLimited(keys, async (key) => {
      await this.container.getBlobClient(blobNameOf(key)).deleteIfExists();
    });
  }

  async createIfAbsent(key: string, value: object): Promise<boolean> {
    await this.ensureContainer();
    const { eTag: _ignored, ...rest } = value as Record<string, unknown>;
    try {
      await this.upload(key, rest, { ifNoneMatch: '*' });
      return true;
    } catch (error) {
      // The service answers 409 BlobAlreadyExists; 412 ConditionNotMet where a proxy evaluated it.
      const status = statusOf(error);
      if (status === 409 || status === 412) return false;
      throw error;
    }
  }

  /** The keys that start with `prefix` (every key without one), in blob-name order. */
  async *listKeys(prefix = ''): AsyncIterable<string> {
    await this.ensureContainer();
    if (prefix === '') {
      for await (const blob of this.container.listBlobsFlat({ includeMetadata: true })) yield keyOf(blob);
      return;
    }
    // A key too long for a name is named by its hash, its key in its metadata: those are listed too,
    // alongside the others.
    const hashed = this.hashedKeys(prefix);
    hashed.catch(() => undefined); // awaited below, unless the listing below fails first
    // The service filters on the name: every short key starting with `prefix` has a name starting with
    // the prefix's name (less a trailing "/", which names drop). What else that lists is filtered here.
    for await (const blob of this.container.listBlobsFlat({
      includeMetadata: true,
      prefix: namePrefixOf(prefix),
    })) {
      if (blob.name.startsWith(HASHED_PREFIX)) continue;
      const key = keyOf(blob);
      if (key.startsWith(prefix)) yield key;
    }
    yield* await hashed;
  }

  private async hashedKeys(prefix: string): Promise<string[]> {
    const keys: string[] = [];
    for await (const blob of this.container.listBlobsFlat({ includeMetadata: true, prefix: HASHED_PREFIX })) {
      const key = keyOf(blob);
      if (key.startsWith(prefix)) keys.push(key);
    }
    return keys;
  }

  /** Reads one blob's JSON and its ETag; undefined when there is no such blob. */
  private async download(key: string): Promise<{ value: object; eTag: string } | undefined> {
    try {
      const response = await this.container.getBlobClient(blobNameOf(key)).download();
      if (response.readableStreamBody === undefined || response.etag === undefined) return undefined;
      const text = (await buffer(response.readableStreamBody)).toString('utf8');
      return { value: JSON.parse(text) as object, eTag: response.etag };
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      throw error;
    }
  }

  private async upload(
    key: string,
    value: object,
    conditions: { ifMatch?: string; ifNoneMatch?: string },
  ): Promise<void> {
    const name = blobNameOf(key);
    const body = Buffer.from(JSON.stringify(value), 'utf8');
    await this.container.getBlockBlobClient(name).upload(body, body.length, {
      conditions,
      blobHTTPHeaders: { blobContentType: 'application/json' },
      ...(decodedName(name) === key ? {} : { metadata: { key: encodeURIComponent(key) } }),
    });
  }

  private ensureContainer(): Promise<void> {
    this.ready ??= (async () => {
      try {
        await this.container.createIfNotExists();
      } catch (error) {
        // An identity with data access only may not create containers: the infrastructure made it.
        if (statusOf(error) !== 403) throw error;
      }
    })();
    this.ready.catch(() => (this.ready = undefined));
    return this.ready;
  }
}

/** The blob name for a key: its URI encoding with empty path segments dropped, or its SHA-256. */
export function blobNameOf(key: string): string {
  if (key === '') throw new Error('Storage: a key must not be empty');
  const name = encodeURIComponent(
    key
      .split('/')
      .filter((part) => part !== '')
      .join('/'),
  );
  if (name !== '' && name.length <= MAX_BLOB_NAME) return name;
  return `${HASHED_PREFIX}${createHash('sha256').update(key, 'utf8').digest('hex')}`;
}

/** What the names of the keys starting with `prefix` start with ("" when it cannot be encoded). */
function namePrefixOf(prefix: string): string {
  try {
    return encodeURIComponent(
      prefix
        .split('/')
        .filter((part) => part !== '')
        .join('/'),
    );
  } catch {
    return ''; // a prefix cut inside a surrogate pair: list everything and filter
  }
}

function decodedName(name: string): string | undefined {
  if (name.startsWith(HASHED_PREFIX)) return undefined;
  try {
    return decodeURIComponent(name);
  } catch {
    return undefined;
  }
}

function keyOf(blob: BlobItem): string {
  const kept = blob.metadata?.key;
  if (kept !== undefined) return decodeURIComponent(kept);
  return decodedName(blob.name) ?? blob.name;
}

async function eachLimited<T>(items: readonly T[], work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(CONCURRENCY, items.length) }, async () => {
    while (next < items.length) await work(items[next++]);
  });
  await Promise.all(lanes);
}
