// Conversion of an assignment of a pod-security initiative to akspol's per-policy custom initiative
// (issue 17), its upgrade to a newer built-in version, and the undo of either. Every write is journaled
// as a step of one `conversion` record; the order keeps the cluster covered at every moment: the new
// set and assignment (and the exemptions' copies) exist before anything old is removed, and an undo
// recreates the old assignment and exemptions before deleting the new ones.
import type { PolicyAssignment } from "@azure/arm-policy";
import { PartialFailureError, UsageError } from "../errors.js";
import { splitAuthorizationId } from "../azure/ids.js";
import { deleteAssignmentDocument, documentOf, getAssignmentDocument, putAssignmentDocument, putBody, toAssignmentModel, type AssignmentDocument } from "../azure/assignment-documents.js";
import { deleteSetDefinitionDocument, getSetDefinitionDocument, putSetDefinitionDocument, splitSetDefinitionId, type SetDefinitionDocument } from "../azure/set-definitions.js";
import type { PolicyExemption, PolicyExemptionProperties } from "../azure/exemptions-client.js";
import { isResourceMissing } from "../azure/arm-errors.js";
import type { AzureSession, Principal } from "../azure/session.js";
import type { Journal, JournalEntry, ResourceKind } from "../journal/journal.js";
import { exemptionsOfAssignment } from "../exemptions/of-assignment.js";
import { expandVersions } from "./assignments.js";
import type { SetDefinition } from "./definitions.js";
import { applyEdit, type EditOperation, type EditPlan } from "./edit.js";
import {
  assignmentNameLimit,
  buildPerPolicySet,
  convertedParameters,
  customSetName,
  definitionScopeFor,
  derivedName,
  type CustomInitiativeSource,
} from "./custom-initiative.js";
import { setDefinitionId } from "../azure/set-definitions.js";

export interface ExemptionCopy {
  /** The exemption that references the old assignment. */
  old: PolicyExemption;
  id: string;
  scope: string;
  name: string;
  properties: PolicyExemptionProperties;
}

export interface ConversionPlan {
  kind: "convert" | "upgrade";
  old: { id: string; scope: string; name: string; document: AssignmentDocument };
  source: CustomInitiativeSource;
  set: { id: string; scope: string; name: string; properties: NonNullable<SetDefinitionDocument["properties"]>; existing: SetDefinitionDocument | null };
  /** The assignment the plan creates (convert), or updates to the new version (upgrade: same id). */
  assignment: { id: string; scope: string; name: string; body: AssignmentDocument; model: PolicyAssignment };
  exemptions: ExemptionCopy[];
  /** The exclusion on the new assignment (convert), before and after. */
  edit?: EditPlan;
  warnings: string[];
}

/** The writable fields of an exemption, with the assignment it references replaced. */
export function exemptionCopy(exemption: PolicyExemption, assignmentId: string): PolicyExemptionProperties {
  const result: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(exemption.properties ?? {})) {
    if (value !== undefined && value !== null) result[key] = structuredClone(value);
  }
  if (result.metadata && typeof result.metadata === "object") {
    const metadata = { ...(result.metadata as Record<string, unknown>) };
    for (const key of ["createdBy", "createdOn", "updatedBy", "updatedOn"]) delete metadata[key];
    result.metadata = metadata;
  }
  result.policyAssignmentId = assignmentId;
  return result as unknown as PolicyExemptionProperties;
}

export interface ConversionInput {
  session: AzureSession;
  /** The assignment as read (through readAssignment, so its raw document is known). */
  assignment: PolicyAssignment;
  /** The built-in set at the version the assignment uses. */
  builtIn: SetDefinition;
  family: "baseline" | "restricted";
  definitionScope?: string;
  newName?: string;
  /** The exclusion to apply on the new assignment, planned against the custom set. */
  operationFor: (set: SetDefinition) => EditOperation;
}

