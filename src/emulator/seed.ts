// Seed documents: the format of `--seed FILE.json`, of the demo seed and of the bulk seeding hook.
// A seed is applied as one batch (one durable write), so 1,200+ assignments load in one go.
import { randomBytes, randomUUID } from "node:crypto";
import { MANAGEMENT_GROUP_TYPE, RESOURCE_GROUP_TYPE, SUBSCRIPTION_TYPE, MANAGED_CLUSTER_TYPE } from "./hierarchy.js";
import { PRINCIPAL_TYPE, addRoleAssignment, principalKey, type EmulatorPrincipalRecord, type RoleSpec } from "./rbac.js";
import { keyOf, managementGroupId, parseScope, resourceGroupId, subscriptionScopeId } from "./scopes.js";
import type { Batch } from "./store.js";
import { stageTenant } from "./tenants.js";
import { buildManagedCluster, type ClusterSeed } from "./resources/managed-clusters.js";
import { buildAssignment, stageAssignment } from "./resources/policy-assignments.js";
import { buildExemption, stageExemption } from "./resources/policy-exemptions.js";
import { stageDefinition } from "./resources/policy-definitions.js";
import { buildSafeguards, stageSafeguards, type SafeguardsSeed } from "./resources/deployment-safeguards.js";
import { stageComponentStates, type ComponentStateSeed } from "./resources/policy-insights.js";

export interface SeedDocument {
  tenantId?: string;
  /** More tenants besides the home one (each gets its own tenant root group). */
  tenants?: { tenantId: string; displayName?: string; defaultDomain?: string }[];
  managementGroups?: { name: string; displayName?: string; parent?: string }[];
  subscriptions?: {
    subscriptionId: string;
    displayName: string;
    managementGroup?: string;
    /** Resource providers not registered there: their requests get 409 MissingSubscriptionRegistration. */
    unregisteredProviders?: string[];
    /** The tenant the subscription belongs to (default: the emulator's home tenant). */
    tenantId?: string;
  }[];
  resourceGroups?: { subscriptionId: string; name: string; location?: string }[];
  managedClusters?: ClusterSeed[];
  policyAssignments?: { scope: string; name: string; location?: string; identity?: unknown; properties: Record<string, unknown> }[];
  policyExemptions?: { scope: string; name: string; properties: Record<string, unknown> }[];
  /** Custom definitions at a subscription or management group; scope "/" seeds an extra built-in. */
  policySetDefinitions?: { scope: string; name: string; properties: Record<string, unknown> }[];
  policyDefinitions?: { scope: string; name: string; properties: Record<string, unknown> }[];
  /** `tenants`: where the app has a service principal (can get tokens); every tenant when absent. */
  principals?: { name: string; clientId?: string; clientSecret?: string; objectId?: string; tenants?: string[]; consentMissingIn?: string[] }[];
  roleAssignments?: { principal: string; role: RoleSpec; scope: string }[];
  /** Deployment Safeguards settings, one per cluster (cluster id, level, exclusions, PSS level). */
  deploymentSafeguards?: SafeguardsSeed[];
  /** Pods as the Azure Policy add-on reports them to Policy Insights (see resources/policy-insights.ts). */
  componentPolicyStates?: ComponentStateSeed[];
}

/** The api-version seeded policy resources are validated at (what @azure/arm-policy 7.0.1 sends). */
const SEED_POLICY_API_VERSION = "2025-03-01";
const SEED_EXEMPTION_API_VERSION = "2024-12-01-preview";

export interface SeedContext {
  tenantId: string;
  now: Date;
}

function scopeOf(scope: string, what: string, allowTenant = false) {
  const parsed = parseScope(scope);
  if (parsed === undefined || (parsed.kind === "tenant" && !allowTenant)) throw new Error(`Seed ${what}: '${scope}' is not a valid scope`);
  return parsed;
}

export function newPrincipal(name: string, overrides: Partial<EmulatorPrincipalRecord> = {}): EmulatorPrincipalRecord {
  return {
    name,
    clientId: overrides.clientId ?? randomUUID(),
    clientSecret: overrides.clientSecret ?? randomBytes(30).toString("base64url"),
    objectId: overrides.objectId ?? randomUUID(),
    ...(overrides.tenants ? { tenants: overrides.tenants } : {}),
    ...(overrides.consentMissingIn ? { consentMissingIn: overrides.consentMissingIn } : {}),
  };
}

export function stagePrincipal(batch: Batch, principal: EmulatorPrincipalRecord): void {
  batch.put(principalKey(principal.name), { type: PRINCIPAL_TYPE, id: principalKey(principal.name), body: principal });
}

/** The principal seeded writes are attributed to (admin when present). */
function seedingPrincipal(batch: Batch): EmulatorPrincipalRecord {
  const admin = batch.get(principalKey("admin"))?.body as EmulatorPrincipalRecord | undefined;
  return admin ?? { name: "emulator-seed", clientId: "00000000-0000-0000-0000-000000000000", clientSecret: "", objectId: "00000000-0000-0000-0000-000000000000" };
}

