// A generated tenant of any size, for request-count, in-flight and scale tests and for bench/:
// S subscriptions under one management group, each with one resource group and C clusters,
// assignments of the built-in baseline and restricted sets spread over the subscriptions (A in all),
// and exemptions on the clusters (E in all). Deterministic: the same numbers give the same tenant.
import { DEMO } from "./demo-seed.js";
import type { SeedDocument } from "./seed.js";

export interface SyntheticTenantSize {
  subscriptions: number;
  /** Clusters per subscription (default 1). */
  clustersPerSubscription?: number;
  /** Pod-security assignments in all, round-robin over the subscriptions (default: one per subscription). */
  assignments?: number;
  /** Exemptions in all, round-robin over the clusters and their subscription's assignments (default 0). */
  exemptions?: number;
}

export interface SyntheticTenant {
  seed: SeedDocument;
  subscriptionIds: string[];
  /** `sub-0007` style display names, in order. */
  subscriptionNames: string[];
  clusters: Array<{ id: string; name: string; resourceGroup: string; subscriptionId: string }>;
  assignments: Array<{ id: string; name: string; scope: string }>;
}

export const SYNTHETIC_MANAGEMENT_GROUP = "synthetic";

export function syntheticSubscriptionId(index: number): string {
  return `5a000000-0000-4000-8000-${index.toString(16).padStart(12, "0")}`;
}

export function syntheticTenant(size: SyntheticTenantSize): SyntheticTenant {
  const clustersPer = size.clustersPerSubscription ?? 1;
  const assignmentCount = size.assignments ?? size.subscriptions;
  const exemptionCount = size.exemptions ?? 0;
  const subscriptionIds = Array.from({ length: size.subscriptions }, (_, index) => syntheticSubscriptionId(index));
  const subscriptionNames = subscriptionIds.map((_, index) => `sub-${String(index).padStart(4, "0")}`);
  const clusters: SyntheticTenant["clusters"] = [];
  subscriptionIds.forEach((subscriptionId, s) => {
    for (let c = 0; c < clustersPer; c += 1) {
      const name = `aks-${s}-${c}`;
      clusters.push({
        id: `/subscriptions/${subscriptionId}/resourceGroups/rg-aks/providers/Microsoft.ContainerService/managedClusters/${name}`,
        name,
        resourceGroup: "rg-aks",
        subscriptionId,
      });
    }
  });
  const assignments: SyntheticTenant["assignments"] = [];
  const seedAssignments: NonNullable<SeedDocument["policyAssignments"]> = [];
  for (let a = 0; a < assignmentCount; a += 1) {
    const scope = `/subscriptions/${subscriptionIds[a % size.subscriptions]}`;
    const restricted = a % 2 === 1;
    const name = `pss-${restricted ? "restricted" : "baseline"}-${a}`;
    assignments.push({ id: `${scope}/providers/Microsoft.Authorization/policyAssignments/${name}`, name, scope });
    seedAssignments.push({
      scope,
      name,
      properties: {
        displayName: `Pod security ${restricted ? "restricted" : "baseline"} ${a}`,
        policyDefinitionId: restricted ? DEMO.policySetDefinitions.restricted : DEMO.policySetDefinitions.baseline,
        parameters: { effect: { value: "Audit" } },
        enforcementMode: "Default",
      },
    });
  }
  const seedExemptions: NonNullable<SeedDocument["policyExemptions"]> = [];
  for (let e = 0; e < exemptionCount && clusters.length > 0 && assignments.length > 0; e += 1) {
    const cluster = clusters[e % clusters.length]!;
    const subscriptionIndex = subscriptionIds.indexOf(cluster.subscriptionId);
    // An assignment of the cluster's own subscription, so the exemption is within the assignment's scope.
    const own = assignments.filter((_, a) => a % size.subscriptions === subscriptionIndex);
    if (own.length === 0) continue;
    const assignment = own[Math.floor(e / clusters.length) % own.length]!;
    seedExemptions.push({
      scope: cluster.id,
      name: `ex-${e}`,
      properties: { policyAssignmentId: assignment.id, exemptionCategory: "Waiver", displayName: `synthetic exemption ${e}` },
    });
  }
  const seed: SeedDocument = {
    tenantId: "72f988bf-0000-4000-8000-0000005e7e11",
    managementGroups: [{ name: SYNTHETIC_MANAGEMENT_GROUP, displayName: "Synthetic" }],
    subscriptions: subscriptionIds.map((subscriptionId, index) => ({
      subscriptionId,
      displayName: subscriptionNames[index]!,
      managementGroup: SYNTHETIC_MANAGEMENT_GROUP,
    })),
    resourceGroups: subscriptionIds.map((subscriptionId) => ({ subscriptionId, name: "rg-aks", location: "westeurope" })),
    managedClusters: clusters.map((cluster) => ({
      subscriptionId: cluster.subscriptionId,
      resourceGroup: cluster.resourceGroup,
      name: cluster.name,
      location: "westeurope",
      azurePolicyEnabled: true,
      kubernetesVersion: "1.31.2",
    })),
    policyAssignments: seedAssignments,
    policyExemptions: seedExemptions,
  };
  return { seed, subscriptionIds, subscriptionNames, clusters, assignments };
}