/** The plan of a conversion: reads the existing custom set (if any) and the exemptions of the assignment. */
export async function planConversion(input: ConversionInput): Promise<ConversionPlan> {
  const { assignment } = input;
  const document = documentOf(assignment);
  if (!document) throw new Error("internal: a conversion starts from the raw document of the assignment");
  const oldId = assignment.id ?? "";
  const oldScope = assignment.scope ?? "";
  const oldName = assignment.name ?? "";
  const source: CustomInitiativeSource = { id: assignment.policyDefinitionId ?? "", version: input.builtIn.version ?? "" };
  const setScope = definitionScopeFor(oldScope, input.definitionScope);
  const setName = customSetName(input.family, oldName);
  const setId = setDefinitionId(setScope, setName);
  const properties = buildPerPolicySet(input.builtIn as never, source);
  const existing = (await getSetDefinitionDocument(input.session, setId)) ?? null;
  const setAsDefinition = { ...properties, id: setId, name: setName } as unknown as SetDefinition;

  const newName = input.newName ?? derivedName(oldName, "-pp", assignmentNameLimit(oldScope));
  if (newName.toLowerCase() === oldName.toLowerCase()) throw new UsageError(`--new-name '${newName}' is the assignment's own name.`, { suggestion: "The old assignment is removed only after the new one exists: pick another name." });
  const newId = `${oldScope}/providers/Microsoft.Authorization/policyAssignments/${newName}`;
  const parameters = convertedParameters((assignment.parameters ?? {}) as Record<string, { value?: unknown }>, properties);
  const model = { ...assignment, id: newId, name: newName, policyDefinitionId: setId, parameters } as PolicyAssignment;
  const edit = applyEdit(model, setAsDefinition, input.operationFor(setAsDefinition));
  const base = structuredClone(document);
  base.properties = { ...(base.properties ?? {}), policyDefinitionId: setId, parameters };
  const body = putBody(base, edit.body);
  const warnings = [...edit.warnings];
  const identity = document.identity as { type?: string; userAssignedIdentities?: Record<string, unknown> } | undefined;
  if (identity?.userAssignedIdentities) body.identity = { type: identity.type, userAssignedIdentities: Object.fromEntries(Object.keys(identity.userAssignedIdentities).map((key) => [key, {}])) };
  if (identity?.type && /systemassigned/i.test(identity.type)) {
    warnings.push("The assignment has a system-assigned identity: the new assignment gets a new one, so role assignments made for the old identity must be made again for the new one.");
  }

  const client = await input.session.exemptions();
  const referencing = await exemptionsOfAssignment(input.session, client, { id: oldId, scope: oldScope });
  const exemptions = referencing.map((exemption) => {
    const parts = splitAuthorizationId(exemption.id, "policyExemptions");
    if (!parts) throw new Error(`internal: '${exemption.id}' is not an exemption id`);
    const name = derivedName(parts.name, "-pp", 64);
    return { old: exemption, scope: parts.scope, name, id: `${parts.scope}/providers/Microsoft.Authorization/policyExemptions/${name}`, properties: exemptionCopy(exemption, newId) };
  });
  return {
    kind: "convert",
    old: { id: oldId, scope: oldScope, name: oldName, document },
    source,
    set: { id: setId, scope: setScope, name: setName, properties, existing },
    assignment: { id: newId, scope: oldScope, name: newName, body, model: { ...edit.body, id: newId, name: newName, scope: oldScope } as PolicyAssignment },
    exemptions,
    edit,
    warnings,
  };
}

