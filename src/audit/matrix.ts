// The cluster x member matrix: for every cluster and each of the nine member policies, the outcome the
// ONE model (src/effective) computes for any namespace no source names, as a matrix state (deny, warn,
// audit, excluded, exempt, ...). Which assignments apply to a cluster is the project's one rule
// (src/policy/applicability.ts); nothing here re-derives effects, exclusions or exemptions.
import {
  ANY_OTHER_NAMESPACE,
  MEMBER_KEYS,
  carriedMembers,
  memberByKey,
  memberOutcome,
  withoutSafeguardsAssignment,
  type ClusterSources,
  type ExemptionFact,
  type MemberKey,
} from "../effective/index.js";
import { assignmentAppliesToCluster, scopeContainsCluster } from "../policy/applicability.js";
import { managementGroupScope, normalizeId, parseScope, resourceGroupScope, subscriptionScope } from "../azure/ids.js";
import type { AuditCluster, AuditData, AuditExemption, Carrier, CellState, ClusterView, MemberOutcome } from "./types.js";

/** The nine members, in the model's order (restricted's eight, then NoHostPathVolume). */
export const memberOrder: readonly MemberKey[] = MEMBER_KEYS;

/** The members of a built-in initiative (for --expect). */
export function expectedMembers(expect: "baseline" | "restricted"): MemberKey[] {
  return MEMBER_KEYS.filter((key) => memberByKey(key)?.initiatives.includes(expect));
}

export function isExpired(exemption: Pick<AuditExemption, "expiresOn">, now: Date): boolean {
  return !!exemption.expiresOn && new Date(exemption.expiresOn).getTime() <= now.getTime();
}

/** The scopes a cluster sits at or below (normalized): itself, its resource group, subscription and management groups. */
export function clusterAncestors(cluster: AuditCluster): string[] {
  return [cluster.id, resourceGroupScope(cluster.subscriptionId, cluster.resourceGroup), subscriptionScope(cluster.subscriptionId), ...cluster.managementGroups.map(managementGroupScope)].map(
    normalizeId,
  );
}

/** What acts on one cluster, computed once per cluster and shared by the matrix and the rules. */
export interface ClusterContext {
  applying: Carrier[];
  removedBy: ClusterView["removedBy"];
  /** Exemptions at the cluster or above it, expired ones included. */
  exemptions: AuditExemption[];
  sources: ClusterSources;
}

interface AuditIndex {
  exemptionsByScope: Map<string, AuditExemption[]>;
  /** Carriers by the scope they are assigned at (normalized), with their position in data.carriers. */
  carriersByScope: Map<string, Array<{ carrier: Carrier; position: number }>>;
  clusters: Map<string, ClusterContext>;
}

const contexts = new WeakMap<AuditData, AuditIndex>();

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** The key a carrier's scope is indexed under: what clusterScopeKeys yields for the clusters it may contain. */
function carrierScopeKey(scope: string): string | undefined {
  try {
    const info = parseScope(scope);
    return info.kind === "managementGroup" ? normalizeId(managementGroupScope(info.managementGroup!)) : normalizeId(scope);
  } catch {
    return undefined; // not a scope: contains no cluster (scopeContainsCluster)
  }
}

/**
 * Every scope key a carrier containing the cluster can sit at: each path prefix of the cluster's id (the
 * cluster, its resource group, its subscription) and its management groups. A superset of the scopes
 * scopeContainsCluster accepts, so looking these up finds every carrier that can apply or be removed.
 */
function clusterScopeKeys(cluster: AuditCluster): string[] {
  const parts = normalizeId(cluster.id).split("/").slice(1);
  const keys = parts.map((_, index) => `/${parts.slice(0, index + 1).join("/")}`);
  return [...keys, ...cluster.managementGroups.map((group) => normalizeId(managementGroupScope(group)))];
}

function auditIndex(data: AuditData): AuditIndex {
  let memo = contexts.get(data);
  if (!memo) {
    const exemptionsByScope = new Map<string, AuditExemption[]>();
    for (const exemption of data.exemptions) push(exemptionsByScope, normalizeId(exemption.scope), exemption);
    const carriersByScope = new Map<string, Array<{ carrier: Carrier; position: number }>>();
    data.carriers.forEach((carrier, position) => {
      const key = carrierScopeKey(carrier.scope);
      if (key !== undefined) push(carriersByScope, key, { carrier, position });
    });
    memo = { exemptionsByScope, carriersByScope, clusters: new Map() };
    contexts.set(data, memo);
  }
  return memo;
}

