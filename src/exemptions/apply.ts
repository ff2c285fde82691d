import type { ExemptionsClient, PolicyExemption, PolicyExemptionProperties } from "../azure/exemptions-client.js";
import { settleConcurrent } from "../azure/concurrency.js";
import { ConflictError, NotFoundError } from "../errors.js";
import { toAkspolError } from "../azure/error-classifier.js";
import type { Journal } from "../journal/journal.js";
import { writtenButUnverified } from "../journal/outcomes.js";
import { comparableExemption } from "../journal/settle.js";
import { exemptionScope, mergeForUpdate, type Plan, type PlanAction } from "./plan.js";
import { metadataKeys, ownerOf, stringField } from "./metadata.js";

/**
 * Exemption writes, each journaled in the shape `akspol undo` reverses: `before` is the full exemption
 * (null for a create), `intendedAfter` the full body (null for a delete). Undo PUTs `before` back,
 * or deletes when it is null.
 */
export interface WriteDeps {
  client: ExemptionsClient;
  journal: Journal;
  principal: { id: string; name: string };
  command: string;
  now: () => Date;
  /** Read a written exemption back this many ms after the PUT (0: trust the PUT's answer). */
  settleMs?: number;
}

export interface WriteRecord {
  operation: "create" | "update" | "delete";
  id: string;
  changeId: string;
}

function reasonAndTicket(properties: PolicyExemptionProperties | undefined) {
  return {
    reason: stringField(properties?.metadata, metadataKeys.reason) ?? properties?.description,
    ticket: stringField(properties?.metadata, metadataKeys.ticket),
  };
}

/** PUT with a journal entry around it. `before` is the exemption as read just before (undefined for a create). */
export async function journaledPut(
  deps: WriteDeps,
  write: { scope: string; name: string; before?: PolicyExemption; properties: PolicyExemptionProperties; summary: string },
): Promise<{ exemption: PolicyExemption; record: WriteRecord }> {
  const id = `${write.scope}/providers/Microsoft.Authorization/policyExemptions/${write.name}`;
  const operation = write.before ? "update" : "create";
  const changeId = await deps.journal.begin(
    {
      principal: deps.principal,
      command: deps.command,
      ...reasonAndTicket(write.properties),
      resourceKind: "policyExemption",
      resourceId: write.before?.id ?? id,
      operation,
      summary: write.summary,
      before: write.before ?? null,
      intendedAfter: { id: write.before?.id ?? id, name: write.name, type: "Microsoft.Authorization/policyExemptions", properties: write.properties },
      touched: write.before ? changedFields(write.before.properties, write.properties) : undefined,
    },
    deps.now(),
  );
  let exemption: PolicyExemption;
  try {
    ({ exemption } = await deps.client.createOrUpdate(write.scope, write.name, write.properties));
  } catch (error) {
    await deps.journal.finish(changeId, { status: "failed", error: toAkspolError(error).message }, deps.now());
    throw error;
  }
  const after = (deps.settleMs ?? 0) > 0 ? await verifyAfterSettle(deps, write, exemption, changeId) : exemption;
  await deps.journal.finish(changeId, { status: "applied", after }, deps.now());
  return { exemption: after, record: { operation, id: exemption.id ?? id, changeId } };
}

/**
 * Reads the exemption again `settleMs` after the PUT: another owner or tool that wrote the same
 * name meanwhile is reported (exit 5) instead of a success that is already gone; a failing read is
 * "written; verification failed" (journaled unverified, settled by history).
 */
