import type { PolicyAssignment } from "../../src/azure/assignments.js";
import type { IO } from "../../src/cli/io.js";
import type { ClusterReach } from "../../src/policy/affected-clusters.js";
import type { SetDefinition } from "../../src/policy/definitions.js";
import { excludedNamespacesParameter, type EditPlan } from "../../src/policy/edit.js";
import { protectionOf } from "../../src/policy/namespaces.js";

// How an edit plan reads on the terminal; the clusters it reaches are looked up in src/policy/affected-clusters.ts.

function show(value: unknown): string {
  if (value === undefined) return "(not set)";
  return typeof value === "string" ? value : JSON.stringify(value);
}

/** The current exclusions, each marked when it is one of the initiative's defaults. */
export function describeExclusions(current: string[], defaults: readonly string[], source: "assignment" | "default"): string[] {
  const lines = [`Excluded namespaces (${source === "default" ? "the initiative default; the assignment does not set them" : "set on the assignment"}):`];
  if (current.length === 0) lines.push("  (none)");
  for (const namespace of current) {
    const protection = protectionOf(namespace, defaults);
    const mark = protection === "add-on" ? "  [default; the add-on excludes it anyway]" : protection === "default" ? "  [default]" : "";
    lines.push(`  ${namespace}${mark}`);
  }
  const missing = defaults.filter((namespace) => !current.includes(namespace));
  if (missing.length > 0) lines.push(`  not excluded although in the default list: ${missing.join(", ")}`);
  return lines;
}

/** The plan as people read it: a diff of the touched values and the clusters it reaches. */
export function renderPlan(io: IO, input: { assignment: PolicyAssignment; definition: SetDefinition; plan: EditPlan; affected: ClusterReach; initiativeLabel: string }): string {
  const { assignment, plan, affected } = input;
  const lines: string[] = [];
  lines.push(io.bold(`Plan for ${assignment.displayName ?? assignment.name} (${assignment.name})`));
  lines.push(`  scope:      ${assignment.scope}`);
  lines.push(`  initiative: ${input.initiativeLabel}`);
  for (const key of plan.touched) {
    const before = plan.before[key];
    const after = plan.after[key];
    if ((key === excludedNamespacesParameter || plan.namespaceParameters.includes(key)) && Array.isArray(before) && Array.isArray(after)) {
      lines.push(`  ${key}:`);
      for (const namespace of after as string[]) {
        lines.push((before as string[]).includes(namespace) ? `      ${namespace}` : io.green(`    + ${namespace}`));
      }
      for (const namespace of (before as string[]).filter((item) => !(after as string[]).includes(item))) lines.push(io.red(`    - ${namespace}`));
    } else if (JSON.stringify(before) === JSON.stringify(after)) {
      lines.push(`  ${key}: ${show(before)} (unchanged)`);
    } else {
      lines.push(`  ${key}: ${io.red(show(before))} -> ${io.green(show(after))}`);
    }
  }
  if (!plan.changed) lines.push("  no change");
  else lines.push(`  request: ${plan.method} of the assignment; every other field is sent back as read`);
  if (affected.clusters === null) {
    lines.push(`  reaches: ${affected.note}`);
  } else {
    const where = { managementGroup: "below the management group", subscription: "below the subscription", resourceGroup: "in the resource group", resource: "at this scope" }[affected.scopeKind];
    lines.push(`  reaches: ${affected.clusters.length} cluster${affected.clusters.length === 1 ? "" : "s"} ${where}${affected.clusters.length ? ":" : ""}`);
    for (const cluster of affected.clusters) lines.push(`    ${cluster.name}${cluster.azurePolicyEnabled ? "" : " (Azure Policy add-on disabled)"}`);
  }
  if (affected.scopeKind === "subscription" || affected.scopeKind === "managementGroup") {
    const count = affected.clusters?.length;
    if (count === undefined || count > 1) {
      lines.push(
        `  note: the assignment is on a ${affected.scopeKind === "subscription" ? "subscription" : "management group"}, so this applies to every cluster below it. If only one cluster needs it, exempt that cluster instead (akspol exempt create --help).`,
      );
    }
  }
  return lines.join("\n");
}

export const syncNote = "The Azure Policy add-on picks the change up on its next sync, usually within 15 to 20 minutes and occasionally up to an hour.";
