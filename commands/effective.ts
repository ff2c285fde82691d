import type { Context } from "../src/context.js";
import { defineCommand, listOption, stringOption } from "../src/cli/command.js";
import { UsageError } from "../src/cli/errors.js";
import { renderJson, renderTable, renderYaml, type Column } from "../src/cli/output.js";
import type { IO } from "../src/cli/io.js";
import { parseNamespaces } from "../src/policy/namespaces.js";
import { ANY_OTHER_NAMESPACE, MEMBER_KEYS, akspolCustomLabel, parseMemberKeys, type EffectiveReport, type MemberKey, type MemberOutcome } from "../src/effective/index.js";

/** The slice of the context the command uses (main passes the whole context; a test may build just this). */
export type EffectiveDeps = Pick<Context, "azure" | "clock" | "format" | "io" | "prompter" | "subscriptions">;

export interface EffectiveOptions {
  cluster: string;
  resourceGroup?: string;
  allSubscriptions: boolean;
  namespaces: string[];
  policies?: MemberKey[];
}

export default defineCommand<EffectiveOptions, EffectiveDeps>({
  path: ["effective"],
  summary: "Who decides for this pod? The outcome per namespace and policy on a cluster, across every assignment and Deployment Safeguards",
  description:
    "Reads every assignment that applies to the cluster and carries one of the nine pod-security policies (the baseline and restricted initiatives, Defender's cloud security benchmark, Deployment Safeguards, regulatory and custom sets, single definitions), the cluster's Deployment Safeguards setting and its exemptions, and prints per namespace (every namespace any of them names, plus --namespace, plus '*' for any other) and per policy: the outcome that wins (deny beats warn beats audit beats nothing), the assignment or setting that decides it, and the lever that would change it.",
  options: [
    { flags: "--cluster <name-or-id>", description: "the AKS cluster (name or resource id)" },
    { flags: "--resource-group <name>", description: "the cluster's resource group (with a name)" },
    { flags: "--all-subscriptions", description: "look for the cluster in every subscription the signed-in principal can see" },
    { flags: "--namespace <ns>", description: "a namespace to report besides those the sources name; repeatable", repeatable: true },
    { flags: "--policies <ref,...>", description: `only these member policies (${MEMBER_KEYS.join(", ")})` },
  ],
  outputs: ["table", "json", "yaml"],
  examples: ["akspol effective --cluster aks-prod-weu --subscription contoso-prod", "akspol effective --cluster aks-dev --namespace web --policies NoPrivilegedContainers -o json"],
  parse(input) {
    const cluster = stringOption(input, "cluster");
    if (!cluster) throw new UsageError("Which cluster? Pass --cluster <name or resource id>.");
    const parsed = parseNamespaces(listOption(input, "namespace"));
    if (parsed.errors.length > 0) throw new UsageError(`--namespace: ${parsed.errors.join("; ")}`);
    const policies = listOption(input, "policies");
    const members = parseMemberKeys(policies);
    if (members.unknown.length > 0) {
      throw new UsageError(`--policies: ${members.unknown.map((name) => `'${name}'`).join(", ")} ${members.unknown.length === 1 ? "is" : "are"} not one of the nine pod-security policies.`, {
        suggestion: `Use: ${MEMBER_KEYS.join(", ")}.`,
      });
    }
    return {
      cluster,
      resourceGroup: stringOption(input, "resourceGroup"),
      allSubscriptions: input.options.allSubscriptions === true,
      namespaces: parsed.names,
      policies: policies.length > 0 ? members.members : undefined,
    };
  },
  async run(options, ctx) {
    const [{ resolveClusterIn }, { sessionReader, readClusterSources }, { effectiveReport }] = await Promise.all([
      import("../src/azure/clusters.js"),
      import("../src/effective/azure.js"),
      import("../src/effective/report.js"),
    ]);
    const session = ctx.azure;
    const cluster = await resolveClusterIn(ctx, options.cluster, { resourceGroup: options.resourceGroup, allSubscriptions: options.allSubscriptions });
    const sources = await ctx.io.withSpinner("Reading what applies to the cluster", () => readClusterSources(session, sessionReader(session), cluster));
    const report = effectiveReport(sources, { namespaces: options.namespaces, members: options.policies, now: ctx.clock.now() });
    if (ctx.format === "json") ctx.io.out(renderJson(report));
    else if (ctx.format === "yaml") ctx.io.out(await renderYaml(report));
    else ctx.io.out(renderEffective(ctx.io, report));
    return 0;
  },
});

