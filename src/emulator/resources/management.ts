// Subscriptions, tenants, resource groups and management groups: what @azure/arm-resources-subscriptions,
// @azure/arm-resources and @azure/arm-managementgroups read. Seeded, read-only.
import { MANAGEMENT_GROUP_API_VERSIONS, RESOURCE_GROUP_API_VERSIONS, SUBSCRIPTION_API_VERSIONS, checkResourceTypeVersion, checkResourcesVersion } from "../api-versions.js";
import type { ArmRequest, ArmResponse, EmulatorContext } from "../context.js";
import { MANAGEMENT_GROUP_TYPE, RESOURCE_GROUP_TYPE, SUBSCRIPTION_TYPE } from "../hierarchy.js";
import { authorize, permissionsAt } from "../rbac.js";
import { eq, keyOf, managementGroupId, resourceGroupId, subscriptionScopeId } from "../scopes.js";
import type { StateReader } from "../store.js";
import { listTenants, principalInTenant } from "../tenants.js";
import { assertMethod, pageOf, pageSize, requireResourceGroup, requireSubscription } from "./common.js";

export function presentSubscription(subscription: any, homeTenantId: string): any {
  const tenantId = subscription.tenantId ?? homeTenantId;
  return {
    id: subscriptionScopeId(subscription.subscriptionId),
    authorizationSource: "RoleBased",
    managedByTenants: [],
    subscriptionId: subscription.subscriptionId,
    tenantId,
    displayName: subscription.displayName,
    state: subscription.state ?? "Enabled",
    subscriptionPolicies: { locationPlacementId: "Public_2014-09-01", quotaId: "PayAsYouGo_2014-09-01", spendingLimit: "Off" },
    tags: {},
  };
}

/** `/subscriptions[/{id}]` and `/tenants`. */
export function handleSubscriptions(request: ArmRequest, context: EmulatorContext, subscriptionId: string | undefined): ArmResponse {
  checkResourcesVersion(request.apiVersion, SUBSCRIPTION_API_VERSIONS);
  assertMethod(request, ["GET"], subscriptionId === undefined);
  const { store } = context;
  if (subscriptionId !== undefined) {
    const subscription = requireSubscription(store, subscriptionId);
    authorize(store, request.caller, "Microsoft.Resources/subscriptions/read", subscriptionScopeId(subscriptionId));
    return { status: 200, body: presentSubscription(subscription, context.tenantId) };
  }
  // ARM lists the subscriptions of the token's tenant where the caller holds any role.
  const tokenTenant = request.tokenTenant ?? context.tenantId;
  const visible = store
    .list(SUBSCRIPTION_TYPE)
    .filter((record) => eq(record.body.tenantId ?? context.tenantId, tokenTenant))
    .filter((record) => permissionsAt(store, request.caller.name, record.id).length > 0)
    .map((record) => presentSubscription(record.body, context.tenantId));
  return { status: 200, body: { value: visible, count: { type: "Total", value: visible.length } } };
}

export function handleTenants(request: ArmRequest, context: EmulatorContext): ArmResponse {
  checkResourcesVersion(request.apiVersion, SUBSCRIPTION_API_VERSIONS);
  assertMethod(request, ["GET"], true);
  // The tenants where the caller's app has a service principal; the token's own tenant is its home.
  const tokenTenant = request.tokenTenant ?? context.tenantId;
  const value = listTenants(context.store)
    .filter((tenant) => principalInTenant(request.caller, tenant.tenantId))
    .map((tenant) => ({
      id: `/tenants/${tenant.tenantId}`,
      tenantId: tenant.tenantId,
      tenantCategory: eq(tenant.tenantId, tokenTenant) ? "Home" : "ProjectedBy",
      displayName: tenant.displayName,
      defaultDomain: tenant.defaultDomain,
      domains: [tenant.defaultDomain],
      tenantType: "AAD",
    }));
  return { status: 200, body: { value } };
}

/** `/subscriptions/{id}/resourcegroups[/{name}]` */
export function handleResourceGroups(request: ArmRequest, context: EmulatorContext, subscriptionId: string, name: string | undefined): ArmResponse {
  checkResourcesVersion(request.apiVersion, RESOURCE_GROUP_API_VERSIONS);
  assertMethod(request, ["GET"], name === undefined);
  const { store } = context;
  requireSubscription(store, subscriptionId);
  if (name !== undefined) {
    authorize(store, request.caller, "Microsoft.Resources/subscriptions/resourceGroups/read", resourceGroupId(subscriptionId, name));
    return { status: 200, body: requireResourceGroup(store, subscriptionId, name) };
  }
  authorize(store, request.caller, "Microsoft.Resources/subscriptions/resourceGroups/read", subscriptionScopeId(subscriptionId));
  const prefix = keyOf(subscriptionScopeId(subscriptionId)) + "/";
  const groups = store.list(RESOURCE_GROUP_TYPE).filter((record) => keyOf(record.id).startsWith(prefix));
  const page = pageOf(request, context, groups, (record) => keyOf(record.id), pageSize(request, 1000));
  return { status: 200, body: { value: page.value.map((record) => record.body), ...(page.nextLink ? { nextLink: page.nextLink } : {}) } };
}

function managementGroupRecord(reader: StateReader, name: string): any {
  return reader.get(keyOf(managementGroupId(name)))?.body;
}

