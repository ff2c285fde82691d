// The rows of the Resource Graph tables the emulator serves, built from its own state and bounded by the
// query's scope: only the records of the subscriptions (and management groups) in scope are read
// (Store.listInScopes), so a query over 10 subscriptions of 2,000 touches those 10. Resource groups are
// the exception: the store does not index them by subscription, so their rows filter the type's list.
// Table columns: https://learn.microsoft.com/azure/governance/resource-graph/reference/supported-tables-resources
import { ancestorKeys, managementGroupChain, MANAGED_CLUSTER_TYPE, MANAGEMENT_GROUP_TYPE, RESOURCE_GROUP_TYPE, SUBSCRIPTION_TYPE } from "../hierarchy.js";
import { isAllowed, type EmulatorPrincipalRecord } from "../rbac.js";
import { keyOf, managementGroupId, subscriptionScopeId } from "../scopes.js";
import { managementGroupTenant, subscriptionTenant } from "../tenants.js";
import type { Store, StoredRecord } from "../store.js";
import type { Row } from "./evaluate.js";

export type AuthorizationScopeFilter = "AtScopeAndBelow" | "AtScopeAndAbove" | "AtScopeExact" | "AtScopeAboveAndBelow";

export interface GraphScope {
  /** Subscription ids in scope (that exist and the caller may read). */
  subscriptions: string[];
  /** Management-group names the query was scoped to (undefined: subscriptions or the tenant). */
  managementGroups?: string[];
  /** Neither subscriptions nor management groups given: every group the caller can read is in scope too. */
  tenant: boolean;
  /** The token's tenant. */
  tenantId: string;
  filter: AuthorizationScopeFilter;
}

const POLICY_TYPES = [
  "Microsoft.Authorization/policyAssignments",
  "Microsoft.Authorization/policyExemptions",
  "Microsoft.Authorization/policyDefinitions",
  "Microsoft.Authorization/policySetDefinitions",
];

/** Every column a row of these tables has, in the service's order, so `project` of a missing one is null. */
function baseRow(fields: Partial<Row> & { id: string; name: string; type: string }, tenantId: string): Row {
  return {
    id: fields.id,
    name: fields.name,
    type: fields.type.toLowerCase(),
    tenantId,
    kind: fields.kind ?? "",
    location: fields.location ?? "",
    resourceGroup: fields.resourceGroup ?? "",
    subscriptionId: fields.subscriptionId ?? "",
    managedBy: "",
    sku: fields.sku ?? null,
    plan: null,
    properties: fields.properties ?? {},
    tags: fields.tags ?? null,
    identity: fields.identity ?? null,
    zones: null,
    extendedLocation: null,
  };
}

function idParts(id: string): { subscriptionId?: string; resourceGroup?: string } {
  const match = /^\/subscriptions\/([^/]+)(?:\/resourceGroups\/([^/]+))?/i.exec(id);
  // ARG reports resource groups in lower case.
  return match === null ? {} : { subscriptionId: match[1], ...(match[2] ? { resourceGroup: match[2].toLowerCase() } : {}) };
}

/**
 * Resolves the request's scope to what the caller may read: the subscriptions given, the subscriptions
 * below the management groups given, or (neither) every subscription the caller can read.
 */
