// Plan, confirm, write and report an edit of Deployment Safeguards exclusions, shared by
// `safeguards exclude add|remove` and `undo` (the same rules as an assignment edit: a plan, one
// confirmation or --yes, --dry-run, a journal entry, an undo line).
import type { Context } from "../../src/context.js";
import type { DeploymentSafeguards } from "../../src/azure/safeguards-client.js";
import { printRecord } from "../../src/cli/output.js";
import { planSafeguardsExclusion, type SafeguardsExclusionOperation } from "../../src/safeguards/plan.js";
import { writeSafeguards } from "../../src/safeguards/write.js";

/** The slice of the context these functions use (main passes the whole context; a test may build just this). */
export type SafeguardsFlowDeps = Pick<Context, "azure" | "clock" | "commandLine" | "confirmWrite" | "format" | "globals" | "io" | "journal">;

export interface SafeguardsEditRequest {
  clusterId: string;
  clusterName: string;
  planned: { resource: DeploymentSafeguards; apiVersion: string };
  operation: SafeguardsExclusionOperation;
  summary: string;
  reason?: string;
  ticket?: string;
  undoOf?: string;
}

export interface SafeguardsEditOutput {
  schemaVersion: 1;
  resourceId: string;
  clusterId: string;
  before: { excludedNamespaces: string[] };
  after: { excludedNamespaces: string[] };
  changed: boolean;
  changeId: string | null;
}

export async function runSafeguardsEdit(ctx: SafeguardsFlowDeps, request: SafeguardsEditRequest): Promise<number> {
  const plan = planSafeguardsExclusion(request.planned.resource, request.operation);
  for (const warning of plan.warnings) ctx.io.warn(warning);
  const output: SafeguardsEditOutput = {
    schemaVersion: 1,
    resourceId: request.planned.resource.id,
    clusterId: request.clusterId,
    before: { excludedNamespaces: plan.before },
    after: { excludedNamespaces: plan.after },
    changed: plan.changed,
    changeId: null,
  };
  const emit = async () => {
    if (ctx.format === "json" || ctx.format === "yaml") await printRecord(ctx.io, ctx.format, output, () => "");
  };
  if (!plan.changed) {
    ctx.io.info(`No change: Deployment Safeguards of ${request.clusterName} already has what was asked for. Nothing was written.`);
    await emit();
    return 0;
  }
  const properties = request.planned.resource.properties;
  const lines = [
    `Plan for Deployment Safeguards of ${request.clusterName}`,
    `  setting:    level ${properties.level}${properties.podSecurityStandardsLevel ? `, Pod Security Standards ${properties.podSecurityStandardsLevel}` : ""}`,
    "  excludedNamespaces:",
    ...plan.before.map((name) => `    ${plan.after.includes(name) ? " " : "-"} ${name}`),
    ...plan.after.filter((name) => !plan.before.includes(name)).map((name) => `    + ${name}`),
    `  request:    PUT of ${request.planned.resource.id} (api-version ${request.planned.apiVersion}) with If-Match ${request.planned.resource.eTag ?? "(no eTag)"}; every other property is sent back as read`,
  ];
  // The frame's one confirmation rule: --dry-run prints this plan as the result, a terminal asks, --yes writes.
  const proceed = await ctx.confirmWrite({
    requests: [
      {
        method: "PUT",
        resource: request.planned.resource.id,
        summary: `PUT the Deployment Safeguards setting with excludedNamespaces changed (If-Match ${request.planned.resource.eTag ?? "-"}); every other property sent back as read`,
        before: { excludedNamespaces: plan.before },
        after: { excludedNamespaces: plan.after },
      },
    ],
    text: lines.join("\n"),
    data: { ...output },
    question: "Apply this change?",
  });
  if (!proceed) return 0;
  const result = await ctx.io.withSpinner(`Writing Deployment Safeguards of ${request.clusterName}`, () =>
    writeSafeguards({
      session: ctx.azure,
      clusterId: request.clusterId,
      operation: request.operation,
      planned: request.planned,
      journal: ctx.journal(),
      stateDir: ctx.globals.stateDir,
      principal: () => ctx.azure.principal(),
      command: ctx.commandLine,
      summary: request.summary,
      reason: request.reason,
      ticket: request.ticket,
      undoOf: request.undoOf,
      now: () => ctx.clock.now(),
    }),
  );
  output.changeId = result.changeId;
  output.after = { excludedNamespaces: result.after.properties.excludedNamespaces ?? [] };
  ctx.io.success(`Applied and verified (change ${result.changeId}).`);
  ctx.io.info(`Undo with: akspol undo ${result.changeId}`);
  await emit();
  return 0;
}
