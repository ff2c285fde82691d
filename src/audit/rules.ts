// The findings engine: pure functions over AuditData and the matrix. Each rule has a stable id, a
// severity, a title and a recommendation naming the akspol command that acts on it (README "Audit findings").
import { lastSegment, normalizeId, parseScope, subscriptionOfScope } from "../azure/ids.js";
import { akspolCustomLabel, ALWAYS_EXCLUDED_NAMESPACES as alwaysExcludedNamespaces, ANY_OTHER_NAMESPACE, compareVersions, memberOutcome, safeguardsMembers } from "../effective/index.js";
import { clusterAncestors, clusterContext, expectedMembers, isExpired } from "./matrix.js";
import type { AuditCluster, AuditData, AuditExemption, AuditOptions, Carrier, ClusterView, Finding, Severity } from "./types.js";

export interface RuleInfo {
  id: string;
  severity: Severity;
  title: string;
  category: "coverage" | "enforcement" | "exclusions" | "exemptions" | "versions" | "overlap" | "acceptance";
  description: string;
}

/** Every rule the audit knows (README "Audit findings" lists the same). */
export const rules: readonly RuleInfo[] = [
  {
    id: "AKS001",
    severity: "high",
    category: "coverage",
    title: "Azure Policy add-on disabled",
    description: "A carrier applies to the cluster but its Azure Policy add-on is missing or disabled, so nothing is enforced.",
  },
  { id: "AKS002", severity: "high", category: "coverage", title: "Cluster not covered", description: "No carrier of the nine pod-security members applies to the cluster." },
  { id: "AKS003", severity: "medium", category: "coverage", title: "Below the expected initiative", description: "The cluster lacks members of the initiative named by --expect." },
  { id: "AKS004", severity: "medium", category: "coverage", title: "Namespace include-list", description: "A non-empty `namespaces` parameter: every namespace not listed is unprotected." },
  { id: "AKS005", severity: "medium", category: "coverage", title: "Cluster removed by a notScope", description: "A carrier's notScopes remove clusters below its scope." },
  { id: "AKS006", severity: "medium", category: "coverage", title: "Cluster removed by a resource selector", description: "A carrier's resource selectors remove clusters below its scope." },
  { id: "AKS101", severity: "high", category: "enforcement", title: "Effect weaker than expected", description: "A member's effect is Audit or Disabled where --expect-effect deny asks for Deny." },
  { id: "AKS102", severity: "high", category: "enforcement", title: "Enforcement mode DoNotEnforce", description: "The carrier's enforcementMode is DoNotEnforce: Deny is not enforced." },
  { id: "AKS103", severity: "medium", category: "enforcement", title: "Override weakens a member", description: "A policyEffect override sets a member to Audit or Disabled." },
  {
    id: "AKS104",
    severity: "medium",
    category: "enforcement",
    title: "Deployment Safeguards disagree with carriers",
    description: "Deployment Safeguards warn where a carrier denies, or enforce where carriers only audit.",
  },
  { id: "AKS201", severity: "high", category: "exclusions", title: "Wildcard exclusion", description: "An excluded namespace with a wildcard (`*`, `prod-*`)." },
  { id: "AKS202", severity: "high", category: "exclusions", title: "`default` namespace excluded", description: "The `default` namespace is excluded." },
  {
    id: "AKS203",
    severity: "low",
    category: "exclusions",
    title: "System namespaces removed",
    description: "The explicit list drops kube-system, gatekeeper-system or azure-arc (the add-on excludes them anyway, so the list misleads).",
  },
  {
    id: "AKS204",
    severity: "medium",
    category: "exclusions",
    title: "Explicit list lacks an initiative default",
    description: "The assignment sets excludedNamespaces, no longer follows the initiative default, and lacks one of its entries.",
  },
  {
    id: "AKS205",
    severity: "medium",
    category: "exclusions",
    title: "Exclusion drift in a group",
    description: "Assignments of one group (management group, display-name pattern or --group-by key) exclude different namespaces.",
  },
  {
    id: "AKS206",
    severity: "low",
    category: "exclusions",
    title: "Exclusion overridden by another carrier",
    description: "A namespace excluded by one carrier is still denied or audited by another carrier on the same cluster.",
  },
  {
    id: "AKS301",
    severity: "medium",
    category: "exemptions",
    title: "Broad exemption",
    description: "An exemption at a resource group, subscription or management group covers every cluster below it.",
  },
  { id: "AKS302", severity: "high", category: "exemptions", title: "Waiver without expiry or beyond the cap", description: "A Waiver with no expiry, or one expiring later than --max-days from now." },
  { id: "AKS303", severity: "low", category: "exemptions", title: "Exemption expiring soon", description: "An exemption expiring within --expiring-within." },
  { id: "AKS304", severity: "low", category: "exemptions", title: "Expired exemption still present", description: "An expired exemption no longer exempts anything but is still there." },
  { id: "AKS305", severity: "medium", category: "exemptions", title: "Stale reference ids", description: "An exemption names policy reference ids the assigned version does not contain." },
  { id: "AKS306", severity: "low", category: "exemptions", title: "Orphaned exemption", description: "The exemption's assignment no longer exists." },
  { id: "AKS307", severity: "low", category: "exemptions", title: "Exemption without reason or ticket", description: "No description or reason, and no ticket in the metadata." },
  { id: "AKS401", severity: "low", category: "versions", title: "Older definition version", description: "The assignment runs an older version of its set than the newest it could take." },
  { id: "AKS402", severity: "low", category: "versions", title: "Versions differ between assignments", description: "Two assignments of one set run different versions." },
  {
    id: "AKS403",
    severity: "low",
    category: "versions",
    title: "akspol custom initiative made from an older built-in",
    description: "An akspol per-policy custom initiative was made from an older version of its built-in initiative than the newest available.",
  },
  { id: "AKS501", severity: "info", category: "overlap", title: "Several carriers of one member", description: "Several carriers deliver one member to a cluster; the strictest outcome wins." },
  { id: "AKS901", severity: "medium", category: "acceptance", title: "Acceptance expired", description: "An entry of the --accepted file has expired; its finding is reported again." },
];

