// The scope hierarchy ARM uses for inheritance: tenant root group → management groups → subscription →
// resource group → resource → its child resources. Used for RBAC inheritance, `atScope()` and the
// exemption "at or under the assignment scope" check.
import { keyOf, managementGroupId, parseScope, subscriptionScopeId } from "./scopes.js";
import type { StateReader } from "./store.js";

export const MANAGEMENT_GROUP_TYPE = "Microsoft.Management/managementGroups";
export const SUBSCRIPTION_TYPE = "Microsoft.Resources/subscriptions";
export const RESOURCE_GROUP_TYPE = "Microsoft.Resources/resourceGroups";
export const MANAGED_CLUSTER_TYPE = "Microsoft.ContainerService/managedClusters";

/** Keys of the management-group chain from `name` up to the tenant root group, nearest first. */
export function managementGroupChain(reader: StateReader, name: string): string[] {
  const chain: string[] = [];
  let current: string | undefined = name;
  const seen = new Set<string>();
  while (current !== undefined && !seen.has(current.toLowerCase())) {
    seen.add(current.toLowerCase());
    const key = keyOf(managementGroupId(current));
    chain.push(key);
    const record = reader.get(key);
    current = record?.body?.parent ?? undefined;
  }
  return chain;
}

export function subscriptionManagementGroup(reader: StateReader, subscriptionId: string): string | undefined {
  return reader.get(keyOf(subscriptionScopeId(subscriptionId)))?.body?.managementGroup;
}

/**
 * Keys of the scope (or resource id) itself and every scope above it, nearest first, ending with ""
 * (the tenant, "/"). Extension resources (an assignment id, say) sit under the scope they extend.
 */
export function ancestorKeys(reader: StateReader, scope: string): string[] {
  const key = keyOf(scope);
  if (key === "") return [""];
  const segments = key.split("/").filter((segment) => segment.length > 0);
  const keys: string[] = [key];
  let managementGroup: string | undefined;
  let subscriptionId: string | undefined;
  for (let length = segments.length; length >= 2; length--) {
    const candidate = parseScope("/" + segments.slice(0, length).join("/"));
    if (candidate === undefined || candidate.kind === "tenant") continue;
    const candidateKey = "/" + segments.slice(0, length).join("/");
    if (candidate.kind === "managementGroup") {
      managementGroup = candidate.managementGroup;
      break;
    }
    if (candidateKey !== key) keys.push(candidateKey);
    subscriptionId = candidate.subscriptionId;
  }
  if (managementGroup !== undefined) {
    for (const groupKey of managementGroupChain(reader, managementGroup)) if (groupKey !== key) keys.push(groupKey);
  } else if (subscriptionId !== undefined) {
    const parent = subscriptionManagementGroup(reader, subscriptionId);
    if (parent !== undefined) keys.push(...managementGroupChain(reader, parent));
  }
  keys.push("");
  return keys;
}

/** True when `inner` is `outer` or lies below it (through management groups too). */
export function isAtOrUnder(reader: StateReader, inner: string, outer: string): boolean {
  return ancestorKeys(reader, inner).includes(keyOf(outer));
}
