// ARM resource ids and scopes. ARM matches path segments case-insensitively and tolerates repeated
// slashes (the SDKs build `//subscriptions/...` and `providers///Microsoft.ContainerService/...`,
// see docs/reference/arm-contract.md §2.2), so everything here works on normalized ids and compares keys.

export type ScopeKind = "tenant" | "managementGroup" | "subscription" | "resourceGroup" | "resource";

export interface ParsedScope {
  kind: ScopeKind;
  /** Normalized id with a leading slash and the caller's casing ("" for the tenant). */
  id: string;
  managementGroup?: string;
  subscriptionId?: string;
  resourceGroup?: string;
  /** For resources: provider namespace, e.g. Microsoft.ContainerService. */
  providerNamespace?: string;
  /** For resources: full type, e.g. Microsoft.ContainerService/managedClusters. */
  resourceType?: string;
  resourceName?: string;
}

/** Collapses repeated slashes, adds a leading slash and drops a trailing one. */
export function normalizePath(path: string): string {
  const collapsed = ("/" + path).replace(/\/{2,}/g, "/");
  return collapsed.length > 1 && collapsed.endsWith("/") ? collapsed.slice(0, -1) : collapsed;
}

export function segmentsOf(path: string): string[] {
  return normalizePath(path)
    .split("/")
    .filter((segment) => segment.length > 0);
}

/** The case-insensitive key under which a resource or scope id is stored. */
export function keyOf(id: string): string {
  return id === "" || id === "/" ? "" : normalizePath(id).toLowerCase();
}

export function eq(a: string | null | undefined, b: string | null | undefined): boolean {
  return typeof a === "string" && typeof b === "string" && a.toLowerCase() === b.toLowerCase();
}

/** Parses a scope given as segments; returns undefined when the segments are not a scope ARM knows. */
export function parseScopeSegments(segments: string[]): ParsedScope | undefined {
  const id = segments.length === 0 ? "" : "/" + segments.join("/");
  if (segments.length === 0) return { kind: "tenant", id };
  if (segments.length === 4 && eq(segments[0], "providers") && eq(segments[1], "Microsoft.Management") && eq(segments[2], "managementGroups")) {
    return { kind: "managementGroup", id, managementGroup: segments[3] };
  }
  if (!eq(segments[0], "subscriptions") || segments.length < 2) return undefined;
  const subscriptionId = segments[1];
  if (segments.length === 2) return { kind: "subscription", id, subscriptionId };
  if (!eq(segments[2], "resourceGroups") || segments.length < 4) return undefined;
  const resourceGroup = segments[3];
  if (segments.length === 4) return { kind: "resourceGroup", id, subscriptionId, resourceGroup };
  // .../providers/{namespace}/{type}/{name}[/{childType}/{childName}]...
  const rest = segments.slice(4);
  if (!eq(rest[0], "providers") || rest.length < 4 || (rest.length - 2) % 2 !== 0) return undefined;
  const providerNamespace = rest[1];
  const typeParts: string[] = [];
  let resourceName = "";
  for (let index = 2; index < rest.length; index += 2) {
    typeParts.push(rest[index]);
    resourceName = rest[index + 1];
  }
  return {
    kind: "resource",
    id,
    subscriptionId,
    resourceGroup,
    providerNamespace,
    resourceType: `${providerNamespace}/${typeParts.join("/")}`,
    resourceName,
  };
}

export function parseScope(scope: string): ParsedScope | undefined {
  return parseScopeSegments(segmentsOf(scope));
}

export function managementGroupId(name: string): string {
  return `/providers/Microsoft.Management/managementGroups/${name}`;
}

export function subscriptionScopeId(subscriptionId: string): string {
  return `/subscriptions/${subscriptionId}`;
}

export function resourceGroupId(subscriptionId: string, name: string): string {
  return `/subscriptions/${subscriptionId}/resourceGroups/${name}`;
}

export function managedClusterId(subscriptionId: string, resourceGroup: string, name: string): string {
  return `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}/providers/Microsoft.ContainerService/managedClusters/${name}`;
}

/** Splits `<scope>/providers/Microsoft.Authorization/<type>/<name>` into scope and name. */
export function splitExtensionId(id: string, type: string): { scope: string; name: string } | undefined {
  const segments = segmentsOf(id);
  for (let index = segments.length - 4; index >= 0; index--) {
    if (eq(segments[index], "providers") && eq(segments[index + 1], "Microsoft.Authorization") && eq(segments[index + 2], type) && index + 4 === segments.length) {
      const scopeSegments = segments.slice(0, index);
      return { scope: scopeSegments.length === 0 ? "" : "/" + scopeSegments.join("/"), name: segments[index + 3] };
    }
  }
  return undefined;
}