async function verifyAfterSettle(deps: WriteDeps, write: { scope: string; name: string }, written: PolicyExemption, changeId: string): Promise<PolicyExemption> {
  await new Promise((resolve) => setTimeout(resolve, deps.settleMs));
  let readBack: PolicyExemption | null;
  try {
    readBack = (await deps.client.get(write.scope, write.name)) ?? null;
  } catch (error) {
    const failure = toAkspolError(error);
    await deps.journal.finish(changeId, { status: "unverified", after: written, error: failure.message }, deps.now());
    throw writtenButUnverified(failure, changeId);
  }
  if (comparableExemption(readBack) === comparableExemption(written)) return readBack as PolicyExemption;
  const by = (readBack?.systemData?.lastModifiedBy as string | undefined) ?? "another writer";
  const what = readBack ? `changed by ${by}` : "deleted";
  const message = `exemption '${write.name}' was written (change ${changeId}) and ${what} within ${deps.settleMs} ms`;
  await deps.journal.finish(changeId, { status: "applied", after: written, error: message }, deps.now());
  throw new ConflictError(`${message}; it no longer holds what akspol wrote.`, {
    suggestion: "Someone else is writing this exemption: check it with 'akspol exempt show', coordinate, then run the command again.",
  });
}

export async function journaledDelete(deps: WriteDeps, write: { before: PolicyExemption; summary: string }): Promise<{ record: WriteRecord; existed: boolean }> {
  const scope = exemptionScope(write.before.id);
  const changeId = await deps.journal.begin(
    {
      principal: deps.principal,
      command: deps.command,
      ...reasonAndTicket(write.before.properties),
      resourceKind: "policyExemption",
      resourceId: write.before.id,
      operation: "delete",
      summary: write.summary,
      before: write.before,
      intendedAfter: null,
    },
    deps.now(),
  );
  try {
    const existed = await deps.client.delete(scope, write.before.name);
    await deps.journal.finish(changeId, { status: existed ? "applied" : "not-applied", after: null, ...(existed ? {} : { error: "it did not exist any more (204)" }) }, deps.now());
    return { record: { operation: "delete", id: write.before.id, changeId }, existed };
  } catch (error) {
    await deps.journal.finish(changeId, { status: "failed", error: toAkspolError(error).message }, deps.now());
    throw error;
  }
}

function changedFields(before: PolicyExemptionProperties, after: PolicyExemptionProperties): string[] {
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]) as Set<keyof PolicyExemptionProperties>;
  return [...keys].filter((key) => JSON.stringify(before[key] ?? null) !== JSON.stringify(after[key] ?? null)).sort();
}

/**
 * Updates by GET plus a full PUT (ARM's PATCH only takes resourceSelectors and
 * assignmentScopeValidation): the fresh GET keeps fields changed since the plan was made.
 */
export async function updateByPut(
  deps: WriteDeps,
  update: { scope: string; name: string; desired: PolicyExemptionProperties | ((current: PolicyExemption) => PolicyExemptionProperties); summary: string; current?: PolicyExemption },
): Promise<{ exemption: PolicyExemption; record: WriteRecord }> {
  const current = update.current ?? (await deps.client.get(update.scope, update.name));
  if (!current) {
    throw new NotFoundError(`Exemption '${update.name}' no longer exists at ${update.scope}.`, { suggestion: "Run the command again: it will be created." });
  }
  const properties = typeof update.desired === "function" ? update.desired(current) : mergeForUpdate(current.properties, update.desired);
  return journaledPut(deps, { scope: update.scope, name: update.name, before: current, properties, summary: update.summary });
}

export interface ActionResult {
  action: PlanAction["action"];
  id: string;
  name: string;
  cluster: string;
  status: "applied" | "failed" | "skipped";
  changeIds: string[];
  error?: string;
  exitCode?: number;
}

/**
 * Runs the plan's writes with bounded concurrency. Every item settles on its own: a failed write
 * (throttling or server errors past the SDK's retries, a permission) does not stop the others, and
 * a re-run converges because the plan is recomputed from Azure.
 */
export async function executePlan(plan: Plan, deps: WriteDeps & { concurrency: number }): Promise<ActionResult[]> {
  const writes = plan.actions.filter((action) => action.action !== "unchanged");
  const changeIds = writes.map((): string[] => []);
  const settled = await settleConcurrent(writes, writePoolSize(deps), async (action, index) => {
    const current = await recheckOwnership(deps.client, action, plan.owner);
    await runAction(action, deps, changeIds[index] as string[], current);
  });
  return settled.map((outcome, index) => {
    const action = writes[index] as PlanAction;
    const base = { action: action.action, id: action.id, name: action.name, cluster: action.cluster, changeIds: changeIds[index] as string[] };
    if (outcome.ok) return { ...base, status: "applied" as const };
    const failure = toAkspolError(outcome.error);
    return { ...base, status: "failed" as const, error: failure.message, exitCode: failure.exitCode };
  });
}

