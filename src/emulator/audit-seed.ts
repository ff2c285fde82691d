// The audit tenant: a management-group hierarchy, four subscriptions, clusters, carriers and
// exemptions arranged so that `akspol audit` raises every finding the emulator can express
// (README "Audit findings"; Deployment Safeguards and acceptances are covered by unit tests and the
// --accepted file). Two findings need a change after seeding, as in real life: an assignment deleted
// under its exemption (orphan) and a custom set that dropped a member an exemption names (stale
// reference): `auditTenantAfterSeed` describes both.
import type { SeedDocument } from "./seed.js";

const tenantId = "7a0d1700-0000-4000-8000-0000000a0d17";
const sub = (n: number, name: string) => ({ id: `aaaaaaaa-000${n}-4000-8000-00000000000${n}`, name });
const subscriptions = {
  prodA: sub(1, "fabrikam-prod-a"),
  prodB: sub(2, "fabrikam-prod-b"),
  devA: sub(3, "fabrikam-dev-a"),
  broken: sub(4, "fabrikam-broken"),
};
const BASELINE_SET = "/providers/Microsoft.Authorization/policySetDefinitions/a8640138-9b0a-4a28-b8cb-1666c838647d";
const RESTRICTED_SET = "/providers/Microsoft.Authorization/policySetDefinitions/42b8ef37-b724-4e24-bbc8-7a7708edfe00";
const PRIVILEGED = "/providers/Microsoft.Authorization/policyDefinitions/95edb821-ddaf-4404-9732-666045e056b4";
const HOST_NETWORK = "/providers/Microsoft.Authorization/policyDefinitions/82985f06-dc18-4a48-bc1c-b9f4f0098cfe";
const ESCALATION = "/providers/Microsoft.Authorization/policyDefinitions/1c6e92c9-99f0-4e55-9cf2-0c234dc48f99";
const DAY = 86_400_000;
const rg = (subscriptionId: string, name: string) => `/subscriptions/${subscriptionId}/resourceGroups/${name}`;
const clusterId = (subscriptionId: string, group: string, name: string) => `${rg(subscriptionId, group)}/providers/Microsoft.ContainerService/managedClusters/${name}`;
const assignmentId = (scope: string, name: string) => `${scope}/providers/Microsoft.Authorization/policyAssignments/${name}`;

const scopes = {
  prodGroup: "/providers/Microsoft.Management/managementGroups/fabrikam-prod",
  prodA: rg(subscriptions.prodA.id, "rg-pa"),
  prodB: rg(subscriptions.prodB.id, "rg-pb"),
  devA: `/subscriptions/${subscriptions.devA.id}`,
  devCustom: rg(subscriptions.devA.id, "rg-da"),
};

const customSetScope = `/subscriptions/${subscriptions.devA.id}`;
const customSetId = `${customSetScope}/providers/Microsoft.Authorization/policySetDefinitions/custom-pss`;

export const AUDIT_TENANT = {
  tenantId,
  subscriptions,
  managementGroups: { root: "fabrikam", prod: "fabrikam-prod", dev: "fabrikam-dev" },
  clusters: {
    paOne: clusterId(subscriptions.prodA.id, "rg-pa", "aks-pa-1"),
    paAddonOff: clusterId(subscriptions.prodA.id, "rg-pa", "aks-pa-2"),
    paLegacy: clusterId(subscriptions.prodA.id, "rg-legacy", "aks-pa-legacy"),
    pbOne: clusterId(subscriptions.prodB.id, "rg-pb", "aks-pb-1"),
    pbBaselineOnly: clusterId(subscriptions.prodB.id, "rg-pb2", "aks-pb-2"),
    pbExcluded: clusterId(subscriptions.prodB.id, "rg-excluded", "aks-pb-excluded"),
    daOne: clusterId(subscriptions.devA.id, "rg-da", "aks-da-1"),
    daTwo: clusterId(subscriptions.devA.id, "rg-da", "aks-da-2"),
    broken: clusterId(subscriptions.broken.id, "rg-broken", "aks-broken"),
  },
  assignments: {
    prodBaseline: assignmentId(scopes.prodGroup, "pss-baseline-prod"),
    prodARestricted: assignmentId(scopes.prodA, "pss-restricted-pa"),
    prodBRestricted: assignmentId(scopes.prodB, "pss-restricted-pb"),
    devRestricted: assignmentId(scopes.devA, "pss-restricted-dev"),
    devCustom: assignmentId(scopes.devCustom, "pss-custom-dev"),
    /** Deleted after seeding: its exemption becomes an orphan. */
    devTemporary: assignmentId(scopes.devA, "pss-temporary"),
  },
  customSetId,
  exemptions: {
    broad: `${scopes.prodA}/providers/Microsoft.Authorization/policyExemptions/rg-pa-waiver`,
    expiring: `${clusterId(subscriptions.prodA.id, "rg-pa", "aks-pa-1")}/providers/Microsoft.Authorization/policyExemptions/pa-1-hostnetwork`,
    expired: `${clusterId(subscriptions.prodB.id, "rg-pb", "aks-pb-1")}/providers/Microsoft.Authorization/policyExemptions/pb-1-migration`,
    long: `${clusterId(subscriptions.devA.id, "rg-da", "aks-da-1")}/providers/Microsoft.Authorization/policyExemptions/da-1-long-waiver`,
    stale: `${clusterId(subscriptions.devA.id, "rg-da", "aks-da-1")}/providers/Microsoft.Authorization/policyExemptions/da-1-legacy-ref`,
    orphan: `${clusterId(subscriptions.devA.id, "rg-da", "aks-da-2")}/providers/Microsoft.Authorization/policyExemptions/da-2-temporary`,
  },
} as const;

