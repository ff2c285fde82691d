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
import { managementGroupScope, normalizeId, resourceGroupScope, subscriptionScope } from "../azure/ids.js";
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
  return [
    cluster.id,
    resourceGroupScope(cluster.subscriptionId, cluster.resourceGroup),
    subscriptionScope(cluster.subscriptionId),
    ...cluster.managementGroups.map(managementGroupScope),
  ].map(normalizeId);
}

/** What acts on one cluster, computed once per cluster and shared by the matrix and the rules. */
export interface ClusterContext {
  applying: Carrier[];
  removedBy: ClusterView["removedBy"];
  /** Exemptions at the cluster or above it, expired ones included. */
  exemptions: AuditExemption[];
  sources: ClusterSources;
}

const contexts = new WeakMap<AuditData, { exemptionsByScope: Map<string, AuditExemption[]>; clusters: Map<string, ClusterContext> }>();

export function clusterContext(data: AuditData, cluster: AuditCluster): ClusterContext {
  let memo = contexts.get(data);
  if (!memo) {
    const exemptionsByScope = new Map<string, AuditExemption[]>();
    for (const exemption of data.exemptions) {
      const key = normalizeId(exemption.scope);
      exemptionsByScope.set(key, [...(exemptionsByScope.get(key) ?? []), exemption]);
    }
    memo = { exemptionsByScope, clusters: new Map() };
    contexts.set(data, memo);
  }
  const known = memo.clusters.get(cluster.id);
  if (known) return known;
  const applying: Carrier[] = [];
  const removedBy: ClusterView["removedBy"] = [];
  for (const carrier of data.carriers) {
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
      else if (carrying.length > 0) cell.state = "excluded"; // every namespace excluded, or an include-list
      else if (removedBy.some((entry) => data.carriers.some((carrier) => carrier.id === entry.carrier && carrier.members.some((member) => member.member === key)))) cell.state = "excluded";
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
