// In-memory state over the durable log. Handlers read, validate and stage changes synchronously, then
// commit: memory changes at once (so concurrent requests never interleave inside a change) and the
// returned promise resolves when the batch is fsynced, which is when the response may be sent.
import { StateLog, type LogOp } from "./persistence.js";

/** A stored item. ARM resources keep their wire JSON in `body`; emulator internals use `#` types. */
export interface StoredRecord {
  type: string;
  id: string;
  body: any;
}

export class Store {
  private readonly entries: Map<string, StoredRecord>;
  private readonly byType = new Map<string, Map<string, StoredRecord>>();
  private readonly log: StateLog;
  readonly existedAtLoad: boolean;

  constructor(stateDir: string) {
    this.log = new StateLog(stateDir);
    const loaded = this.log.load();
    this.entries = loaded.entries as Map<string, StoredRecord>;
    for (const [key, record] of this.entries) this.index(key, record);
    this.existedAtLoad = loaded.existed;
  }

  get(key: string): StoredRecord | undefined {
    return this.entries.get(key);
  }

  /** All records of a type (case-insensitive), in key order. */
  list(type: string): StoredRecord[] {
    const map = this.byType.get(type.toLowerCase());
    if (map === undefined) return [];
    return [...map.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, record]) => record);
  }

  batch(): Batch {
    return new Batch(this);
  }

  /** Applies staged changes to memory now and resolves once they are durable. */
  commit(batch: Batch): Promise<void> {
    const ops: LogOp[] = [];
    for (const [key, record] of batch.changes) {
      if (record === undefined) {
        const old = this.entries.get(key);
        if (old === undefined) continue;
        this.entries.delete(key);
        this.byType.get(old.type.toLowerCase())?.delete(key);
        ops.push({ k: key, d: 1 });
      } else {
        const old = this.entries.get(key);
        if (old !== undefined) this.byType.get(old.type.toLowerCase())?.delete(key);
        this.entries.set(key, record);
        this.index(key, record);
        ops.push({ k: key, v: record });
      }
    }
    return this.log.append(ops);
  }

  async compact(): Promise<void> {
    await this.log.compact(this.entries);
  }

  async close(): Promise<void> {
    await this.log.drain();
    await this.log.compact(this.entries);
    await this.log.close();
  }

  private index(key: string, record: StoredRecord): void {
    const type = record.type.toLowerCase();
    let map = this.byType.get(type);
    if (map === undefined) {
      map = new Map();
      this.byType.set(type, map);
    }
    map.set(key, record);
  }
}

/** Staged changes that reads see before they are committed (seeding relies on this). */
export class Batch {
  readonly changes = new Map<string, StoredRecord | undefined>();
  private readonly store: Store;

  constructor(store: Store) {
    this.store = store;
  }

  get(key: string): StoredRecord | undefined {
    return this.changes.has(key) ? this.changes.get(key) : this.store.get(key);
  }

  list(type: string): StoredRecord[] {
    const wanted = type.toLowerCase();
    const result = new Map<string, StoredRecord>();
    for (const record of this.store.list(type)) result.set(recordKey(record), record);
    for (const [key, record] of this.changes) {
      if (record === undefined) result.delete(key);
      else if (record.type.toLowerCase() === wanted) result.set(key, record);
    }
    return [...result.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, record]) => record);
  }

  put(key: string, record: StoredRecord): void {
    this.changes.set(key, record);
  }

  delete(key: string): void {
    this.changes.set(key, undefined);
  }

  commit(): Promise<void> {
    return this.store.commit(this);
  }
}

/** Reads shared by Store and Batch, so validation code works on either. */
export type StateReader = Pick<Store, "get" | "list">;

export function recordKey(record: StoredRecord): string {
  return record.type.startsWith("#") ? record.id : record.id.toLowerCase();
}