/** The plan's requests in order, in words (for the frame's confirmation and the dry-run plan object). */
export function conversionRequests(plan: ConversionPlan): Array<{ method: "PUT" | "DELETE"; resource: string; summary: string; before?: unknown; after?: unknown }> {
  const requests: Array<{ method: "PUT" | "DELETE"; resource: string; summary: string; before?: unknown; after?: unknown }> = [
    {
      method: "PUT",
      resource: plan.set.id,
      summary: plan.set.existing
        ? `update the custom policy set definition ${plan.set.name} (version ${plan.set.properties.version}, from ${plan.source.id} ${plan.source.version})`
        : `create the custom policy set definition ${plan.set.name} (from ${plan.source.id} ${plan.source.version}: same members and versions, per-policy parameters)`,
      before: plan.set.existing?.properties?.version ?? null,
      after: plan.set.properties.version,
    },
  ];
  if (plan.kind === "upgrade") return requests;
  requests.push({ method: "PUT", resource: plan.assignment.id, summary: `create assignment ${plan.assignment.name}: every field of ${plan.old.name}, assigning the custom set, with the exclusion`, before: null, after: plan.edit?.after });
  for (const copy of plan.exemptions) requests.push({ method: "PUT", resource: copy.id, summary: `create exemption ${copy.name}: a copy of ${copy.old.name} referencing ${plan.assignment.name}`, before: null, after: copy.properties });
  for (const copy of plan.exemptions) requests.push({ method: "DELETE", resource: copy.old.id, summary: `delete exemption ${copy.old.name} (replaced by ${copy.name})`, before: copy.old.properties, after: null });
  requests.push({ method: "DELETE", resource: plan.old.id, summary: `delete assignment ${plan.old.name} (replaced by ${plan.assignment.name})`, before: plan.old.id, after: null });
  return requests;
}

export interface ConversionDeps {
  session: AzureSession;
  journal: Journal;
  principal: () => Promise<Principal>;
  command: string;
  reason?: string;
  ticket?: string;
  now: () => Date;
  onStatus?: (text: string) => void;
}

interface Step {
  kind: ResourceKind;
  id: string;
  operation: "create" | "update" | "delete";
  summary: string;
  before: unknown;
  intendedAfter: unknown;
  run: () => Promise<unknown>;
}

/** Runs steps in order, each journaled as part of `group`; the first failure stops the rest. */
async function runSteps(deps: ConversionDeps, group: string, principal: Principal, steps: Step[], done: string[]): Promise<void> {
  for (const step of steps) {
    const changeId = await deps.journal.begin(
      { principal, command: deps.command, reason: deps.reason, ticket: deps.ticket, resourceKind: step.kind, resourceId: step.id, operation: step.operation, summary: step.summary, before: step.before, intendedAfter: step.intendedAfter, group },
      deps.now(),
    );
    try {
      const after = await step.run();
      await deps.journal.finish(changeId, { status: "applied", after: after ?? null, attempts: 1 }, deps.now());
      done.push(step.summary);
    } catch (error) {
      await deps.journal.finish(changeId, { status: "failed", error: (error as Error).message, attempts: 1 }, deps.now());
      throw Object.assign(error as Error, { failedStep: step.summary });
    }
  }
}

async function readExemptionOrNull(session: AzureSession, id: string): Promise<PolicyExemption | null> {
  const parts = splitAuthorizationId(id, "policyExemptions");
  if (!parts) return null;
  return (await (await session.exemptions()).get(parts.scope, parts.name)) ?? null;
}

async function readAssignmentDocumentOrNull(session: AzureSession, id: string): Promise<AssignmentDocument | null> {
  const parts = splitAuthorizationId(id, "policyAssignments");
  if (!parts) return null;
  try {
    return await getAssignmentDocument(session, parts.scope, parts.name, expandVersions);
  } catch (error) {
    if (isResourceMissing(error)) return null;
    throw error;
  }
}

function setStep(deps: ConversionDeps, plan: ConversionPlan): Step {
  return {
    kind: "policySetDefinition",
    id: plan.set.id,
    operation: plan.set.existing ? "update" : "create",
    summary: `${plan.kind === "upgrade" ? "upgrade" : "convert"}: ${plan.set.existing ? "update" : "create"} custom initiative ${plan.set.name} ${plan.set.properties.version}`,
    before: plan.set.existing,
    intendedAfter: { id: plan.set.id, name: plan.set.name, properties: plan.set.properties },
    run: () => putSetDefinitionDocument(deps.session, plan.set.id, { properties: plan.set.properties }),
  };
}

