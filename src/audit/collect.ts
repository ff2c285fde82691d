// Collection: scopes in, AuditData out. The one function a second engine (Resource Graph) replaces.
// Per subscription a constant number of list calls, whatever the number of clusters or assignments:
//   assignments (1, unfiltered: inherited from management groups plus everything below, $expand versions),
//   managed clusters (1), exemptions (1); plus, once per run, each set definition version in use and
//   the latest version of each set (SetDefinitionCache), and one descendants call per management group
//   named by --management-group or by a management-group notScope whose membership is not otherwise known.
// Subscriptions run in a bounded pool; a subscription that fails is recorded and the audit goes on.
import type { PolicyAssignment } from "@azure/arm-policy";
import type { AzureSession } from "../azure/session.js";
import type { PolicyExemption } from "../azure/exemptions-client.js";
import { toClusterRecord, type ClusterRecord } from "../azure/clusters.js";
import { normalizeId, parseScope, resourceGroupScope, subscriptionScope } from "../azure/ids.js";
import { settleConcurrent } from "../azure/concurrency.js";
import { listDescendants } from "../azure/management-groups.js";
import { classifyAssignments, listAssignmentsAt, type PodSecurityAssignment } from "../policy/assignments.js";
import { memberDefinitionIds } from "../policy/catalog.js";
import type { SetDefinition, SetDefinitionCache } from "../policy/definitions.js";
import { effectiveEffect, effectiveParameters } from "../policy/parameters.js";
import { compareVersions } from "../policy/versions.js";
import type { AuditCluster, AuditData, AuditExemption, Carrier, ScopeResult } from "./types.js";

export interface AuditScope {
  subscriptionId: string;
  subscriptionName: string;
  /** Only this resource group of the subscription. */
  resourceGroup?: string;
  /** Management groups above the subscription, nearest first, when known from the hierarchy. */
  managementGroups?: string[];
}

export interface CollectProgress {
  scopesDone: number;
  scopesTotal: number;
  clusters: number;
}

export interface CollectRequest {
  session: AzureSession;
  definitions: SetDefinitionCache;
  scopes: AuditScope[];
  concurrency: number;
  now: Date;
  onProgress?: (progress: CollectProgress) => void;
}

interface ScopeRead {
  assignments: PolicyAssignment[];
  clusters: ClusterRecord[];
  exemptions: PolicyExemption[];
}

async function readScope(session: AzureSession, scope: AuditScope): Promise<ScopeRead> {
  const target = scope.resourceGroup
    ? ({ kind: "resourceGroup", subscriptionId: scope.subscriptionId, resourceGroup: scope.resourceGroup } as const)
    : ({ kind: "subscription", subscriptionId: scope.subscriptionId } as const);
  const [assignments, clusters, exemptions] = await Promise.all([
    listAssignmentsAt(session, target),
    (async () => {
      const client = await session.containerClient(scope.subscriptionId);
      const pages = scope.resourceGroup ? client.managedClusters.listByResourceGroup(scope.resourceGroup) : client.managedClusters.list();
      const result: ClusterRecord[] = [];
      for await (const cluster of pages) result.push(toClusterRecord(cluster));
      return result;
    })(),
    (async () => (await session.exemptions()).list(scope.resourceGroup ? resourceGroupScope(scope.subscriptionId, scope.resourceGroup) : subscriptionScope(scope.subscriptionId)))(),
  ]);
  return { assignments, clusters, exemptions };
}

function describeError(error: unknown): NonNullable<ScopeResult["error"]> {
  const rest = error as { statusCode?: number; code?: string; message?: string };
  return { ...(rest.statusCode ? { status: rest.statusCode } : {}), ...(rest.code ? { code: rest.code } : {}), message: (rest.message ?? String(error)).split("\n")[0] as string };
}

function managementGroupOf(scope: string | undefined): string | undefined {
  if (!scope) return undefined;
  try {
    const info = parseScope(scope);
    return info.kind === "managementGroup" ? info.managementGroup : undefined;
  } catch {
    return undefined;
  }
}

async function toCarrier(entry: PodSecurityAssignment, definitions: SetDefinitionCache): Promise<Carrier> {
  const { assignment } = entry;
  const definition: SetDefinition = await definitions.forAssignment(assignment);
  const latest = await definitions.latest(assignment.policyDefinitionId as string);
  const versions = latest.versions?.length ? latest.versions : latest.version ? [latest.version] : [];
  const newest = [...versions].sort(compareVersions).pop();
  const withoutOverrides = { ...assignment, overrides: [] };
  const members = (definition.policyDefinitions ?? [])
    .filter((member) => memberDefinitionIds.has(member.policyDefinitionId.toLowerCase()))
    .map((member) => {
      const referenceId = member.policyDefinitionReferenceId ?? member.policyDefinitionId;
      // Unverified for custom sets that hard-code a member's effect: the set's `effect` parameter is taken.
      const effect = effectiveEffect(assignment, definition, referenceId) ?? "Audit";
      const plain = effectiveEffect(withoutOverrides, definition, referenceId) ?? "Audit";
      return { referenceId, definitionId: member.policyDefinitionId, effect, ...(effect !== plain ? { overriddenTo: effect } : {}) };
    });
  return {
    id: assignment.id as string,
    name: assignment.name ?? "",
    ...(assignment.displayName ? { displayName: assignment.displayName } : {}),
    scope: assignment.scope ?? "",
    kind: entry.kind,
    setDefinitionId: assignment.policyDefinitionId as string,
    ...(definition.displayName ? { setDisplayName: definition.displayName } : {}),
    ...((definition.version ?? assignment.effectiveDefinitionVersion) ? { version: definition.version ?? assignment.effectiveDefinitionVersion } : {}),
    ...(newest ? { latestVersion: newest } : {}),
    ...(assignment.definitionVersion ? { definitionVersion: assignment.definitionVersion } : {}),
    enforcementMode: assignment.enforcementMode ?? "Default",
    notScopes: assignment.notScopes ?? [],
    resourceSelectors: (assignment.resourceSelectors ?? []) as Carrier["resourceSelectors"],
    overrides: (assignment.overrides ?? []).map((override) => ({ kind: override.kind, value: override.value, selectors: override.selectors })),
    parameters: effectiveParameters(assignment, definition).map((parameter) => ({ name: parameter.name, value: parameter.value, source: parameter.source, defaultValue: parameter.defaultValue })),
    referenceIds: (definition.policyDefinitions ?? []).map((member) => member.policyDefinitionReferenceId ?? member.policyDefinitionId),
    members,
    metadata: (assignment.metadata ?? {}) as Record<string, unknown>,
  };
}

