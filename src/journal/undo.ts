import type { PolicyAssignment } from "../azure/assignments.js";
import type { PolicyExemption, PolicyExemptionProperties } from "../azure/exemptions-client.js";
import type { AzureSession } from "../azure/session.js";
import { splitAuthorizationId } from "../azure/ids.js";
import { ConflictError, NotFoundError, UsageError } from "../errors.js";
import { toAkspolError } from "../azure/error-classifier.js";
import { changedFields } from "../policy/assignment-compare.js";
import type { EditOperation } from "../policy/edit.js";
import { comparableExemption, readExemption } from "./settle.js";
import type { Journal, JournalEntry } from "./journal.js";
import { withResourceLock } from "./lock.js";

/**
 * Undo of a journaled change. An assignment change is undone by the operation that puts the touched
 * parameters and fields back to their earlier values (through the same safe write as any edit); an
 * exemption change by PUTting the earlier exemption back, or deleting the one the change created.
 * Either is refused without --force when the resource changed since the change was verified.
 */

export async function findEntry(journal: Journal, changeId: string): Promise<JournalEntry> {
  const matches = await journal.find(changeId);
  if (matches.length === 0) throw new NotFoundError(`No change '${changeId}' in the journal.`, { suggestion: "List changes with 'akspol history'." });
  if (matches.length > 1) {
    throw new UsageError(`'${changeId}' matches ${matches.length} changes: ${matches.map((entry) => entry.changeId).join(", ")}.`, { suggestion: "Give more of the change id." });
  }
  const entry = matches[0] as JournalEntry;
  // One step of a conversion (issue 17) is undone as the whole conversion: a step alone would leave
  // an assignment without its exemptions, or two assignments.
  if (entry.group) return findEntry(journal, entry.group);
  // A conversion that stopped midway is rolled back by its undo (issue 17).
  if (entry.resourceKind === "conversion" && entry.status === "failed") return entry;
  if (entry.status !== "applied") {
    throw new UsageError(`Change ${entry.changeId} is ${entry.status}; only an applied change can be undone.`, {
      suggestion: entry.status === "pending" || entry.status === "unverified" ? `Run 'akspol history' first: it settles ${entry.status} changes against Azure.` : undefined,
    });
  }
  return entry;
}

/** The operation that restores the earlier values of the keys the change touched. */
export function restoreOperation(entry: JournalEntry): EditOperation {
  const before = entry.before as PolicyAssignment | null;
  if (!before) throw new UsageError(`Change ${entry.changeId} has no earlier document to restore.`);
  const operation: EditOperation = { force: true };
  for (const key of entry.touched ?? []) {
    if (key === "enforcementMode") operation.enforcementMode = (before.enforcementMode ?? "Default") as EditOperation["enforcementMode"];
    else if (key === "overrides") operation.overrides = before.overrides ?? null;
    else {
      const own = Object.entries(before.parameters ?? {}).find(([name]) => name.toLowerCase() === key.toLowerCase());
      if (own) (operation.set ??= {})[own[0]] = own[1]?.value;
      else (operation.unset ??= []).push(key);
    }
  }
  return operation;
}

/**
 * Fields of the assignment as read now that differ from what the change left (its verified
 * read-back). Pure: undo checks the assignment its edit flow read anyway, so it is read once before
 * the write (docs/issues/13.md: request economy).
 */
export function assignmentChangesSince(entry: JournalEntry, current: PolicyAssignment): string[] {
  const after = (entry.after ?? entry.intendedAfter) as PolicyAssignment;
  return changedFields(after, current);
}

export function refuseIfChanged(entry: JournalEntry, changed: string[], force: boolean): void {
  if (changed.length > 0 && !force) {
    throw new ConflictError(`The resource changed since change ${entry.changeId}: ${changed.join(", ")}. Undoing it would overwrite those changes.`, {
      suggestion: `Review with 'akspol history', then pass --force to undo anyway.`,
    });
  }
}