function assignmentPut(deps: ConversionDeps, id: string, body: AssignmentDocument, before: unknown, summary: string): Step {
  const parts = splitAuthorizationId(id, "policyAssignments")!;
  return {
    kind: "policyAssignment",
    id,
    operation: before ? "update" : "create",
    summary,
    before,
    intendedAfter: { id, name: parts.name, ...body },
    run: async () => {
      await putAssignmentDocument(deps.session, parts.scope, parts.name, body);
      return getAssignmentDocument(deps.session, parts.scope, parts.name, expandVersions);
    },
  };
}

function exemptionPut(deps: ConversionDeps, id: string, properties: PolicyExemptionProperties, summary: string, before: PolicyExemption | null = null): Step {
  const parts = splitAuthorizationId(id, "policyExemptions")!;
  return {
    kind: "policyExemption",
    id,
    operation: before ? "update" : "create",
    summary,
    before,
    intendedAfter: { id, name: parts.name, type: "Microsoft.Authorization/policyExemptions", properties },
    run: async () => (await (await deps.session.exemptions()).createOrUpdate(parts.scope, parts.name, properties)).exemption,
  };
}

function exemptionDelete(deps: ConversionDeps, exemption: PolicyExemption, summary: string): Step {
  const parts = splitAuthorizationId(exemption.id, "policyExemptions")!;
  return { kind: "policyExemption", id: exemption.id, operation: "delete", summary, before: exemption, intendedAfter: null, run: async () => void (await (await deps.session.exemptions()).delete(parts.scope, parts.name)) };
}

function assignmentDelete(deps: ConversionDeps, id: string, before: unknown, summary: string): Step {
  const parts = splitAuthorizationId(id, "policyAssignments")!;
  return { kind: "policyAssignment", id, operation: "delete", summary, before, intendedAfter: null, run: async () => void (await deleteAssignmentDocument(deps.session, parts.scope, parts.name)) };
}

export interface ConversionResult {
  changeId: string;
  steps: string[];
}

/** What a failed conversion (or upgrade, or undo) says: what was done, what failed, how to finish or roll back. */
function stoppedError(kind: string, changeId: string, done: string[], error: unknown, next: string): PartialFailureError {
  const failed = (error as { failedStep?: string }).failedStep ?? "a step";
  const lines = [`The ${kind} stopped at "${failed}": ${(error as Error).message.split("\n")[0]}`];
  lines.push(done.length ? `Done before it (journaled in change ${changeId}): ${done.join("; ")}.` : `Nothing was changed before it (change ${changeId}).`);
  return new PartialFailureError(lines.join("\n"), { suggestion: next, cause: error });
}

/**
 * Carries the conversion out: custom set, new assignment (with the exclusion), copies of the
 * exemptions, then deletes the old exemptions and the old assignment. Every step is idempotent, so
 * running the same command again after a failure resumes where it stopped.
 */