function toExemption(exemption: PolicyExemption): AuditExemption {
  const properties = exemption.properties;
  return {
    id: exemption.id,
    name: exemption.name,
    scope: exemption.id.replace(/\/providers\/Microsoft\.Authorization\/policyExemptions\/[^/]+$/i, ""),
    policyAssignmentId: properties.policyAssignmentId,
    policyDefinitionReferenceIds: properties.policyDefinitionReferenceIds ?? [],
    category: properties.exemptionCategory,
    expiresOn: properties.expiresOn ?? null,
    ...(properties.displayName ? { displayName: properties.displayName } : {}),
    ...(properties.description ? { description: properties.description } : {}),
    metadata: (properties.metadata ?? {}) as Record<string, unknown>,
  };
}

/** Reads every scope (bounded pool, per-scope failures recorded) and returns the audit's plain data. */
export async function collectAuditData(request: CollectRequest): Promise<AuditData> {
  const { session, definitions, scopes } = request;
  let done = 0;
  let clusterCount = 0;
  const report = () => request.onProgress?.({ scopesDone: done, scopesTotal: scopes.length, clusters: clusterCount });
  report();
  const reads = await settleConcurrent(scopes, request.concurrency, async (scope) => {
    try {
      const read = await readScope(session, scope);
      clusterCount += read.clusters.length;
      return read;
    } finally {
      done += 1;
      report();
    }
  });

  const scopeResults: ScopeResult[] = [];
  const assignments = new Map<string, PolicyAssignment>();
  const exemptions = new Map<string, AuditExemption>();
  const clusters: AuditCluster[] = [];
  const subscriptionNames: Record<string, string> = {};
  const groupsOfSubscription = new Map<string, string[]>();
  reads.forEach((read, index) => {
    const scope = scopes[index] as AuditScope;
    const label = scope.resourceGroup ? `${scope.subscriptionName}/${scope.resourceGroup}` : scope.subscriptionName;
    const id = scope.resourceGroup ? resourceGroupScope(scope.subscriptionId, scope.resourceGroup) : subscriptionScope(scope.subscriptionId);
    subscriptionNames[scope.subscriptionId.toLowerCase()] = scope.subscriptionName;
    if (!read.ok) {
      scopeResults.push({ scope: id, label, status: "failed", error: describeError(read.error) });
      return;
    }
    scopeResults.push({ scope: id, label, status: "ok" });
    // A management-group assignment in a subscription's unfiltered list applies there: the subscription is below it.
    const groups = [...(scope.managementGroups ?? [])];
    for (const assignment of read.value.assignments) {
      if (assignment.id) assignments.set(normalizeId(assignment.id), assignment);
      const group = managementGroupOf(assignment.scope);
      if (group && !groups.some((known) => known.toLowerCase() === group.toLowerCase())) groups.push(group);
    }
    groupsOfSubscription.set(scope.subscriptionId.toLowerCase(), groups);
    for (const exemption of read.value.exemptions) exemptions.set(normalizeId(exemption.id), toExemption(exemption));
    for (const cluster of read.value.clusters) {
      clusters.push({
        id: cluster.id,
        name: cluster.name,
        subscriptionId: cluster.subscriptionId,
        resourceGroup: cluster.resourceGroup,
        ...(cluster.location ? { location: cluster.location } : {}),
        azurePolicyEnabled: cluster.azurePolicyEnabled === true,
        tags: (cluster.raw.tags ?? {}) as Record<string, string>,
        managementGroups: groups,
      });
    }
  });

  const classified = await classifyAssignments(definitions, [...assignments.values()], request.concurrency);
  const carriers = await Promise.all(classified.map((entry) => toCarrier(entry, definitions)));

  // Management-group notScopes: learn which subscriptions are below each group not already known (one call each).
  const unknownGroups = new Set<string>();
  for (const carrier of carriers) {
    for (const notScope of carrier.notScopes) {
      const group = managementGroupOf(notScope);
      if (group && ![...groupsOfSubscription.values()].some((groups) => groups.some((known) => known.toLowerCase() === group.toLowerCase()))) unknownGroups.add(group);
    }
  }
  for (const group of unknownGroups) {
    const descendants = await listDescendants(session, group);
    for (const descendant of descendants) {
      if (descendant.kind !== "subscription") continue;
      groupsOfSubscription.get(descendant.name.toLowerCase())?.push(group);
    }
  }

  return {
    generatedAt: request.now.toISOString(),
    scopes: scopeResults,
    clusters: clusters.sort((a, b) => a.id.localeCompare(b.id)),
    carriers: carriers.sort((a, b) => a.scope.localeCompare(b.scope) || a.name.localeCompare(b.name)),
    exemptions: [...exemptions.values()].sort((a, b) => a.id.localeCompare(b.id)),
    assignmentIds: [...assignments.keys()],
    subscriptionNames,
  };
}