const defaults = ["kube-system", "gatekeeper-system", "azure-arc", "azure-extensions-usage-system"];

function customSet(withLegacy: boolean) {
  const members = [
    { policyDefinitionId: PRIVILEGED, policyDefinitionReferenceId: "privileged" },
    { policyDefinitionId: HOST_NETWORK, policyDefinitionReferenceId: "hostnet" },
    ...(withLegacy ? [{ policyDefinitionId: ESCALATION, policyDefinitionReferenceId: "legacy-escalation" }] : []),
  ];
  return {
    scope: customSetScope,
    name: "custom-pss",
    properties: {
      displayName: "Fabrikam custom pod security",
      policyType: "Custom",
      parameters: {
        effect: { type: "String", defaultValue: "Deny", allowedValues: ["Audit", "Deny", "Disabled"] },
        excludedNamespaces: { type: "Array", defaultValue: defaults },
      },
      policyDefinitions: members.map((member) => ({
        ...member,
        parameters: { effect: { value: "[parameters('effect')]" }, excludedNamespaces: { value: "[parameters('excludedNamespaces')]" } },
      })),
    },
  };
}

/** The seed; `now` is the emulator clock at seed time. */
export function auditSeed(now: Date): SeedDocument {
  const at = (days: number) => new Date(now.getTime() + days * DAY).toISOString();
  const { prodA, prodB, devA, broken } = subscriptions;
  const cluster = (subscriptionId: string, resourceGroup: string, name: string, location = "westeurope", azurePolicyEnabled = true) => ({
    subscriptionId,
    resourceGroup,
    name,
    location,
    azurePolicyEnabled,
    kubernetesVersion: "1.31.2",
  });
  return {
    tenantId,
    managementGroups: [
      { name: "fabrikam", displayName: "Fabrikam" },
      { name: "fabrikam-prod", displayName: "Fabrikam production", parent: "fabrikam" },
      { name: "fabrikam-dev", displayName: "Fabrikam development", parent: "fabrikam" },
    ],
    subscriptions: [
      { subscriptionId: prodA.id, displayName: prodA.name, managementGroup: "fabrikam-prod" },
      { subscriptionId: prodB.id, displayName: prodB.name, managementGroup: "fabrikam-prod" },
      { subscriptionId: devA.id, displayName: devA.name, managementGroup: "fabrikam-dev" },
      { subscriptionId: broken.id, displayName: broken.name, managementGroup: "fabrikam-dev" },
    ],
    resourceGroups: [
      { subscriptionId: prodA.id, name: "rg-pa" },
      { subscriptionId: prodA.id, name: "rg-legacy", location: "eastus" },
      { subscriptionId: prodB.id, name: "rg-pb" },
      { subscriptionId: prodB.id, name: "rg-pb2" },
      { subscriptionId: prodB.id, name: "rg-excluded" },
      { subscriptionId: devA.id, name: "rg-da" },
      { subscriptionId: broken.id, name: "rg-broken" },
    ],
    managedClusters: [
      cluster(prodA.id, "rg-pa", "aks-pa-1"),
      cluster(prodA.id, "rg-pa", "aks-pa-2", "westeurope", false),
      cluster(prodA.id, "rg-legacy", "aks-pa-legacy", "eastus"),
      cluster(prodB.id, "rg-pb", "aks-pb-1", "northeurope"),
      cluster(prodB.id, "rg-pb2", "aks-pb-2"),
      cluster(prodB.id, "rg-excluded", "aks-pb-excluded"),
      cluster(devA.id, "rg-da", "aks-da-1"),
      cluster(devA.id, "rg-da", "aks-da-2"),
      cluster(broken.id, "rg-broken", "aks-broken"),
    ],
    // `auditor` reads the three healthy subscriptions but not fabrikam-broken (a 403 there: exit 7).
    principals: [{ name: "auditor" }],
    roleAssignments: [prodA, prodB, devA].map((subscription) => ({ principal: "auditor", role: "Reader" as const, scope: `/subscriptions/${subscription.id}` })),
    policySetDefinitions: [customSet(true)],
    policyAssignments: [
      {
        // Management group: notScope (AKS005), location selector (AKS006), explicit list without a default (AKS204).
        scope: scopes.prodGroup,
        name: "pss-baseline-prod",
        properties: {
          displayName: "Pod security baseline (fabrikam-prod)",
          policyDefinitionId: BASELINE_SET,
          definitionVersion: "1.*.*",
          parameters: { effect: { value: "Deny" }, excludedNamespaces: { value: ["kube-system", "gatekeeper-system", "azure-arc", "monitoring"] } },
          notScopes: [rg(prodB.id, "rg-excluded")],
          resourceSelectors: [{ name: "europe-only", selectors: [{ kind: "resourceLocation", in: ["westeurope", "northeurope"] }] }],
          metadata: { owner: "platform" },
        },
      },
      {
        // Older version (AKS401, AKS402), Audit (AKS101 with --expect-effect deny), wildcard (AKS201), override (AKS103).
        scope: scopes.prodA,
        name: "pss-restricted-pa",
        properties: {
          displayName: "Pod security restricted (prod-a)",
          policyDefinitionId: RESTRICTED_SET,
          definitionVersion: "2.4.*",
          parameters: { effect: { value: "Audit" }, excludedNamespaces: { value: [...defaults, "prod-*"] } },
          overrides: [{ kind: "policyEffect", value: "Disabled", selectors: [{ kind: "policyDefinitionReferenceId", in: ["AllowedSeccompProfiles"] }] }],
        },
      },
      {
        scope: scopes.prodB,
        name: "pss-restricted-pb",
        properties: {
          displayName: "Pod security restricted (prod-b)",
          policyDefinitionId: RESTRICTED_SET,
          definitionVersion: "2.*.*",
          parameters: { effect: { value: "Deny" } },
        },
      },
      {
        // DoNotEnforce (AKS102), include-list (AKS004), default excluded (AKS202), kube-system dropped (AKS203).
        scope: scopes.devA,
        name: "pss-restricted-dev",
        properties: {
          displayName: "Pod security restricted (dev-a)",
          policyDefinitionId: RESTRICTED_SET,
          definitionVersion: "2.*.*",
          enforcementMode: "DoNotEnforce",
          parameters: {
            effect: { value: "Deny" },
            namespaces: { value: ["team-a"] },
            excludedNamespaces: { value: ["default", "gatekeeper-system", "azure-arc", "azure-extensions-usage-system"] },
          },
        },
      },
      {
        scope: scopes.devCustom,
        name: "pss-custom-dev",
        properties: { displayName: "Custom pod security (dev-a)", policyDefinitionId: customSetId, parameters: { effect: { value: "Deny" } } },
      },
      {
        scope: scopes.devA,
        name: "pss-temporary",
        properties: { displayName: "Temporary baseline", policyDefinitionId: BASELINE_SET, definitionVersion: "1.*.*", parameters: { effect: { value: "Audit" } } },
      },
    ],
    policyExemptions: [
      {
        // Resource group (AKS301), Waiver without expiry (AKS302), no reason or ticket (AKS307).
        scope: scopes.prodA,
        name: "rg-pa-waiver",
        properties: { policyAssignmentId: AUDIT_TENANT.assignments.prodARestricted, exemptionCategory: "Waiver" },
      },
      {
        scope: AUDIT_TENANT.clusters.paOne,
        name: "pa-1-hostnetwork",
        properties: {
          policyAssignmentId: AUDIT_TENANT.assignments.prodBaseline,
          policyDefinitionReferenceIds: ["BlockUsingHostNetwork"],
          exemptionCategory: "Waiver",
          expiresOn: at(5),
          description: "node exporter",
          metadata: { ticket: "OPS-1" },
        },
      },
      {
        scope: AUDIT_TENANT.clusters.pbOne,
        name: "pb-1-migration",
        properties: { policyAssignmentId: AUDIT_TENANT.assignments.prodBRestricted, exemptionCategory: "Mitigated", expiresOn: at(-3), description: "migration", metadata: { ticket: "OPS-2" } },
      },
      {
        scope: AUDIT_TENANT.clusters.daOne,
        name: "da-1-long-waiver",
        properties: { policyAssignmentId: AUDIT_TENANT.assignments.devRestricted, exemptionCategory: "Waiver", expiresOn: at(400), description: "vendor agent", metadata: { ticket: "OPS-3" } },
      },
      {
        scope: AUDIT_TENANT.clusters.daOne,
        name: "da-1-legacy-ref",
        properties: {
          policyAssignmentId: AUDIT_TENANT.assignments.devCustom,
          policyDefinitionReferenceIds: ["legacy-escalation"],
          exemptionCategory: "Mitigated",
          expiresOn: at(30),
          description: "legacy image",
          metadata: { ticket: "OPS-4" },
        },
      },
      {
        scope: AUDIT_TENANT.clusters.daTwo,
        name: "da-2-temporary",
        properties: { policyAssignmentId: AUDIT_TENANT.assignments.devTemporary, exemptionCategory: "Mitigated", expiresOn: at(20), description: "temporary", metadata: { ticket: "OPS-5" } },
      },
    ],
  };
}

/** What happens after seeding: the custom set drops the member an exemption names (a seed document), and the temporary assignment is deleted (an id to DELETE). */
export const auditTenantAfterSeed = {
  customSetWithoutLegacy: (): SeedDocument => ({ policySetDefinitions: [customSet(false)] }),
  deleteAssignment: AUDIT_TENANT.assignments.devTemporary,
};