export const ruleById = new Map(rules.map((rule) => [rule.id, rule]));

function finding(ruleId: string, resource: string, fields: Omit<Finding, "id" | "ruleId" | "severity" | "title" | "resource"> & { severity?: Severity }): Finding {
  const rule = ruleById.get(ruleId);
  if (!rule) throw new Error(`Unknown rule ${ruleId}`);
  return { id: findingId(ruleId, resource), ruleId, severity: fields.severity ?? rule.severity, title: rule.title, resource, ...fields };
}

export function findingId(ruleId: string, resource: string): string {
  return `${ruleId}:${normalizeId(resource)}`;
}

function carrierLabel(carrier: Carrier): string {
  return carrier.displayName ? `${carrier.displayName} (${carrier.name})` : carrier.name;
}

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.map(String) : [];
}

/** Namespaces the carrier excludes for any of its members (the model resolves each member's list). */
function excludedOf(carrier: Carrier): string[] {
  return [...new Set(carrier.members.flatMap((member) => member.excludedNamespaces))];
}

function parameter(carrier: Carrier, name: string) {
  return carrier.parameters.find((entry) => entry.name.toLowerCase() === name.toLowerCase());
}

/** The clusters at or below each scope (normalized), to answer "which clusters does this exemption cover" without a scan. */
function clustersByScope(views: ClusterView[]): Map<string, ClusterView[]> {
  const index = new Map<string, ClusterView[]>();
  for (const view of views) {
    for (const scope of clusterAncestors(view)) {
      const list = index.get(scope);
      if (list) list.push(view);
      else index.set(scope, [view]);
    }
  }
  return index;
}

/** Per carrier id, in views order: the clusters it applies to, and those it leaves out (with the reason). */
interface CarrierClusters {
  applying: Map<string, string[]>;
  removed: Map<string, Array<{ view: ClusterView; reason: string }>>;
}

const carrierClusterIndex = new WeakMap<ClusterView[], CarrierClusters>();

/** Built once per report, so each carrier's clusters are a lookup, not a scan of every cluster. */
function carrierClusters(views: ClusterView[]): CarrierClusters {
  let index = carrierClusterIndex.get(views);
  if (!index) {
    index = { applying: new Map(), removed: new Map() };
    for (const view of views) {
      for (const id of new Set(view.carriers)) {
        const list = index.applying.get(id);
        if (list) list.push(view.id);
        else index.applying.set(id, [view.id]);
      }
      for (const entry of view.removedBy) {
        const list = index.removed.get(entry.carrier);
        if (list) list.push({ view, reason: entry.reason });
        else index.removed.set(entry.carrier, [{ view, reason: entry.reason }]);
      }
    }
    carrierClusterIndex.set(views, index);
  }
  return index;
}