export interface ExemptionUndoPlan {
  action: "put" | "delete" | "none";
  scope: string;
  name: string;
  current: PolicyExemption | null;
  restore: PolicyExemptionProperties | null;
  changedSince: boolean;
}

const writableExemptionFields: Array<keyof PolicyExemptionProperties> = [
  "policyAssignmentId",
  "policyDefinitionReferenceIds",
  "exemptionCategory",
  "expiresOn",
  "displayName",
  "description",
  "metadata",
  "resourceSelectors",
  "assignmentScopeValidation",
];

function writableExemption(properties: PolicyExemptionProperties): PolicyExemptionProperties {
  const result: Record<string, unknown> = {};
  for (const field of writableExemptionFields) if (properties[field] !== undefined && properties[field] !== null) result[field] = structuredClone(properties[field]);
  return result as unknown as PolicyExemptionProperties;
}

export async function planExemptionUndo(session: AzureSession, entry: JournalEntry): Promise<ExemptionUndoPlan> {
  const parts = splitAuthorizationId(entry.resourceId, "policyExemptions");
  if (!parts) throw new UsageError(`'${entry.resourceId}' is not a policy exemption id.`);
  const current = (await readExemption(session, entry.resourceId)) ?? null;
  const after = (entry.after !== undefined ? entry.after : entry.intendedAfter) as PolicyExemption | null;
  const changedSince = comparableExemption(current) !== comparableExemption(after);
  const before = entry.before as PolicyExemption | null;
  if (!before) return { action: current ? "delete" : "none", scope: parts.scope, name: parts.name, current, restore: null, changedSince };
  const restore = writableExemption(before.properties);
  const same = current !== null && comparableExemption(current) === comparableExemption({ ...before, properties: restore });
  return { action: same ? "none" : "put", scope: parts.scope, name: parts.name, current, restore, changedSince };
}

export interface ExemptionUndoDeps {
  session: AzureSession;
  journal: Journal;
  stateDir: string;
  principal: { id: string; name: string };
  command: string;
  reason?: string;
  ticket?: string;
  now: () => Date;
}

/** Writes an exemption undo under the resource lock, journaled like any exemption write (undoOf set). */
export async function applyExemptionUndo(deps: ExemptionUndoDeps, entry: JournalEntry, plan: ExemptionUndoPlan): Promise<{ changeId: string; after: PolicyExemption | null }> {
  return withResourceLock({ stateDir: deps.stateDir, resourceId: entry.resourceId }, async () => {
    const client = await deps.session.exemptions();
    const current = (await client.get(plan.scope, plan.name)) ?? null;
    if (comparableExemption(current) !== comparableExemption(plan.current)) {
      throw new ConflictError(`Exemption ${plan.name} changed while the undo was being confirmed.`, { suggestion: "Run the undo again to see the new plan." });
    }
    const id = current?.id ?? entry.resourceId;
    const changeId = await deps.journal.begin(
      {
        principal: deps.principal,
        command: deps.command,
        reason: deps.reason,
        ticket: deps.ticket,
        resourceKind: "policyExemption",
        resourceId: id,
        operation: plan.action === "delete" ? "delete" : current ? "update" : "create",
        summary: `undo ${entry.changeId} (${entry.summary})`,
        before: current,
        intendedAfter: plan.restore ? { id, name: plan.name, type: "Microsoft.Authorization/policyExemptions", properties: plan.restore } : null,
        undoOf: entry.changeId,
      },
      deps.now(),
    );
    try {
      if (plan.action === "delete") await client.delete(plan.scope, plan.name);
      else await client.createOrUpdate(plan.scope, plan.name, plan.restore as PolicyExemptionProperties);
      const after = (await client.get(plan.scope, plan.name)) ?? null;
      await deps.journal.finish(changeId, { status: "applied", after, attempts: 1 }, deps.now());
      return { changeId, after };
    } catch (error) {
      await deps.journal.finish(changeId, { status: "failed", error: toAkspolError(error).message, attempts: 1 }, deps.now());
      throw error;
    }
  });
}
