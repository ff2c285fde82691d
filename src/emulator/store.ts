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
  /** ARM resources by type, then by the scope they sit at (keyOf of the id before its last /providers/). */
  private readonly byScope = new Map<string, Map<string, Map<string, StoredRecord>>>();
  /** Records below a subscription (not at it), by type then subscription key: lists that include what sits below a scope. */
  private readonly bySubscription = new Map<string, Map<string, Map<string, StoredRecord>>>();
  /**
   * Records looked at by listInScopes since start: a list's cost grows with what sits at the scopes it
   * asks about, not with the store (tests and bench read it through GET /_emulator/stats).
   */
  recordsVisited = 0;
  /** Bumped by every commit: what was computed from the store at one generation holds until the next. */
  generation = 0;
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

  /**
   * Records of a type sitting exactly at one of `exact` (scope keys), or anywhere below `under`,
   * in key order. Visits only the records at those scopes (or in the subscription of `under`).
   */
  listInScopes(type: string, query: { exact: Iterable<string>; under?: string }): StoredRecord[] {
    const wanted = type.toLowerCase();
    const result = new Map<string, StoredRecord>();
    const visit = (records: Map<string, StoredRecord> | undefined, accept: (scope: string) => boolean) => {
      for (const [key, record] of records ?? []) {
        this.recordsVisited += 1;
        if (accept(scopeKeyOf(key))) result.set(key, record);
      }
    };
    for (const scope of new Set(query.exact)) visit(this.byScope.get(wanted)?.get(scope), () => true);
    if (query.under !== undefined) {
      const prefix = `${query.under}/`;
      const subscription = subscriptionKeyOf(query.under);
      if (subscription !== undefined) visit(this.bySubscription.get(wanted)?.get(subscription), (scope) => scope.startsWith(prefix));
      else visit(this.byType.get(wanted), (scope) => scope.startsWith(prefix));
    }
    return [...result.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, record]) => record);
  }

  batch(): Batch {
    return new Batch(this);
  }

  /** Applies staged changes to memory now and resolves once they are durable. */
  commit(batch: Batch): Promise<void> {
    this.generation += 1;
    const ops: LogOp[] = [];
    for (const [key, record] of batch.changes) {
      if (record === undefined) {
        const old = this.entries.get(key);
        if (old === undefined) continue;
        this.entries.delete(key);
        this.unindex(key, old);
        ops.push({ k: key, d: 1 });
      } else {
        const old = this.entries.get(key);
        if (old !== undefined) this.unindex(key, old);
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
    if (record.type.startsWith("#")) return;
    const scope = scopeKeyOf(key);
    nested(this.byScope, type, scope).set(key, record);
    const subscription = subscriptionKeyOf(scope);
    if (subscription !== undefined && subscription !== scope) nested(this.bySubscription, type, subscription).set(key, record);
  }

  private unindex(key: string, record: StoredRecord): void {
    const type = record.type.toLowerCase();
    this.byType.get(type)?.delete(key);
    const scope = scopeKeyOf(key);
    this.byScope.get(type)?.get(scope)?.delete(key);
    const subscription = subscriptionKeyOf(scope);
    if (subscription !== undefined) this.bySubscription.get(type)?.get(subscription)?.delete(key);
  }
}

function nested(index: Map<string, Map<string, Map<string, StoredRecord>>>, type: string, key: string): Map<string, StoredRecord> {
  let byKey = index.get(type);
  if (byKey === undefined) {
    byKey = new Map();
    index.set(type, byKey);
  }
  let records = byKey.get(key);
  if (records === undefined) {
    records = new Map();
    byKey.set(key, records);
  }
  return records;
}

/** The scope a resource sits at: its lower-cased id up to the last "/providers/" ("" at the tenant). */
export function scopeKeyOf(recordKey: string): string {
  const index = recordKey.lastIndexOf("/providers/");
  return index === -1 ? "" : recordKey.slice(0, index);
}

function subscriptionKeyOf(scopeKey: string): string | undefined {
  return /^\/subscriptions\/[^/]+/.exec(scopeKey)?.[0];
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