/** Stages everything in `doc` into `batch`, validating policy resources as ARM would. Throws on bad input. */
export function stageSeed(batch: Batch, doc: SeedDocument, context: SeedContext): void {
  const { tenantId, now } = context;
  for (const tenant of doc.tenants ?? []) stageTenant(batch, tenant);
  for (const principal of doc.principals ?? []) {
    const existing = batch.get(principalKey(principal.name))?.body as EmulatorPrincipalRecord | undefined;
    stagePrincipal(batch, newPrincipal(principal.name, { ...existing, ...principal }));
  }
  for (const group of doc.managementGroups ?? []) {
    const id = managementGroupId(group.name);
    batch.put(keyOf(id), {
      type: MANAGEMENT_GROUP_TYPE,
      id,
      body: { name: group.name, displayName: group.displayName ?? group.name, parent: group.parent ?? tenantId, updatedTime: now.toISOString(), updatedBy: "emulator-seed" },
    });
  }
  for (const subscription of doc.subscriptions ?? []) {
    const id = subscriptionScopeId(subscription.subscriptionId);
    batch.put(keyOf(id), {
      type: SUBSCRIPTION_TYPE,
      id,
      body: {
        subscriptionId: subscription.subscriptionId,
        displayName: subscription.displayName,
        managementGroup: subscription.managementGroup ?? subscription.tenantId ?? tenantId,
        state: "Enabled",
        ...(subscription.unregisteredProviders ? { unregisteredProviders: subscription.unregisteredProviders } : {}),
        ...(subscription.tenantId ? { tenantId: subscription.tenantId } : {}),
      },
    });
  }
  for (const group of doc.resourceGroups ?? []) {
    const id = resourceGroupId(group.subscriptionId, group.name);
    if (batch.get(keyOf(subscriptionScopeId(group.subscriptionId))) === undefined) throw new Error(`Seed resource group ${group.name}: subscription ${group.subscriptionId} is not seeded`);
    batch.put(keyOf(id), {
      type: RESOURCE_GROUP_TYPE,
      id,
      body: { id, name: group.name, type: RESOURCE_GROUP_TYPE, location: group.location ?? "westeurope", tags: {}, properties: { provisioningState: "Succeeded" } },
    });
  }
  for (const cluster of doc.managedClusters ?? []) {
    if (batch.get(keyOf(resourceGroupId(cluster.subscriptionId, cluster.resourceGroup))) === undefined) {
      throw new Error(`Seed cluster ${cluster.name}: resource group ${cluster.resourceGroup} is not seeded`);
    }
    const body = buildManagedCluster(cluster, now);
    batch.put(keyOf(body.id), { type: MANAGED_CLUSTER_TYPE, id: body.id, body });
  }
  const caller = seedingPrincipal(batch);
  for (const definition of doc.policyDefinitions ?? []) {
    stageDefinition(batch, {
      scope: scopeOf(definition.scope, "policy definition", true),
      kind: "policyDefinitions",
      name: definition.name,
      body: { properties: definition.properties },
      apiVersion: SEED_POLICY_API_VERSION,
      caller,
      now,
      seededBuiltIn: true,
    });
  }
  for (const definition of doc.policySetDefinitions ?? []) {
    stageDefinition(batch, {
      scope: scopeOf(definition.scope, "policy set definition", true),
      kind: "policySetDefinitions",
      name: definition.name,
      body: { properties: definition.properties },
      apiVersion: SEED_POLICY_API_VERSION,
      caller,
      now,
      seededBuiltIn: true,
    });
  }
  for (const assignment of doc.policyAssignments ?? []) {
    const body: Record<string, unknown> = { properties: assignment.properties };
    if (assignment.location !== undefined) body.location = assignment.location;
    if (assignment.identity !== undefined) body.identity = assignment.identity;
    stageAssignment(batch, buildAssignment(batch, { scope: scopeOf(assignment.scope, "policy assignment"), name: assignment.name, body, apiVersion: SEED_POLICY_API_VERSION, caller, now, tenantId }));
  }
  for (const exemption of doc.policyExemptions ?? []) {
    const { resource } = buildExemption(batch, {
      scope: scopeOf(exemption.scope, "policy exemption"),
      name: exemption.name,
      body: { properties: exemption.properties },
      apiVersion: SEED_EXEMPTION_API_VERSION,
      caller,
      now,
      checkAccess: false,
    });
    stageExemption(batch, resource);
  }
  for (const safeguards of doc.deploymentSafeguards ?? []) {
    if (batch.get(keyOf(safeguards.clusterId)) === undefined) throw new Error(`Seed Deployment Safeguards: cluster ${safeguards.clusterId} is not seeded`);
    stageSafeguards(batch, buildSafeguards(safeguards, caller, now));
  }
  stageComponentStates(batch, doc.componentPolicyStates ?? [], now);
  for (const roleAssignment of doc.roleAssignments ?? []) {
    if (batch.get(principalKey(roleAssignment.principal)) === undefined) throw new Error(`Seed role assignment: unknown principal '${roleAssignment.principal}'`);
    addRoleAssignment(batch, roleAssignment);
  }
}
