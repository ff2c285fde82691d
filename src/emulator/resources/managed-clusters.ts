// managedClusters (get, list, list by resource group); seeded and read-only.
import { checkManagedClusterVersion } from "../api-versions.js";
import { ArmError, notFound } from "../errors.js";
import type { ArmRequest, ArmResponse, EmulatorContext } from "../context.js";
import { MANAGED_CLUSTER_TYPE } from "../hierarchy.js";
import { authorize } from "../rbac.js";
import { keyOf, managedClusterId, resourceGroupId, subscriptionScopeId } from "../scopes.js";
import { pageOf, pageSize, requireResourceGroup, requireSubscription } from "./common.js";

const READ = "Microsoft.ContainerService/managedClusters/read";

export function handleManagedClusters(request: ArmRequest, context: EmulatorContext, subscriptionId: string, resourceGroup: string | undefined, name: string | undefined): ArmResponse {
  const { store } = context;
  const existing = name !== undefined && resourceGroup !== undefined ? store.get(keyOf(managedClusterId(subscriptionId, resourceGroup, name))) : undefined;
  checkManagedClusterVersion(request.apiVersion, existing?.body?.location);
  const subscription = requireSubscription(store, subscriptionId);
  requireRegistered(subscription, "Microsoft.ContainerService");
  if (request.method !== "GET") {
    throw new ArmError(405, "HttpMethodNotSupported", `The emulator serves managed clusters read-only; the http method '${request.method}' is not supported.`);
  }
  if (name !== undefined && resourceGroup !== undefined) {
    const id = managedClusterId(subscriptionId, resourceGroup, name);
    authorize(store, request.caller, READ, id);
    requireResourceGroup(store, subscriptionId, resourceGroup);
    if (existing === undefined) {
      throw notFound(
        "ResourceNotFound",
        `The Resource '${MANAGED_CLUSTER_TYPE}/${name}' under resource group '${resourceGroup}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix`,
      );
    }
    return { status: 200, body: existing.body };
  }
  const scope = resourceGroup === undefined ? subscriptionScopeId(subscriptionId) : resourceGroupId(subscriptionId, resourceGroup);
  authorize(store, request.caller, READ, scope);
  if (resourceGroup !== undefined) requireResourceGroup(store, subscriptionId, resourceGroup);
  const clusters = store.listInScopes(MANAGED_CLUSTER_TYPE, { exact: [keyOf(scope)], under: keyOf(scope) });
  const page = pageOf(request, context, clusters, (record) => keyOf(record.id), pageSize(request, 1000));
  return { status: 200, body: { value: page.value.map((record) => record.body), ...(page.nextLink ? { nextLink: page.nextLink } : {}) } };
}

/**
 * ARM refuses requests to a provider the subscription has not registered (409, the usual cause of one
 * failing subscription in a real tenant); https://aka.ms/rps-not-found.
 */
export function requireRegistered(subscription: { unregisteredProviders?: string[] } | undefined, namespace: string): void {
  if (!(subscription?.unregisteredProviders ?? []).some((provider) => provider.toLowerCase() === namespace.toLowerCase())) return;
  const message = `The subscription is not registered to use namespace '${namespace}'. See https://aka.ms/rps-not-found for how to register subscriptions.`;
  throw new ArmError(409, "MissingSubscriptionRegistration", message, { details: [{ code: "MissingSubscriptionRegistration", target: namespace, message }] });
}

export interface ClusterSeed {
  subscriptionId: string;
  resourceGroup: string;
  name: string;
  location?: string;
  azurePolicyEnabled?: boolean;
  kubernetesVersion?: string;
  tags?: Record<string, string>;
}

/** A managed cluster shaped like the 2026-06-01 ManagedClustersGet example, with the azurepolicy add-on. */
export function buildManagedCluster(seed: ClusterSeed, now: Date): any {
  const location = seed.location ?? "westeurope";
  const version = seed.kubernetesVersion ?? "1.31.2";
  const enabled = seed.azurePolicyEnabled ?? true;
  const dnsPrefix = `${seed.name}-dns`;
  const fqdn = `${dnsPrefix}-${seed.name.length.toString(16)}a1b2c3.hcp.${location}.azmk8s.io`;
  return {
    id: managedClusterId(seed.subscriptionId, seed.resourceGroup, seed.name),
    location,
    name: seed.name,
    tags: seed.tags ?? {},
    type: MANAGED_CLUSTER_TYPE,
    eTag: `"${now.getTime().toString(16)}"`,
    sku: { name: "Base", tier: "Standard" },
    identity: { type: "SystemAssigned", principalId: "00000000-0000-4000-8000-00000000c1a5", tenantId: "00000000-0000-0000-0000-000000000000" },
    properties: {
      provisioningState: "Succeeded",
      powerState: { code: "Running" },
      maxAgentPools: 100,
      kubernetesVersion: version,
      currentKubernetesVersion: version,
      dnsPrefix,
      fqdn,
      azurePortalFQDN: fqdn.replace(".hcp.", ".portal.hcp."),
      agentPoolProfiles: [
        {
          name: "nodepool1",
          count: 3,
          vmSize: "Standard_D4s_v5",
          maxPods: 110,
          osType: "Linux",
          osSKU: "AzureLinux",
          type: "VirtualMachineScaleSets",
          mode: "System",
          orchestratorVersion: version,
          currentOrchestratorVersion: version,
          provisioningState: "Succeeded",
          powerState: { code: "Running" },
          eTag: `"${(now.getTime() + 1).toString(16)}"`,
        },
      ],
      addonProfiles: {
        azurepolicy: enabled
          ? {
              enabled: true,
              config: { version: "v2" },
              identity: {
                resourceId: `/subscriptions/${seed.subscriptionId}/resourcegroups/MC_${seed.resourceGroup}_${seed.name}_${location}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/azurepolicy-${seed.name}`,
                clientId: "00000000-0000-4000-8000-0000000a11ce",
                objectId: "00000000-0000-4000-8000-0000000a11cf",
              },
            }
          : { enabled: false, config: null },
      },
      nodeResourceGroup: `MC_${seed.resourceGroup}_${seed.name}_${location}`,
      enableRBAC: true,
      supportPlan: "KubernetesOfficial",
      networkProfile: {
        networkPlugin: "azure",
        networkPluginMode: "overlay",
        networkPolicy: "none",
        podCidr: "10.244.0.0/16",
        serviceCidr: "10.0.0.0/16",
        dnsServiceIP: "10.0.0.10",
        outboundType: "loadBalancer",
        loadBalancerSku: "standard",
      },
      aadProfile: { managed: true, enableAzureRBAC: true, tenantID: "00000000-0000-0000-0000-000000000000" },
      oidcIssuerProfile: { enabled: false },
      resourceUID: `${now.getTime().toString(16)}${seed.name.length}`.padEnd(24, "0"),
    },
  };
}
