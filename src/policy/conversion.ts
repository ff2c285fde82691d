// Conversion of an assignment of a pod-security initiative to akspol's per-policy custom initiative
// (issue 17), its upgrade to a newer built-in version, and the undo of either. Every write is journaled
// as a step of one `conversion` record; the order keeps the cluster covered at every moment: the new
// set and assignment (and the exemptions' copies) exist before anything old is removed, and an undo
// recreates the old assignment and exemptions before deleting the new ones.
import type { PolicyAssignment } from "../azure/assignments.js";
import { PartialFailureError, UsageError } from "../errors.js";
import { splitAuthorizationId } from "../azure/ids.js";
import { assignmentDocument, deleteAssignment, putAssignmentAs, readAssignmentDocument } from "../azure/assignments.js";

/** An assignment as ARM returned it (raw JSON; src/azure/assignments.ts). */
type AssignmentDocument = { id?: string; name?: string; properties?: Record<string, unknown>; identity?: unknown; [key: string]: unknown };
import {
  deleteSetDefinitionDocument,
  deleteSetDefinitionVersion,
  getSetDefinitionDocument,
  putSetDefinitionDocument,
  splitSetDefinitionId,
  type SetDefinitionDocument,
} from "../azure/set-definitions.js";
import type { PolicyExemption, PolicyExemptionProperties } from "../azure/exemptions-client.js";
import type { AzureSession, Principal } from "../azure/session.js";
import type { Journal, JournalEntry, ResourceKind } from "../journal/journal.js";
import { exemptionsOfAssignment } from "../exemptions/of-assignment.js";
import type { SetDefinition, SetDefinitionCache } from "./definitions.js";
import { compareVersions, versionMatches } from "../effective/index.js";
import { applyEdit, type EditOperation, type EditPlan } from "./edit.js";
import { assignmentNameLimit, buildPerPolicySet, convertedParameters, customSetName, definitionScopeFor, derivedName, akspolSourceOf, type CustomInitiativeSource } from "./custom-initiative.js";
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
  /** `document` is what the PUT starts from (every property ARM returned), `intended` the model it sends. */
  assignment: { id: string; scope: string; name: string; document: AssignmentDocument; intended: PolicyAssignment };
  exemptions: ExemptionCopy[];
  /** The exclusion on the new assignment (convert), before and after. */
  edit?: EditPlan;
  /** upgrade: the custom set's version before, and whether the assignment's definitionVersion must change too. */
  upgrade?: { fromVersion: string; toVersion: string; assignmentChanged: boolean; pins: Array<{ referenceId: string; before?: string; after?: string }> };
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
  const document = assignmentDocument(assignment) as AssignmentDocument | undefined;
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
  if (newName.toLowerCase() === oldName.toLowerCase())
    throw new UsageError(`--new-name '${newName}' is the assignment's own name.`, { suggestion: "The old assignment is removed only after the new one exists: pick another name." });
  const newId = `${oldScope}/providers/Microsoft.Authorization/policyAssignments/${newName}`;
  const parameters = convertedParameters((assignment.parameters ?? {}) as Record<string, { value?: unknown }>, properties);
  const model = { ...assignment, id: newId, name: newName, policyDefinitionId: setId, parameters } as PolicyAssignment;
  const edit = applyEdit(model, setAsDefinition, input.operationFor(setAsDefinition));
  const base = structuredClone(document);
  base.properties = { ...(base.properties ?? {}), policyDefinitionId: setId, parameters };
  const warnings = [...edit.warnings];
  const identity = document.identity as { type?: string; userAssignedIdentities?: Record<string, unknown> } | undefined;
  if (identity?.type && /systemassigned/i.test(identity.type)) {
    warnings.push("The assignment has a system-assigned identity: the new assignment gets a new one, so role assignments made for the old identity must be made again for the new one.");
  }

  const referencing = await exemptionsOfAssignment(input.session, { id: oldId, scope: oldScope });
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
    assignment: { id: newId, scope: oldScope, name: newName, document: base, intended: edit.body },
    exemptions,
    edit,
    warnings,
  };
}

