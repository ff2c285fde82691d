// Collection: scopes in, AuditData out. The one function a second engine (Resource Graph) replaces.
// Per subscription a constant number of list calls, whatever the number of clusters or assignments:
//   assignments (1, unfiltered: inherited from management groups plus everything below, $expand versions),
//   managed clusters (1), exemptions (1); plus, once per run, each set definition version in use and
//   the latest version of each set (SetDefinitionCache), and one descendants call per management group
//   named by --management-group or by a management-group notScope whose membership is not otherwise known.
// Subscriptions run in the project's bounded scope pool; a subscription that fails is recorded and the audit goes on.
import type { PolicyAssignment } from "@azure/arm-policy";
import type { AzureSession } from "../azure/session.js";
import type { PolicyExemption } from "../azure/exemptions-client.js";
import { toClusterRecord, type ClusterRecord } from "../azure/clusters.js";
import { normalizeId, parseScope, resourceGroupScope, subscriptionScope } from "../azure/ids.js";
import { mapConcurrent } from "../azure/concurrency.js";
import { readScopes, type ScopeFailures } from "../azure/scope-pool.js";
import { listDescendants } from "../azure/management-groups.js";
import { listAssignmentsAt } from "../policy/assignments.js";
import type { SetDefinition, SetDefinitionCache } from "../policy/definitions.js";
import {
  builtInSetCarriesMembers,
  compareVersions,
  enforcementOf,
  isBuiltInId,
  isSetDefinitionId,
  memberOfDefinition,
  type AssignmentDocument,
  type AssignmentEnforcement,
  type DefinitionDocument,
} from "../effective/index.js";
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
  /** The run's scope failures (AzureSession.scopeFailures): the frame reports them and sets exit 7. */
  failures: ScopeFailures;
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

function managementGroupOf(scope: string | undefined): string | undefined {
  if (!scope) return undefined;
  try {
    const info = parseScope(scope);
    return info.kind === "managementGroup" ? info.managementGroup : undefined;
  } catch {
    return undefined;
  }
}

/** The embedded member definitions, until the model's reader reads them from Azure at their pins. */
async function memberDefinitions(): Promise<readonly DefinitionDocument[]> {
  const { BUILTIN_DEFINITIONS } = await import("../check/builtins.js");
  return BUILTIN_DEFINITIONS as unknown as DefinitionDocument[];
}

/**
 * Which assignments carry pod-security members (the model's catalogue decides for built-in sets; an
 * unknown built-in set and every custom set is read once per run) and what each enforces (the model's
 * enforcementOf, at the set version the assignment uses).
 */
async function carriersOf(assignments: PolicyAssignment[], definitions: SetDefinitionCache, concurrency: number): Promise<Array<{ carrier: Carrier; enforcement: AssignmentEnforcement }>> {
  const members = await memberDefinitions();
  const results = await mapConcurrent(assignments, concurrency, async (assignment) => {
    const id = assignment.policyDefinitionId;
    if (!id || !assignment.id) return undefined;
    let definition: SetDefinition | DefinitionDocument | undefined;
    if (isSetDefinitionId(id)) {
      if (builtInSetCarriesMembers(id) === undefined || !isBuiltInId(id)) {
        // Read the set (once per run) to learn whether it carries a member; one we may not read is not ours to report.
        const latest = await definitions.latest(id, subscriptionOf(assignment.scope)).catch((error: { statusCode?: number }) => {
          if (error.statusCode === 404 || error.statusCode === 403) return undefined;
          throw error;
        });
        if (!latest || !(latest.policyDefinitions ?? []).some((reference) => memberOfDefinition(reference.policyDefinitionId))) return undefined;
      }
      definition = await definitions.forAssignment(assignment, subscriptionOf(assignment.scope));
    } else {
      const member = memberOfDefinition(id);
      if (!member) return undefined;
      definition = members.find((candidate) => (candidate.name ?? "").toLowerCase() === member.definitionName);
      if (!definition) return undefined;
    }
    const enforcement = enforcementOf({ assignment: assignment as AssignmentDocument, definition: definition as DefinitionDocument, memberDefinitions: members });
    if (enforcement.members.length === 0) return undefined;
    return { carrier: await toCarrier(assignment, definition as DefinitionDocument, enforcement, definitions), enforcement };
  });
  return results.filter((entry): entry is { carrier: Carrier; enforcement: AssignmentEnforcement } => entry !== undefined);
}

function subscriptionOf(scope: string | undefined): string | undefined {
  if (!scope) return undefined;
  try {
    return parseScope(scope).subscriptionId;
  } catch {
    return undefined;
  }
}

async function toCarrier(assignment: PolicyAssignment, definition: DefinitionDocument, enforcement: AssignmentEnforcement, definitions: SetDefinitionCache): Promise<Carrier> {
  let newest: string | undefined;
  if (enforcement.definition.kind === "set") {
    const latest = await definitions.latest(enforcement.definition.id, subscriptionOf(assignment.scope));
    const versions = latest.versions?.length ? latest.versions : latest.version ? [latest.version] : [];
    newest = [...versions].sort(compareVersions).pop();
  }
  return carrierFrom(assignment, definition, enforcement, newest);
}