function childrenOf(reader: StateReader, name: string, recurse: boolean): any[] {
  const groups = reader
    .list(MANAGEMENT_GROUP_TYPE)
    .filter((record) => eq(record.body.parent, name))
    .map((record) => ({
      type: MANAGEMENT_GROUP_TYPE,
      id: managementGroupId(record.body.name),
      name: record.body.name,
      displayName: record.body.displayName ?? record.body.name,
      children: recurse ? childrenOf(reader, record.body.name, true) : null,
    }));
  const subscriptions = reader
    .list(SUBSCRIPTION_TYPE)
    .filter((record) => eq(record.body.managementGroup, name))
    .map((record) => ({
      type: "/subscriptions",
      id: subscriptionScopeId(record.body.subscriptionId),
      name: record.body.subscriptionId,
      displayName: record.body.displayName,
    }));
  return [...groups, ...subscriptions];
}

function presentManagementGroup(reader: StateReader, group: any, tenantId: string, expand: string | undefined, recurse: boolean): any {
  const parent = group.parent === undefined || group.parent === null ? undefined : managementGroupRecord(reader, group.parent);
  const body: any = {
    id: managementGroupId(group.name),
    type: MANAGEMENT_GROUP_TYPE,
    name: group.name,
    properties: {
      tenantId,
      displayName: group.displayName ?? group.name,
      details: {
        version: 1,
        updatedTime: group.updatedTime ?? "2024-01-01T00:00:00Z",
        updatedBy: group.updatedBy ?? "emulator",
        parent: parent === undefined ? null : { id: managementGroupId(parent.name), name: parent.name, displayName: parent.displayName ?? parent.name },
      },
    },
  };
  const wanted = (expand ?? "").split(",").map((item) => item.trim().toLowerCase());
  if (wanted.includes("children")) body.properties.children = childrenOf(reader, group.name, recurse);
  if (wanted.includes("path") || wanted.includes("ancestors")) {
    const chain: any[] = [];
    let current = parent;
    while (current !== undefined) {
      chain.unshift({ name: current.name, displayName: current.displayName ?? current.name });
      current = current.parent ? managementGroupRecord(reader, current.parent) : undefined;
    }
    if (wanted.includes("path")) body.properties.path = chain;
    if (wanted.includes("ancestors")) body.properties.details.managementGroupAncestors = chain.map((item) => item.name).reverse();
  }
  return body;
}

function descendantsOf(reader: StateReader, name: string): any[] {
  const result: any[] = [];
  const visit = (parentName: string): void => {
    for (const record of reader.list(MANAGEMENT_GROUP_TYPE).filter((candidate) => eq(candidate.body.parent, parentName))) {
      result.push({
        id: managementGroupId(record.body.name),
        type: MANAGEMENT_GROUP_TYPE,
        name: record.body.name,
        properties: { displayName: record.body.displayName ?? record.body.name, parent: { id: managementGroupId(parentName) } },
      });
      visit(record.body.name);
    }
    for (const record of reader.list(SUBSCRIPTION_TYPE).filter((candidate) => eq(candidate.body.managementGroup, parentName))) {
      result.push({
        id: subscriptionScopeId(record.body.subscriptionId),
        type: "/subscriptions",
        name: record.body.subscriptionId,
        properties: { displayName: record.body.displayName, parent: { id: managementGroupId(parentName) } },
      });
    }
  };
  visit(name);
  return result;
}

/** `/providers/Microsoft.Management/managementGroups[/{id}[/descendants]]` */
export function handleManagementGroups(request: ArmRequest, context: EmulatorContext, rest: string[]): ArmResponse {
  checkResourceTypeVersion(request.apiVersion, "Microsoft.Management", "managementGroups", MANAGEMENT_GROUP_API_VERSIONS);
  assertMethod(request, ["GET"], rest.length !== 1);
  const { store } = context;
  if (rest.length === 0) {
    const visible = store
      .list(MANAGEMENT_GROUP_TYPE)
      .filter((record) => permissionsAt(store, request.caller.name, record.id).length > 0)
      .map((record) => ({
        id: managementGroupId(record.body.name),
        type: MANAGEMENT_GROUP_TYPE,
        name: record.body.name,
        properties: { tenantId: context.tenantId, displayName: record.body.displayName ?? record.body.name },
      }));
    return { status: 200, body: { value: visible } };
  }
  const name = rest[0];
  // ARM evaluates access on the group first, so a group that does not exist is a 403 like one you cannot see.
  authorize(store, request.caller, "Microsoft.Management/managementGroups/read", managementGroupId(name));
  const group = managementGroupRecord(store, name);
  if (group === undefined) throw new Error("unreachable: authorized on a missing management group");
  if (rest.length === 1) {
    const recurse = eq(request.query.get("$recurse"), "true");
    return { status: 200, body: presentManagementGroup(store, group, context.tenantId, request.query.get("$expand"), recurse) };
  }
  if (rest.length === 2 && eq(rest[1], "descendants")) {
    authorize(store, request.caller, "Microsoft.Management/managementGroups/descendants/read", managementGroupId(name));
    const all = descendantsOf(store, group.name);
    const page = pageOf(request, context, all, (item) => keyOf(item.id), pageSize(request, 1000));
    return { status: 200, body: { value: page.value, ...(page.nextLink ? { nextLink: page.nextLink } : {}) } };
  }
  return { status: 404, body: { error: { code: "NotFound", message: `The path '${request.path}' is not served by the emulator.` } } };
}
