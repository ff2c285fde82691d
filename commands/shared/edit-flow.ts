import type { Context } from "../../src/context.js";
import { chooser } from "../../src/cli/prompter.js";
import { UsageError } from "../../src/errors.js";
import { printRecord } from "../../src/cli/output.js";
import { resolveTargets, type ScopeSelection } from "../../src/cli/scope-options.js";
import { scopeLabel } from "../../src/azure/ids.js";
import { carrierLabel, classifyAssignment, findPodSecurityAssignments, resolveAssignment, type PodSecurityAssignment } from "../../src/policy/assignments.js";
import { SetDefinitionCache, type SetDefinition } from "../../src/policy/definitions.js";
import type { PolicyAssignment } from "../../src/azure/assignments.js";
import { applyEdit, excludedNamespacesParameter, type EditOperation, type EditPlan } from "../../src/policy/edit.js";
import { effectiveParameters } from "../../src/policy/parameters.js";
import { clusterReach, type ReachedCluster } from "../../src/policy/affected-clusters.js";
import { describeExclusions, renderPlan, syncNote } from "./plan-view.js";
import { assignmentLockOptions, requireAssignment, writeEdit, type InterruptSource } from "../../src/policy/write.js";
import { withResourceLock } from "../../src/journal/lock.js";
import { allPlanReads, type PlanReads } from "../../src/cli/plan-read-options.js";
import { settleIntervalMs } from "../../src/journal/outcomes.js";
import { renderImpact, workloadImpact, type WorkloadImpact } from "../../src/workloads/impact.js";

/** The slice of the context these functions use (main passes the whole context; a test may build just this). */
export type EditFlowDeps = Pick<Context, "azure" | "clock" | "commandLine" | "confirmWrite" | "env" | "format" | "globals" | "io" | "journal" | "prompter" | "subscriptions" | "undoCommand">;

/** What finding the assignment to edit uses (read-only commands such as exclude list take only this). */
export type LoadTargetDeps = Pick<Context, "azure" | "globals" | "io" | "prompter" | "subscriptions">;

/**
 * The shared orchestration of every assignment edit (exclude add/remove, params set/unset, undo):
 * resolve or pick the assignment, build the operation (prompting on a terminal), plan, show, confirm,
 * write safely, report. Commands differ only in how they build the operation.
 */
export interface EditTarget {
  entry: PodSecurityAssignment;
  definition: SetDefinition;
  definitions: SetDefinitionCache;
}

export interface EditFlowRequest extends ScopeSelection {
  assignment?: string;
  reason?: string;
  ticket?: string;
  /** What the journal's summary line says, given the final operation. */
  summary: (operation: EditOperation) => string;
  /** Builds the operation; may prompt (only reached when prompting is possible or args are complete). */
  operation: (target: EditTarget) => Promise<EditOperation>;
  /** Show the current exclusions before asking (the exclude commands). */
  showExclusions?: boolean;
  undoOf?: string;
  /** Tests may replace SIGINT. */
  interrupts?: InterruptSource;
  /** The plan's extra sections to read (--no-clusters, --no-other-carriers, --no-impact); default all. */
  planReads?: PlanReads;
  /** The assignment and definition, when the command has loaded them already (exclude add's per-policy branch). */
  target?: EditTarget;
  /**
   * Whether the edit needs the initiative's default values on this read of the assignment; when it
   * does not, an embedded copy of that exact built-in version may stand in for reading the set
   * definition (SetDefinitionCache.forEdit). Absent: the set definition is always read.
   */
  needsDefaults?: (assignment: PolicyAssignment, declaration: SetDefinition) => boolean;
}

export interface EditOutput {
  schemaVersion: 1;
  assignmentId: string;
  before: Record<string, unknown>;
  after: Record<string, unknown>;
  changed: boolean;
  changeId: string | null;
  affectedClusters: ReachedCluster[] | null;
  /** The running pods the change affects, from Azure Policy's pod results (null when nothing changes). */
  impact: WorkloadImpact | null;
  /** exclude add: what another carrier (or Deployment Safeguards) still does in the namespaces, per cluster; null when not computed. */
  stillEnforced: StillEnforced[] | null;
}

