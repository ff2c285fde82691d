// A generated tenant of any size for scale tests and the bench: a management-group hierarchy, N
// subscriptions with 3 AKS clusters each, 5 policy assignments per subscription (pod-security sets at
// subscription, resource-group and cluster scopes with notScopes, overrides and excluded namespaces,
// plus single member policies) and management-group assignments above them, and exemptions on clusters
// and resource groups (some expired). Deterministic: the same size gives the same tenant.
import type { SeedDocument } from "./seed.js";

const BASELINE_SET = "/providers/Microsoft.Authorization/policySetDefinitions/a8640138-9b0a-4a28-b8cb-1666c838647d";
const RESTRICTED_SET = "/providers/Microsoft.Authorization/policySetDefinitions/42b8ef37-b724-4e24-bbc8-7a7708edfe00";
const member = (name: string): string => `/providers/Microsoft.Authorization/policyDefinitions/${name}`;
const NO_PRIVILEGED = member("95edb821-ddaf-4404-9732-666045e056b4");
const HOST_NETWORK = member("82985f06-dc18-4a48-bc1c-b9f4f0098cfe");
const HOST_PATH = member("098fc59e-46c7-4d99-9b16-64990e543d75");
const DAY = 86_400_000;

export interface EstateOptions {
  subscriptions: number;
  /** Subscriptions per team management group (default 50). */
  subscriptionsPerGroup?: number;
  tenantId?: string;
}

export interface Estate {
  seed: SeedDocument;
  subscriptionIds: string[];
  /** The management group holding every generated subscription. */
  rootGroup: string;
}

export function estateSubscriptionId(index: number): string {
  return `e0000000-0000-4000-8000-${String(index).padStart(12, "0")}`;
}

function clusterId(subscriptionId: string, resourceGroup: string, name: string): string {
  return `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}/providers/Microsoft.ContainerService/managedClusters/${name}`;
}

function assignmentId(scope: string, name: string): string {
  return `${scope}/providers/Microsoft.Authorization/policyAssignments/${name}`;
}

