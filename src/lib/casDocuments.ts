/**
 * JSON documents on a Bot Framework `Storage`, changed by compare-and-set on the eTag with bounded,
 * jittered retries, and the key rules every storage adapter here follows.
 *
 * The Storage contract offers: read (value + eTag); write with an eTag, refused when the stored eTag
 * differs or the key is absent; write without an eTag, unconditional. It has no "write if absent", so
 * the bot's stores add one (`CreateIfAbsent`: an `INSERT … ON CONFLICT DO NOTHING` in SQLite, a Put Blob
 * with `If-None-Match: *` in Azure): a document's first write is then atomic across processes and
 * instances, and every later change is a compare-and-set. On a store without it (MemoryStorage, in
 * tests) the first write is made at most once per key in this process.
 */
import { createHash } from 'node:crypto';
import type { Storage } from 'botbuilder';
import { AppError } from '../domain/errors';

/**
 * A store that can create a document only when its key is free, atomically. Compare-and-set over the
 * plain `Storage` contract needs it for a document's very first write.
 */
export interface CreateIfAbsent {
  /** Writes `value` under `key` when no document has that key; false when one already exists. */
  createIfAbsent(key: string, value: object): Promise<boolean>;
}

/** A store that can list the keys it holds: all of them (to copy a store), or those under a prefix. */
export interface KeyListing {
  /**
   * Every key that starts with `prefix` (every key when it is omitted or empty), each once. The order
   * is the store's own (SQLite gives key order, Azure Blob the blob names' order): a caller that needs
   * one sorts.
   */
  listKeys(prefix?: string): AsyncIterable<string>;
}

/** A write whose eTag no longer matches the stored document's. */
export class ETagConflictError extends Error {
  constructor(readonly key: string) {
    super(`Storage: eTag conflict writing "${key}"`);
    this.name = 'ETagConflictError';
  }
}

export function canCreateIfAbsent(storage: unknown): storage is CreateIfAbsent {
  return typeof (storage as Partial<CreateIfAbsent>).createIfAbsent === 'function';
}

/** Where the bot's own documents live, apart from Bot Framework's conversation state. */
export const DEFAULT_KEY_PREFIX = 'service-account-bot';

const SAFE_SEGMENT = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const SAFE_PREFIX = /^[a-z0-9-]+(?:\/[a-z0-9-]+)*$/;

/**
 * One key segment, safe for a blob name: the value itself when it is already lowercase ascii, digits
 * and single inner hyphens (GUIDs), otherwise `h-` + its SHA-256. Distinct values give distinct segments.
 */
export function storageKeySegment(value: string): string {
  if (value.length <= 64 && SAFE_SEGMENT.test(value) && !value.startsWith('h-')) return value;
  return `h-${createHash('sha256').update(value, 'utf8').digest('hex')}`;
}

export function checkKeyPrefix(prefix: string): string {
  if (!SAFE_PREFIX.test(prefix))
    throw new Error(`Storage key prefix "${prefix}" must be lowercase a-z, 0-9, - and /`);
  return prefix;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}

export function damaged(key: string): AppError {
  return new AppError(
    'Unexpected',
    'A stored record is damaged; ask the bot’s operator to look at the logs.',
    {
      message: `Storage: document "${key}" does not have the expected shape`,
    },
  );
}

export interface CasOptions {
  /** Compare-and-set attempts before giving up with TimedOut. */
  maxAttempts?: number;
  /** Full-jitter back-off between attempts: random(0, min(maxDelayMs, baseDelayMs * 2^attempt)). */
  baseDelayMs?: number;
  maxDelayMs?: number;
}

/** Read and compare-and-set of JSON documents on a `Storage`, with bounded, jittered retries. */
export class CasDocuments {
  private readonly firstWrites = new Map<string, Promise<void>>();
  private readonly maxAttempts: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;

  constructor(
    private readonly storage: Storage,
    options: CasOptions = {},
  ) {
    this.maxAttempts = options.maxAttempts ?? 30;
    this.baseDelayMs = options.baseDelayMs ?? 5;
    this.maxDelayMs = options.maxDelayMs ?? 200;
  }