export interface StillEnforced {
  cluster: string;
  namespace: string;
  member: string;
  outcome: string;
  decidedBy: string;
  parameter?: string;
  command?: string;
}

/**
 * Refuses, before any request, what a script cannot do: no assignment. (A write without --yes is
 * refused by the frame for every command that declares `writes`.)
 */
export function requireScriptable(ctx: Pick<Context, "io">, assignment: string | undefined): void {
  if (!assignment && !ctx.io.canPrompt) {
    throw new UsageError("Missing <assignment> (a name, display name or full id).", {
      suggestion: "Pass it as the first argument; find names with 'akspol find'. Without arguments akspol asks interactively, on a terminal only.",
    });
  }
}

function exclusionsLabel(entry: PodSecurityAssignment, definition: SetDefinition | undefined): string {
  if (!definition) return "?";
  const parameter = effectiveParameters(entry.assignment, definition).find((p) => p.name === excludedNamespacesParameter);
  if (!parameter) return "-";
  const value = (parameter.value as string[] | undefined) ?? [];
  return `${value.join(", ") || "(none)"}${parameter.source === "default" ? " (default)" : ""}`;
}

/** Resolves `<assignment>`, or on a terminal lets the person pick one from the chosen scope. */
export async function chooseAssignment(ctx: LoadTargetDeps, selection: ScopeSelection & { assignment?: string }, definitions: SetDefinitionCache): Promise<PodSecurityAssignment> {
  if (selection.assignment) {
    return resolveAssignment({
      session: ctx.azure,
      definitions,
      reference: selection.assignment,
      targets: () => resolveTargets(ctx, selection),
      choose: chooser(ctx),
    });
  }
  const targets = await resolveTargets(ctx, selection);
  const found = await ctx.io.withSpinner("Finding pod-security assignments", () => findPodSecurityAssignments({ session: ctx.azure, definitions, targets, concurrency: ctx.globals.concurrency }));
  if (found.length === 0) {
    throw new UsageError("No pod-security assignment in the chosen scope.", { suggestion: "Choose another with --subscription, --scope or --management-group." });
  }
  const labelled = await Promise.all(
    found.map(async (entry) => {
      const definition = await definitions.forAssignment(entry.assignment).catch(() => undefined);
      const initiative = `${carrierLabel(entry)} ${definition?.version ?? ""}`.trim();
      return {
        name: `${entry.assignment.name}  ${scopeLabel(entry.assignment.scope ?? "")}  ${initiative}  excluded: ${exclusionsLabel(entry, definition)}`,
        value: entry,
      };
    }),
  );
  return ctx.prompter.select("Which assignment?", labelled);
}

function initiativeLabel(target: EditTarget): string {
  const { entry, definition } = target;
  const name = carrierLabel(entry);
  return `${name} ${definition.version ?? ""} (${definition.displayName ?? entry.assignment.policyDefinitionId})`.trim();
}

export async function loadTarget(ctx: LoadTargetDeps, selection: ScopeSelection & { assignment?: string }): Promise<EditTarget> {
  const definitions = new SetDefinitionCache(ctx.azure);
  const entry = await chooseAssignment(ctx, selection, definitions);
  const definition = await definitions.forAssignment(entry.assignment);
  return { entry, definition, definitions };
}

export function printExclusions(ctx: Pick<Context, "io">, target: EditTarget): void {
  const parameter = effectiveParameters(target.entry.assignment, target.definition).find((p) => p.name === excludedNamespacesParameter);
  if (!parameter) return;
  const defaults = Array.isArray(parameter.defaultValue) ? (parameter.defaultValue as string[]) : [];
  ctx.io.info(describeExclusions((parameter.value as string[]) ?? [], defaults, parameter.source).join("\n"));
}

async function emit(ctx: Pick<Context, "io" | "format">, output: EditOutput): Promise<void> {
  if (ctx.format === "json" || ctx.format === "yaml") await printRecord(ctx.io, ctx.format, output, () => "");
}

/**
 * Request economy (README "Performance"). Without a terminal nothing waits for a person, so the
 * assignment is read once, under its lock, and that read is both the plan's and the write's: GET, set
 * definition (none when the edit needs no default of an embedded built-in version: `needsDefaults`),
 * PUT, verifying GET (by name, the assignment list first). On a terminal a person may take
 * minutes over the prompts, so the plan's read is made without the lock and the write reads again
 * under it just before writing.
 */