export function estateSeed(options: EstateOptions, now: Date): Estate {
  const perGroup = options.subscriptionsPerGroup ?? 50;
  const seed: Required<Pick<SeedDocument, "managementGroups" | "subscriptions" | "resourceGroups" | "managedClusters" | "policyAssignments" | "policyExemptions" | "policySetDefinitions">> &
    SeedDocument = {
    ...(options.tenantId ? { tenantId: options.tenantId } : {}),
    managementGroups: [
      { name: "estate", displayName: "Estate" },
      { name: "estate-prod", displayName: "Estate production", parent: "estate" },
      { name: "estate-nonprod", displayName: "Estate non-production", parent: "estate" },
    ],
    subscriptions: [],
    resourceGroups: [],
    managedClusters: [],
    policyAssignments: [],
    policyExemptions: [],
    policySetDefinitions: [
      {
        scope: "/providers/Microsoft.Management/managementGroups/estate",
        name: "pod-security-essentials",
        properties: {
          displayName: "Pod security essentials (custom)",
          policyType: "Custom",
          parameters: { effect: { type: "String", defaultValue: "Audit", allowedValues: ["Audit", "Deny", "Disabled"] } },
          policyDefinitions: [
            { policyDefinitionId: NO_PRIVILEGED, policyDefinitionReferenceId: "NoPrivilegedContainers", parameters: { effect: { value: "[parameters('effect')]" } } },
            { policyDefinitionId: HOST_NETWORK, policyDefinitionReferenceId: "BlockUsingHostNetwork", parameters: { effect: { value: "[parameters('effect')]" } } },
          ],
        },
      },
    ],
  };
  const subscriptionIds: string[] = [];
  const groupsSeen = new Set<string>();
  for (let index = 0; index < options.subscriptions; index++) {
    const subscriptionId = estateSubscriptionId(index);
    subscriptionIds.push(subscriptionId);
    const environment = index % 2 === 0 ? "prod" : "nonprod";
    const group = `estate-${environment}-${String(Math.floor(index / (2 * perGroup))).padStart(2, "0")}`;
    if (!groupsSeen.has(group)) {
      groupsSeen.add(group);
      seed.managementGroups.push({ name: group, displayName: group, parent: `estate-${environment}` });
    }
    seed.subscriptions.push({ subscriptionId, displayName: `estate-${String(index).padStart(4, "0")}`, managementGroup: group });
    const subscriptionScope = `/subscriptions/${subscriptionId}`;
    const rgAks = `${subscriptionScope}/resourceGroups/rg-aks`;
    const rgApps = `${subscriptionScope}/resourceGroups/rg-apps`;
    seed.resourceGroups.push({ subscriptionId, name: "rg-aks", location: "westeurope" }, { subscriptionId, name: "rg-apps", location: "northeurope" });
    const clusterA = clusterId(subscriptionId, "rg-aks", `aks-${index}-a`);
    const clusterB = clusterId(subscriptionId, "rg-aks", `aks-${index}-b`);
    seed.managedClusters.push(
      { subscriptionId, resourceGroup: "rg-aks", name: `aks-${index}-a`, location: "westeurope", tags: { environment } },
      { subscriptionId, resourceGroup: "rg-aks", name: `aks-${index}-b`, location: "westeurope", tags: { environment } },
      { subscriptionId, resourceGroup: "rg-apps", name: `aks-${index}-c`, location: "northeurope", azurePolicyEnabled: index % 7 !== 0, tags: { environment } },
    );

    // One pod-security set per subscription, its shape varying with the index.
    let podSecurityScope: string;
    switch (index % 4) {
      case 0:
        podSecurityScope = subscriptionScope;
        seed.policyAssignments.push({
          scope: podSecurityScope,
          name: "pss-baseline",
          properties: {
            displayName: "Pod security baseline",
            policyDefinitionId: BASELINE_SET,
            definitionVersion: "1.*.*",
            parameters: { effect: { value: "Deny" }, excludedNamespaces: { value: ["kube-system", "gatekeeper-system", "azure-arc", "monitoring"] } },
          },
        });
        break;
      case 1:
        podSecurityScope = rgAks;
        seed.policyAssignments.push({
          scope: podSecurityScope,
          name: "pss-restricted",
          properties: { displayName: "Pod security restricted", policyDefinitionId: RESTRICTED_SET, definitionVersion: "2.*.*", parameters: { effect: { value: "Audit" } }, notScopes: [clusterB] },
        });
        break;
      case 2:
        podSecurityScope = rgApps;
        seed.policyAssignments.push({
          scope: podSecurityScope,
          name: "pss-baseline-apps",
          properties: {
            displayName: "Pod security baseline (apps)",
            policyDefinitionId: BASELINE_SET,
            definitionVersion: "1.*.*",
            parameters: { effect: { value: "Deny" } },
            overrides: [{ kind: "policyEffect", value: "Audit", selectors: [{ kind: "policyDefinitionReferenceId", in: ["BlockUsingHostNetwork"] }] }],
          },
        });
        break;
      default:
        podSecurityScope = subscriptionScope;
        seed.policyAssignments.push({
          scope: podSecurityScope,
          name: "pss-restricted",
          properties: { displayName: "Pod security restricted (not enforced)", policyDefinitionId: RESTRICTED_SET, definitionVersion: "2.*.*", enforcementMode: "DoNotEnforce" },
        });
    }
    // Four single-policy assignments that are not initiatives.
    seed.policyAssignments.push(
      { scope: subscriptionScope, name: "no-host-path", properties: { displayName: "No hostPath volumes", policyDefinitionId: HOST_PATH, parameters: { effect: { value: "Audit" } } } },
      { scope: rgApps, name: "no-privileged-apps", properties: { displayName: "No privileged containers (apps)", policyDefinitionId: NO_PRIVILEGED, parameters: { effect: { value: "Audit" } } } },
      {
        scope: rgAks,
        name: "no-host-network-aks",
        properties: { displayName: "No host network (aks)", policyDefinitionId: HOST_NETWORK, parameters: { effect: { value: "Audit" } }, notScopes: [clusterA] },
      },
      { scope: clusterA, name: "no-privileged-a", properties: { displayName: "No privileged containers (cluster a)", policyDefinitionId: NO_PRIVILEGED, parameters: { effect: { value: "Deny" } } } },
    );

    if (index % 3 === 0) {
      seed.policyExemptions.push({
        scope: clusterA,
        name: `aks-${index}-a-hostnetwork`,
        properties: {
          policyAssignmentId: assignmentId("/providers/Microsoft.Management/managementGroups/estate", "estate-baseline"),
          policyDefinitionReferenceIds: ["BlockUsingHostNetwork"],
          exemptionCategory: "Waiver",
          expiresOn: new Date(now.getTime() + ((index % 30) - 5) * DAY).toISOString(),
          displayName: "node exporter on the host network",
          metadata: { requestedBy: "platform", ticket: `OPS-${index}` },
        },
      });
    }
    if (index % 5 === 0) {
      const exemptionScope = index % 4 === 1 ? rgAks : rgApps;
      seed.policyExemptions.push({
        scope: exemptionScope,
        name: `rg-exemption-${index}`,
        properties: {
          policyAssignmentId: assignmentId(podSecurityScope, seed.policyAssignments[seed.policyAssignments.length - 5]!.name),
          exemptionCategory: "Mitigated",
          displayName: "legacy workloads during migration",
        },
      });
    }
  }
  const prodFirst = subscriptionIds[0];
  const nonprodFirst = subscriptionIds[1];
  seed.policyAssignments.unshift(
    {
      scope: "/providers/Microsoft.Management/managementGroups/estate",
      name: "estate-baseline",
      properties: {
        displayName: "Estate pod security baseline",
        policyDefinitionId: BASELINE_SET,
        definitionVersion: "1.*.*",
        parameters: { effect: { value: "Audit" } },
        notScopes: prodFirst === undefined ? [] : [`/subscriptions/${prodFirst}/resourceGroups/rg-apps`],
      },
    },
    {
      scope: "/providers/Microsoft.Management/managementGroups/estate-nonprod",
      name: "nonprod-restricted",
      properties: {
        displayName: "Non-production restricted (audit)",
        policyDefinitionId: RESTRICTED_SET,
        definitionVersion: "2.*.*",
        parameters: { effect: { value: "Audit" } },
        overrides: [{ kind: "policyEffect", value: "Disabled", selectors: [{ kind: "policyDefinitionReferenceId", in: ["AllowedSeccompProfiles"] }] }],
        notScopes: nonprodFirst === undefined ? [] : [`/subscriptions/${nonprodFirst}`],
      },
    },
    {
      scope: "/providers/Microsoft.Management/managementGroups/estate-prod",
      name: "prod-essentials",
      properties: {
        displayName: "Production pod security essentials",
        policyDefinitionId: "/providers/Microsoft.Management/managementGroups/estate/providers/Microsoft.Authorization/policySetDefinitions/pod-security-essentials",
        parameters: { effect: { value: "Deny" } },
      },
    },
  );
  return { seed, subscriptionIds, rootGroup: "estate" };
}
