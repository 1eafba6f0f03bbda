/**
 * Botbuilder's `MemoryStorage` with what the bot's stores add: listing keys under a prefix and an
 * atomic create-if-absent (one process, so checking and writing in one synchronous step is atomic).
 * The audit log needs both; dialog and use-case tests run on this.
 */
import { MemoryStorage } from 'botbuilder';
import type { CreateIfAbsent, KeyListing } from '../../src/lib/casDocuments';

export class ListingMemoryStorage extends MemoryStorage implements KeyListing, CreateIfAbsent {
  /** Number of items written (by `write` or `createIfAbsent`), by key. */
  readonly writes = new Map<string, number>();

  override write(changes: Parameters<MemoryStorage['write']>[0]): Promise<void> {
    for (const key of Object.keys(changes)) this.writes.set(key, (this.writes.get(key) ?? 0) + 1);
    return super.write(changes);
  }

  async *listKeys(prefix = ''): AsyncIterable<string> {
    const keys = Object.keys(this.memory)
      .filter((key) => this.memory[key] !== undefined && key.startsWith(prefix))
      .sort();
    for (const key of keys) yield key;
  }

  createIfAbsent(key: string, value: object): Promise<boolean> {
    if (this.memory[key] !== undefined) return Promise.resolve(false);
    const { eTag: _ignored, ...rest } = value as Record<string, unknown>;
    return this.write({ [key]: rest }).then(() => true);
  }
}