export async function executeConversion(deps: ConversionDeps, plan: ConversionPlan, summary: string): Promise<ConversionResult> {
  const principal = await deps.principal();
  const changeId = await deps.journal.begin(
    {
      principal,
      command: deps.command,
      reason: deps.reason,
      ticket: deps.ticket,
      resourceKind: "conversion",
      resourceId: plan.old.id,
      operation: "update",
      summary,
      before: { assignment: plan.old.document, exemptions: plan.exemptions.map((copy) => copy.old), setDefinition: plan.set.existing },
      intendedAfter: {
        kind: plan.kind,
        setDefinitionId: plan.set.id,
        setDefinitionCreated: !plan.set.existing,
        assignmentId: plan.assignment.id,
        assignment: plan.assignment.body,
        exemptions: plan.exemptions.map((copy) => ({ id: copy.id, replaces: copy.old.id, properties: copy.properties })),
        source: plan.source,
      },
    },
    deps.now(),
  );
  const done: string[] = [];
  const steps: Step[] = [setStep(deps, plan)];
  if (plan.kind === "convert") {
    steps.push(assignmentPut(deps, plan.assignment.id, plan.assignment.body, null, `convert: create assignment ${plan.assignment.name} (replaces ${plan.old.name})`));
    for (const copy of plan.exemptions) steps.push(exemptionPut(deps, copy.id, copy.properties, `convert: create exemption ${copy.name} (replaces ${copy.old.name})`));
    for (const copy of plan.exemptions) steps.push(exemptionDelete(deps, copy.old, `convert: delete exemption ${copy.old.name}`));
    steps.push(assignmentDelete(deps, plan.old.id, plan.old.document, `convert: delete assignment ${plan.old.name}`));
  }
  try {
    await runSteps(deps, changeId, principal, steps, done);
  } catch (error) {
    await deps.journal.finish(changeId, { status: "failed", error: (error as Error).message, attempts: 1 }, deps.now());
    const oldStillThere = plan.kind === "convert" && !done.some((step) => step.startsWith(`convert: delete assignment`));
    throw stoppedError(plan.kind === "upgrade" ? "upgrade" : "conversion", changeId, done, error, [
      `Run the same command again to finish it (every step is safe to repeat), or roll back with 'akspol undo ${changeId}'.`,
      oldStillThere ? `${plan.old.name} still exists and still applies, so the clusters stay covered meanwhile.` : "",
    ].filter(Boolean).join(" "));
  }
  await deps.journal.finish(changeId, { status: "applied", after: { setDefinitionId: plan.set.id, assignmentId: plan.assignment.id, exemptionIds: plan.exemptions.map((copy) => copy.id) }, attempts: 1 }, deps.now());
  return { changeId, steps: done };
}

/** What undoing a conversion will do, computed from the journal and what Azure holds now. */
export interface ConversionUndoPlan {
  entry: JournalEntry;
  steps: Array<{ method: "PUT" | "DELETE"; resource: string; summary: string }>;
  run: (deps: ConversionDeps, group: string, principal: Principal, done: string[]) => Promise<void>;
}

interface ConversionBefore {
  assignment: AssignmentDocument;
  exemptions: PolicyExemption[];
  setDefinition: SetDefinitionDocument | null;
}

interface ConversionAfter {
  kind: "convert" | "upgrade";
  setDefinitionId: string;
  setDefinitionCreated: boolean;
  assignmentId: string;
  exemptions: Array<{ id: string; replaces: string }>;
}

/**
 * Plans the undo of a conversion (applied or stopped midway): recreate the old assignment and its
 * exemptions where they are gone, then delete the new exemptions and the new assignment, then the
 * custom set when this conversion created it. An upgrade's undo puts the earlier set version back.
 */
