import type { PolicyAssignment } from "@azure/arm-policy";
import type { AzureSession } from "../azure/session.js";
import type { PolicyExemption } from "../azure/exemptions-client.js";
import { sameId, splitAuthorizationId } from "../azure/ids.js";
import { ConflictError, NotFoundError } from "../cli/errors.js";
import { armMaintainedMetadata, canonicalJson } from "../policy/edit.js";
import { readAssignment } from "../policy/write.js";
import type { Journal, JournalEntry } from "./journal.js";
import { withResourceLock } from "./lock.js";

/**
 * `history` reads the journal and settles entries left pending by a crash (or a killed process)
 * between the write and its outcome: the resource as Azure holds it now says whether the write
 * landed. The check runs under the resource lock, so a write still in flight on this machine is
 * never judged early; it is reported as in progress instead.
 */

/** The values of the touched keys in an assignment document (raw: undefined when not set). */
export function touchedValues(document: PolicyAssignment | null | undefined, touched: readonly string[]): string {
  const values: Record<string, unknown> = {};
  for (const key of touched) {
    if (key === "enforcementMode") values[key] = document?.enforcementMode ?? "Default";
    else if (key === "overrides") values[key] = document?.overrides ?? [];
    else {
      const own = Object.entries(document?.parameters ?? {}).find(([name]) => name.toLowerCase() === key.toLowerCase());
      values[key] = own ? own[1]?.value : null;
    }
  }
  return canonicalJson(values);
}

/** An exemption as compared between reads: its properties without what ARM maintains; null when absent. */
export function comparableExemption(exemption: PolicyExemption | null | undefined): string {
  if (!exemption) return "null";
  const properties = structuredClone(exemption.properties ?? {}) as unknown as Record<string, unknown>;
  if (properties.metadata && typeof properties.metadata === "object") {
    const metadata = { ...(properties.metadata as Record<string, unknown>) };
    for (const key of armMaintainedMetadata) delete metadata[key];
    properties.metadata = metadata;
  }
  for (const [key, value] of Object.entries(properties)) if (value === null || value === undefined) delete properties[key];
  return canonicalJson(properties);
}

export async function readExemption(session: AzureSession, id: string): Promise<PolicyExemption | undefined> {
  const parts = splitAuthorizationId(id, "policyExemptions");
  if (!parts) throw new NotFoundError(`'${id}' is not a policy exemption id.`);
  const client = await session.exemptions();
  return client.get(parts.scope, parts.name);
}

export type Resolution = { status: "applied" | "not-applied"; current: unknown } | { status: "unknown"; note: string };

/** Compares what Azure holds now with the entry's before and intended after. */
export async function resolveAgainstAzure(session: AzureSession, entry: JournalEntry): Promise<Resolution> {
  if (entry.resourceKind === "policyExemption") {
    const current = (await readExemption(session, entry.resourceId)) ?? null;
    const now = comparableExemption(current);
    if (now === comparableExemption(entry.intendedAfter as PolicyExemption | null)) return { status: "applied", current };
    if (now === comparableExemption(entry.before as PolicyExemption | null)) return { status: "not-applied", current };
    return { status: "unknown", note: "the exemption matches neither the earlier nor the intended version (changed since)" };
  }
  if (entry.resourceKind === "deploymentSafeguards") {
    const { safeguardsExclusionsOf, readSafeguardsById } = await import("../safeguards/undo.js");
    const current = await readSafeguardsById(session, entry.resourceId);
    const now = safeguardsExclusionsOf(current);
    if (now === safeguardsExclusionsOf(entry.intendedAfter)) return { status: "applied", current };
    if (now === safeguardsExclusionsOf(entry.before)) return { status: "not-applied", current };
    return { status: "unknown", note: "the Safeguards exclusions match neither the earlier nor the intended list (changed since)" };
  }
  let current: PolicyAssignment | null;
  try {
    current = await readAssignment(session, entry.resourceId);
  } catch (error) {
    if (!(error instanceof NotFoundError)) throw error;
    current = null;
  }
  const touched = entry.touched ?? [];
  if (!current) return { status: "unknown", note: "the assignment no longer exists" };
  const now = touchedValues(current, touched);
  if (now === touchedValues(entry.intendedAfter as PolicyAssignment, touched)) return { status: "applied", current };
  if (now === touchedValues(entry.before as PolicyAssignment, touched)) return { status: "not-applied", current };
  return { status: "unknown", note: "the touched values match neither the earlier nor the intended ones (changed since)" };
}

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

/** Entries (optionally of one resource), oldest first, with pending ones settled against Azure. */
export async function historyEntries(deps: HistoryDeps, filter: { resourceId?: string } = {}): Promise<ResolvedEntry[]> {
  let entries: ResolvedEntry[] = await deps.journal.entries();
  if (filter.resourceId) entries = entries.filter((entry) => sameId(entry.resourceId, filter.resourceId as string));
  for (const entry of entries) {
    if (entry.status !== "pending") continue;
    try {
      await withResourceLock({ stateDir: deps.stateDir, resourceId: entry.resourceId, timeoutMs: 300 }, async () => {
        // Re-read under the lock: the writer may have recorded its outcome while we waited.
        const fresh = (await deps.journal.find(entry.changeId))[0];
        if (fresh && fresh.status !== "pending") {
          Object.assign(entry, fresh);
          return;
        }
        const resolution = await resolveAgainstAzure(deps.session, entry);
        if (resolution.status === "unknown") {
          entry.resolution = `unresolved: ${resolution.note}`;
          return;
        }
        const note = "settled by 'akspol history' from the resource's state in Azure (the writing process ended before recording the outcome)";
        await deps.journal.finish(entry.changeId, { status: resolution.status, after: resolution.current, error: note }, deps.now());
        entry.status = resolution.status;
        entry.after = resolution.current;
        entry.resolution = resolution.status === "applied" ? "resolved from Azure: applied" : "resolved from Azure: not applied";
      });
    } catch (error) {
      if (error instanceof ConflictError) entry.resolution = "in progress (another akspol process holds the lock)";
      else throw error;
    }
  }
  return entries;
}
