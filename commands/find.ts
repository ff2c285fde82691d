import { defineCommand, stringOption } from "../src/cli/command.js";
import { UsageError } from "../src/cli/errors.js";
import { printList, type Column } from "../src/cli/output.js";
import { parseScopeSelection, resolveTargets, scopeOptionSpecs, type ScopeSelection } from "../src/cli/scope-options.js";
import type { Context } from "../src/context.js";
import { findPodSecurityAssignments, type InitiativeFilter } from "../src/policy/assignments.js";
import { SetDefinitionCache } from "../src/policy/definitions.js";
import { ExemptionsByAssignment, summarize, exemptionStatus, type AssignmentSummary } from "../src/policy/summary.js";
import { sessionReader } from "../src/effective/azure.js";
import { assignmentAppliesToCluster } from "../src/policy/applicability.js";
import { resolveClusterIn, type ClusterRecord } from "../src/azure/clusters.js";
import { clusterManagementGroups } from "../src/policy/affected-clusters.js";
import { mapConcurrent } from "../src/azure/concurrency.js";
import { scopeLabel, subscriptionScope, type ScopeTarget } from "../src/azure/ids.js";
import { engineOptionSpec, parseEngineChoice } from "../src/cli/engine-option.js";
import { estateSourceFor } from "../src/estate/choose.js";
import type { EngineChoice } from "../src/estate/engine.js";
import { listDescendants, subscriptionsPossiblyBelow } from "../src/azure/management-groups.js";

/** The slice of the context the command uses (main passes the whole context; a test may build just this). */
export type FindDeps = Pick<Context, "azure" | "clock" | "format" | "globals" | "io" | "journal" | "prompter" | "subscriptions">;

export interface FindOptions extends ScopeSelection {
  name?: string;
  initiative: InitiativeFilter;
  cluster?: string;
  engine: EngineChoice;
  /** With --management-group: also what lives below the group (default; --no-descendants turns it off). */
  descendants: boolean;
}

interface FindRow extends AssignmentSummary {
  applies?: string;
  clusterExemptions?: Array<{ name: string; status: string; daysLeft: number | null; policies: string[] }>;
}

export default defineCommand<FindOptions, FindDeps>({
  path: ["find"],
  summary: "Find the assignments that carry the pod-security policies, by scope, name or cluster",
  description:
    "Lists every assignment that carries one of the nine pod-security policies in the chosen subscriptions or scope, deduplicated: the baseline and restricted initiatives, other built-in sets (Deployment Safeguards, the cloud security benchmark, regulatory sets), custom sets and single definitions, with how many of the nine each carries. --initiative baseline|restricted keeps those initiatives and custom copies of them. With --cluster, lists the assignments that apply to that cluster (scope, notScopes and resource selectors) and the exemptions that cover it.",
  options: [
    ...scopeOptionSpecs,
    { flags: "--name <glob>", description: "assignment name or display name (case-insensitive glob, e.g. 'pss-*')" },
    { flags: "--initiative <which>", description: "baseline or restricted (and custom copies), or any carrier", choices: ["baseline", "restricted", "any"], default: "any" },
    { flags: "--cluster <name-or-id>", description: "only assignments that apply to this AKS cluster, with its exemptions" },
    engineOptionSpec,
    { flags: "--no-descendants", description: "with --management-group: only what applies at the group itself (its own and inherited assignments), not what lives below it" },
  ],
  outputs: ["table", "json", "yaml", "tsv"],
  examples: [
    "akspol find --subscription contoso-prod",
    "akspol find --all-subscriptions --initiative restricted",
    "akspol find --cluster aks-prod-weu --subscription contoso-prod",
    "akspol find --management-group contoso --name 'pss-*' -o json",
    "akspol find --all-subscriptions --engine resource-graph",
  ],
  parse(input) {
    const selection = parseScopeSelection(input);
    const cluster = stringOption(input, "cluster");
    if (cluster && (selection.scope || selection.managementGroup)) {
      throw new UsageError("--cluster finds the assignments that apply to the cluster; do not combine it with --scope or --management-group.");
    }
    return {
      ...selection,
      name: stringOption(input, "name"),
      initiative: (stringOption(input, "initiative") ?? "any") as InitiativeFilter,
      cluster,
      engine: parseEngineChoice(input),
      descendants: input.options.descendants !== false,
    };
  },
  async run(options, ctx) {
    const rows = await findRows(options, ctx);
    const names = new Map<string, string>();
    if (!options.scope && !options.managementGroup && !options.cluster) {
      for (const subscription of await ctx.subscriptions({ all: options.allSubscriptions })) names.set(subscription.id.toLowerCase(), subscription.name);
    }
    const columns: Array<Column<FindRow>> = [
      { header: "Name", value: (row) => row.name },
      { header: "Display name", value: (row) => row.displayName, optional: true },
      { header: "Initiative", value: (row) => `${row.initiative}${row.initiativeVersion ? ` ${row.initiativeVersion}` : ""}` },
      { header: "Policies", value: (row) => row.policies, optional: true },
      { header: "Scope", value: (row) => scopeLabel(row.scope, names) },
      { header: "Effect", value: (row) => row.effect },
      { header: "Enforcement", value: (row) => row.enforcementMode, optional: true },
      {
        header: "Excluded namespaces",
        value: (row) =>
          row.excludedNamespaces
            ? `${row.excludedNamespaces.join(", ")}${row.excludedNamespacesSource === "default" ? " (default)" : ""}`
            : row.excludedNamespacesSource === "per-policy"
              ? "per policy (akspol show)"
              : "?",
      },
      { header: "Exemptions", value: (row) => row.exemptions, optional: true },
    ];
    if (options.cluster) columns.push({ header: "Applies", value: (row) => row.applies });
    const data = rows.map(({ parameters: _parameters, ...row }) => row);
    await printList(ctx.io, ctx.format, columns, rows, { schemaVersion: 1, assignments: data, errors: ctx.azure.scopeFailures.list() });
    return 0;
  },
});

