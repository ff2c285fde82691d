// A seeded tenant of any size: one management group, S subscriptions of C clusters each, a baseline
// assignment (Deny) on every subscription, a restricted one (Audit) on the management group, the
// add-on off on every 7th cluster and an exemption on every 10th. Used for the request bound and the
// 2,000-cluster HTML report.
import type { SeedDocument } from "../../src/emulator/seed.js";

const BASELINE_SET = "/providers/Microsoft.Authorization/policySetDefinitions/a8640138-9b0a-4a28-b8cb-1666c838647d";
const RESTRICTED_SET = "/providers/Microsoft.Authorization/policySetDefinitions/42b8ef37-b724-4e24-bbc8-7a7708edfe00";

export function subscriptionIdOf(index: number): string {
  return `bbbbbbbb-0000-4000-8000-${String(index).padStart(12, "0")}`;
}

export function generatedTenant(subscriptionCount: number, clustersPerSubscription: number, now: Date): SeedDocument {
  const subscriptions = Array.from({ length: subscriptionCount }, (_, index) => ({
    subscriptionId: subscriptionIdOf(index + 1),
    displayName: `gen-sub-${String(index + 1).padStart(3, "0")}`,
    managementGroup: "gen",
  }));
  const clusters = subscriptions.flatMap((subscription, s) =>
    Array.from({ length: clustersPerSubscription }, (_, c) => ({
      subscriptionId: subscription.subscriptionId,
      resourceGroup: "rg-aks",
      name: `aks-${s + 1}-${c + 1}`,
      location: "westeurope",
      azurePolicyEnabled: (s * clustersPerSubscription + c) % 7 !== 6,
    })),
  );
  const assignmentId = (subscriptionId: string) => `/subscriptions/${subscriptionId}/providers/Microsoft.Authorization/policyAssignments/pss-baseline`;
  return {
    managementGroups: [{ name: "gen", displayName: "Generated" }],
    subscriptions,
    resourceGroups: subscriptions.map((subscription) => ({ subscriptionId: subscription.subscriptionId, name: "rg-aks" })),
    managedClusters: clusters,
    policyAssignments: [
      {
        scope: "/providers/Microsoft.Management/managementGroups/gen",
        name: "pss-restricted-gen",
        properties: { displayName: "Pod security restricted (gen)", policyDefinitionId: RESTRICTED_SET, definitionVersion: "2.*.*", parameters: { effect: { value: "Audit" } } },
      },
      ...subscriptions.map((subscription) => ({
        scope: `/subscriptions/${subscription.subscriptionId}`,
        name: "pss-baseline",
        properties: { displayName: `Pod security baseline (${subscription.displayName})`, policyDefinitionId: BASELINE_SET, definitionVersion: "1.*.*", parameters: { effect: { value: "Deny" } } },
      })),
    ],
    policyExemptions: clusters
      .filter((_, index) => index % 10 === 0)
      .map((cluster) => ({
        scope: `/subscriptions/${cluster.subscriptionId}/resourceGroups/rg-aks/providers/Microsoft.ContainerService/managedClusters/${cluster.name}`,
        name: `${cluster.name}-waiver`,
        properties: {
          policyAssignmentId: assignmentId(cluster.subscriptionId),
          policyDefinitionReferenceIds: ["BlockUsingHostNetwork"],
          exemptionCategory: "Waiver",
          expiresOn: new Date(now.getTime() + 30 * 86_400_000).toISOString(),
          description: "node exporter",
          metadata: { ticket: "OPS-1" },
        },
      })),
  };
}