/** The audit's summary of one carrier: the model's enforcement plus what the assignment says about scope and versions. */
export function carrierFrom(
  assignment: Pick<PolicyAssignment, "id" | "name" | "displayName" | "scope" | "definitionVersion" | "effectiveDefinitionVersion" | "notScopes" | "resourceSelectors" | "overrides" | "metadata">,
  definition: DefinitionDocument,
  enforcement: AssignmentEnforcement,
  newest?: string,
): Carrier {
  const declared = definition.parameters ?? definition.properties?.parameters ?? {};
  const version = enforcement.definition.version ?? assignment.effectiveDefinitionVersion;
  return {
    id: assignment.id as string,
    name: assignment.name ?? "",
    ...(assignment.displayName ? { displayName: assignment.displayName } : {}),
    scope: assignment.scope ?? "",
    kind: enforcement.definition.family,
    setDefinitionId: enforcement.definition.id,
    ...(enforcement.definition.displayName ? { setDisplayName: enforcement.definition.displayName } : {}),
    ...(version ? { version } : {}),
    ...(newest ? { latestVersion: newest } : {}),
    ...(assignment.definitionVersion ? { definitionVersion: assignment.definitionVersion } : {}),
    enforcementMode: enforcement.enforcementMode,
    notScopes: assignment.notScopes ?? [],
    resourceSelectors: (assignment.resourceSelectors ?? []) as Carrier["resourceSelectors"],
    overrides: (assignment.overrides ?? []).map((override) => ({ kind: override.kind, value: override.value, selectors: override.selectors })),
    parameters: Object.entries(enforcement.parameters).map(([name, entry]) => ({ name, value: entry.value, source: entry.source, defaultValue: declared[name]?.defaultValue })),
    referenceIds: enforcement.definition.kind === "set" ? (definition.policyDefinitions ?? definition.properties?.policyDefinitions ?? []).map((reference) => reference.policyDefinitionReferenceId ?? reference.policyDefinitionId ?? "") : [],
    members: enforcement.members.map((member) => ({
      member: member.member,
      referenceId: member.referenceId,
      definitionId: member.definitionId,
      effect: member.effect,
      warn: member.warn,
      excludedNamespaces: member.excludedNamespaces,
      namespaces: member.namespaces,
      ...(member.origins.effect.kind === "override" ? { overriddenTo: member.effect } : {}),
    })),
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
  const scopeId = (scope: AuditScope) => (scope.resourceGroup ? resourceGroupScope(scope.subscriptionId, scope.resourceGroup) : subscriptionScope(scope.subscriptionId));
  // The project's one scope pool: a scope that fails is recorded (the frame reports it and exits 7) and the audit goes on.
  const reads = await readScopes(request.failures, scopes, scopeId, request.concurrency, async (scope) => {
    try {
      const read = await readScope(session, scope);
      clusterCount += read.clusters.length;
      return read;
    } finally {
      done += 1;
      report();
    }
  });
  const readByScope = new Map(reads.map((entry) => [entry.item, entry.value]));
  const failed = new Map(request.failures.list().map((failure) => [failure.scope.toLowerCase(), failure]));

  const scopeResults: ScopeResult[] = [];
  const assignments = new Map<string, PolicyAssignment>();
  const exemptions = new Map<string, AuditExemption>();
  const clusters: AuditCluster[] = [];
  const subscriptionNames: Record<string, string> = {};
  const groupsOfSubscription = new Map<string, string[]>();
  for (const scope of scopes) {
    const label = scope.resourceGroup ? `${scope.subscriptionName}/${scope.resourceGroup}` : scope.subscriptionName;
    const id = scopeId(scope);
    subscriptionNames[scope.subscriptionId.toLowerCase()] = scope.subscriptionName;
    const read = readByScope.get(scope);
    if (!read) {
      const failure = failed.get(id.toLowerCase());
      scopeResults.push({ scope: id, label, status: "failed", error: { ...(failure ? { code: failure.code } : {}), message: failure?.message ?? "not read" } });
      continue;
    }
    scopeResults.push({ scope: id, label, status: "ok" });
    // A management-group assignment in a subscription's unfiltered list applies there: the subscription is below it.
    // Every cluster of the subscription shares this list, so groups learnt below (notScopes) reach them all.
    const groups = [...(scope.managementGroups ?? [])];
    for (const assignment of read.assignments) {
      if (assignment.id) assignments.set(normalizeId(assignment.id), assignment);
      const group = managementGroupOf(assignment.scope);
      if (group && !groups.some((known) => known.toLowerCase() === group.toLowerCase())) groups.push(group);
    }
    groupsOfSubscription.set(scope.subscriptionId.toLowerCase(), groups);
    for (const exemption of read.exemptions) exemptions.set(normalizeId(exemption.id), toExemption(exemption));
    for (const cluster of read.clusters) {
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
  }

  const found = await carriersOf([...assignments.values()], definitions, request.concurrency);
  const carriers = found.map((entry) => entry.carrier);
  const enforcements = Object.fromEntries(found.map((entry) => [entry.carrier.id, entry.enforcement]));

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
    enforcements,
    exemptions: [...exemptions.values()].sort((a, b) => a.id.localeCompare(b.id)),
    assignmentIds: [...assignments.keys()],
    subscriptionNames,
  };
}
