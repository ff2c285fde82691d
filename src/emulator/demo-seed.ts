// The demo state: one management group, two subscriptions, four AKS clusters, a baseline and a
// restricted assignment, one exemption about to expire and one expired. Other code imports DEMO.
import type { SeedDocument } from "./seed.js";

const tenantId = "72f988bf-0000-4000-8000-00000000a1c5";
const prod = { id: "11111111-1111-4111-8111-111111111111", name: "contoso-prod" };
const dev = { id: "22222222-2222-4222-8222-222222222222", name: "contoso-dev" };
/** A second tenant (a customer of the same operator) with one subscription; admin is Owner there. */
const partnerTenant = { tenantId: "fab1ca00-0000-4000-8000-0000000fab01", displayName: "Fabrikam", defaultDomain: "fabrikam.onmicrosoft.com" };
const partner = { id: "44444444-4444-4444-8444-444444444444", name: "fabrikam-prod" };
const clusterId = (subscriptionId: string, resourceGroup: string, name: string): string =>
  `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}/providers/Microsoft.ContainerService/managedClusters/${name}`;
const cluster = (subscriptionId: string, resourceGroup: string, name: string, location: string, azurePolicyEnabled: boolean) => ({
  id: clusterId(subscriptionId, resourceGroup, name),
  name,
  resourceGroup,
  subscriptionId,
  location,
  azurePolicyEnabled,
});

const BASELINE_SET = "/providers/Microsoft.Authorization/policySetDefinitions/a8640138-9b0a-4a28-b8cb-1666c838647d";
const RESTRICTED_SET = "/providers/Microsoft.Authorization/policySetDefinitions/42b8ef37-b724-4e24-bbc8-7a7708edfe00";
const BENCHMARK_SET = "/providers/Microsoft.Authorization/policySetDefinitions/1f3afdf9-d0c9-4c3d-847f-89da613e70a8";
const NO_PRIVILEGE_ESCALATION = "/providers/Microsoft.Authorization/policyDefinitions/1c6e92c9-99f0-4e55-9cf2-0c234dc48f99";
const baselineScope = `/subscriptions/${prod.id}`;
const restrictedScope = `/subscriptions/${dev.id}/resourceGroups/rg-aks-dev`;
const DAY = 24 * 60 * 60 * 1000;

const clusters = {
  prodWeu: cluster(prod.id, "rg-aks-prod", "aks-prod-weu", "westeurope", true),
  prodNeu: cluster(prod.id, "rg-aks-prod", "aks-prod-neu", "northeurope", true),
  dev: cluster(dev.id, "rg-aks-dev", "aks-dev", "westeurope", true),
  sandbox: cluster(dev.id, "rg-sandbox", "aks-sandbox", "westeurope", false),
};

export const DEMO = {
  tenantId,
  /** Name of the management group holding both subscriptions (under the tenant root group). */
  managementGroup: "contoso",
  managementGroupDisplayName: "Contoso",
  managementGroupId: "/providers/Microsoft.Management/managementGroups/contoso",
  subscriptions: { prod, dev },
  /** The second tenant and its one subscription (reached with a token for that tenant). */
  partner: { tenant: partnerTenant, subscription: partner, resourceGroup: "rg-fabrikam" },
  resourceGroups: { prod: ["rg-aks-prod", "rg-shared"], dev: ["rg-aks-dev", "rg-sandbox"] },
  clusters,
  policySetDefinitions: { baseline: BASELINE_SET, restricted: RESTRICTED_SET },
  assignments: {
    baseline: { name: "pss-baseline", scope: baselineScope, id: `${baselineScope}/providers/Microsoft.Authorization/policyAssignments/pss-baseline`, policyDefinitionId: BASELINE_SET },
    restricted: { name: "pss-restricted", scope: restrictedScope, id: `${restrictedScope}/providers/Microsoft.Authorization/policyAssignments/pss-restricted`, policyDefinitionId: RESTRICTED_SET },
  },
  /** Other carriers of the member policies (docs/issues/12.md): Defender's benchmark, a single definition, Safeguards. */
  carriers: {
    benchmark: {
      name: "SecurityCenterBuiltIn",
      scope: baselineScope,
      id: `${baselineScope}/providers/Microsoft.Authorization/policyAssignments/SecurityCenterBuiltIn`,
      policyDefinitionId: BENCHMARK_SET,
      /** The member the benchmark assignment switches to Deny with an override. */
      deniedReferenceId: "privilegedContainersShouldBeAvoided",
    },
    singleDefinition: {
      name: "no-privilege-escalation",
      scope: `/subscriptions/${dev.id}`,
      id: `/subscriptions/${dev.id}/providers/Microsoft.Authorization/policyAssignments/no-privilege-escalation`,
      policyDefinitionId: NO_PRIVILEGE_ESCALATION,
    },
    safeguards: { cluster: "aks-dev", level: "Enforce", podSecurityStandardsLevel: "Baseline", excludedNamespaces: ["legacy-batch"] },
  },
  exemptions: {
    hostNetwork: {
      name: "aks-prod-weu-hostnetwork",
      scope: clusters.prodWeu.id,
      id: `${clusters.prodWeu.id}/providers/Microsoft.Authorization/policyExemptions/aks-prod-weu-hostnetwork`,
      expiresInDays: 10,
    },
    legacy: {
      name: "aks-dev-legacy",
      scope: clusters.dev.id,
      id: `${clusters.dev.id}/providers/Microsoft.Authorization/policyExemptions/aks-dev-legacy`,
      expiresInDays: -5,
    },
  },
} as const;