export function resolveScope(
  store: Store,
  caller: EmulatorPrincipalRecord,
  tenantId: string,
  subscriptions: string[] | undefined,
  managementGroups: string[] | undefined,
  filter: AuthorizationScopeFilter,
): GraphScope {
  // A query answers for its token's tenant: other tenants' subscriptions are not there.
  const canRead = (subscriptionId: string): boolean =>
    subscriptionTenant(store, subscriptionId).toLowerCase() === tenantId.toLowerCase() && isAllowed(store, caller.name, "Microsoft.Resources/subscriptions/read", subscriptionScopeId(subscriptionId));
  if (subscriptions !== undefined && subscriptions.length > 0) {
    const unique = new Map<string, string>();
    for (const id of subscriptions) {
      const record = store.get(keyOf(subscriptionScopeId(id)));
      if (record !== undefined && record.type === SUBSCRIPTION_TYPE && canRead(record.body.subscriptionId)) unique.set(id.toLowerCase(), record.body.subscriptionId);
    }
    return { subscriptions: [...unique.values()], tenant: false, tenantId, filter };
  }
  // A tenant or management-group query looks at every subscription's place in the hierarchy.
  const all = store.list(SUBSCRIPTION_TYPE);
  if (managementGroups !== undefined && managementGroups.length > 0) {
    const wanted = new Set(managementGroups.map((name) => keyOf(managementGroupId(name))));
    const under = all.filter((record) => managementGroupChain(store, record.body.managementGroup).some((key) => wanted.has(key)));
    return { subscriptions: under.filter((record) => canRead(record.body.subscriptionId)).map((record) => record.body.subscriptionId), managementGroups, tenant: false, tenantId, filter };
  }
  return { subscriptions: all.filter((record) => canRead(record.body.subscriptionId)).map((record) => record.body.subscriptionId), tenant: true, tenantId, filter };
}

function clusterRow(record: StoredRecord, tenantId: string): Row {
  const body = record.body;
  return baseRow(
    { ...idParts(body.id), id: body.id, name: body.name, type: body.type, location: body.location, sku: body.sku, properties: body.properties, tags: body.tags ?? {}, identity: body.identity },
    tenantId,
  );
}

function subscriptionRow(store: Store, record: StoredRecord, tenantId: string): Row {
  const body = record.body;
  const chain = managementGroupChain(store, body.managementGroup)
    .map((key) => store.get(key)?.body)
    .filter((group) => group !== undefined);
  return baseRow(
    {
      id: subscriptionScopeId(body.subscriptionId),
      name: body.displayName,
      type: "microsoft.resources/subscriptions",
      subscriptionId: body.subscriptionId,
      properties: {
        state: body.state ?? "Enabled",
        subscriptionPolicies: { locationPlacementId: "Public_2014-09-01", quotaId: "PayAsYouGo_2014-09-01", spendingLimit: "Off" },
        // Nearest group first, ending with the tenant root group, as ARG reports it.
        managementGroupAncestorsChain: chain.map((group) => ({ name: group.name, displayName: group.displayName ?? group.name })),
      },
      tags: {},
    },
    tenantId,
  );
}

function resourceGroupRow(record: StoredRecord, tenantId: string): Row {
  const body = record.body;
  return baseRow(
    {
      ...idParts(body.id),
      id: body.id,
      name: body.name,
      type: "microsoft.resources/subscriptions/resourcegroups",
      location: body.location,
      properties: body.properties ?? { provisioningState: "Succeeded" },
      tags: body.tags ?? {},
    },
    tenantId,
  );
}

function managementGroupRow(store: Store, record: StoredRecord, tenantId: string): Row {
  const body = record.body;
  const chain = body.parent
    ? managementGroupChain(store, body.parent)
        .map((key) => store.get(key)?.body)
        .filter((group) => group !== undefined)
    : [];
  return baseRow(
    {
      id: managementGroupId(body.name),
      name: body.name,
      type: MANAGEMENT_GROUP_TYPE,
      properties: { displayName: body.displayName ?? body.name, tenantId, managementGroupAncestorsChain: chain.map((group) => ({ name: group.name, displayName: group.displayName ?? group.name })) },
    },
    tenantId,
  );
}

function policyRow(record: StoredRecord, tenantId: string): Row {
  const body = record.body;
  return baseRow({ ...idParts(body.id), id: body.id, name: body.name, type: body.type, location: body.location, properties: body.properties, identity: body.identity }, tenantId);
}

