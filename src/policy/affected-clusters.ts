import type { PolicyAssignment } from "@azure/arm-policy";
import type { AzureSession } from "../azure/session.js";
import { listClusters, type ClusterRecord } from "../azure/clusters.js";
import { parseScope } from "../azure/ids.js";
import { descendantSubscriptions, listDescendants } from "../azure/management-groups.js";
import { assignmentAppliesToCluster, scopeContainsCluster, type Applicability } from "./applicability.js";

export interface AffectedCluster extends ClusterRecord {
  applicability: Applicability;
}

/**
 * The clusters an assignment reaches: every cluster below its scope (for a management group, in every
 * descendant subscription), each with whether the assignment applies to it (notScopes, selectors).
 * Costs one descendants call for a management group, then one cluster list per subscription.
 */
export async function clustersUnderAssignment(session: AzureSession, assignment: PolicyAssignment): Promise<AffectedCluster[]> {
  const scope = assignment.scope ?? "";
  const info = parseScope(scope);
  let subscriptions: string[];
  const chains = new Map<string, string[]>();
  if (info.kind === "managementGroup") {
    const root = info.managementGroup as string;
    const descendants = await listDescendants(session, root);
    const parents = new Map<string, string>();
    const subscriptionParents: Array<[string, string]> = [];
    for (const descendant of descendants) {
      if (descendant.kind === "subscription") subscriptionParents.push([descendant.name, descendant.parent]);
      else parents.set(descendant.name.toLowerCase(), descendant.parent);
    }
    for (const [subscription, parent] of subscriptionParents) {
      const chain: string[] = [];
      let current: string | undefined = parent;
      while (current && !chain.includes(current)) {
        chain.push(current);
        if (current.toLowerCase() === root.toLowerCase()) break;
        current = parents.get(current.toLowerCase());
      }
      if (!chain.some((group) => group.toLowerCase() === root.toLowerCase())) chain.push(root);
      chains.set(subscription.toLowerCase(), chain);
    }
    subscriptions = subscriptionParents.map(([subscription]) => subscription);
  } else {
    subscriptions = [info.subscriptionId as string];
  }
  const clusters = await listClusters(
    session,
    subscriptions.map((id) => ({ id, name: id })),
  );
  return clusters
    .map((cluster) => {
      const withGroups = { ...cluster, managementGroups: chains.get(cluster.subscriptionId.toLowerCase()) };
      return { ...withGroups, applicability: assignmentAppliesToCluster(assignment, withGroups) };
    })
    .filter((cluster) => scopeContainsCluster(scope, cluster));
}

/**
 * The management groups above a cluster that matter for these assignments: every management-group
 * scope among assignments listed with atScope() at the cluster (ARM returns only ancestors), plus each
 * management-group notScope whose descendants include the cluster's subscription (one call each).
 */
export async function clusterManagementGroups(session: AzureSession, cluster: ClusterRecord, assignments: PolicyAssignment[]): Promise<string[]> {
  const groups = new Set<string>();
  const candidates = new Set<string>();
  for (const assignment of assignments) {
    const scope = assignment.scope ? parseScope(assignment.scope) : undefined;
    if (scope?.kind === "managementGroup" && scope.managementGroup) groups.add(scope.managementGroup);
    for (const notScope of assignment.notScopes ?? []) {
      try {
        const info = parseScope(notScope);
        if (info.kind === "managementGroup" && info.managementGroup) candidates.add(info.managementGroup);
      } catch {
        // not a scope we can reason about
      }
    }
  }
  for (const group of candidates) {
    if ([...groups].some((known) => known.toLowerCase() === group.toLowerCase())) continue;
    const subscriptions = await descendantSubscriptions(session, group);
    if (subscriptions.some((subscription) => subscription.toLowerCase() === cluster.subscriptionId.toLowerCase())) groups.add(group);
  }
  return [...groups];
}