const BASELINE_MEMBERS = ["NoPrivilegedContainers", "BlockUsingHostNetwork", "BlockUsingHostProcessIDAndIPC", "ContainerCapabilities", "NoHostPathVolume"];
const RESTRICTED_MEMBERS = [
  "NoPrivilegedContainers",
  "NoPrivilegeEscalation",
  "BlockUsingHostNetwork",
  "BlockUsingHostProcessIDAndIPC",
  "ContainerCapabilities",
  "AllowedVolumeTypes",
  "AllowedUsersGroups",
  "AllowedSeccompProfiles",
];

/**
 * Pods on the demo clusters as the Azure Policy add-on reports them to Policy Insights: each pod with
 * the members it fails (NonCompliant) and passes (Compliant). `monitoring` on aks-prod-neu is the story
 * of README "Before you exclude a namespace"; aks-dev excludes monitoring, so Azure holds nothing there.
 */
export const DEMO_PODS: Array<{ cluster: keyof typeof clusters; assignment: "baseline" | "restricted"; namespace: string; pod: string; fails: string[] }> = [
  { cluster: "prodNeu", assignment: "baseline", namespace: "monitoring", pod: "node-exporter-5fks2", fails: ["BlockUsingHostNetwork", "BlockUsingHostProcessIDAndIPC", "NoHostPathVolume"] },
  { cluster: "prodNeu", assignment: "baseline", namespace: "monitoring", pod: "grafana-6d9f7c5b8-x2k4p", fails: ["ContainerCapabilities"] },
  { cluster: "prodNeu", assignment: "baseline", namespace: "monitoring", pod: "prometheus-server-0", fails: [] },
  { cluster: "prodNeu", assignment: "baseline", namespace: "payments", pod: "ledger-api-7b9f6d4c9-qq8rt", fails: ["NoPrivilegedContainers"] },
  { cluster: "prodNeu", assignment: "baseline", namespace: "web", pod: "frontend-5c8d7f9b6-h7j2k", fails: [] },
  { cluster: "prodWeu", assignment: "baseline", namespace: "monitoring", pod: "node-exporter-q8w4z", fails: ["NoHostPathVolume"] },
  { cluster: "prodWeu", assignment: "baseline", namespace: "web", pod: "frontend-5c8d7f9b6-m4n8p", fails: [] },
  { cluster: "dev", assignment: "restricted", namespace: "dev", pod: "debug-shell", fails: ["NoPrivilegeEscalation", "AllowedUsersGroups", "AllowedSeccompProfiles"] },
  { cluster: "dev", assignment: "restricted", namespace: "web", pod: "frontend-6f7d9c8b5-z9x8c", fails: ["AllowedSeccompProfiles"] },
  { cluster: "dev", assignment: "restricted", namespace: "dev", pod: "orders-api-7d8f9b6c5-k2l3m", fails: [] },
];

function demoComponentStates(now: Date): NonNullable<SeedDocument["componentPolicyStates"]> {
  return DEMO_PODS.flatMap((pod, index) =>
    (pod.assignment === "baseline" ? BASELINE_MEMBERS : RESTRICTED_MEMBERS).map((member) => ({
      cluster: clusters[pod.cluster].id,
      policyAssignmentId: DEMO.assignments[pod.assignment].id,
      policyDefinitionReferenceId: member,
      namespace: pod.namespace,
      pod: pod.pod,
      complianceState: pod.fails.includes(member) ? ("NonCompliant" as const) : ("Compliant" as const),
      timestamp: new Date(now.getTime() - (12 + index) * 60_000).toISOString(),
    })),
  );
}

