// Collection: scopes in, AuditData out. The scopes are read through an EstateSource (src/estate/): ARM
// list calls per scope, or Resource Graph queries for all of them (--engine); the rest is the same.
// Per subscription a constant number of list calls, whatever the number of clusters or assignments:
//   assignments (1, unfiltered: inherited from management groups plus everything below, $expand versions),
//   managed clusters (1), exemptions (1); plus, once per run, each set definition version in use and
//   the latest version of each set (SetDefinitionCache), and one descendants call per management group
//   named by --management-group or by a management-group notScope whose membership is not otherwise known.
// Subscriptions run in the project's bounded scope pool; a subscription that fails is recorded and the audit goes on.
import type { PolicyAssignment } from "../azure/assignments.js";
import type { AzureSession } from "../azure/session.js";
import type { PolicyExemption } from "../azure/exemptions-client.js";
import { normalizeId, parseScope, resourceGroupScope, subscriptionScope } from "../azure/ids.js";
import { mapConcurrent } from "../azure/concurrency.js";
import { readScopes, type ScopeFailures } from "../azure/scope-pool.js";
import { listDescendants } from "../azure/management-groups.js";
import { armSource, type EstateSource } from "../estate/source.js";
import type { SetDefinitionCache } from "../policy/definitions.js";
import { compareVersions, flattenDefinition, type AssignmentDocument, type AssignmentEnforcement, type DefinitionDocument, type SafeguardsSetting } from "../effective/index.js";
import { readSafeguardsSetting, sessionReader } from "../effective/azure.js";
import type { AuditCluster, AuditData, AuditExemption, Carrier, ScopeResult } from "./types.js";
import { exemptionScope } from "../exemptions/plan.js";

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
  /** Read each cluster's Deployment Safeguards setting (one request per cluster). */
  safeguards?: boolean;
  onProgress?: (progress: CollectProgress) => void;
  /** Where the scopes are read from; default ARM (three list calls per scope). */
  source?: EstateSource;
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

/**
 * Which assignments carry pod-security members and what each enforces, through the model's reader
 * (src/effective): it decides from the carriers catalogue which built-in sets carry members, reads
 * custom sets and unknown built-in sets, and reads each set and member definition once per version
 * per run, at the version the assignment uses and the versions the set pins.
 */
type CarrierEntry = { carrier: Carrier; enforcement: AssignmentEnforcement } | undefined;

/**
 * The carrier of each assignment, computed once per assignment id: started as soon as the estate source
 * names the assignment (so definitions are read while the rest of the estate is still arriving), and
 * awaited for the assignments the audit keeps. A failure is kept in the promise and thrown where the
 * carrier is used, as if it had been computed then.
 */
class Carriers {
  private readonly started = new Map<string, Promise<CarrierEntry>>();
  private readonly reader: ReturnType<typeof sessionReader>;
  /** Carriers asked for early, computed in the background a slice at a time. */
  private readonly queue: Array<() => Promise<unknown>> = [];
  private workers = 0;
  private sliceStart = 0;

  constructor(
    session: AzureSession,
    definitions: SetDefinitionCache,
    private readonly concurrency: number,
  ) {
    this.reader = sessionReader(session, definitions);
  }

  /** The carrier of an assignment; `early` computes it in the background (see background()). */
  of(assignment: PolicyAssignment, early = false): Promise<CarrierEntry> {
    const key = normalizeId(assignment.id ?? "");
    let entry = this.started.get(key);
    if (entry === undefined) {
      entry = early ? new Promise<CarrierEntry>((resolve, reject) => this.background(() => carrierOf(this.reader, assignment).then(resolve, reject))) : carrierOf(this.reader, assignment);
      // Awaited later (or never, for an assignment of a scope that then failed): not an unhandled rejection.
      entry.catch(() => undefined);
      this.started.set(key, entry);
    }
    return entry;
  }

  /**
   * Background work gives the event loop back every few milliseconds, so the reads still in flight (and
   * the wait for Resource Graph's quota) are served on time while thousands of carriers are computed.
   */
  private background(job: () => Promise<unknown>): void {
    this.queue.push(job);
    while (this.workers < this.concurrency && this.workers < this.queue.length) {
      this.workers += 1;
      void this.work();
    }
  }

