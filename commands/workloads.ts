import { defineCommand, listOption, stringOption } from "../src/cli/command.js";
import { ExitCode, UsageError } from "../src/cli/errors.js";
import { printRecord, renderTable } from "../src/cli/output.js";
import type { Context } from "../src/context.js";
import { scopeOptionSpecs } from "../src/cli/scope-options.js";
import { engineOptionSpec, parseEngineChoice } from "../src/cli/engine-option.js";
import type { EngineChoice } from "../src/estate/engine.js";
import type { ClusterWorkloads } from "../src/workloads/findings.js";

/** The slice of the context the command uses (main passes the whole context; a test may build just this). */
export type WorkloadsDeps = Pick<Context, "azure" | "clock" | "format" | "globals" | "io" | "journal" | "prompter" | "subscriptions">;

export interface WorkloadsOptions {
  cluster?: string;
  resourceGroup?: string;
  allSubscriptions: boolean;
  namespace?: string;
  policies: string[];
  assignments: string[];
  engine: EngineChoice;
}

export interface WorkloadsOutput {
  schemaVersion: 1;
  clusters: ClusterWorkloads[];
  /** Subscriptions whose clusters could not be listed. */
  failures: Array<{ subscription: string; message: string }>;
}

const TRUNCATION_NOTE = "Azure reports at most 500 non-compliant pods per policy per cluster; more may fail.";

export default defineCommand<WorkloadsOptions, WorkloadsDeps>({
  path: ["workloads"],
  summary: "Running pods each pod-security policy flags, and whether they would be denied on restart",
  description:
    "Reads the pod results the Azure Policy add-on reports to Azure Policy (Microsoft.PolicyInsights component states): the non-compliant pods per member policy and namespace, the assignment that flags them, its effect on this cluster (with overrides, enforcement mode and exemptions) and so whether each pod would be refused the next time it is created. With --cluster, the pods of one cluster; otherwise a summary per cluster of the chosen subscriptions. Azure lists only pods that fail a policy, at most 500 per policy per cluster (marked as truncated). No permission to read compliance, or no data yet, is one line, never a failure.",
  options: [
    { flags: "--cluster <name-or-id>", description: "the AKS cluster (name or resource id); without it, a summary per cluster" },
    { flags: "--namespace <ns>", description: "only pods in this namespace" },
    { flags: "--policies <refs>", description: "only these member policies (reference ids, comma-separated)", repeatable: true },
    { flags: "--assignment <ref>", description: "only pods flagged by this assignment (name or id); repeatable", repeatable: true },
    ...scopeOptionSpecs.filter((spec) => /--resource-group|--all-subscriptions/.test(spec.flags)),
    engineOptionSpec,
  ],
  outputs: ["table", "json", "yaml"],
  examples: [
    "akspol workloads --cluster aks-prod-neu --subscription contoso-prod",
    "akspol workloads --cluster aks-prod-neu --namespace monitoring --subscription contoso-prod -o json",
    "akspol workloads --all-subscriptions",
  ],
  parse(input) {
    const namespace = stringOption(input, "namespace");
    if (namespace !== undefined && !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(namespace)) {
      throw new UsageError(`'${namespace}' is not a Kubernetes namespace name.`, { suggestion: "Use lower-case letters, digits and '-', e.g. --namespace monitoring." });
    }
    const assignment = input.options.assignment;
    return {
      cluster: stringOption(input, "cluster"),
      resourceGroup: stringOption(input, "resourceGroup"),
      allSubscriptions: input.options.allSubscriptions === true,
      namespace,
      policies: listOption(input, "policies"),
      assignments: assignment === undefined ? [] : ([] as unknown[]).concat(assignment).map(String),
      engine: parseEngineChoice(input),
    };
  },
  async run(options, ctx) {
    const { readWorkloads } = await import("../src/workloads/read.js");
    const output = await ctx.io.withSpinner("Reading pod results from Azure Policy", () => readWorkloads(ctx, options));
    await printRecord(ctx.io, ctx.format, output, () => (options.cluster ? renderCluster(output.clusters[0] as ClusterWorkloads, ctx.io.tableWidth) : renderSummary(ctx, output)));
    for (const failure of output.failures) ctx.io.warn(`${failure.subscription}: ${failure.message}`);
    return output.failures.length > 0 ? ExitCode.partialFailure : ExitCode.ok;
  },
});

function renderCluster(cluster: ClusterWorkloads, maxWidth: number | undefined): string {
  if (cluster.note) return `${cluster.clusterName}: ${cluster.note}`;
  const pods = new Set(cluster.findings.map((finding) => `${finding.namespace}/${finding.pod}`)).size;
  const lines = [
    `${cluster.clusterName}: ${pods} non-compliant pod${pods === 1 ? "" : "s"}${cluster.compliantPods ? `, ${cluster.compliantPods} reported compliant` : ""}; last evaluated ${cluster.lastEvaluated}`,
  ];
  if (cluster.findings.length > 0) {
    const truncated = new Set(cluster.truncated.map((entry) => `${entry.assignmentName}|${entry.referenceId}`.toLowerCase()));
    lines.push(
      renderTable(
        [
          { header: "policy", value: (row) => `${row.referenceId}${truncated.has(`${row.assignmentName}|${row.referenceId}`.toLowerCase()) ? " (truncated)" : ""}` },
          { header: "namespace", value: (row) => row.namespace },
          { header: "pod", value: (row) => row.pod },
          { header: "assignment", value: (row) => row.assignmentName },
          { header: "effect", value: (row) => row.effect, optional: true },
          { header: "on restart", value: (row) => row.onRestart },
        ],
        cluster.findings,
        { maxWidth },
      ),
    );
  }
  for (const entry of cluster.truncated) lines.push(`truncated: ${entry.assignmentName} ${entry.referenceId} shows ${entry.reported} pods. ${TRUNCATION_NOTE}`);
  return lines.join("\n");
}

function renderSummary(ctx: WorkloadsDeps, output: WorkloadsOutput): string {
  if (output.clusters.length === 0) return "No AKS cluster in the chosen subscriptions.";
  return renderTable(
    [
      { header: "cluster", value: (row) => row.clusterName },
      { header: "non-compliant pods", value: (row) => (row.note ? "" : new Set(row.findings.map((finding) => `${finding.namespace}/${finding.pod}`)).size) },
      { header: "policies failed", value: (row) => (row.note ? "" : new Set(row.findings.map((finding) => finding.referenceId)).size) },
      {
        header: "denied on restart",
        value: (row) => (row.note ? "" : new Set(row.findings.filter((finding) => finding.deniedOnRestart).map((finding) => `${finding.namespace}/${finding.pod}`)).size),
      },
      { header: "last evaluated", value: (row) => row.lastEvaluated ?? "", optional: true },
      { header: "note", value: (row) => row.note ?? (row.truncated.length ? `truncated: ${TRUNCATION_NOTE}` : "") },
    ],
    output.clusters,
    { maxWidth: ctx.io.tableWidth },
  );
}