export async function runEditFlow(ctx: EditFlowDeps, request: EditFlowRequest): Promise<number> {
  requireScriptable(ctx, request.assignment);
  if (ctx.io.canPrompt || !request.assignment) return planAndWrite(ctx, request, request.target ?? (await loadTarget(ctx, request)), undefined);
  const definitions = request.target?.definitions ?? new SetDefinitionCache(ctx.azure);
  const assignmentId =
    request.target?.entry.assignment.id ?? (request.assignment.includes("/") ? request.assignment : ((await chooseAssignment(ctx, request, definitions)).assignment.id ?? request.assignment));
  return withResourceLock(assignmentLockOptions(writeCallbacks(ctx, assignmentId)), async () => {
    const current = await requireAssignment(ctx.azure, assignmentId);
    const entry = await classifyAssignment(definitions, current);
    const definition = await definitions.forEdit(current, request.needsDefaults);
    return planAndWrite(ctx, request, { entry, definition, definitions }, current);
  });
}

function writeCallbacks(ctx: Pick<Context, "globals" | "io">, assignmentId: string) {
  return {
    stateDir: ctx.globals.stateDir,
    assignmentId,
    onLockWait: (owner: { pid: number }) => ctx.io.info(`Waiting for another akspol process (pid ${owner.pid}) editing this assignment...`),
    onStatus: (text: string) => ctx.io.info(text),
  };
}

/** Plans, shows, confirms and writes; `heldRead` is the read made under the lock this call runs in. */
async function planAndWrite(ctx: EditFlowDeps, request: EditFlowRequest, target: EditTarget, heldRead: EditTarget["entry"]["assignment"] | undefined): Promise<number> {
  const reads = request.planReads ?? allPlanReads;
  const { assignment } = target.entry;
  if (request.showExclusions && ctx.io.canPrompt) printExclusions(ctx, target);
  const operation = await request.operation(target);
  // Bad input is refused here, before any write request (the plan validates types, allowedValues, names).
  const plan: EditPlan = applyEdit(assignment, target.definition, operation);
  for (const warning of plan.warnings) ctx.io.warn(warning);
  const output: EditOutput = {
    schemaVersion: 1,
    assignmentId: assignment.id ?? "",
    before: plan.before,
    after: plan.after,
    changed: plan.changed,
    changeId: null,
    affectedClusters: null,
    stillEnforced: null,
    impact: null,
  };
  if (!plan.changed) {
    ctx.io.info(`No change: ${assignment.name} already has what was asked for. Nothing was written.`);
    await emit(ctx, output);
    return 0;
  }
  const affected = await clusterReach(ctx.azure, assignment, { list: reads.clusters });
  output.affectedClusters = affected.clusters;
  if (reads.impact && reads.clusters) {
    output.impact = await ctx.io.withSpinner("Reading the workloads it affects", () =>
      workloadImpact({
        session: ctx.azure,
        before: assignment,
        after: plan.body,
        setDefinition: target.definition,
        clusters: affected.clusters,
        now: ctx.clock.now(),
      }),
    );
  }
  if (reads.otherCarriers && operation.addNamespaces?.length && affected.clusters?.length) {
    output.stillEnforced = await stillEnforcedAfter(ctx, target, operation, affected.clusters);
  }
  const planText = renderPlan(ctx.io, { assignment, definition: target.definition, plan, affected, initiativeLabel: initiativeLabel(target) });
  const proceed = await ctx.confirmWrite({
    requests: [
      {
        method: plan.method === "PATCH" ? "PATCH" : "PUT",
        resource: assignment.id ?? "",
        summary: `${plan.method} the assignment with ${plan.touched.join(", ")} changed; every other field sent back as read`,
        before: plan.before,
        after: plan.after,
      },
    ],
    text: `${planText}${output.impact ? `\n${renderImpact(output.impact, { assignmentName: assignment.name ?? "" })}` : ""}${output.stillEnforced?.length ? `\n${renderStillEnforced(output.stillEnforced)}` : ""}`,
    data: { ...output },
    question: "Apply this change?",
  });
  if (!proceed) return 0;
  const principal = () => ctx.azure.principal();
  const result = await ctx.io.withSpinner(`Writing ${assignment.name}`, () =>
    writeEdit({
      ...writeCallbacks(ctx, assignment.id ?? ""),
      session: ctx.azure,
      definitions: target.definitions,
      needsDefaults: request.needsDefaults,
      operation,
      journal: ctx.journal(),
      principal,
      command: ctx.commandLine,
      summary: request.summary(operation),
      reason: request.reason,
      ticket: request.ticket,
      undoOf: request.undoOf,
      now: () => ctx.clock.now(),
      interrupts: request.interrupts,
      settleMs: settleIntervalMs(ctx.env),
      heldRead,
    }),
  );
  output.before = result.plan.before;
  output.after = result.plan.after;
  output.changeId = result.changeId;
  output.changed = result.status === "applied";
  if (result.status === "no-change") {
    output.changed = false;
    ctx.io.info("No change: by the time akspol held the lock, the assignment already had what was asked for. Nothing was written.");
  } else {
    ctx.io.success(`Applied and verified (change ${result.changeId}${result.writes > 1 ? `, after ${result.writes} writes` : ""}).`);
    ctx.io.info(syncNote);
    ctx.io.info(`Undo with: ${ctx.undoCommand(result.changeId ?? "")}`);
  }
  await emit(ctx, output);
  return 0;
}