export async function planConversionUndo(session: AzureSession, entry: JournalEntry): Promise<ConversionUndoPlan> {
  const before = entry.before as ConversionBefore;
  const after = entry.intendedAfter as ConversionAfter;
  const steps: ConversionUndoPlan["steps"] = [];
  const work: Array<(deps: ConversionDeps) => Step> = [];
  if (after.kind === "upgrade") {
    const previous = before.setDefinition;
    if (!previous?.properties) throw new UsageError(`Change ${entry.changeId} has no earlier set definition to restore.`);
    steps.push({ method: "PUT", resource: after.setDefinitionId, summary: `put custom initiative ${previous.name ?? ""} back to version ${previous.properties.version}` });
    work.push((deps) => ({
      kind: "policySetDefinition",
      id: after.setDefinitionId,
      operation: "update",
      summary: `undo upgrade: custom initiative back to ${previous.properties?.version}`,
      before: null,
      intendedAfter: previous,
      run: () => putSetDefinitionDocument(deps.session, after.setDefinitionId, { properties: previous.properties }),
    }));
  } else {
    const oldId = entry.resourceId;
    const oldNow = await readAssignmentDocumentOrNull(session, oldId);
    if (!oldNow) {
      steps.push({ method: "PUT", resource: oldId, summary: `recreate assignment ${before.assignment.name} as it was` });
      const body = putBody(before.assignment, toAssignmentModel(before.assignment));
      work.push((deps) => assignmentPut(deps, oldId, body, null, `undo conversion: recreate assignment ${before.assignment.name}`));
    }
    for (const exemption of before.exemptions) {
      if (await readExemptionOrNull(session, exemption.id)) continue;
      steps.push({ method: "PUT", resource: exemption.id, summary: `recreate exemption ${exemption.name}` });
      const properties = exemptionCopy(exemption, exemption.properties.policyAssignmentId);
      work.push((deps) => exemptionPut(deps, exemption.id, properties, `undo conversion: recreate exemption ${exemption.name}`));
    }
    for (const copy of after.exemptions) {
      const current = await readExemptionOrNull(session, copy.id);
      if (!current) continue;
      steps.push({ method: "DELETE", resource: copy.id, summary: `delete exemption ${current.name}` });
      work.push((deps) => exemptionDelete(deps, current, `undo conversion: delete exemption ${current.name}`));
    }
    const newNow = await readAssignmentDocumentOrNull(session, after.assignmentId);
    if (newNow) {
      steps.push({ method: "DELETE", resource: after.assignmentId, summary: `delete assignment ${newNow.name}` });
      work.push((deps) => assignmentDelete(deps, after.assignmentId, newNow, `undo conversion: delete assignment ${newNow.name}`));
    }
    const set = after.setDefinitionCreated ? await getSetDefinitionDocument(session, after.setDefinitionId) : undefined;
    if (set && splitSetDefinitionId(after.setDefinitionId)) {
      steps.push({ method: "DELETE", resource: after.setDefinitionId, summary: `delete custom initiative ${set.name}` });
      work.push((deps) => ({
        kind: "policySetDefinition",
        id: after.setDefinitionId,
        operation: "delete",
        summary: `undo conversion: delete custom initiative ${set.name}`,
        before: set,
        intendedAfter: null,
        run: async () => void (await deleteSetDefinitionDocument(deps.session, after.setDefinitionId)),
      }));
    }
  }
  return {
    entry,
    steps,
    run: (deps, group, principal, done) => runSteps(deps, group, principal, work.map((build) => build(deps)), done),
  };
}

/** Carries out a conversion undo, journaled as a conversion record of its own (undoOf the original). */
export async function executeConversionUndo(deps: ConversionDeps, plan: ConversionUndoPlan): Promise<ConversionResult> {
  const principal = await deps.principal();
  const changeId = await deps.journal.begin(
    {
      principal,
      command: deps.command,
      reason: deps.reason,
      ticket: deps.ticket,
      resourceKind: "conversion",
      resourceId: plan.entry.resourceId,
      operation: "update",
      summary: `undo ${plan.entry.changeId} (${plan.entry.summary})`,
      before: null,
      intendedAfter: { steps: plan.steps },
      undoOf: plan.entry.changeId,
    },
    deps.now(),
  );
  const done: string[] = [];
  try {
    await plan.run(deps, changeId, principal, done);
  } catch (error) {
    await deps.journal.finish(changeId, { status: "failed", error: (error as Error).message, attempts: 1 }, deps.now());
    throw stoppedError("undo", changeId, done, error, `Run 'akspol undo ${plan.entry.changeId}' again: it plans from what Azure holds now and does only what is left.`);
  }
  await deps.journal.finish(changeId, { status: "applied", after: { steps: done }, attempts: 1 }, deps.now());
  return { changeId, steps: done };
}