function clustersOf(views: ClusterView[], carrier: Carrier): string[] {
  return [...(carrierClusters(views).applying.get(carrier.id) ?? [])];
}

/** The clusters a carrier's notScopes (or resource selectors) leave out, in views order, each once. */
function removedFrom(views: ClusterView[], carrier: Carrier, reason: RegExp): ClusterView[] {
  return [...new Set((carrierClusters(views).removed.get(carrier.id) ?? []).filter((entry) => reason.test(entry.reason)).map((entry) => entry.view))];
}

/** Runs every rule. Accepted findings are filtered afterwards by src/audit/accepted.ts. */
export function evaluate(data: AuditData, views: ClusterView[], options: AuditOptions, now: Date): Finding[] {
  const findings: Finding[] = [];

  // Coverage, per cluster.
  for (const view of views) {
    const common = { clusters: [view.id], subscriptionId: view.subscriptionId };
    if (!view.azurePolicyEnabled && view.carriers.length > 0) {
      findings.push(
        finding("AKS001", view.id, {
          ...common,
          message: `${view.name}: ${view.carriers.length} carrier(s) apply but the Azure Policy add-on is disabled; nothing is enforced.`,
          evidence: { azurePolicyEnabled: false, carriers: view.carriers },
          recommendation: "Enable the add-on: az aks enable-addons --addons azure-policy (it then syncs the assignments within about 20 minutes).",
          command: `az aks enable-addons --addons azure-policy --name ${view.name} --resource-group ${view.resourceGroup} --subscription ${view.subscriptionId}`,
        }),
      );
    }
    const covered: string[] = view.carried;
    if (covered.length === 0) {
      findings.push(
        finding("AKS002", view.id, {
          ...common,
          message: `${view.name}: no assignment carries any of the nine pod-security policies.`,
          evidence: { removedBy: view.removedBy },
          recommendation: "Assign the baseline or restricted initiative at the cluster's subscription or management group, or remove the notScope/selector that leaves it out.",
          command: `akspol find --cluster ${view.id}`,
        }),
      );
    } else if (options.expect) {
      const missing = expectedMembers(options.expect).filter((member) => !covered.includes(member));
      if (missing.length > 0) {
        findings.push(
          finding("AKS003", view.id, {
            ...common,
            message: `${view.name}: ${missing.length} member(s) of the ${options.expect} initiative are not assigned: ${missing.join(", ")}.`,
            evidence: { expect: options.expect, missing, covered },
            recommendation: `Assign the ${options.expect} initiative where it reaches this cluster.`,
            command: `akspol find --cluster ${view.id}`,
          }),
        );
      }
    }
    // Overlap: several carriers deliver one member.
    const overlapping = view.members.filter((member) => member.carriers.length > 1);
    if (overlapping.length > 0) {
      findings.push(
        finding("AKS501", view.id, {
          ...common,
          message: `${view.name}: ${overlapping.length} member(s) arrive through several assignments.`,
          evidence: {
            members: overlapping.map((member) => ({ member: member.referenceId, carriers: member.carriers, winner: member.winner, outcome: member.state })),
          },
          recommendation: "Keep one carrier per member where you can: two sets of parameters drift apart.",
          command: `akspol find --cluster ${view.id}`,
        }),
      );
    }
    // Deployment Safeguards against the carriers: the model's outcome of the carriers alone, per Safeguards member.
    const { sources } = clusterContext(data, view);
    if (view.safeguards && view.azurePolicyEnabled) {
      const level = view.safeguards.level.toLowerCase();
      const carriersOnly = { ...sources, safeguards: undefined };
      const conflicts = safeguardsMembers(view.safeguards)
        .members.map((member) => ({ member, outcome: memberOutcome(carriersOnly, ANY_OTHER_NAMESPACE, member, now).outcome }))
        .filter((entry) => (level === "warn" ? entry.outcome === "deny" : entry.outcome === "audit" || entry.outcome === "warn"));
      if (conflicts.length > 0) {
        findings.push(
          finding("AKS104", view.id, {
            ...common,
            message:
              level === "warn"
                ? `${view.name}: Deployment Safeguards only warn while assignments deny ${conflicts.length} member(s); developers see two different answers.`
                : `${view.name}: Deployment Safeguards enforce while assignments only audit ${conflicts.length} member(s).`,
            evidence: { safeguards: { level: view.safeguards.level, excludedNamespaces: view.safeguards.excludedNamespaces }, members: conflicts },
            recommendation: "Align the Safeguards level with the carriers' effect.",
            command: `akspol find --cluster ${view.id}`,
          }),
        );
      }
    }
    // A namespace excluded by one carrier but still denied or audited by another: the model's outcome in that namespace.
    const overridden: Array<{ namespace: string; member: string; excludedBy: string; decidedBy: string; outcome: string }> = [];
    // Several carriers often exclude the same namespace for the same member: one outcome per pair.
    const outcomes = new Map<string, ReturnType<typeof memberOutcome>>();
    for (const enforcement of sources.assignments) {
      for (const carried of enforcement.members) {
        for (const namespace of carried.excludedNamespaces) {
          if (alwaysExcludedNamespaces.includes(namespace) || namespace.includes("*")) continue;
          const pair = `${carried.member}\u0000${namespace}`;
          let outcome = outcomes.get(pair);
          if (outcome === undefined) {
            outcome = memberOutcome(sources, namespace, carried.member, now);
            outcomes.set(pair, outcome);
          }
          const decided = outcome.decidedBy;
          if (outcome.outcome === "none" || decided?.kind !== "assignment" || decided.assignmentId === enforcement.assignment.id) continue;
          overridden.push({ namespace, member: carried.member, excludedBy: enforcement.assignment.id, decidedBy: decided.assignmentId, outcome: outcome.outcome });
        }
      }
    }
    if (overridden.length > 0) {
      const first = overridden[0] as (typeof overridden)[number];
      findings.push(
        finding("AKS206", view.id, {
          ...common,
          message: `${view.name}: ${[...new Set(overridden.map((entry) => entry.namespace))].join(", ")} excluded by one assignment but still checked by another.`,
          evidence: { namespaces: overridden },
          recommendation: "Exclude the namespace in every carrier of the member, or not at all.",
          command: `akspol exclude add ${first.decidedBy} ${first.namespace}`,
        }),
      );
    }
  }

  // Per carrier.
  for (const carrier of data.carriers) {
    const clusters = clustersOf(views, carrier);
    const common = { clusters, subscriptionId: subscriptionOfScope(carrier.scope) };
    const label = carrierLabel(carrier);
    const namespaces = [...new Set(carrier.members.flatMap((member) => member.namespaces))];
    if (namespaces.length > 0) {
      findings.push(
        finding("AKS004", carrier.id, {
          ...common,
          message: `${label} only checks namespaces ${namespaces.join(", ")}; every other namespace is unprotected.`,
          evidence: { namespaces },
          recommendation: "Remove the include-list so every namespace is checked, and exclude the few that must be exempt.",
          command: `akspol params unset ${carrier.id} namespaces`,
        }),
      );
    }
    const removedByNotScope = removedFrom(views, carrier, /notScope/);
    if (removedByNotScope.length > 0) {
      findings.push(
        finding("AKS005", carrier.id, {
          ...common,
          clusters: removedByNotScope.map((view) => view.id),
          message: `${label}: notScopes remove ${removedByNotScope.length} cluster(s): ${removedByNotScope.map((view) => view.name).join(", ")}.`,
          evidence: { notScopes: carrier.notScopes, clusters: removedByNotScope.map((view) => view.id) },
          recommendation: "Remove the notScope, or exempt the clusters with an expiry instead.",
          command: `akspol show ${carrier.id}`,
        }),
      );
    }
    const removedBySelector = removedFrom(views, carrier, /resource selector/);
    if (removedBySelector.length > 0) {
      findings.push(
        finding("AKS006", carrier.id, {
          ...common,
          clusters: removedBySelector.map((view) => view.id),
          message: `${label}: resource selectors remove ${removedBySelector.length} cluster(s): ${removedBySelector.map((view) => view.name).join(", ")}.`,
          evidence: { resourceSelectors: carrier.resourceSelectors, clusters: removedBySelector.map((view) => view.id) },
          recommendation: "Check that the selectors still match every region you run clusters in.",
          command: `akspol show ${carrier.id}`,
        }),
      );
    }
    if (options.expectEffect === "deny") {
      const weak = carrier.members.filter((member) => member.effect !== "deny" && !member.overriddenTo);
      if (weak.length > 0) {
        findings.push(
          finding("AKS101", carrier.id, {
            ...common,
            message: `${label}: ${weak.length} member(s) at ${[...new Set(weak.map((member) => member.effect))].join("/")} where Deny is expected.`,
            evidence: { expected: "Deny", members: weak.map((member) => ({ member: member.referenceId, effect: member.effect })) },
            recommendation: "Set the effect to Deny once the audit results are clean.",
            command: `akspol params set ${carrier.id} --effect deny`,
          }),
        );
      }
    }
    if (carrier.enforcementMode.toLowerCase() === "donotenforce") {
      findings.push(
        finding("AKS102", carrier.id, {
          ...common,
          message: `${label} is DoNotEnforce: nothing it denies is blocked.`,
          evidence: { enforcementMode: carrier.enforcementMode },
          recommendation: "Set the enforcement mode back to Default.",
          command: `akspol params set ${carrier.id} --enforcement-mode default`,
        }),
      );
    }
    const weakened = carrier.members.filter((member) => member.overriddenTo && /^(audit|disabled)$/i.test(member.overriddenTo));
    if (weakened.length > 0) {
      findings.push(
        finding("AKS103", carrier.id, {
          ...common,
          message: `${label}: overrides set ${weakened.map((member) => `${member.referenceId} to ${member.overriddenTo}`).join(", ")}.`,
          evidence: { overrides: carrier.overrides, members: weakened.map((member) => ({ member: member.referenceId, effect: member.overriddenTo })) },
          recommendation: "Remove the override, or exempt the clusters that need it with an expiry.",
          command: `akspol params set ${carrier.id} --effect deny --policies ${weakened.map((member) => member.referenceId).join(",")}`,
        }),
      );
    }
    const excludedParameter = parameter(carrier, "excludedNamespaces");
    const excluded = excludedOf(carrier);
    const wildcards = excluded.filter((namespace) => namespace.includes("*"));
    if (wildcards.length > 0) {
      findings.push(
        finding("AKS201", carrier.id, {
          ...common,
          severity: wildcards.includes("*") ? "high" : "medium",
          message: `${label} excludes ${wildcards.join(", ")}${wildcards.includes("*") ? ": every namespace" : ""}.`,
          evidence: { excludedNamespaces: excluded, wildcards },
          recommendation: "Name the namespaces instead of a pattern.",
          command: `akspol exclude remove ${carrier.id} ${wildcards.map((namespace) => `'${namespace}'`).join(" ")}`,
        }),
      );
    }
    if (excluded.includes("default")) {
      findings.push(
        finding("AKS202", carrier.id, {
          ...common,
          message: `${label} excludes the default namespace.`,
          evidence: { excludedNamespaces: excluded },
          recommendation: "Move the workload out of default into its own namespace and exclude that one.",
          command: `akspol exclude remove ${carrier.id} default`,
        }),
      );
    }
    if (excludedParameter?.source === "assignment") {
      const systemRemoved = alwaysExcludedNamespaces.filter((namespace) => !stringList(excludedParameter.value).includes(namespace));
      if (systemRemoved.length > 0) {
        findings.push(
          finding("AKS203", carrier.id, {
            ...common,
            message: `${label}'s excludedNamespaces lacks ${systemRemoved.join(", ")} (the add-on excludes them anyway).`,
            evidence: { excludedNamespaces: excluded, missing: systemRemoved },
            recommendation: "Put the system namespaces back so the list says what is enforced.",
            command: `akspol exclude add ${carrier.id} ${systemRemoved.join(" ")}`,
          }),
        );
      }
      const defaults = stringList(excludedParameter.defaultValue).filter((namespace) => !alwaysExcludedNamespaces.includes(namespace));
      const lacking = defaults.filter((namespace) => !stringList(excludedParameter.value).includes(namespace));
      if (lacking.length > 0) {
        findings.push(
          finding("AKS204", carrier.id, {
            ...common,
            message: `${label} sets its own excludedNamespaces and lacks the initiative default ${lacking.join(", ")}.`,
            evidence: { excludedNamespaces: excluded, initiativeDefault: excludedParameter.defaultValue, missing: lacking },
            recommendation: "Add the default entries back, or unset the parameter to follow the initiative default again.",
            command: `akspol exclude add ${carrier.id} ${lacking.join(" ")}`,
          }),
        );
      }
    }
    if (carrier.version && carrier.latestVersion && compareVersions(carrier.version, carrier.latestVersion) < 0) {
      findings.push(
        finding("AKS401", carrier.id, {
          ...common,
          message: `${label} runs ${carrier.setDisplayName ?? carrier.kind} ${carrier.version}; ${carrier.latestVersion} is available.`,
          evidence: { version: carrier.version, definitionVersion: carrier.definitionVersion, latestVersion: carrier.latestVersion },
          recommendation: "Move the assignment's definitionVersion to the newest major version after reviewing its changes.",
          command: `akspol show ${carrier.id}`,
        }),
      );
    }
    const madeFrom = carrier.madeFrom;
    if (madeFrom?.latestVersion && compareVersions(madeFrom.version, madeFrom.latestVersion) < 0) {
      findings.push(
        finding("AKS403", carrier.id, {
          ...common,
          message: `${label} assigns an ${akspolCustomLabel(madeFrom)}; the built-in offers ${madeFrom.latestVersion}.`,
          evidence: { builtIn: madeFrom.id, madeFromVersion: madeFrom.version, latestVersion: madeFrom.latestVersion, setDefinitionId: carrier.setDefinitionId },
          recommendation: "Bring the custom initiative to the newest built-in version (same members, new definition versions and defaults; planned, journaled, undoable).",
          command: `akspol initiative upgrade ${carrier.id}`,
        }),
      );
    }
  }

  findings.push(...driftFindings(data, views, options));
  findings.push(...versionSplitFindings(data, views));
  findings.push(...exemptionFindings(data, views, options, now));
  return findings;
}

