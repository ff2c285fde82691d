import { randomBytes } from "node:crypto";
import { mkdir, open, readdir, rename, stat } from "node:fs/promises";
import { join } from "node:path";
import { redact } from "../redact.js";

/**
 * The change journal: append-only JSON lines in the state dir. Before every write to Azure akspol
 * appends and fsyncs a "pending" record (the full before document and the intended after); after
 * verifying the write it appends an "outcome". `history` lists entries, `undo` reverses them. A crash
 * between the two leaves a pending entry that `history` settles against Azure.
 *
 * Records are exact: resource documents are stored as Azure returned them (the file is 0600 in a
 * 0700 dir); only the text around them that could hold a credential (the command line, reason and
 * ticket, error texts) is redacted, field by field. A record is one line written with one write() and an fsync;
 * an append after a torn tail starts on a fresh line, and reading skips (and reports) lines that are
 * not records. The active file `journal.jsonl` rotates by size into dated segments
 * `journal-<time of its first record>-<random>.jsonl`, which `history --all` and `undo` still read.
 */
/**
 * `conversion` (issue 17): one record for a whole conversion to a custom initiative (or its upgrade,
 * or the undo of either); each of its writes is a record of its own carrying the conversion's id in `group`.
 */
export type ResourceKind = "policyAssignment" | "policyExemption" | "deploymentSafeguards" | "policySetDefinition" | "conversion";
export type Operation = "create" | "update" | "delete";
/** `unverified`: the write was sent and answered, but reading it back failed; `history` settles it. */
export type EntryStatus = "pending" | "applied" | "failed" | "not-applied" | "unverified";

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
  /** The conversion this write is one step of (the change id of its `conversion` record). */
  group?: string;
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

/** A line that is not a journal record (torn by a crash, edited by hand), or a segment that cannot be read. */
/** What every journaled write is given besides its target: who, why, where the journal and locks live. */
export interface JournaledWriteFields {
  journal: Journal;
  stateDir: string;
  principal: () => Promise<{ id: string; name: string }>;
  command: string;
  /** One line for history: "exclude add monitoring". */
  summary: string;
  reason?: string;
  ticket?: string;
  undoOf?: string;
  now: () => Date;
}

export interface JournalProblem {
  file: string;
  /** 1-based; absent when the whole file could not be read. */
  line?: number;
  reason: string;
}

export interface JournalRead {
  records: JournalRecord[];
  problems: JournalProblem[];
  /** The files read, oldest first. */
  files: string[];
  /** Rotated segments older than those read (read them with `all`). */
  olderSegments: number;
}

export interface JournalOptions {
  /** Rotate the active file once it reaches this size (default 8 MiB). */
  maxActiveBytes?: number;
}

export const ACTIVE_FILE = "journal.jsonl";
const SEGMENT_PATTERN = /^journal-(\d{8}T\d{6}Z)-[0-9a-f]+\.jsonl$/;
const STAMP_PATTERN = /^\d{8}T\d{6}Z/;
export const DEFAULT_MAX_ACTIVE_BYTES = 8 * 1024 * 1024;

export function changeStamp(now: Date): string {
  return now
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d+Z$/, "Z");
}

export function newChangeId(now: Date): string {
  return `${changeStamp(now)}-${randomBytes(3).toString("hex")}`;
}

/** The name of a rotated segment whose first change has this stamp. */
export function segmentName(firstStamp: string): string {
  return `journal-${firstStamp}-${randomBytes(4).toString("hex")}.jsonl`;
}

function isRecord(value: unknown): value is JournalRecord {
  if (!value || typeof value !== "object" || Array.isArray(value)) return false;
  const record = value as Partial<JournalRecord>;
  if (typeof record.changeId !== "string" || typeof record.time !== "string") return false;
  if (record.type === "pending") return typeof record.resourceId === "string" && typeof record.resourceKind === "string";
  return record.type === "outcome" && typeof record.status === "string";
}

