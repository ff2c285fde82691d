/**
 * ARM resource ids and scopes. ARM compares ids case-insensitively and by path segment,
 * and tolerates repeated slashes, so every comparison here does too.
 */

export function segments(id: string): string[] {
  return id.split("/").filter((part) => part.length > 0);
}

/** Canonical form for comparisons: leading slash, single slashes, no trailing slash, lower case. */
/**
 * How many ids this process normalised: a test holds joins (assignments x exemptions) to a linear
 * count with it, without a clock (docs/issues/13.md).
 */
export const idWork = { normalizations: 0 };

export function normalizeId(id: string): string {
  idWork.normalizations += 1;
  return `/${segments(id).join("/")}`.toLowerCase();
}

export function sameId(a: string, b: string): boolean {
  return normalizeId(a) === normalizeId(b);
}

/** True when `inner` equals `outer` or lies below it (by whole path segments, ignoring case). */
export function isAtOrBelow(inner: string, outer: string): boolean {
  const innerParts = segments(inner).map((part) => part.toLowerCase());
  const outerParts = segments(outer).map((part) => part.toLowerCase());
  if (outerParts.length > innerParts.length) return false;
  return outerParts.every((part, index) => innerParts[index] === part);
}

export interface ClusterId {
  id: string;
  subscriptionId: string;
  resourceGroup: string;
  name: string;
}

const clusterPattern = /^\/?subscriptions\/([^/]+)\/resourcegroups\/([^/]+)\/providers\/microsoft\.containerservice\/managedclusters\/([^/]+)\/?$/i;

export function parseClusterId(id: string): ClusterId | undefined {
  const match = clusterPattern.exec(`/${segments(id).join("/")}`);
  if (!match) return undefined;
  const [, subscriptionId, resourceGroup, name] = match as unknown as [string, string, string, string];
  return { id: clusterId(subscriptionId, resourceGroup, name), subscriptionId, resourceGroup, name };
}

export function clusterId(subscriptionId: string, resourceGroup: string, name: string): string {
  return `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}/providers/Microsoft.ContainerService/managedClusters/${name}`;
}

export function subscriptionScope(subscriptionId: string): string {
  return `/subscriptions/${subscriptionId}`;
}

export function resourceGroupScope(subscriptionId: string, resourceGroup: string): string {
  return `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}`;
}

export function managementGroupScope(name: string): string {
  return `/providers/Microsoft.Management/managementGroups/${name}`;
}

export type ScopeKind = "managementGroup" | "subscription" | "resourceGroup" | "resource";

export interface ScopeInfo {
  kind: ScopeKind;
  scope: string;
  subscriptionId?: string;
  resourceGroup?: string;
  managementGroup?: string;
}

export function parseScope(scope: string): ScopeInfo {
  const parts = segments(scope);
  const lower = parts.map((part) => part.toLowerCase());
  const normalized = `/${parts.join("/")}`;
  if (lower[0] === "providers" && lower[1] === "microsoft.management" && lower[2] === "managementgroups" && parts[3]) {
    return { kind: "managementGroup", scope: normalized, managementGroup: parts[3] };
  }
  if (lower[0] === "subscriptions" && parts[1]) {
    if (lower[2] === "resourcegroups" && parts[3]) {
      return {
        kind: parts.length > 4 ? "resource" : "resourceGroup",
        scope: normalized,
        subscriptionId: parts[1],
        resourceGroup: parts[3],
      };
    }
    return { kind: "subscription", scope: normalized, subscriptionId: parts[1] };
  }
  throw new Error(`'${scope}' is not an ARM scope (expected /providers/Microsoft.Management/managementGroups/<name>, /subscriptions/<id>[/resourceGroups/<rg>[/providers/...]]).`);
}

/** The subscription a scope or resource id lies in; undefined above subscriptions or for text that is no scope. */
export function subscriptionOfScope(scope: string | undefined): string | undefined {
  if (!scope) return undefined;
  try {
    return parseScope(scope).subscriptionId;
  } catch {
    return undefined;
  }
}

/** Where to look for policy resources (the list calls' targets). */
export type ScopeTarget =
  | { kind: "subscription"; subscriptionId: string }
  | { kind: "resourceGroup"; subscriptionId: string; resourceGroup: string }
  | { kind: "managementGroup"; managementGroup: string }
  | { kind: "cluster"; subscriptionId: string; resourceGroup: string; name: string };

/** The ARM scope id of a list target (for reporting a scope that could not be read). */
export function targetScope(target: ScopeTarget): string {
  switch (target.kind) {
    case "managementGroup":
      return managementGroupScope(target.managementGroup);
    case "subscription":
      return subscriptionScope(target.subscriptionId);
    case "resourceGroup":
      return resourceGroupScope(target.subscriptionId, target.resourceGroup);
    case "cluster":
      return clusterId(target.subscriptionId, target.resourceGroup, target.name);
  }
}

export function targetFromScope(scope: string): ScopeTarget {
  const info = parseScope(scope);
  switch (info.kind) {
    case "managementGroup":
      return { kind: "managementGroup", managementGroup: info.managementGroup as string };
    case "subscription":
      return { kind: "subscription", subscriptionId: info.subscriptionId as string };
    case "resourceGroup":
      return { kind: "resourceGroup", subscriptionId: info.subscriptionId as string, resourceGroup: info.resourceGroup as string };
    case "resource": {
      const parts = info.scope.split("/");
      return { kind: "cluster", subscriptionId: info.subscriptionId as string, resourceGroup: info.resourceGroup as string, name: parts[parts.length - 1] as string };
    }
  }
}

export interface ChildResourceId {
  scope: string;
  name: string;
}

/**
 * Splits '/<scope>/providers/Microsoft.Authorization/<type>/<name>' into scope and name.
 * arm-policy 7 has no *ById methods, so this is how a full id becomes a call.
 */
export function splitAuthorizationId(id: string, type: "policyAssignments" | "policyExemptions" | "policySetDefinitions" | "policyDefinitions"): ChildResourceId | undefined {
  const parts = segments(id);
  for (let index = parts.length - 3; index >= 0; index -= 1) {
    if (
      parts[index]?.toLowerCase() === "providers" &&
      parts[index + 1]?.toLowerCase() === "microsoft.authorization" &&
      parts[index + 2]?.toLowerCase() === type.toLowerCase() &&
      parts.length === index + 4
    ) {
      return { scope: `/${parts.slice(0, index).join("/")}`, name: parts[index + 3] as string };
    }
  }
  return undefined;
}

/** The last segment of an id: the resource's name. */
export function lastSegment(id: string): string {
  const parts = segments(id);
  return parts[parts.length - 1] ?? id;
}

/** A short label for a scope in tables: "mg/contoso", "sub/contoso-prod", "rg/rg-aks", "aks/aks-prod". */
export function scopeLabel(scope: string, subscriptionNames: Map<string, string> = new Map()): string {
  let info: ScopeInfo;
  try {
    info = parseScope(scope);
  } catch {
    return scope;
  }
  const subscription = info.subscriptionId ? (subscriptionNames.get(info.subscriptionId.toLowerCase()) ?? info.subscriptionId) : "";
  switch (info.kind) {
    case "managementGroup":
      return `mg/${info.managementGroup}`;
    case "subscription":
      return `sub/${subscription}`;
    case "resourceGroup":
      return `rg/${subscription}/${info.resourceGroup}`;
    case "resource":
      return `res/${subscription}/${info.resourceGroup}/${lastSegment(scope)}`;
  }
}
