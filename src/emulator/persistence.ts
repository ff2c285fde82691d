// Durable state: an append-only JSON-lines log (`state.log`), fsynced before a write is acknowledged,
// plus a snapshot (`snapshot.json`) written atomically when the emulator compacts (at start and at a
// clean stop). Each log line is one batch, so a batch is all-or-nothing; a torn last line (a crash
// mid-append) is dropped at load. Appends are group-committed: writes that arrive while an fsync is
// in flight share the next one.
import { closeSync, existsSync, ftruncateSync, mkdirSync, openSync, readFileSync } from "node:fs";
import { open, type FileHandle } from "node:fs/promises";
import { join } from "node:path";
import { writeFileAtomic } from "./files.js";

export type LogOp = { k: string; v: unknown } | { k: string; d: 1 };
interface LogLine {
  seq: number;
  ops: LogOp[];
}
interface Snapshot {
  seq: number;
  entries: Record<string, unknown>;
}

export interface LoadedState {
  entries: Map<string, unknown>;
  seq: number;
  /** True when the state dir held a snapshot or at least one complete log line. */
  existed: boolean;
  /** Log lines dropped because they were torn or unreadable. */
  droppedLines: number;
}

export class StateLog {
  readonly dir: string;
  private readonly logPath: string;
  private readonly snapshotPath: string;
  private handle: FileHandle | undefined;
  private seq = 0;
  private queue: { line: string; resolve: () => void; reject: (error: unknown) => void }[] = [];
  private flushing: Promise<void> | undefined;

  constructor(dir: string) {
    this.dir = dir;
    this.logPath = join(dir, "state.log");
    this.snapshotPath = join(dir, "snapshot.json");
  }

  load(): LoadedState {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const entries = new Map<string, unknown>();
    let existed = false;
    let seq = 0;
    if (existsSync(this.snapshotPath)) {
      const snapshot = JSON.parse(readFileSync(this.snapshotPath, "utf8")) as Snapshot;
      for (const [key, value] of Object.entries(snapshot.entries)) entries.set(key, value);
      seq = snapshot.seq;
      existed = true;
    }
    let droppedLines = 0;
    if (existsSync(this.logPath)) {
      const content = readFileSync(this.logPath);
      let offset = 0;
      let goodLength = 0;
      while (offset < content.length) {
        const end = content.indexOf(10, offset);
        if (end === -1) {
          droppedLines++; // a line without its newline was never acknowledged
          break;
        }
        let line: LogLine;
        try {
          line = JSON.parse(content.subarray(offset, end).toString("utf8")) as LogLine;
        } catch {
          droppedLines++;
          break;
        }
        if (line.seq > seq) {
          for (const op of line.ops) {
            if ("d" in op) entries.delete(op.k);
            else entries.set(op.k, op.v);
          }
          seq = line.seq;
        }
        existed = true;
        offset = end + 1;
        goodLength = offset;
      }
      if (goodLength < content.length) {
        const fd = openSync(this.logPath, "r+");
        try {
          ftruncateSync(fd, goodLength);
        } finally {
          closeSync(fd);
        }
      }
    }
    this.seq = seq;
    return { entries, seq, existed, droppedLines };
  }

  /** Writes a snapshot of everything and empties the log. Call only while no append is pending. */
  async compact(entries: Map<string, unknown>): Promise<void> {
    await this.drain();
    const snapshot: Snapshot = { seq: this.seq, entries: Object.fromEntries(entries) };
    writeFileAtomic(this.snapshotPath, JSON.stringify(snapshot));
    // Lines up to `seq` are in the snapshot now; a crash before this truncation only replays them as no-ops.
    await this.handle?.close();
    this.handle = undefined;
    const fd = openSync(this.logPath, "w", 0o600);
    closeSync(fd);
  }

  /** Appends one batch; resolves once it is on disk. */
  append(ops: LogOp[]): Promise<void> {
    if (ops.length === 0) return Promise.resolve();
    this.seq++;
    const line = JSON.stringify({ seq: this.seq, ops } satisfies LogLine) + "\n";
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ line, resolve, reject });
      if (this.flushing === undefined) this.flushing = this.flush();
    });
  }

  async drain(): Promise<void> {
    while (this.flushing !== undefined) await this.flushing;
  }

  async close(): Promise<void> {
    await this.drain();
    await this.handle?.close();
    this.handle = undefined;
  }

  private async flush(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const batch = this.queue;
        this.queue = [];
        try {
          this.handle ??= await open(this.logPath, "a", 0o600);
          await this.handle.write(batch.map((item) => item.line).join(""));
          await this.handle.sync();
          for (const item of batch) item.resolve();
        } catch (error) {
          for (const item of batch) item.reject(error);
        }
      }
    } finally {
      this.flushing = undefined;
    }
  }
}
