import type { AzureSession } from "../azure/session.js";
import { sameId } from "../azure/ids.js";
import { ConflictError } from "../errors.js";
import type { Journal, JournalEntry, JournalProblem } from "./journal.js";
import { mergeEntries } from "./journal.js";
import { withResourceLock } from "./lock.js";
import { resolveAgainstAzure } from "./settle.js";

/**
 * `history` reads the journal and settles entries left pending by a crash (or a killed process)
 * between the write and its outcome, and entries recorded `unverified` (the write was answered but
 * its read-back failed): the resource as Azure holds it now says whether the write landed. The check
 * runs under the resource lock, so a write still in flight on this machine is never judged early;
 * it is reported as in progress instead. From a read-only state dir it still lists and settles,
 * without recording the settlement.
 */

export interface HistoryDeps {
  session: AzureSession;
  journal: Journal;
  stateDir: string;
  now: () => Date;
}

export interface ResolvedEntry extends JournalEntry {
  /** Set when this run settled a pending entry from Azure's state, or could not. */
  resolution?: string;
}

export interface HistoryResult {
  entries: ResolvedEntry[];
  /** Lines skipped because they are not records, and segments that could not be read. */
  problems: JournalProblem[];
  /** Rotated segments not read (pass `all`). */
  olderSegments: number;
}

const unsettled = new Set(["pending", "unverified"]);

function isReadOnlyError(error: unknown): boolean {
  return ["EACCES", "EPERM", "EROFS"].includes((error as NodeJS.ErrnoException).code ?? "");
}

/** Entries (optionally of one resource), oldest first, with pending and unverified ones settled against Azure. */
export async function historyEntries(deps: HistoryDeps, filter: { resourceId?: string; all?: boolean } = {}): Promise<HistoryResult> {
  const read = await deps.journal.read({ all: filter.all });
  let entries: ResolvedEntry[] = mergeEntries(read.records);
  if (filter.resourceId) entries = entries.filter((entry) => sameId(entry.resourceId, filter.resourceId as string));
  for (const entry of entries) {
    if (!unsettled.has(entry.status)) continue;
    try {
      await withResourceLock({ stateDir: deps.stateDir, resourceId: entry.resourceId, timeoutMs: 300 }, () => settle(deps, entry, true));
    } catch (error) {
      if (error instanceof ConflictError) entry.resolution = "in progress (another akspol process holds the lock)";
      else if (isReadOnlyError(error)) await settle(deps, entry, false);
      else throw error;
    }
  }
  return { entries, problems: read.problems, olderSegments: read.olderSegments };
}

async function settle(deps: HistoryDeps, entry: ResolvedEntry, record: boolean): Promise<void> {
  if (record) {
    // Re-read under the lock: the writer may have recorded its outcome while we waited.
    const fresh = (await deps.journal.find(entry.changeId))[0];
    if (fresh && !unsettled.has(fresh.status)) {
      Object.assign(entry, fresh);
      return;
    }
  }
  const resolution = await resolveAgainstAzure(deps.session, entry);
  if (resolution.status === "unknown") {
    entry.resolution = `unresolved: ${resolution.note}`;
    return;
  }
  const settledText = resolution.status === "applied" ? "resolved from Azure: applied" : "resolved from Azure: not applied";
  const why = entry.status === "unverified" ? "the write was answered but its read-back had failed" : "the writing process ended before recording the outcome";
  let recorded = record;
  if (record) {
    try {
      await deps.journal.finish(entry.changeId, { status: resolution.status, after: resolution.current, error: `settled by 'akspol history' from the resource's state in Azure (${why})` }, deps.now());
    } catch (error) {
      if (!isReadOnlyError(error)) throw error;
      recorded = false;
    }
  }
  entry.status = resolution.status;
  entry.after = resolution.current;
  entry.resolution = recorded ? settledText : `${settledText} (not recorded: the state dir is read-only)`;
}