  private async work(): Promise<void> {
    try {
      for (let job = this.queue.shift(); job !== undefined; job = this.queue.shift()) {
        await job();
        if (performance.now() - this.sliceStart > 10) {
          await new Promise((resolve) => setImmediate(resolve));
          this.sliceStart = performance.now();
        }
      }
    } finally {
      this.workers -= 1;
    }
  }

  async all(assignments: PolicyAssignment[]): Promise<Array<{ carrier: Carrier; enforcement: AssignmentEnforcement }>> {
    const results = await mapConcurrent(assignments, this.concurrency, (assignment) => this.of(assignment));
    return results.filter((entry): entry is { carrier: Carrier; enforcement: AssignmentEnforcement } => entry !== undefined);
  }
}

async function carrierOf(reader: ReturnType<typeof sessionReader>, assignment: PolicyAssignment): Promise<CarrierEntry> {
  const document = assignment as AssignmentDocument;
  const enforcement = await reader.enforcement(document);
  if (!enforcement || enforcement.members.length === 0) return undefined;
  // Read already (cached): the set's declared defaults and reference ids, and its newest version.
  const definition = await reader.definitionAt(enforcement.definition.id, assignment.definitionVersion, assignment.effectiveDefinitionVersion);
  const newestOf = async (setId: string) => {
    const latest = flattenDefinition(await reader.definition(setId));
    return [...(latest.versions?.length ? latest.versions : latest.version ? [latest.version] : [])].sort(compareVersions).pop();
  };
  const newest = enforcement.definition.kind === "set" ? await newestOf(enforcement.definition.id) : undefined;
  // An akspol custom initiative: the newest version of the built-in it was made from (AKS403).
  const madeFrom = enforcement.definition.madeFrom;
  const newestBuiltIn = madeFrom ? await newestOf(madeFrom.id) : undefined;
  return { carrier: carrierFrom(assignment, definition, enforcement, newest, newestBuiltIn), enforcement };
}

/** The audit's summary of one carrier: the model's enforcement plus what the assignment says about scope and versions. */
export function carrierFrom(
  assignment: Pick<PolicyAssignment, "id" | "name" | "displayName" | "scope" | "definitionVersion" | "effectiveDefinitionVersion" | "notScopes" | "resourceSelectors" | "overrides" | "metadata">,
  definition: DefinitionDocument,
  enforcement: AssignmentEnforcement,
  newest?: string,
  newestBuiltIn?: string,
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
    ...(enforcement.definition.madeFrom ? { madeFrom: { ...enforcement.definition.madeFrom, ...(newestBuiltIn ? { latestVersion: newestBuiltIn } : {}) } } : {}),
    enforcementMode: enforcement.enforcementMode,
    notScopes: assignment.notScopes ?? [],
    resourceSelectors: (assignment.resourceSelectors ?? []) as Carrier["resourceSelectors"],
    overrides: (assignment.overrides ?? []).map((override) => ({ kind: override.kind, value: override.value, selectors: override.selectors })),
    parameters: Object.entries(enforcement.parameters).map(([name, entry]) => ({ name, value: entry.value, source: entry.source, defaultValue: declared[name]?.defaultValue })),
    referenceIds:
      enforcement.definition.kind === "set"
        ? (definition.policyDefinitions ?? definition.properties?.policyDefinitions ?? []).map((reference) => reference.policyDefinitionReferenceId ?? reference.policyDefinitionId ?? "")
        : [],
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
    scope: exemptionScope(exemption.id),
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
  // Through the estate source (ARM's scope pool, or Resource Graph): a scope that fails is recorded (the frame
  // reports it and exits 7) and the audit goes on.
  const source = request.source ?? armSource(session, request.concurrency);
  const carriersOf = new Carriers(session, definitions, request.concurrency);
  const reads = await source.readScopes(
    scopes,
    request.failures,
    (read) => {
      clusterCount += read?.clusters.length ?? 0;
      done += 1;
      report();
    },
    (listed) => {
      for (const assignment of listed) if (assignment.id) void carriersOf.of(assignment, true);
    },
  );
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

  if (request.safeguards) {
    // One GET per cluster (404: not enabled); a cluster whose setting cannot be read is a failed scope.
    const settings = await readScopes(
      request.failures,
      clusters,
      (cluster) => cluster.id,
      request.concurrency,
      (cluster) => readSafeguardsSetting(session, cluster.id),
    );
    for (const { item, value } of settings) if (value) item.safeguards = value as SafeguardsSetting;
  }

  const found = await carriersOf.all([...assignments.values()]);
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