export interface UpgradeInput {
  session: AzureSession;
  definitions: SetDefinitionCache;
  /** The assignment of akspol's custom initiative, as read through readAssignment. */
  assignment: PolicyAssignment;
  /** The built-in version to bring it to (default: the newest). */
  toVersion?: string;
}

/**
 * The plan that brings an akspol custom initiative to a newer version of the built-in it was made
 * from: the same members with the built-in's new pins and defaults, as a new version of the same set
 * (so the assignment keeps its id, parameters and exemptions); the assignment's definitionVersion
 * changes only when it does not match the new version. `upToDate` when there is nothing newer.
 */
export async function planUpgrade(input: UpgradeInput): Promise<ConversionPlan | { upToDate: true; version: string; source: CustomInitiativeSource }> {
  const { assignment } = input;
  const document = assignmentDocument(assignment) as AssignmentDocument | undefined;
  if (!document) throw new Error("internal: an upgrade starts from the raw document of the assignment");
  const setId = assignment.policyDefinitionId ?? "";
  const location = splitSetDefinitionId(setId);
  const current = location ? await getSetDefinitionDocument(input.session, setId) : undefined;
  const source = akspolSourceOf(current);
  if (!location || !current || !source) {
    throw new UsageError(`${assignment.name} does not assign a custom initiative made by akspol (its definition is ${setId}).`, {
      suggestion: "akspol initiative upgrade works on assignments that 'akspol exclude add --policies' converted; a built-in initiative is upgraded by Azure itself.",
    });
  }
  const latest = await input.definitions.latest(source.id);
  const versions = latest.versions ?? (latest.version ? [latest.version] : []);
  const target = input.toVersion ?? [...versions].sort(compareVersions).at(-1) ?? source.version;
  if (!versions.includes(target)) throw new UsageError(`The built-in ${source.id} has no version '${target}'.`, { suggestion: `Its versions: ${versions.join(", ")}.` });
  if (compareVersions(target, source.version) < 0) {
    throw new UsageError(`${target} is older than ${source.version}, the version the custom initiative was made from.`, {
      suggestion: "To go back after an upgrade, undo it: akspol undo <change id> (see akspol history).",
    });
  }
  if (compareVersions(target, source.version) === 0) return { upToDate: true, version: source.version, source };
  const builtIn = target === latest.version ? latest : await input.definitions.version(source.id, target);
  const properties = buildPerPolicySet(builtIn as never, { id: source.id, version: target });
  const declared = Object.keys(properties.parameters ?? {}).map((name) => name.toLowerCase());
  const dropped = Object.keys(assignment.parameters ?? {}).filter((name) => !declared.includes(name.toLowerCase()));
  if (dropped.length > 0) {
    throw new UsageError(`Version ${target} of the built-in no longer declares ${dropped.join(", ")}, which ${assignment.name} sets.`, {
      suggestion: "Unset those parameters first (akspol params unset), then upgrade.",
    });
  }
  const pattern = assignment.definitionVersion;
  const assignmentChanged = !!pattern && !versionMatches(pattern, target);
  const newPattern = assignmentChanged ? (pattern?.includes("*") ? `${target.split(".")[0]}.*.*` : target) : pattern;
  const pinsOf = (references: NonNullable<SetDefinitionDocument["properties"]>["policyDefinitions"]) =>
    new Map((references ?? []).map((reference) => [reference.policyDefinitionReferenceId ?? "", reference.definitionVersion]));
  const before = pinsOf(current.properties?.policyDefinitions);
  const after = pinsOf(properties.policyDefinitions);
  const pins = [...new Set([...before.keys(), ...after.keys()])].map((referenceId) => ({ referenceId, before: before.get(referenceId), after: after.get(referenceId) }));
  return {
    kind: "upgrade",
    old: { id: assignment.id ?? "", scope: assignment.scope ?? "", name: assignment.name ?? "", document },
    source: { id: source.id, version: target },
    set: { id: setId, scope: location.scope, name: location.name, properties, existing: current },
    assignment: { id: assignment.id ?? "", scope: assignment.scope ?? "", name: assignment.name ?? "", document, intended: { ...assignment, definitionVersion: newPattern } as PolicyAssignment },
    exemptions: [],
    upgrade: { fromVersion: source.version, toVersion: target, assignmentChanged, pins },
    warnings: [],
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
  if (plan.kind === "upgrade") {
    if (plan.upgrade?.assignmentChanged) {
      requests.push({
        method: "PUT",
        resource: plan.assignment.id,
        summary: `assignment ${plan.assignment.name}: definitionVersion to ${String(plan.assignment.intended.definitionVersion)}; every other field sent back as read`,
        before: plan.old.document.properties?.definitionVersion,
        after: plan.assignment.intended.definitionVersion,
      });
    }
    return requests;
  }
  requests.push({
    method: "PUT",
    resource: plan.assignment.id,
    summary: `create assignment ${plan.assignment.name}: every field of ${plan.old.name}, assigning the custom set, with the exclusion`,
    before: null,
    after: plan.edit?.after,
  });
  for (const copy of plan.exemptions)
    requests.push({ method: "PUT", resource: copy.id, summary: `create exemption ${copy.name}: a copy of ${copy.old.name} referencing ${plan.assignment.name}`, before: null, after: copy.properties });
  for (const copy of plan.exemptions)
    requests.push({ method: "DELETE", resource: copy.old.id, summary: `delete exemption ${copy.old.name} (replaced by ${copy.name})`, before: copy.old.properties, after: null });
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
      {
        principal,
        command: deps.command,
        reason: deps.reason,
        ticket: deps.ticket,
        resourceKind: step.kind,
        resourceId: step.id,
        operation: step.operation,
        summary: step.summary,
        before: step.before,
        intendedAfter: step.intendedAfter,
        group,
      },
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
  return ((await readAssignmentDocument(session, id)) as AssignmentDocument | undefined) ?? null;
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

function assignmentPut(deps: ConversionDeps, id: string, document: AssignmentDocument, intended: PolicyAssignment | undefined, before: unknown, summary: string): Step {
  const parts = splitAuthorizationId(id, "policyAssignments")!;
  return {
    kind: "policyAssignment",
    id,
    operation: before ? "update" : "create",
    summary,
    before,
    intendedAfter: intended ? { ...intended, id, name: parts.name } : { ...document, id, name: parts.name },
    run: async () => {
      await putAssignmentAs(deps.session, id, document, intended);
      return readAssignmentDocument(deps.session, id);
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
  return {
    kind: "policyExemption",
    id: exemption.id,
    operation: "delete",
    summary,
    before: exemption,
    intendedAfter: null,
    run: async () => void (await (await deps.session.exemptions()).delete(parts.scope, parts.name)),
  };
}

function assignmentDelete(deps: ConversionDeps, id: string, before: unknown, summary: string): Step {
  return { kind: "policyAssignment", id, operation: "delete", summary, before, intendedAfter: null, run: async () => void (await deleteAssignment(deps.session, id)) };
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
        assignment: plan.assignment.intended,
        exemptions: plan.exemptions.map((copy) => ({ id: copy.id, replaces: copy.old.id, properties: copy.properties })),
        source: plan.source,
        upgrade: plan.upgrade,
      },
    },
    deps.now(),
  );
  const done: string[] = [];
  const steps: Step[] = [setStep(deps, plan)];
  if (plan.kind === "upgrade" && plan.upgrade?.assignmentChanged) {
    steps.push(
      assignmentPut(
        deps,
        plan.assignment.id,
        plan.assignment.document,
        plan.assignment.intended,
        plan.old.document,
        `upgrade: assignment ${plan.assignment.name} to definitionVersion ${String(plan.assignment.intended.definitionVersion)}`,
      ),
    );
  }
  if (plan.kind === "convert") {
    steps.push(assignmentPut(deps, plan.assignment.id, plan.assignment.document, plan.assignment.intended, null, `convert: create assignment ${plan.assignment.name} (replaces ${plan.old.name})`));
    for (const copy of plan.exemptions) steps.push(exemptionPut(deps, copy.id, copy.properties, `convert: create exemption ${copy.name} (replaces ${copy.old.name})`));
    for (const copy of plan.exemptions) steps.push(exemptionDelete(deps, copy.old, `convert: delete exemption ${copy.old.name}`));
    steps.push(assignmentDelete(deps, plan.old.id, plan.old.document, `convert: delete assignment ${plan.old.name}`));
  }
  try {
    await runSteps(deps, changeId, principal, steps, done);
  } catch (error) {
    await deps.journal.finish(changeId, { status: "failed", error: (error as Error).message, attempts: 1 }, deps.now());
    const oldStillThere = plan.kind === "convert" && !done.some((step) => step.startsWith(`convert: delete assignment`));
    throw stoppedError(
      plan.kind === "upgrade" ? "upgrade" : "conversion",
      changeId,
      done,
      error,
      [
        `Run the same command again to finish it (every step is safe to repeat), or roll back with 'akspol undo ${changeId}'.`,
        oldStillThere ? `${plan.old.name} still exists and still applies, so the clusters stay covered meanwhile.` : "",
      ]
        .filter(Boolean)
        .join(" "),
    );
  }
  await deps.journal.finish(
    changeId,
    { status: "applied", after: { setDefinitionId: plan.set.id, assignmentId: plan.assignment.id, exemptionIds: plan.exemptions.map((copy) => copy.id) }, attempts: 1 },
    deps.now(),
  );
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
  upgrade?: ConversionPlan["upgrade"];
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
    const upgrade = after.upgrade;
    if (!upgrade) throw new UsageError(`Change ${entry.changeId} does not record the versions of its upgrade.`);
    if (upgrade.assignmentChanged) {
      const current = await readAssignmentDocumentOrNull(session, after.assignmentId);
      if (current) {
        steps.push({ method: "PUT", resource: after.assignmentId, summary: `assignment ${current.name}: definitionVersion back to ${String(before.assignment.properties?.definitionVersion)}` });
        const restored = structuredClone(current);
        restored.properties = { ...(restored.properties ?? {}), definitionVersion: before.assignment.properties?.definitionVersion };
        work.push((deps) =>
          assignmentPut(deps, after.assignmentId, restored, undefined, current, `undo upgrade: assignment back to definitionVersion ${String(before.assignment.properties?.definitionVersion)}`),
        );
      }
    }
    const set = await getSetDefinitionDocument(session, after.setDefinitionId);
    if (set && upgrade.toVersion !== upgrade.fromVersion && (set.properties?.versions ?? [set.properties?.version]).includes(upgrade.toVersion)) {
      steps.push({
        method: "DELETE",
        resource: `${after.setDefinitionId}/versions/${upgrade.toVersion}`,
        summary: `delete version ${upgrade.toVersion} of custom initiative ${set.name}, so ${upgrade.fromVersion} applies again`,
      });
      work.push((deps) => ({
        kind: "policySetDefinition",
        id: `${after.setDefinitionId}/versions/${upgrade.toVersion}`,
        operation: "delete",
        summary: `undo upgrade: delete version ${upgrade.toVersion} of ${set.name}`,
        before: set,
        intendedAfter: null,
        run: async () => void (await deleteSetDefinitionVersion(deps.session, after.setDefinitionId, upgrade.toVersion)),
      }));
    }
  } else {
    const oldId = entry.resourceId;
    const oldNow = await readAssignmentDocumentOrNull(session, oldId);
    if (!oldNow) {
      steps.push({ method: "PUT", resource: oldId, summary: `recreate assignment ${before.assignment.name} as it was` });
      work.push((deps) => assignmentPut(deps, oldId, before.assignment, undefined, null, `undo conversion: recreate assignment ${before.assignment.name}`));
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
    run: (deps, group, principal, done) =>
      runSteps(
        deps,
        group,
        principal,
        work.map((build) => build(deps)),
        done,
      ),
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