  /** The document and its eTag, or undefined when absent; `parse` narrows the stored JSON at once. */
  async read<T>(
    key: string,
    parse: (raw: unknown) => T | undefined,
  ): Promise<{ value: T; eTag: string } | undefined> {
    const raw = (await this.readMany([key]))[key];
    if (raw === undefined) return undefined;
    if (!isRecord(raw) || typeof raw.eTag !== 'string') throw damaged(key);
    const { eTag, ...rest } = raw;
    const value = parse(rest);
    if (value === undefined) throw damaged(key);
    return { value, eTag };
  }

  /** Stored items by key (absent keys missing), each still to be narrowed by the caller. */
  async readMany(keys: string[]): Promise<Record<string, unknown>> {
    try {
      return (await this.storage.read(keys)) as Record<string, unknown>;
    } catch (error) {
      throw storageFailure(keys.join(', '), error, 'read');
    }
  }

  /** An unconditional write, for a document only this caller can be writing. */
  async writeOver(key: string, value: object): Promise<void> {
    try {
      await this.storage.write({ [key]: { ...value } });
    } catch (error) {
      throw storageFailure(key, error);
    }
  }

  /**
   * Applies `change` to the document (`empty` when absent) with compare-and-set, retrying when another
   * writer got there first. `change` returns undefined when nothing needs writing. Returns what is stored.
   */
  async update<T extends object>(
    key: string,
    parse: (raw: unknown) => T | undefined,
    empty: T,
    change: (current: T) => T | undefined,
  ): Promise<T> {
    for (let attempt = 1; attempt <= this.maxAttempts; attempt++) {
      const doc = await this.read(key, parse);
      if (doc === undefined) {
        // Absent after this process wrote it once means it was deleted: allow one more first write.
        if (attempt > 1) this.firstWrites.delete(key);
        await this.writeFirst(key, empty);
        continue;
      }
      const next = change(doc.value);
      if (next === undefined) return doc.value;
      if (await this.writeIfMatch(key, next, doc.eTag)) return next;
      await this.backOff(attempt);
    }
    throw new AppError('TimedOut', 'Too many changes arrived at the same moment; try again.', {
      retryable: true,
      message: `Storage: ${this.maxAttempts} compare-and-set attempts on "${key}" all lost`,
    });
  }

  /** Writes `value` only if the stored eTag is still `eTag`. False when another writer changed it. */
  async writeIfMatch(key: string, value: object, eTag: string): Promise<boolean> {
    try {
      await this.storage.write({ [key]: { ...value, eTag } });
      return true;
    } catch (error) {
      // The Storage contract has no typed conflict error: a changed eTag on re-read is what tells one.
      const now = (await this.readMany([key]))[key];
      if (isRecord(now) && now.eTag === eTag) throw storageFailure(key, error);
      return false;
    }
  }

  /**
   * The first write of a document. Atomic where the store can create only-if-absent (SQLite);
   * otherwise made at most once per key in this process (the `Storage` contract has no such write).
   */
  private async writeFirst(key: string, empty: object): Promise<void> {
    if (canCreateIfAbsent(this.storage)) {
      try {
        await this.storage.createIfAbsent(key, empty);
        return;
      } catch (error) {
        throw storageFailure(key, error);
      }
    }
    let pending = this.firstWrites.get(key);
    if (pending === undefined) {
      if (this.firstWrites.size > 10_000) this.firstWrites.clear();
      pending = (async () => {
        if ((await this.storage.read([key]))[key] === undefined)
          await this.storage.write({ [key]: { ...empty } });
      })();
      this.firstWrites.set(key, pending);
      pending.catch(() => this.firstWrites.delete(key));
    }
    try {
      await pending;
    } catch (error) {
      throw storageFailure(key, error);
    }
  }

  private async backOff(attempt: number): Promise<void> {
    const ceiling = Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** attempt);
    await new Promise((resolve) => setTimeout(resolve, Math.random() * ceiling));
  }
}

/** A store that failed to answer, as the error the user sees (retry in a minute). */
export function storageFailure(key: string, cause: unknown, action: 'read' | 'save' = 'save'): AppError {
  return new AppError(
    'ServiceUnavailable',
    `The bot could not ${action} its records just now; try again in a minute.`,
    {
      cause,
      message: `Storage: ${action === 'read' ? 'reading' : 'writing'} "${key}" failed`,
    },
  );
}