/**
 * docs/issues/12.md: excluding a namespace in one assignment is not enough when another carrier (the cloud
 * security benchmark, Deployment Safeguards, a single definition...) still denies or audits it on the
 * clusters this assignment reaches. Reads each cluster's sources once (definitions shared with the edit).
 */
async function stillEnforcedAfter(ctx: EditFlowDeps, target: EditTarget, operation: EditOperation, clusters: ReachedCluster[]): Promise<StillEnforced[]> {
  const [{ sessionReader, readClusterSources }, { outcomesAfterExclusion, describeSource, memberByKey }, { parseClusterId }, { mapConcurrent }, { exclusionParameters }] = await Promise.all([
    import("../../src/effective/azure.js"),
    import("../../src/effective/index.js"),
    import("../../src/azure/ids.js"),
    import("../../src/azure/concurrency.js"),
    import("../../src/effective/index.js"),
  ]);
  const reader = sessionReader(ctx.azure, target.definitions);
  const wiring = exclusionParameters(target.definition as never, target.entry.assignment.policyDefinitionId);
  const parameters = operation.namespacesParameters ?? [excludedNamespacesParameter];
  const edited = wiring.filter((entry) => entry.parameter && parameters.some((name) => name.toLowerCase() === entry.parameter?.toLowerCase())).map((entry) => entry.member);
  const now = ctx.clock.now();
  const perCluster = await mapConcurrent(
    clusters.filter((cluster) => cluster.azurePolicyEnabled),
    ctx.globals.concurrency,
    async (cluster) => {
      const parsed = parseClusterId(cluster.id);
      if (!parsed) return [];
      const sources = await readClusterSources(ctx.azure, reader, { ...parsed, id: cluster.id, name: cluster.name, azurePolicyEnabled: cluster.azurePolicyEnabled, raw: {} as never });
      return (operation.addNamespaces ?? []).flatMap((namespace) =>
        outcomesAfterExclusion(sources, target.entry.assignment.id ?? "", namespace, edited, now).map((outcome) => {
          const lever = outcome.levers[0];
          return {
            cluster: cluster.name,
            namespace,
            member: memberByKey(outcome.member)?.key ?? outcome.member,
            outcome: outcome.outcome,
            decidedBy: describeSource(outcome.decidedBy),
            parameter: lever?.parameter,
            command: lever?.command,
          };
        }),
      );
    },
  );
  return perCluster.flat();
}

function renderStillEnforced(rows: StillEnforced[]): string {
  const lines = ["  not enough: after this change, pods there are still acted on by another carrier:"];
  for (const row of rows) {
    lines.push(`    ${row.cluster}  ${row.namespace}  ${row.member}: ${row.outcome} by ${row.decidedBy}${row.parameter ? `; its parameter ${row.parameter}` : ""}`);
    if (row.command) lines.push(`      change it with: ${row.command}`);
  }
  return lines.join("\n");
}