/** The display name with a trailing qualifier removed: "Pod security baseline (prod)" -> "Pod security baseline". */
export function displayNamePattern(displayName: string | undefined): string | undefined {
  if (!displayName) return undefined;
  const stem = displayName
    .replace(/\s*[([][^)\]]*[)\]]\s*$/, "")
    .replace(/\s*[-–:]\s*[^-–:]+$/, "")
    .trim();
  return stem && stem !== displayName ? stem.toLowerCase() : undefined;
}

function managementGroupOfScope(firstCluster: Map<string, AuditCluster>, scope: string): string | undefined {
  try {
    const info = parseScope(scope);
    if (info.kind === "managementGroup") return undefined;
    const cluster = info.subscriptionId === undefined ? undefined : firstCluster.get(info.subscriptionId.toLowerCase());
    return cluster?.managementGroups[0];
  } catch {
    return undefined;
  }
}

function driftFindings(data: AuditData, views: ClusterView[], options: AuditOptions): Finding[] {
  const groups = new Map<string, { label: string; carriers: Carrier[]; members: Set<Carrier> }>();
  const add = (key: string, label: string, carrier: Carrier) => {
    const group = groups.get(key) ?? { label, carriers: [], members: new Set<Carrier>() };
    if (!group.members.has(carrier)) {
      group.members.add(carrier);
      group.carriers.push(carrier);
    }
    groups.set(key, group);
  };
  // The first cluster (in data.clusters order) of each subscription: where a carrier's management group is read.
  const firstCluster = new Map<string, AuditCluster>();
  for (const cluster of data.clusters) {
    const key = cluster.subscriptionId.toLowerCase();
    if (!firstCluster.has(key)) firstCluster.set(key, cluster);
  }
  for (const carrier of data.carriers) {
    const set = carrier.setDefinitionId.toLowerCase();
    if (options.groupBy) {
      const value = carrier.metadata[options.groupBy];
      if (value !== undefined && value !== null) add(`tag|${set}|${String(value)}`, `${options.groupBy}=${String(value)}`, carrier);
      continue;
    }
    const group = managementGroupOfScope(firstCluster, carrier.scope);
    if (group) add(`mg|${set}|${group.toLowerCase()}`, `management group ${group}`, carrier);
    const pattern = displayNamePattern(carrier.displayName);
    if (pattern) add(`name|${set}|${pattern}`, `display name '${pattern} ...'`, carrier);
  }
  const findings: Finding[] = [];
  const reported = new Set<string>();
  for (const group of groups.values()) {
    if (group.carriers.length < 2) continue;
    const lists = group.carriers.map((carrier) => ({ carrier, excluded: excludedOf(carrier) }));
    const union = [...new Set(lists.flatMap((entry) => entry.excluded))].sort();
    // A namespace some list lacks: fewer lists hold it than there are lists (excludedOf has no duplicates).
    const holders = new Map<string, number>();
    for (const entry of lists) for (const ns of entry.excluded) holders.set(ns, (holders.get(ns) ?? 0) + 1);
    const diff = lists
      .map((entry) => ({ assignment: entry.carrier.id, extra: entry.excluded.filter((ns) => (holders.get(ns) ?? 0) < lists.length), missing: union.filter((ns) => !entry.excluded.includes(ns)) }))
      .filter((entry) => entry.extra.length > 0 || entry.missing.length > 0);
    if (diff.length === 0) continue;
    const key = group.carriers
      .map((carrier) => normalizeId(carrier.id))
      .sort()
      .join("|");
    if (reported.has(key)) continue;
    reported.add(key);
    const first = group.carriers[0] as Carrier;
    findings.push(
      finding("AKS205", first.id, {
        clusters: group.carriers.flatMap((carrier) => clustersOf(views, carrier)),
        subscriptionId: subscriptionOfScope(first.scope),
        message: `Assignments of ${group.label} exclude different namespaces: ${diff.map((entry) => `${lastSegment(entry.assignment)} ${[...entry.extra.map((ns) => `+${ns}`), ...entry.missing.map((ns) => `-${ns}`)].join(" ")}`).join("; ")}.`,
        evidence: { group: group.label, assignments: lists.map((entry) => ({ id: entry.carrier.id, excludedNamespaces: entry.excluded })), diff },
        recommendation: "Decide the group's list once and apply it to each assignment.",
        command: `akspol exclude list ${first.id}`,
      }),
    );
  }
  return findings;
}