/** Management-group keys a record outside subscriptions may sit at, per the authorization scope filter. */
function managementGroupKeysInScope(store: Store, scope: GraphScope, caller: EmulatorPrincipalRecord): Set<string> {
  const keys = new Set<string>();
  if (scope.tenant) {
    for (const record of store.list(MANAGEMENT_GROUP_TYPE)) {
      if (managementGroupTenant(store, record.body.name).toLowerCase() === scope.tenantId.toLowerCase() && isAllowed(store, caller.name, "Microsoft.Management/managementGroups/read", record.id))
        keys.add(keyOf(record.id));
    }
    return keys;
  }
  const above = scope.filter === "AtScopeAndAbove" || scope.filter === "AtScopeAboveAndBelow";
  const below = scope.filter === "AtScopeAndBelow" || scope.filter === "AtScopeAboveAndBelow";
  if (scope.managementGroups !== undefined) {
    for (const name of scope.managementGroups) {
      const own = keyOf(managementGroupId(name));
      keys.add(own);
      if (above) for (const key of ancestorKeys(store, managementGroupId(name))) if (key !== "") keys.add(key);
      if (below) {
        for (const record of store.list(MANAGEMENT_GROUP_TYPE)) {
          if (managementGroupChain(store, record.body.name).includes(own)) keys.add(keyOf(record.id));
        }
      }
    }
  } else if (above) {
    for (const subscriptionId of scope.subscriptions) {
      for (const key of ancestorKeys(store, subscriptionScopeId(subscriptionId))) if (key.startsWith("/providers/")) keys.add(key);
    }
  }
  return keys;
}

/** The rows of a table within the scope. */
export function tableRows(store: Store, table: string, scope: GraphScope, tenantId: string, caller: EmulatorPrincipalRecord): Row[] {
  const rows: Row[] = [];
  switch (table) {
    case "resources":
      for (const subscriptionId of scope.subscriptions) {
        const key = keyOf(subscriptionScopeId(subscriptionId));
        for (const record of store.listInScopes(MANAGED_CLUSTER_TYPE, { exact: [key], under: key })) rows.push(clusterRow(record, tenantId));
      }
      break;
    case "resourcecontainers": {
      const inScope = new Set(scope.subscriptions.map((subscriptionId) => subscriptionId.toLowerCase()));
      for (const subscriptionId of scope.subscriptions) {
        const record = store.get(keyOf(subscriptionScopeId(subscriptionId)));
        if (record !== undefined) rows.push(subscriptionRow(store, record, tenantId));
      }
      for (const record of store.list(RESOURCE_GROUP_TYPE)) {
        if (inScope.has(String(idParts(record.id).subscriptionId).toLowerCase())) rows.push(resourceGroupRow(record, tenantId));
      }
      if (scope.managementGroups !== undefined || scope.tenant) {
        const keys = managementGroupKeysInScope(store, { ...scope, filter: "AtScopeAndBelow" }, caller);
        for (const key of keys) {
          const record = store.get(key);
          if (record !== undefined) rows.push(managementGroupRow(store, record, tenantId));
        }
      }
      break;
    }
    case "policyresources": {
      const exactOnly = scope.filter === "AtScopeExact" || scope.filter === "AtScopeAndAbove";
      // Scoped to management groups, "exact" and "above" leave out everything in their subscriptions.
      const subscriptionsInScope = scope.managementGroups !== undefined && exactOnly ? [] : scope.subscriptions;
      for (const subscriptionId of subscriptionsInScope) {
        const own = keyOf(subscriptionScopeId(subscriptionId));
        for (const type of POLICY_TYPES) {
          for (const record of store.listInScopes(type, exactOnly ? { exact: [own] } : { exact: [own], under: own })) rows.push(policyRow(record, tenantId));
        }
      }
      const groups = managementGroupKeysInScope(store, scope, caller);
      if (groups.size > 0) {
        for (const type of POLICY_TYPES) {
          for (const record of store.listInScopes(type, { exact: groups })) rows.push(policyRow(record, tenantId));
        }
      }
      break;
    }
  }
  return rows.sort((a, b) => (String(a.id).toLowerCase() < String(b.id).toLowerCase() ? -1 : 1));
}
