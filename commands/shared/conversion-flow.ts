import type { Context } from "../../src/context.js";
import { printRecord } from "../../src/cli/output.js";
import { scopeLabel } from "../../src/azure/ids.js";
import { syncNote } from "./plan-view.js";
import { requireAssignment } from "../../src/policy/write.js";
import type { EditFlowDeps, EditTarget } from "./edit-flow.js";
import type { EditOperation } from "../../src/policy/edit.js";
import type { SetDefinition } from "../../src/policy/definitions.js";
import { conversionRequests, executeConversion, planConversion, type ConversionPlan } from "../../src/policy/conversion.js";

/**
 * exclude add on an assignment of the baseline or restricted initiative with a per-policy exclusion
 * (issue 17): their members share one excludedNamespaces and take no label selector, so the edit
 * needs akspol's custom initiative. Plans the conversion with the exclusion applied, shows it,
 * confirms through the frame, carries it out journaled, and says how to undo it.
 */
export interface ConversionFlowRequest {
  definitionScope?: string;
  newName?: string;
  reason?: string;
  ticket?: string;
  summary: string;
  operationFor: (set: SetDefinition) => EditOperation;
}

function show(value: unknown): string {
  return value === undefined ? "(not set)" : JSON.stringify(value);
}

export function renderConversionPlan(ctx: Pick<Context, "io">, plan: ConversionPlan): string {
  const { io } = ctx;
  const family = plan.set.name.split("-")[1] ?? "";
  const lines = [io.bold(`Plan for ${plan.old.document.properties?.displayName ?? plan.old.name} (${plan.old.name})`)];
  lines.push(`  scope:      ${plan.old.scope} (${scopeLabel(plan.old.scope)})`);
  lines.push(`  initiative: ${family} ${plan.source.version}: its policies share one excludedNamespaces and take no label selector, container or image`);
  lines.push(`  so this exclusion needs a custom initiative with per-policy parameters (same policies, same definition versions, same defaults):`);
  for (const [index, request] of conversionRequests(plan).entries()) lines.push(`    ${index + 1}. ${request.method} ${request.summary}`);
  lines.push(`  custom initiative: ${plan.set.id}`);
  lines.push(`  new assignment:    ${plan.assignment.id}`);
  lines.push("  every other field (display name, description, parameters, notScopes, enforcement mode, overrides, non-compliance messages, metadata, identity, location) is carried over");
  for (const key of plan.edit?.touched ?? []) {
    const before = plan.edit?.before[key];
    const after = plan.edit?.after[key];
    if (JSON.stringify(before) === JSON.stringify(after)) continue;
    lines.push(`  ${key}: ${io.red(show(before))} -> ${io.green(show(after))}`);
  }
  lines.push("  the old assignment is deleted only after the new one and the exemption copies exist");
  return lines.join("\n");
}

export async function runConversionFlow(ctx: EditFlowDeps, target: EditTarget, request: ConversionFlowRequest): Promise<number> {
  const assignment = await requireAssignment(ctx.azure, target.entry.assignment.id ?? "");
  const family = target.entry.kind === "restricted" ? "restricted" : "baseline";
  const plan = await ctx.io.withSpinner("Planning the conversion to a custom initiative", () =>
    planConversion({ session: ctx.azure, assignment, builtIn: target.definition, family, definitionScope: request.definitionScope, newName: request.newName, operationFor: request.operationFor }),
  );
  for (const warning of plan.warnings) ctx.io.warn(warning);
  const output = {
    schemaVersion: 1 as const,
    assignmentId: plan.old.id,
    newAssignmentId: plan.assignment.id,
    setDefinitionId: plan.set.id,
    source: plan.source,
    exemptions: plan.exemptions.map((copy) => ({ from: copy.old.id, to: copy.id })),
    before: plan.edit?.before ?? {},
    after: plan.edit?.after ?? {},
    changed: true,
    changeId: null as string | null,
  };
  const proceed = await ctx.confirmWrite({ requests: conversionRequests(plan), text: renderConversionPlan(ctx, plan), data: { ...output }, question: "Convert and apply the exclusion?" });
  if (!proceed) return 0;
  const result = await ctx.io.withSpinner(`Converting ${plan.old.name}`, () =>
    executeConversion(
      { session: ctx.azure, journal: ctx.journal(), principal: () => ctx.azure.principal(), command: ctx.commandLine, reason: request.reason, ticket: request.ticket, now: () => ctx.clock.now() },
      plan,
      request.summary,
    ),
  );
  output.changeId = result.changeId;
  ctx.io.success(`Converted: ${plan.assignment.name} now carries the exclusion through ${plan.set.name} (change ${result.changeId}).`);
  ctx.io.info(syncNote);
  ctx.io.info(`Undo with: ${ctx.undoCommand(result.changeId)}`);
  if (ctx.format === "json" || ctx.format === "yaml") await printRecord(ctx.io, ctx.format, output, () => "");
  return 0;
}