export function clusterContext(data: AuditData, cluster: AuditCluster): ClusterContext {
  const memo = auditIndex(data);
  const known = memo.clusters.get(cluster.id);
  if (known) return known;
  const applying: Carrier[] = [];
  const removedBy: ClusterView["removedBy"] = [];
  // Only the carriers at the cluster's own scopes (through the index, in data.carriers order): the work per
  // cluster grows with what is assigned above it, not with the tenant's carriers.
  const candidates = [...new Set(clusterScopeKeys(cluster))]
    .flatMap((key) => memo.carriersByScope.get(key) ?? [])
    .sort((a, b) => a.position - b.position)
    .map((entry) => entry.carrier);
  for (const carrier of candidates) {
    const applicability = assignmentAppliesToCluster(carrier, cluster);
    if (applicability.applies) applying.push(carrier);
    else if (scopeContainsCluster(carrier.scope, cluster)) removedBy.push({ carrier: carrier.id, reason: applicability.reason });
  }
  const exemptions = clusterAncestors(cluster).flatMap((scope) => memo.exemptionsByScope.get(scope) ?? []);
  const enforcements = applying.map((carrier) => data.enforcements[carrier.id]).filter((entry) => entry !== undefined);
  const sources: ClusterSources = {
    clusterId: cluster.id,
    clusterName: cluster.name,
    azurePolicyEnabled: cluster.azurePolicyEnabled,
    assignments: withoutSafeguardsAssignment(enforcements, cluster.id, cluster.safeguards),
    exemptions: exemptions.map(exemptionFact),
    ...(cluster.safeguards ? { safeguards: cluster.safeguards } : {}),
  };
  const context = { applying, removedBy, exemptions, sources };
  memo.clusters.set(cluster.id, context);
  return context;
}

function exemptionFact(exemption: AuditExemption): ExemptionFact {
  return {
    id: exemption.id,
    name: exemption.name,
    policyAssignmentId: exemption.policyAssignmentId,
    policyDefinitionReferenceIds: exemption.policyDefinitionReferenceIds,
    expiresOn: exemption.expiresOn ?? null,
    exemptionCategory: exemption.category,
  };
}

export function buildMatrix(data: AuditData, now: Date): ClusterView[] {
  const carriersById = new Map(data.carriers.map((carrier) => [carrier.id, carrier]));
  return data.clusters.map((cluster) => {
    const { applying, removedBy, exemptions, sources } = clusterContext(data, cluster);
    const members = memberOrder.map((key): MemberOutcome => {
      const outcome = memberOutcome(sources, ANY_OTHER_NAMESPACE, key, now);
      const carrying = applying.flatMap((carrier) => carrier.members.filter((member) => member.member === key).map((member) => ({ carrier, member })));
      const cell: MemberOutcome = {
        referenceId: key,
        state: "none",
        reason: outcome.reason,
        carriers: carrying.map(({ carrier, member }) => ({ id: carrier.id, effect: member.effect, enforcementMode: carrier.enforcementMode })),
      };
      const decided = outcome.decidedBy;
      if (decided) cell.winner = decided.kind === "assignment" ? decided.assignmentId : decided.id;
      const exemptedBy = outcome.verdicts.find((verdict) => verdict.exemptedBy !== undefined)?.exemptedBy;
      if (!cluster.azurePolicyEnabled) cell.state = "no-addon";
      else if (outcome.outcome !== "none") cell.state = outcome.outcome;
      else if (exemptedBy) {
        cell.state = "exempt";
        const exemption = sources.exemptions.find((entry) => entry.name === exemptedBy);
        if (exemption) cell.exemption = exemption.id;
      } else if (carrying.length > 0 && carrying.every(({ member }) => member.effect === "disabled")) cell.state = "disabled";
      else if (carrying.length > 0)
        cell.state = "excluded"; // every namespace excluded, or an include-list
      else if (removedBy.some((entry) => carriersById.get(entry.carrier)?.members.some((member) => member.member === key))) cell.state = "excluded";
      // An exemption that expired still sits on the cluster: the matrix shows it over the outcome it no longer changes.
      const expired = carrying.some(({ carrier, member }) =>
        exemptions.some(
          (exemption) =>
            isExpired(exemption, now) &&
            normalizeId(exemption.policyAssignmentId) === normalizeId(carrier.id) &&
            (exemption.policyDefinitionReferenceIds.length === 0 || exemption.policyDefinitionReferenceIds.some((id) => id.toLowerCase() === member.referenceId.toLowerCase())),
        ),
      );
      if (expired && (cell.state === "deny" || cell.state === "warn" || cell.state === "audit")) cell.state = "exemption-expired";
      return cell;
    });
    return {
      ...cluster,
      subscriptionName: data.subscriptionNames[cluster.subscriptionId.toLowerCase()] ?? cluster.subscriptionId,
      members,
      carriers: applying.map((carrier) => carrier.id),
      carried: carriedMembers(sources),
      removedBy,
    };
  });
}

/** Protected: every expected member denied or warned; partial: some; unprotected: none. */
export function coverageOf(view: ClusterView, expected: readonly string[]): "protected" | "partial" | "unprotected" | "noAddOn" {
  if (!view.azurePolicyEnabled) return "noAddOn";
  const wanted = view.members.filter((member) => expected.includes(member.referenceId));
  const enforced = wanted.filter((member) => member.state === "deny" || member.state === "warn").length;
  if (enforced === wanted.length && wanted.length > 0) return "protected";
  return enforced > 0 ? "partial" : "unprotected";
}

export const cellStates: readonly CellState[] = ["deny", "warn", "audit", "disabled", "excluded", "exempt", "exemption-expired", "no-addon", "none"];