/**
 * How many writes run at once. ARM requests are bounded by the session's one request limiter
 * (`--concurrency`, src/azure/request-limiter.ts), whoever sends them; this pool only bounds how many
 * writes are under way. A write spends most of its time waiting out its settle interval before the
 * verifying read (AKSPOL_VERIFY_SETTLE_MS, default 1 s), holding no request: with a pool of
 * `--concurrency`, 100 writes at 8 took about 100 / 8 x 1 s of waiting in turns. The waits overlap
 * instead, at most 8 writes waiting per request slot.
 */
function writePoolSize(deps: { concurrency: number; settleMs?: number }): number {
  return (deps.settleMs ?? 0) > 0 ? deps.concurrency * 8 : deps.concurrency;
}

/**
 * Ownership is checked when the plan is made, but another owner may apply the same name between
 * the plan and the write (docs/issues/10.md: both exited 0 and the last one owned it). So just before each
 * write: a create finds nothing there, and an update, replace or delete finds this owner's stamp.
 */
async function recheckOwnership(client: ExemptionsClient, action: PlanAction, owner: string): Promise<PolicyExemption | undefined> {
  const current = await client.get(action.scope, action.name);
  if (action.action === "create") {
    if (!current) return undefined;
    const other = ownerOf(current.properties.metadata);
    throw new ConflictError(
      `exemption '${action.name}' on ${action.cluster} was created meanwhile ${other ? `by owner '${other}'` : "outside this desired-state file"}; owner '${owner}' will not take it over`,
      {
        suggestion: "Run apply again to see the new plan, or give the entry another name.",
      },
    );
  }
  if (!current) return undefined; // gone already: an update reports it, a delete has nothing to do
  const now = ownerOf(current.properties.metadata);
  if (now !== owner) {
    throw new ConflictError(`exemption '${action.name}' on ${action.cluster} now belongs to ${now ? `owner '${now}'` : "no desired-state owner"}; owner '${owner}' will not change it`, {
      suggestion: "Run apply again to see the new plan.",
    });
  }
  return current;
}

/** `current`: the exemption as re-read just before this write (undefined when absent). */
async function runAction(action: PlanAction, deps: WriteDeps, changeIds: string[], current: PolicyExemption | undefined): Promise<void> {
  const label = `exemption ${action.name} on ${action.cluster}`;
  switch (action.action) {
    case "create": {
      const { record } = await journaledPut(deps, { scope: action.scope, name: action.name, properties: action.desired, summary: `apply: create ${label}` });
      changeIds.push(record.changeId);
      return;
    }
    case "update": {
      const { record } = await updateByPut(deps, {
        scope: action.scope,
        name: action.name,
        current,
        desired: action.desired,
        summary: `apply: update ${label} (${action.diffs.map((diff) => diff.field).join(", ")})`,
      });
      changeIds.push(record.changeId);
      return;
    }
    case "replace": {
      // The name stays, and ARM refuses a new policyAssignmentId on an existing exemption
      // (InvalidPolicyAssignmentIdUpdate), so the old one must go before the new one can be made.
      // Two journal entries (delete old, create new); if the create fails, a re-run creates it.
      const existing = current ?? action.actual;
      const removed = await journaledDelete(deps, { before: existing, summary: `apply: replace ${label}: delete the exemption of ${existing.properties.policyAssignmentId}` });
      changeIds.push(removed.record.changeId);
      const { record } = await journaledPut(deps, {
        scope: action.scope,
        name: action.name,
        properties: action.desired,
        summary: `apply: replace ${label}: create it for ${action.desired.policyAssignmentId}`,
      });
      changeIds.push(record.changeId);
      return;
    }
    case "delete": {
      const { record } = await journaledDelete(deps, { before: action.actual, summary: `apply --prune: delete ${label}` });
      changeIds.push(record.changeId);
      return;
    }
    case "unchanged":
      return;
  }
}