/** The demo seed with dates relative to `now` (the emulator clock at seed time). */
export function demoSeed(now: Date): SeedDocument {
  return {
    tenantId,
    tenants: [partnerTenant],
    managementGroups: [{ name: DEMO.managementGroup, displayName: DEMO.managementGroupDisplayName }],
    subscriptions: [
      { subscriptionId: prod.id, displayName: prod.name, managementGroup: "contoso" },
      { subscriptionId: dev.id, displayName: dev.name, managementGroup: "contoso" },
      { subscriptionId: partner.id, displayName: partner.name, tenantId: partnerTenant.tenantId },
    ],
    resourceGroups: [
      { subscriptionId: prod.id, name: "rg-aks-prod", location: "westeurope" },
      { subscriptionId: prod.id, name: "rg-shared", location: "westeurope" },
      { subscriptionId: dev.id, name: "rg-aks-dev", location: "westeurope" },
      { subscriptionId: dev.id, name: "rg-sandbox", location: "westeurope" },
      { subscriptionId: partner.id, name: "rg-fabrikam", location: "westeurope" },
    ],
    roleAssignments: [{ principal: "admin", role: "Owner", scope: `/subscriptions/${partner.id}` }],
    managedClusters: Object.values(clusters).map((item) => ({
      subscriptionId: item.subscriptionId,
      resourceGroup: item.resourceGroup,
      name: item.name,
      location: item.location,
      azurePolicyEnabled: item.azurePolicyEnabled,
      kubernetesVersion: "1.31.2",
      tags: { environment: item.subscriptionId === prod.id ? "prod" : "dev" },
    })),
    policyAssignments: [
      {
        scope: baselineScope,
        name: "pss-baseline",
        properties: {
          displayName: "Pod security baseline (prod)",
          policyDefinitionId: BASELINE_SET,
          definitionVersion: "1.*.*",
          parameters: { effect: { value: "Deny" } },
          enforcementMode: "Default",
          nonComplianceMessages: [{ message: "Pods must meet the baseline pod security standard. Ask #platform for an exclusion." }],
          metadata: { assignedBy: "Platform team" },
        },
      },
      {
        scope: restrictedScope,
        name: "pss-restricted",
        properties: {
          displayName: "Pod security restricted (dev)",
          policyDefinitionId: RESTRICTED_SET,
          definitionVersion: "2.*.*",
          parameters: {
            effect: { value: "Audit" },
            excludedNamespaces: { value: ["kube-system", "gatekeeper-system", "azure-arc", "azure-extensions-usage-system", "monitoring"] },
          },
          enforcementMode: "Default",
        },
      },
      {
        scope: baselineScope,
        name: "SecurityCenterBuiltIn",
        properties: {
          displayName: "ASC Default (subscription: 11111111-1111-4111-8111-111111111111)",
          policyDefinitionId: BENCHMARK_SET,
          enforcementMode: "Default",
          // Defender's recommendations page switched one member to Deny.
          overrides: [{ kind: "policyEffect", value: "Deny", selectors: [{ kind: "policyDefinitionReferenceId", in: ["privilegedContainersShouldBeAvoided"] }] }],
          metadata: { assignedBy: "Security Center" },
        },
      },
      {
        scope: `/subscriptions/${dev.id}`,
        name: "no-privilege-escalation",
        properties: {
          displayName: "No privilege escalation (dev)",
          policyDefinitionId: NO_PRIVILEGE_ESCALATION,
          definitionVersion: "7.*.*",
          parameters: { effect: { value: "Audit" }, excludedNamespaces: { value: ["kube-system", "gatekeeper-system", "azure-arc", "monitoring"] } },
          enforcementMode: "Default",
        },
      },
    ],
    deploymentSafeguards: [{ clusterId: clusters.dev.id, level: "Enforce", podSecurityStandardsLevel: "Baseline", excludedNamespaces: ["legacy-batch"] }],
    policyExemptions: [
      {
        scope: clusters.prodWeu.id,
        name: "aks-prod-weu-hostnetwork",
        properties: {
          policyAssignmentId: DEMO.assignments.baseline.id,
          policyDefinitionReferenceIds: ["BlockUsingHostNetwork"],
          exemptionCategory: "Waiver",
          expiresOn: new Date(now.getTime() + 10 * DAY).toISOString(),
          displayName: "node-exporter needs the host network",
          description: "Prometheus node exporter",
          metadata: { requestedBy: "platform", ticket: "OPS-1234" },
        },
      },
      {
        scope: clusters.dev.id,
        name: "aks-dev-legacy",
        properties: {
          policyAssignmentId: DEMO.assignments.restricted.id,
          exemptionCategory: "Mitigated",
          expiresOn: new Date(now.getTime() - 5 * DAY).toISOString(),
          displayName: "legacy workloads during migration",
        },
      },
    ],
    componentPolicyStates: demoComponentStates(now),
  };
}