function renderEffective(io: IO, report: EffectiveReport): string {
  const lines: string[] = [];
  lines.push(`${io.bold("Cluster")} ${report.cluster.name}${report.cluster.azurePolicyEnabled ? "" : "  (Azure Policy add-on disabled: nothing is enforced)"}`);
  lines.push("", io.bold("Sources"));
  if (report.sources.assignments.length === 0 && !report.sources.safeguards) lines.push("  none: no assignment carrying a pod-security policy applies to this cluster");
  for (const source of report.sources.assignments) {
    const family = source.madeFrom ? `${source.family} (${akspolCustomLabel(source.madeFrom)})` : source.family;
    lines.push(
      `  ${source.name}  ${family}${source.definitionVersion ? ` ${source.definitionVersion}` : ""}  ${source.members.length} of 9 policies  ${source.enforcementMode}  ${io.dim(source.scope)}`,
    );
  }
  const safeguards = report.sources.safeguards;
  if (safeguards) {
    lines.push(
      `  Deployment Safeguards  level ${safeguards.level}, Pod Security Standards ${safeguards.podSecurityStandardsLevel ?? `${safeguards.members.length ? "Baseline (assumed)" : "?"}`}, excluded: ${safeguards.excludedNamespaces.join(", ") || "none"}`,
    );
  }
  lines.push("");
  const columns: Array<Column<OutcomeRow>> = [
    { header: "Namespace", value: (row) => (row.namespace === ANY_OTHER_NAMESPACE ? "* (any other)" : row.namespace) },
    { header: "Policies", value: (row) => (row.members.length === carried && carried > 1 ? "all" : row.members.join(", ")) },
    { header: "Outcome", value: (row) => row.outcome },
    { header: "Decided by", value: (row) => row.decidedBy },
    { header: "Lever", value: (row) => row.lever },
  ];
  const carried = new Set(report.outcomes.map((outcome) => outcome.member)).size;
  lines.push(renderTable(columns, groupRows(report.outcomes), { maxWidth: io.terminalWidth }));
  for (const assumption of report.assumptions) lines.push("", `* ${assumption}`);
  return lines.join("\n");
}

interface OutcomeRow {
  namespace: string;
  members: MemberKey[];
  outcome: string;
  decidedBy: string;
  lever: string;
}

/** One row per namespace and (outcome, deciding source, lever): the nine policies rarely differ. */
function groupRows(outcomes: MemberOutcome[]): OutcomeRow[] {
  const rows: Array<OutcomeRow & { key: string; perPolicy: boolean; command?: string }> = [];
  for (const outcome of outcomes) {
    const lever = outcome.levers[0];
    const perPolicy = lever?.command?.includes(" --policies ") ?? false;
    const command = lever?.command?.replace(/ --policies \S+/, "");
    const decidedBy = outcome.decidedBy?.kind === "assignment" ? outcome.decidedBy.name : outcome.decidedBy ? "Deployment Safeguards" : "-";
    const shown = outcome.outcome === "none" && outcome.verdicts.some((verdict) => verdict.exemptedBy) ? "none (exempted*)" : outcome.outcome;
    const key = [outcome.namespace, shown, decidedBy, command ?? lever?.description ?? ""].join("\u0000");
    const existing = rows.find((row) => row.key === key);
    if (existing) {
      existing.members.push(outcome.member);
      continue;
    }
    rows.push({ key, namespace: outcome.namespace, members: [outcome.member], outcome: shown, decidedBy, lever: "", perPolicy, command: command ?? lever?.description });
  }
  return rows.map(({ key: _key, perPolicy, command, ...row }) => ({
    ...row,
    lever: command ? `${command}${perPolicy ? ` --policies ${row.members.join(",")}` : ""}` : "-",
  }));
}