function versionSplitFindings(data: AuditData, views: ClusterView[]): Finding[] {
  const bySet = new Map<string, Carrier[]>();
  for (const carrier of data.carriers) {
    if (!carrier.version) continue;
    const list = bySet.get(carrier.setDefinitionId.toLowerCase()) ?? [];
    list.push(carrier);
    bySet.set(carrier.setDefinitionId.toLowerCase(), list);
  }
  const findings: Finding[] = [];
  for (const carriers of bySet.values()) {
    const versions = [...new Set(carriers.map((carrier) => carrier.version as string))].sort(compareVersions);
    if (versions.length < 2) continue;
    const first = carriers[0] as Carrier;
    findings.push(
      finding("AKS402", first.setDefinitionId, {
        clusters: carriers.flatMap((carrier) => clustersOf(views, carrier)),
        message: `${first.setDisplayName ?? first.kind} runs at ${versions.join(" and ")} across ${carriers.length} assignments.`,
        evidence: { versions: carriers.map((carrier) => ({ assignment: carrier.id, version: carrier.version, definitionVersion: carrier.definitionVersion })) },
        recommendation: "Move every assignment of the set to one version.",
        command: `akspol find --all-subscriptions --initiative ${first.kind === "baseline" || first.kind === "restricted" ? first.kind : "any"}`,
      }),
    );
  }
  return findings;
}

