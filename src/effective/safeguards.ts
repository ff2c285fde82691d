// The Deployment Safeguards setting as one more source of outcomes on its cluster. Pure.
import { ALWAYS_EXCLUDED_NAMESPACES, MEMBERS, SAFEGUARDS_SET_NAME, lastSegment } from "./members.js";
import type { AssignmentEnforcement, MemberKey, Outcome, SafeguardsSetting, SourceVerdict } from "./types.js";
import { namespaceMatches } from "./namespaces.js";

export function safeguardsId(clusterId: string): string {
  return `${clusterId.replace(/\/+$/, "")}/providers/Microsoft.ContainerService/deploymentSafeguards/default`;
}

/**
 * The members the setting enforces: those of the pod-security initiative of its Pod Security
 * Standards level (Privileged: none). Unverified: which policies AKS enables for each level; akspol
 * assumes the members of the initiative of the same name. When the api-version read does not serve
 * the level, akspol assumes Baseline and says so (`assumed`).
 */
export function safeguardsMembers(setting: Pick<SafeguardsSetting, "podSecurityStandardsLevel">): { level: string; assumed: boolean; members: MemberKey[] } {
  const level = setting.podSecurityStandardsLevel;
  const assumed = level === undefined;
  const effective = (level ?? "Baseline").toLowerCase();
  if (effective !== "baseline" && effective !== "restricted") return { level: level ?? "Baseline", assumed, members: [] };
  return {
    level: level ?? "Baseline",
    assumed,
    members: MEMBERS.filter((member) => member.initiatives.includes(effective)).map((member) => member.key),
  };
}

export function safeguardsLevelOutcome(level: string): Outcome {
  return level.toLowerCase() === "enforce" ? "deny" : "warn";
}

/** The setting's verdict on a namespace for one of its members. */
export function safeguardsOutcome(setting: SafeguardsSetting, namespace: string, clusterName: string): SourceVerdict {
  const source = { kind: "safeguards" as const, id: setting.id, clusterId: setting.clusterId };
  const { level, assumed } = safeguardsMembers(setting);
  if (ALWAYS_EXCLUDED_NAMESPACES.includes(namespace)) return { source, outcome: "none", reason: "the Azure Policy add-on never reviews this system namespace", conditions: [], levers: [] };
  const system = setting.systemExcludedNamespaces.find((pattern) => namespaceMatches(pattern, namespace));
  if (system !== undefined) return { source, outcome: "none", reason: "a system namespace Deployment Safeguards always excludes", conditions: [], levers: [] };
  const excluded = setting.excludedNamespaces.find((pattern) => namespaceMatches(pattern, namespace));
  if (excluded !== undefined) return { source, outcome: "none", reason: "excluded in the cluster's Deployment Safeguards setting", conditions: [], levers: [] };
  const outcome = safeguardsLevelOutcome(setting.level);
  const levelText = assumed ? `Pod Security Standards level not served by api-version ${setting.apiVersion}; akspol assumes ${level}` : `Pod Security Standards ${level}`;
  return {
    source,
    outcome,
    reason: `Deployment Safeguards level ${setting.level} (${levelText})`,
    conditions: [],
    levers: [
      {
        kind: "safeguards-exclusion",
        description: `exclude ${namespace} in the Deployment Safeguards setting of ${clusterName}`,
        command: `akspol safeguards exclude add ${namespace} --cluster ${clusterName}`,
      },
    ],
  };
}

/**
 * Drops the assignments of the Safeguards initiative at the cluster's own scope when the cluster has
 * the setting: AKS manages that assignment for the setting, so it is counted once, as the setting.
 * Unverified: that AKS surfaces the setting as such an assignment and that they never diverge.
 */
export function withoutSafeguardsAssignment(assignments: readonly AssignmentEnforcement[], clusterId: string, setting: SafeguardsSetting | undefined): AssignmentEnforcement[] {
  if (!setting) return [...assignments];
  return assignments.filter(
    (enforcement) =>
      !(
        enforcement.definition.kind === "set" &&
        lastSegment(enforcement.definition.id).toLowerCase() === SAFEGUARDS_SET_NAME &&
        enforcement.assignment.scope.toLowerCase() === clusterId.toLowerCase()
      ),
  );
}
