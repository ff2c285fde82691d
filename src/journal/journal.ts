import { randomBytes } from "node:crypto";
import { mkdir, open, readFile } from "node:fs/promises";
import { join } from "node:path";
import { redactValue } from "../cli/redact.js";

/**
 * The change journal: an append-only JSON-lines file in the state dir. Before every write to Azure
 * akspol appends and fsyncs a "pending" record (the full before document and the intended after);
 * after verifying the write it appends an "outcome". `history` lists entries, `undo` reverses them.
 * A crash between the two leaves a pending entry that `history` resolves against Azure.
 */
export type ResourceKind = "policyAssignment" | "policyExemption" | "deploymentSafeguards";
export type Operation = "create" | "update" | "delete";
export type EntryStatus = "pending" | "applied" | "failed" | "not-applied";

export interface PendingRecord {
  type: "pending";
  changeId: string;
  time: string;
  principal: { id: string; name: string };
  command: string;
  reason?: string;
  ticket?: string;
  resourceKind: ResourceKind;
  resourceId: string;
  operation: Operation;
  /** One line for people: "exclude add monitoring", "create exemption ...". */
  summary: string;
  /** The full resource as read just before the write; null for a create. */
  before: unknown;
  /** What akspol meant to write; null for a delete. */
  intendedAfter: unknown;
  /** The parameters or fields this change is about, for history and undo. */
  touched?: string[];
  /** Set when this change undoes another. */
  undoOf?: string;
}

export interface OutcomeRecord {
  type: "outcome";
  changeId: string;
  time: string;
  status: Exclude<EntryStatus, "pending">;
  /** The resource as read back after the write (null when deleted). */
  after?: unknown;
  error?: string;
  attempts?: number;
}

export type JournalRecord = PendingRecord | OutcomeRecord;

export interface JournalEntry extends Omit<PendingRecord, "type"> {
  status: EntryStatus;
  outcomeTime?: string;
  after?: unknown;
  error?: string;
  attempts?: number;
  /** Change ids that undid this one. */
  undoneBy?: string[];
}

export function newChangeId(now: Date): string {
  const stamp = now.toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z");
  return `${stamp}-${randomBytes(3).toString("hex")}`;
}

export class Journal {
  readonly file: string;
  constructor(readonly stateDir: string) {
    this.file = join(stateDir, "journal.jsonl");
  }

  private async append(record: JournalRecord): Promise<void> {
    await mkdir(this.stateDir, { recursive: true, mode: 0o700 });
    // One write() per record on an O_APPEND file: records from concurrent processes do not interleave.
    const handle = await open(this.file, "a", 0o600);
    try {
      await handle.write(`${JSON.stringify(redactValue(record))}\n`);
      await handle.sync();
    } finally {
      await handle.close();
    }
  }

  /** Records the intent before the write; returns the change id. */
  async begin(record: Omit<PendingRecord, "type" | "changeId" | "time">, now: Date = new Date()): Promise<string> {
    const changeId = newChangeId(now);
    await this.append({ type: "pending", changeId, time: now.toISOString(), ...record });
    return changeId;
  }

  async finish(changeId: string, outcome: Omit<OutcomeRecord, "type" | "changeId" | "time">, now: Date = new Date()): Promise<void> {
    await this.append({ type: "outcome", changeId, time: now.toISOString(), ...outcome });
  }

  async records(): Promise<JournalRecord[]> {
    let text: string;
    try {
      text = await readFile(this.file, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
      throw error;
    }
    const records: JournalRecord[] = [];
    for (const line of text.split("\n")) {
      if (!line.trim()) continue;
      try {
        records.push(JSON.parse(line) as JournalRecord);
      } catch {
        // A torn last line from a crash mid-append: the record was never acknowledged.
      }
    }
    return records;
  }

  /** Entries oldest first, each pending record merged with its latest outcome. */
  async entries(): Promise<JournalEntry[]> {
    const entries = new Map<string, JournalEntry>();
    for (const record of await this.records()) {
      if (record.type === "pending") {
        const { type: _type, ...rest } = record;
        entries.set(record.changeId, { ...rest, status: "pending" });
      } else {
        const entry = entries.get(record.changeId);
        if (!entry) continue;
        entry.status = record.status;
        entry.outcomeTime = record.time;
        if ("after" in record) entry.after = record.after;
        entry.error = record.error;
        entry.attempts = record.attempts;
      }
    }
    const list = [...entries.values()];
    for (const entry of list) {
      if (entry.undoOf && entry.status === "applied") {
        const original = entries.get(entry.undoOf);
        if (original) (original.undoneBy ??= []).push(entry.changeId);
      }
    }
    return list;
  }

  /** Finds an entry by full change id or an unambiguous prefix. */
  async find(changeId: string): Promise<JournalEntry[]> {
    const entries = await this.entries();
    const exact = entries.filter((entry) => entry.changeId === changeId);
    if (exact.length > 0) return exact;
    return entries.filter((entry) => entry.changeId.startsWith(changeId));
  }
}