async function findRows(options: FindOptions, ctx: FindDeps): Promise<FindRow[]> {
  const session = ctx.azure;
  const definitions = new SetDefinitionCache(session);
  let cluster: ClusterRecord | undefined;
  let targets: ScopeTarget[];
  if (options.cluster) {
    cluster = await resolveClusterIn(ctx, options.cluster, { resourceGroup: options.resourceGroup, allSubscriptions: options.allSubscriptions });
    targets = [{ kind: "cluster", subscriptionId: cluster.subscriptionId, resourceGroup: cluster.resourceGroup, name: cluster.name }];
    if (!cluster.azurePolicyEnabled) {
      ctx.io.warn(`The Azure Policy add-on is disabled on ${cluster.name}: no assignment is enforced there until it is enabled ('az aks enable-addons --addons azure-policy').`);
    }
  } else {
    targets = await resolveTargets(ctx, options);
    if (options.managementGroup && options.descendants) {
      // What lives below the group too: its descendant groups and subscriptions (with their resource
      // groups and clusters); the same assignment read twice is listed once.
      for (const descendant of await listDescendants(session, options.managementGroup)) {
        targets.push(descendant.kind === "subscription" ? { kind: "subscription", subscriptionId: descendant.name } : { kind: "managementGroup", managementGroup: descendant.name });
      }
    }
  }
  const source = await estateSourceFor(ctx, options.engine, {
    allSubscriptions: options.allSubscriptions,
    managementGroup: Boolean(options.managementGroup),
    subscriptionCount: targets.filter((target) => target.kind === "subscription" || target.kind === "resourceGroup").length,
    cluster: Boolean(cluster),
  });
  const exemptionScopes = cluster ? [cluster.id] : await exemptionScopesFor(targets, ctx);
  const [found, exemptions] = await Promise.all([
    ctx.io.withSpinner("Finding pod-security assignments", () =>
      findPodSecurityAssignments({
        session,
        definitions,
        targets,
        initiative: options.initiative,
        name: options.name,
        concurrency: ctx.globals.concurrency,
        list: (listed) => source.assignments(listed),
      }),
    ),
    source.exemptions(exemptionScopes, cluster ? "atScope" : "all"),
  ]);
  const now = ctx.clock.now();
  if (cluster)
    cluster.managementGroups = await clusterManagementGroups(
      session,
      cluster,
      found.map((entry) => entry.assignment),
    );
  const byAssignment = new ExemptionsByAssignment(exemptions);
  const reader = sessionReader(session, definitions);
  return mapConcurrent(found, ctx.globals.concurrency, async (entry) => {
    const summary = await summarize(entry, definitions, byAssignment, await reader.enforcement(entry.assignment));
    const row: FindRow = { ...summary };
    if (cluster) {
      const applicability = assignmentAppliesToCluster(entry.assignment, cluster);
      row.applies = applicability.applies ? (cluster.azurePolicyEnabled ? "yes" : "yes (add-on disabled)") : `no: ${applicability.reason}`;
      row.clusterExemptions = byAssignment.of(entry.assignment.id ?? "").map((exemption) => ({
        name: exemption.name,
        ...exemptionStatus(exemption.properties.expiresOn, now),
        policies: exemption.properties.policyDefinitionReferenceIds ?? [],
      }));
    }
    return row;
  });
}

/**
 * One exemptions list per subscription (a cluster: its own scope and above, atScope()). A management-group
 * assignment's exemptions live below the group (docs/issues/11.md): when the targets already hold the subscriptions
 * below it (find --management-group reads its descendants), those lists cover them; otherwise the
 * subscriptions below each group are listed too.
 */
async function exemptionScopesFor(targets: ScopeTarget[], ctx: FindDeps): Promise<string[]> {
  const scopes = new Set<string>();
  const subscriptionsListed = targets.some((target) => target.kind === "subscription");
  for (const target of targets) {
    if ("subscriptionId" in target) scopes.add(subscriptionScope(target.subscriptionId).toLowerCase());
    if (target.kind === "managementGroup" && !subscriptionsListed) {
      for (const subscription of await subscriptionsPossiblyBelow(ctx.azure, target.managementGroup)) scopes.add(subscriptionScope(subscription).toLowerCase());
    }
  }
  return [...scopes];
}
