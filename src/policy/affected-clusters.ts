import type { PolicyAssignment } from "../azure/assignments.js";
import { isForbidden } from "../azure/arm-errors.js";
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
    let descendants: Awaited<ReturnType<typeof listDescendants>>;
    try {
      descendants = await listDescendants(session, root);
    } catch (error) {
      if (!isForbidden(error, { unauthenticated: true })) throw error;
      // A subscription-level principal may not list what is below the group: name that, list nothing.
      session.note(`Cannot list the clusters below management group '${root}': reading its descendants needs Microsoft.Management/managementGroups/descendants/read there.`);
      return [];
    }
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
    let subscriptions: string[];
    try {
      subscriptions = await descendantSubscriptions(session, group);
    } catch (error) {
      // Least privilege (docs/issues/11.md): reading descendants needs managementGroups/descendants/read on the
      // group, which a subscription-level principal lacks. The assignment list at the cluster already
      // revealed every ancestor that holds an assignment; this one it did not, so say that it cannot be
      // known and treat the notScope as not covering the cluster.
      if (!isForbidden(error, { unauthenticated: true })) throw error;
      session.note(
        `Cannot tell whether management group '${group}' (a notScope) contains ${cluster.name}: reading its descendants needs Microsoft.Management/managementGroups/descendants/read there; treating it as not covering the cluster.`,
      );
      continue;
    }
    if (subscriptions.some((subscription) => subscription.toLowerCase() === cluster.subscriptionId.toLowerCase())) groups.add(group);
  }
  return [...groups];
}

/** A cluster an edit reaches, as the plan and the JSON result name it. */
export interface ReachedCluster {
  id: string;
  name: string;
  azurePolicyEnabled: boolean;
}

export interface ClusterReach {
  scopeKind: "managementGroup" | "subscription" | "resourceGroup" | "resource";
  /** null when they could not be listed (management group scope, or no permission to list clusters). */
  clusters: ReachedCluster[] | null;
  note?: string;
}

/**
 * The clusters an assignment reaches: every cluster below its scope (for a management group, in
 * every descendant subscription) that its notScopes and resource selectors do not leave out.
 * `list: false` (--no-clusters) reads nothing and says so.
 */
export async function clusterReach(session: AzureSession, assignment: PolicyAssignment, options: { list?: boolean } = {}): Promise<ClusterReach> {
  const scope = assignment.scope ?? "";
  let kind: ClusterReach["scopeKind"];
  try {
    kind = parseScope(scope).kind;
  } catch {
    return { scopeKind: "resource", clusters: null, note: `unrecognised scope ${scope}` };
  }
  if (options.list === false) return { scopeKind: kind, clusters: null, note: "not read (--no-clusters)" };
  try {
    const clusters = await clustersUnderAssignment(session, assignment);
    return {
      scopeKind: kind,
      clusters: clusters.filter((cluster) => cluster.applicability.applies).map((cluster) => ({ id: cluster.id, name: cluster.name, azurePolicyEnabled: cluster.azurePolicyEnabled !== false })),
    };
  } catch (error) {
    const where = kind === "managementGroup" ? "every cluster in every subscription below the management group" : "every cluster below the scope";
    return { scopeKind: kind, clusters: null, note: `${where} (they could not be listed: ${(error as Error).message.split("\n")[0]})` };
  }
}
