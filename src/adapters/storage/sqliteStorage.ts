/**
 * Bot state on SQLite: the embedded default store. Implements the Bot Framework `Storage` contract
 * with ETag concurrency: a write whose `eTag` is set (and is not `*`) succeeds only when it matches
 * the stored one, so two turns of the same conversation can never silently overwrite each other.
 */
import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';
import type { Storage, StoreItems } from 'botbuilder';
import { type CreateIfAbsent, ETagConflictError, type KeyListing } from '../../lib/casDocuments';

export { ETagConflictError };

export class SqliteStorage implements Storage, CreateIfAbsent, KeyListing {
  private readonly db: Database.Database;
  private readonly selectOne: Database.Statement<[string], { value: string; etag: string }>;
  private readonly upsert: Database.Statement<[string, string, string]>;
  private readonly updateIfMatch: Database.Statement<[string, string, string, string]>;
  private readonly remove: Database.Statement<[string]>;
  private readonly insertNew: Database.Statement<[string, string, string]>;
  private readonly selectKeys: Database.Statement<[], { key: string }>;
  private readonly selectKeysIn: Database.Statement<[string, Buffer], { key: string }>;

  /** `file` is a path, or `:memory:`. */
  constructor(file: string) {
    if (file !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(
      "CREATE TABLE IF NOT EXISTS bot_state (key TEXT PRIMARY KEY, value TEXT NOT NULL, etag TEXT NOT NULL, updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')))",
    );
    this.selectOne = this.db.prepare('SELECT value, etag FROM bot_state WHERE key = ?');
    this.upsert = this.db.prepare(
      "INSERT INTO bot_state (key, value, etag) VALUES (?, ?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value, etag = excluded.etag, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ','now')",
    );
    this.updateIfMatch = this.db.prepare(
      "UPDATE bot_state SET value = ?, etag = ?, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ','now') WHERE key = ? AND etag = ?",
    );
    this.remove = this.db.prepare('DELETE FROM bot_state WHERE key = ?');
    this.insertNew = this.db.prepare(
      'INSERT INTO bot_state (key, value, etag) VALUES (?, ?, ?) ON CONFLICT(key) DO NOTHING',
    );
    this.selectKeys = this.db.prepare('SELECT key FROM bot_state ORDER BY key');
    // Keys compare as UTF-8 bytes: every key starting with the prefix lies between the prefix and the
    // prefix followed by byte 0xFF, which no UTF-8 text holds. The range is read off the key's index.
    this.selectKeysIn = this.db.prepare(
      'SELECT key FROM bot_state WHERE key >= ? AND key < CAST(? AS TEXT) ORDER BY key',
    );
  }

  async read(keys: string[]): Promise<StoreItems> {
    const items: StoreItems = {};
    for (const key of keys) {
      const row = this.selectOne.get(key);
      if (row !== undefined) items[key] = { ...(JSON.parse(row.value) as object), eTag: row.etag };
    }
    return items;
  }

  async write(changes: StoreItems): Promise<void> {
    const apply = this.db.transaction((entries: [string, Record<string, unknown>][]) => {
      for (const [key, item] of entries) {
        const { eTag, ...value } = item;
        const json = JSON.stringify(value);
        const next = randomUUID();
        if (eTag === undefined || eTag === null || eTag === '*' || eTag === '') {
          this.upsert.run(key, json, next);
        } else if (this.updateIfMatch.run(json, next, key, String(eTag)).changes === 0) {
          // A stale eTag on an item nobody stored yet still counts as a conflict: the writer read
          // something that has since been deleted.
          throw new ETagConflictError(key);
        }
      }
    });
    apply(Object.entries(changes) as [string, Record<string, unknown>][]);
  }

  async delete(keys: string[]): Promise<void> {
    const apply = this.db.transaction((all: string[]) => {
      for (const key of all) this.remove.run(key);
    });
    apply(keys);
  }

  async createIfAbsent(key: string, value: object): Promise<boolean> {
    const { eTag: _ignored, ...rest } = value as Record<string, unknown>;
    return this.insertNew.run(key, JSON.stringify(rest), randomUUID()).changes === 1;
  }

  /** The keys that start with `prefix` (every key without one), in key order. */
  async *listKeys(prefix = ''): AsyncIterable<string> {
    // Read at once: the connection cannot run other statements while a query is being stepped.
    const rows =
      prefix === ''
        ? this.selectKeys.all()
        : this.selectKeysIn.all(prefix, Buffer.concat([Buffer.from(prefix, 'utf8'), Buffer.from([0xff])]));
    for (const row of rows) yield row.key;
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