/** Parses journal text: records in order, and every line that is not one, by line number. */
export function parseRecords(text: string, file: string): { records: JournalRecord[]; problems: JournalProblem[] } {
  const records: JournalRecord[] = [];
  const problems: JournalProblem[] = [];
  const lines = text.split("\n");
  lines.forEach((line, index) => {
    if (!line.trim()) return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      const torn = index === lines.length - 1;
      problems.push({ file, line: index + 1, reason: torn ? "incomplete last line (a write was cut off)" : "not valid JSON" });
      return;
    }
    if (isRecord(value)) records.push(value);
    else problems.push({ file, line: index + 1, reason: "not a journal record" });
  });
  return { records, problems };
}

function errorCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException).code;
}

export class Journal {
  readonly file: string;
  private readonly maxActiveBytes: number;

  constructor(
    readonly stateDir: string,
    options: JournalOptions = {},
  ) {
    this.file = join(stateDir, ACTIVE_FILE);
    this.maxActiveBytes = options.maxActiveBytes ?? DEFAULT_MAX_ACTIVE_BYTES;
  }

  private async append(record: JournalRecord): Promise<void> {
    await mkdir(this.stateDir, { recursive: true, mode: 0o700 });
    const line = `${JSON.stringify(record)}\n`;
    // One write() per record on an O_APPEND file: records from concurrent processes do not interleave.
    const handle = await open(this.file, "a+", 0o600);
    try {
      const { size, mode } = await handle.stat();
      // Records hold whole resource documents: private to the user, even if the file was made wider.
      if ((mode & 0o077) !== 0 && process.platform !== "win32") await handle.chmod(0o600);
      let prefix = "";
      if (size > 0) {
        // A crash mid-append leaves a line without its newline: start on a fresh line so this record survives.
        const last = Buffer.alloc(1);
        await handle.read(last, 0, 1, size - 1);
        if (last[0] !== 0x0a) prefix = "\n";
      }
      await handle.write(prefix + line);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await this.rotateIfFull().catch(() => undefined);
  }

  /** Moves a full active file to a dated segment (named by its first change) and starts a new one. */
  private async rotateIfFull(): Promise<void> {
    const { size } = await stat(this.file);
    if (size < this.maxActiveBytes) return;
    const first = (await this.firstStamp(this.file)) ?? changeStamp(new Date());
    // rename() is atomic: a concurrent appender writes either to the old file (now the segment) or the new one.
    await rename(this.file, join(this.stateDir, segmentName(first)));
  }

  /**
   * The time of a file's first record as a change-id stamp (records begin with type, changeId and
   * time); undefined when unknown. A change's pending record is written at its stamp, so it is in the
   * last file whose first record is not later.
   */
  private async firstStamp(file: string): Promise<string | undefined> {
    const handle = await open(file, "r");
    try {
      const buffer = Buffer.alloc(256);
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
      const time = /"time":"([^"]+)"/.exec(buffer.subarray(0, bytesRead).toString("utf8"))?.[1];
      const date = time === undefined ? undefined : new Date(time);
      return date && !Number.isNaN(date.getTime()) ? changeStamp(date) : undefined;
    } finally {
      await handle.close();
    }
  }

  /** Rotated segments, oldest first, with the stamp of their first change. */
  async segments(): Promise<Array<{ file: string; firstStamp: string }>> {
    let names: string[];
    try {
      names = await readdir(this.stateDir);
    } catch (error) {
      if (errorCode(error) === "ENOENT") return [];
      throw error;
    }
    return names
      .map((name) => ({ name, match: SEGMENT_PATTERN.exec(name) }))
      .filter((item) => item.match)
      .map((item) => ({ file: join(this.stateDir, item.name), firstStamp: item.match![1] as string }))
      .sort((a, b) => (a.firstStamp === b.firstStamp ? a.file.localeCompare(b.file) : a.firstStamp < b.firstStamp ? -1 : 1));
  }

  /** Records the intent before the write; returns the change id. */
  async begin(record: Omit<PendingRecord, "type" | "changeId" | "time">, now: Date = new Date()): Promise<string> {
    const changeId = newChangeId(now);
    // type, changeId and time come first: rotation and find read a file's first time from its first bytes.
    await this.append({
      type: "pending",
      changeId,
      time: now.toISOString(),
      ...record,
      command: redact(record.command),
      ...(record.reason === undefined ? {} : { reason: redact(record.reason) }),
      ...(record.ticket === undefined ? {} : { ticket: redact(record.ticket) }),
    });
    return changeId;
  }

  async finish(changeId: string, outcome: Omit<OutcomeRecord, "type" | "changeId" | "time">, now: Date = new Date()): Promise<void> {
    await this.append({ type: "outcome", changeId, time: now.toISOString(), ...outcome, ...(outcome.error === undefined ? {} : { error: redact(outcome.error) }) });
  }

  /**
   * Reads records. By default the active file and the newest rotated segment (so a rotation never
   * empties `history`); `all` reads every segment; `from` (a change-id stamp) reads the segment that
   * holds that change and every newer one, which is where its outcome and undos are.
   */
  async read(options: { all?: boolean; from?: string } = {}): Promise<JournalRead> {
    const segments = await this.segments();
    let start: number;
    if (options.all) start = 0;
    else if (options.from !== undefined) {
      const from = options.from;
      // Changes of one second may straddle a rotation, so a segment starting in that second is not enough.
      const activeFirst = await this.firstStamp(this.file).catch(() => undefined);
      if (activeFirst !== undefined && activeFirst < from) start = segments.length;
      else {
        start = segments.length;
        while (start > 0 && (segments[start - 1] as { firstStamp: string }).firstStamp >= from) start -= 1;
        start = Math.max(0, start - 1);
      }
    } else start = Math.max(0, segments.length - 1);
    const files = [...segments.slice(start).map((segment) => segment.file), this.file];
    const result: JournalRead = { records: [], problems: [], files: [], olderSegments: start };
    for (const file of files) {
      let text: string;
      try {
        const handle = await open(file, "r");
        try {
          text = await handle.readFile("utf8");
        } finally {
          await handle.close();
        }
      } catch (error) {
        if (errorCode(error) === "ENOENT") continue;
        result.problems.push({ file, reason: `cannot be read (${errorCode(error) ?? (error as Error).message})` });
        continue;
      }
      const parsed = parseRecords(text, file);
      result.records.push(...parsed.records);
      result.problems.push(...parsed.problems);
      result.files.push(file);
    }
    return result;
  }

  async records(options: { all?: boolean } = {}): Promise<JournalRecord[]> {
    return (await this.read(options)).records;
  }

  /** Entries oldest first, each pending record merged with its latest outcome. */
  async entries(options: { all?: boolean } = {}): Promise<JournalEntry[]> {
    return mergeEntries((await this.read(options)).records);
  }

  /** Finds an entry by full change id or an unambiguous prefix, reading only the segments it needs. */
  async find(changeId: string): Promise<JournalEntry[]> {
    const stamp = STAMP_PATTERN.exec(changeId)?.[0];
    const match = (entries: JournalEntry[]): JournalEntry[] => {
      const exact = entries.filter((entry) => entry.changeId === changeId);
      return exact.length > 0 ? exact : entries.filter((entry) => entry.changeId.startsWith(changeId));
    };
    if (stamp) {
      const found = match(mergeEntries((await this.read({ from: stamp })).records));
      if (found.length > 0) return found;
    }
    // A short prefix, or a change written by a process whose clock disagreed: read everything.
    return match(mergeEntries((await this.read({ all: true })).records));
  }
}

/** Folds records (oldest first) into entries: each pending record with its latest outcome. */
export function mergeEntries(records: JournalRecord[]): JournalEntry[] {
  const entries = new Map<string, JournalEntry>();
  for (const record of records) {
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

/** One line per problem, for stderr: "journal.jsonl line 7: not valid JSON (skipped)". */
export function describeProblems(problems: JournalProblem[]): string[] {
  return problems.map((problem) => `${problem.file}${problem.line === undefined ? "" : ` line ${problem.line}`}: ${problem.reason} (skipped)`);
}