function exemptionLabel(exemption: AuditExemption): string {
  return exemption.displayName ? `${exemption.name} (${exemption.displayName})` : exemption.name;
}

function exemptionFindings(data: AuditData, views: ClusterView[], options: AuditOptions, now: Date): Finding[] {
  const findings: Finding[] = [];
  const knownAssignments = new Set(data.assignmentIds.map((id) => id.toLowerCase()));
  const carriersById = new Map(data.carriers.map((carrier) => [normalizeId(carrier.id), carrier]));
  const below = clustersByScope(views);
  const day = 86_400_000;
  for (const exemption of data.exemptions) {
    const carrier = carriersById.get(normalizeId(exemption.policyAssignmentId));
    const clusters = (below.get(normalizeId(exemption.scope)) ?? []).map((view) => view.id);
    const isClusterScope = /\/providers\/microsoft\.containerservice\/managedclusters\/[^/]+$/i.test(exemption.scope);
    // Only exemptions that touch pod security: of a carrier, or (for orphans) on a cluster.
    const orphan = !knownAssignments.has(normalizeId(exemption.policyAssignmentId));
    if (!carrier && !(orphan && isClusterScope)) continue;
    const common = { clusters, subscriptionId: subscriptionOfScope(exemption.scope) };
    const label = exemptionLabel(exemption);
    const expired = isExpired(exemption, now);
    if (orphan) {
      findings.push(
        finding("AKS306", exemption.id, {
          ...common,
          message: `${label} refers to assignment ${exemption.policyAssignmentId}, which no longer exists.`,
          evidence: { policyAssignmentId: exemption.policyAssignmentId },
          recommendation: "Delete the exemption.",
          command: `akspol exempt delete ${exemption.id}`,
        }),
      );
      continue;
    }
    if (!isClusterScope && clusters.length > 0) {
      findings.push(
        finding("AKS301", exemption.id, {
          ...common,
          message: `${label} at ${exemption.scope} covers ${clusters.length} cluster(s): ${clusters.map((id) => lastSegment(id)).join(", ")}.`,
          evidence: { scope: exemption.scope, clusters },
          recommendation: "Exempt the clusters (or policies) that need it, one by one, with an expiry.",
          command: `akspol exempt create --help`,
        }),
      );
    }
    if (exemption.category.toLowerCase() === "waiver" && !expired) {
      const limit = now.getTime() + options.maxDays * day;
      if (!exemption.expiresOn || new Date(exemption.expiresOn).getTime() > limit) {
        findings.push(
          finding("AKS302", exemption.id, {
            ...common,
            message: exemption.expiresOn ? `${label} expires ${exemption.expiresOn}, beyond the ${options.maxDays}-day cap.` : `${label} is a Waiver without expiry.`,
            evidence: { category: exemption.category, expiresOn: exemption.expiresOn ?? null, maxDays: options.maxDays },
            recommendation: `Give it an expiry within ${options.maxDays} days.`,
            command: `akspol exempt renew ${exemption.id} --expires +${Math.min(30, options.maxDays)}d`,
          }),
        );
      }
    }
    if (expired) {
      findings.push(
        finding("AKS304", exemption.id, {
          ...common,
          message: `${label} expired ${exemption.expiresOn}; it exempts nothing but is still there.`,
          evidence: { expiresOn: exemption.expiresOn },
          recommendation: "Delete it, or renew it if the need remains.",
          command: `akspol exempt delete ${exemption.id}`,
        }),
      );
    } else if (exemption.expiresOn && new Date(exemption.expiresOn).getTime() - now.getTime() <= options.expiringWithinDays * day) {
      findings.push(
        finding("AKS303", exemption.id, {
          ...common,
          message: `${label} expires ${exemption.expiresOn}, within ${options.expiringWithinDays} days.`,
          evidence: { expiresOn: exemption.expiresOn, daysLeft: Math.floor((new Date(exemption.expiresOn).getTime() - now.getTime()) / day) },
          recommendation: "Renew it or let the workload comply before then.",
          command: `akspol exempt renew ${exemption.id} --expires +30d`,
        }),
      );
    }
    if (carrier && exemption.policyDefinitionReferenceIds.length > 0) {
      const known = new Set(carrier.referenceIds.map((id) => id.toLowerCase()));
      const stale = exemption.policyDefinitionReferenceIds.filter((id) => !known.has(id.toLowerCase()));
      if (stale.length > 0) {
        findings.push(
          finding("AKS305", exemption.id, {
            ...common,
            message: `${label} names ${stale.join(", ")}, not in ${carrier.setDisplayName ?? carrier.kind} ${carrier.version ?? ""}`.trimEnd() + ".",
            evidence: { stale, assignedReferenceIds: carrier.referenceIds },
            recommendation: "Recreate the exemption with the reference ids of the assigned version.",
            command: `akspol exempt show ${exemption.id}`,
          }),
        );
      }
    }
    const ticket = exemption.metadata.ticket;
    const reason = exemption.description ?? exemption.metadata.reason;
    if (!reason && !ticket) {
      findings.push(
        finding("AKS307", exemption.id, {
          ...common,
          message: `${label} has no reason and no ticket.`,
          evidence: { description: exemption.description ?? null, metadata: exemption.metadata },
          recommendation: "Record why it exists and the change ticket.",
          command: `akspol exempt renew ${exemption.id} --expires +30d --ticket <TICKET>`,
        }),
      );
    }
  }
  return findings;
}
