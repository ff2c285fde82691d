import type { PolicyAssignment } from "../azure/assignments.js";
import { isAtOrBelow, parseScope } from "../azure/ids.js";

export interface ClusterFacts {
  id: string;
  name: string;
  location?: string;
  /** false when the Azure Policy add-on is disabled: the cluster enforces nothing. */
  azurePolicyEnabled?: boolean;
  /** Names of the management groups above the cluster's subscription, when known. */
  managementGroups?: string[];
}

/**
 * How many scope-contains-cluster checks this process made: a test holds the audit's cluster x carrier
 * join to a linear count with it, without a clock (docs/issues/16.md).
 */
export const applicabilityWork = { checks: 0 };

/** Whether `scope` is the cluster or one of its ancestors, management groups included. */
export function scopeContainsCluster(scope: string, cluster: ClusterFacts): boolean {
  applicabilityWork.checks += 1;
  let info;
  try {
    info = parseScope(scope);
  } catch {
    return false;
  }
  if (info.kind === "managementGroup") {
    const name = info.managementGroup?.toLowerCase();
    return (cluster.managementGroups ?? []).some((group) => group.toLowerCase() === name);
  }
  return isAtOrBelow(cluster.id, scope);
}

export interface Applicability {
  applies: boolean;
  reason: string;
}

const clusterType = "microsoft.containerservice/managedclusters";

function selectorMatches(selector: { kind?: string; in?: string[]; notIn?: string[] }, cluster: ClusterFacts): boolean {
  const kind = selector.kind?.toLowerCase();
  const check = (value: string) => {
    const lower = value.toLowerCase();
    if (selector.in && !selector.in.some((candidate) => candidate.toLowerCase() === lower)) return false;
    if (selector.notIn && selector.notIn.some((candidate) => candidate.toLowerCase() === lower)) return false;
    return true;
  };
  switch (kind) {
    case "resourcelocation":
      return check((cluster.location ?? "").replace(/\s+/g, ""));
    case "resourcetype":
      return check(clusterType);
    case "resourcewithoutlocation":
      // A managed cluster always has a location.
      return check("false");
    default:
      // policyDefinitionReferenceId selects member policies, not resources.
      return true;
  }
}

/**
 * Whether an assignment applies to a cluster (README "Which assignments apply to a cluster"):
 * its scope is the cluster or an ancestor, no notScope equals or contains the cluster id (by path
 * segments, ignoring case), and every resource selector matches the cluster.
 */
export function assignmentAppliesToCluster(assignment: Pick<PolicyAssignment, "scope" | "notScopes" | "resourceSelectors" | "id">, cluster: ClusterFacts): Applicability {
  const scope = assignment.scope ?? assignment.id?.replace(/\/providers\/Microsoft\.Authorization\/policyAssignments\/[^/]+$/i, "");
  if (!scope || !scopeContainsCluster(scope, cluster)) {
    return { applies: false, reason: `the assignment's scope ${scope ?? "(unknown)"} does not contain the cluster` };
  }
  const excludedBy = (assignment.notScopes ?? []).find((notScope) => scopeContainsCluster(notScope, cluster));
  if (excludedBy) return { applies: false, reason: `the cluster is excluded by notScope ${excludedBy}` };
  for (const resourceSelector of assignment.resourceSelectors ?? []) {
    const failing = (resourceSelector.selectors ?? []).find((selector) => !selectorMatches(selector, cluster));
    if (failing) {
      return { applies: false, reason: `resource selector '${resourceSelector.name ?? "?"}' (${failing.kind}) does not match the cluster` };
    }
  }
  if (cluster.azurePolicyEnabled === false) {
    return { applies: true, reason: "applies, but the cluster's Azure Policy add-on is disabled, so nothing is enforced" };
  }
  return { applies: true, reason: "applies" };
}
