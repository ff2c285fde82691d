import type { Context } from "../context.js";
import { listClusters, type ClusterRecord } from "../azure/clusters.js";
import type { PolicyExemption } from "../azure/exemptions-client.js";
import { mapConcurrent } from "../azure/concurrency.js";
import { isAtOrBelow, normalizeId, parseClusterId, parseScope, subscriptionScope } from "../azure/ids.js";
import { isGuid, type SubscriptionRef } from "../azure/subscriptions.js";
import { AkspolError, AuthError, PartialFailureError } from "../errors.js";
import { toAkspolError } from "../azure/error-classifier.js";
import { SetDefinitionCache } from "../policy/definitions.js";
import { listAssignmentsAt, type PolicyAssignment } from "../azure/assignments.js";
import { DesiredStateError, type DesiredExemption, type DesiredStateFile, type FileError, type Position } from "./desired-state.js";
import { findClusterIn, lookupSubscriptions } from "./lookup.js";
import type { DesiredState } from "./plan.js";
import { applicableAssignments, assignedSet, resolveApplicableAssignment, type ApplicableAssignment } from "./applicable.js";
import { exemptionProperties, resolveReferences, type AssignedSet } from "./validate.js";

/** The slice of the context these functions use (main passes the whole context; a test may build just this). */
export type DesiredStateDeps = Pick<Context, "azure" | "globals" | "subscriptions">;

/**
 * Turns a parsed desired-state file into exemption bodies by reading Azure (clusters, the
 * assignments that apply to them, the assigned set definitions). Nothing is written. Every problem
 * is collected with the file position of the field it is about, and the file is rejected whole.
 */
export interface ResolvedFile {
  desired: DesiredState[];
  /** The cluster scopes the entries are on, plus the file's `scopes:`. */
  coveredScopes: string[];
}

export async function resolveDesiredState(ctx: DesiredStateDeps, file: DesiredStateFile, principal: { id: string; name: string }): Promise<ResolvedFile> {
  const session = ctx.azure;
  const definitions = new SetDefinitionCache(session);
  const errors: FileError[] = [];
  const fail = (at: Position | undefined, error: unknown) => {
    // Only what the file says is a file error. Azure or the network failing (503, a dropped
    // connection, an expired token, a missing permission, subscriptions that could not be read) is
    // not "file is not valid": it stops the command with its own classification (1, 4 or 7).
    if (!(error instanceof AkspolError) || error instanceof AuthError || error instanceof PartialFailureError) throw toAkspolError(error);
    const message = error instanceof AkspolError ? `${error.message}${error.suggestion ? ` (${error.suggestion})` : ""}` : String((error as Error)?.message ?? error);
    errors.push({ line: at?.line ?? 1, column: at?.column ?? 1, message: message.replace(/\n/g, " ") });
  };

  let subscriptionsPromise: Promise<SubscriptionRef[]> | undefined;
  const subscriptions = () => (subscriptionsPromise ??= lookupSubscriptions(ctx));
  let clusterListPromise: Promise<ClusterRecord[]> | undefined;
  const clusterCache = new Map<string, Promise<ClusterRecord>>();
  // Names: one cluster list per visible subscription, shared by every entry of the file, when some
  // entry (or `scopes:` name) gives no subscription. Otherwise an entry naming its subscription lists
  // only that one (docs/issues/13.md: one list per subscription the file touches).
  const needsEveryList = file.exemptions.some((entry) => !entry.subscription && !parseClusterId(entry.cluster)) || file.scopes.some((scope) => !scope.value.includes("/"));
  const listed = () => (clusterListPromise ??= (async () => listClusters(session, await subscriptions()))());
  const clustersIn = new Map<string, Promise<ClusterRecord[]>>();
  const listedIn = (subscription: SubscriptionRef) => {
    const key = subscription.id.toLowerCase();
    let promise = clustersIn.get(key);
    if (!promise) clustersIn.set(key, (promise = listClusters(session, [subscription])));
    return promise;
  };

  // A subscription id is used as it is (no request, as --subscription does); a name costs the
  // subscription list, once per process (the context keeps it). When Azure refuses or does not know
  // what an id-given entry asks for, the list says whether the subscription is visible at all.
  const findSubscription = async (wanted: string): Promise<SubscriptionRef> => {
    if (isGuid(wanted)) return { id: wanted, name: wanted };
    return visibleSubscription(wanted);
  };
  const visibleSubscription = async (wanted: string): Promise<SubscriptionRef> => {
    const match = (await ctx.subscriptions({ all: true })).find((subscription) => subscription.id.toLowerCase() === wanted.toLowerCase() || subscription.name.toLowerCase() === wanted.toLowerCase());
    if (!match) throw new AkspolError(`subscription '${wanted}' is not visible to the signed-in principal`);
    return match;
  };

  const clusterFor = (reference: string, resourceGroup?: string, subscription?: string): Promise<ClusterRecord> => {
    const key = `${reference}|${resourceGroup ?? ""}|${subscription ?? ""}`.toLowerCase();
    let promise = clusterCache.get(key);
    if (!promise) {
      promise = (async () => {
        try {
          return await findClusterFor(reference, resourceGroup, subscription);
        } catch (error) {
          // Refused, not found or unreadable: say so of the subscription when it is not visible at all.
          if (subscription && isGuid(subscription)) await visibleSubscription(subscription);
          throw error;
        }
      })();
      clusterCache.set(key, promise);
    }
    return promise;
  };
  const findClusterFor = async (reference: string, resourceGroup?: string, subscription?: string): Promise<ClusterRecord> => {
    if (parseClusterId(reference) || resourceGroup) {
      return findClusterIn({ session, reference, resourceGroup, subscriptions: async () => (subscription ? [await findSubscription(subscription)] : subscriptions()), listed });
    }
    let clusters: ClusterRecord[];
    if (subscription) {
      const wanted = await findSubscription(subscription);
      clusters = needsEveryList ? (await listed()).filter((cluster) => cluster.subscriptionId.toLowerCase() === wanted.id.toLowerCase()) : await listedIn(wanted);
      if (needsEveryList && clusters.length === 0 && !(await subscriptions()).some((s) => s.id.toLowerCase() === wanted.id.toLowerCase())) clusters = await listedIn(wanted);
    } else clusters = await listed();
    const matches = clusters.filter((cluster) => cluster.name.toLowerCase() === reference.toLowerCase());
    if (matches.length === 1) return matches[0] as ClusterRecord;
    // Not found where Azure could be read, and some subscriptions could not: that is Azure failing, not the file.
    if (matches.length === 0 && session.scopeFailures.size > 0) throw session.scopeFailures.unreachable(`AKS cluster '${reference}' was not found in the subscriptions that could be read`);
    if (matches.length === 0) throw new AkspolError(`no AKS cluster named '${reference}' was found${subscription ? ` in ${subscription}` : ""}`);
    throw new AkspolError(`'${reference}' names ${matches.length} clusters (${matches.map((cluster) => cluster.resourceGroup).join(", ")}); add resourceGroup`);
  };

  // One assignment list per subscription, shared by every cluster of the file in it (docs/issues/13.md): it
  // holds what applies from above (management groups, the subscription) and what sits below.
  const subscriptionAssignments = new Map<string, Promise<PolicyAssignment[]>>();
  const assignmentsIn = (subscriptionId: string) => {
    const key = subscriptionId.toLowerCase();
    let promise = subscriptionAssignments.get(key);
    if (!promise) {
      promise = listAssignmentsAt(session, { kind: "subscription", subscriptionId });
      subscriptionAssignments.set(key, promise);
    }
    return promise;
  };
  const applicableCache = new Map<string, Promise<{ applicable: ApplicableAssignment[]; notApplicable: ApplicableAssignment[] }>>();
  const applicableFor = (cluster: ClusterRecord) => {
    const key = normalizeId(cluster.id);
    let promise = applicableCache.get(key);
    if (!promise) {
      promise = (async () => applicableAssignments(session, definitions, cluster, await assignmentsIn(cluster.subscriptionId)))();
      applicableCache.set(key, promise);
    }
    return promise;
  };
  const setCache = new Map<string, Promise<AssignedSet>>();
  const setFor = (assignment: PolicyAssignment, cluster: ClusterRecord) => {
    const key = normalizeId(assignment.id ?? "");
    let promise = setCache.get(key);
    if (!promise) {
      promise = assignedSet(definitions, assignment, cluster.subscriptionId);
      setCache.set(key, promise);
    }
    return promise;
  };

  const resolved = await mapConcurrent(file.exemptions, ctx.globals.concurrency, async (entry: DesiredExemption): Promise<DesiredState | undefined> => {
    let cluster: ClusterRecord;
    try {
      cluster = await clusterFor(entry.cluster, entry.resourceGroup, entry.subscription);
    } catch (error) {
      fail(entry.at.cluster, error);
      return undefined;
    }
    let assignment: PolicyAssignment;
    try {
      assignment = await resolveApplicableAssignment(session, definitions, cluster, entry.assignment, await applicableFor(cluster));
    } catch (error) {
      fail(entry.at.assignment, error);
      return undefined;
    }
    let referenceIds: string[] | undefined;
    if (entry.policies !== "all") {
      try {
        referenceIds = resolveReferences(entry.policies, await setFor(assignment, cluster));
      } catch (error) {
        fail(entry.at.policies, error);
        return undefined;
      }
    }
    const properties = exemptionProperties({
      cluster,
      assignment,
      referenceIds,
      category: entry.category,
      expiresOn: entry.expiresOn,
      reason: entry.reason,
      ticket: entry.ticket,
      owner: file.owner,
      displayName: entry.displayName,
      principal,
    });
    return {
      id: `${cluster.id}/providers/Microsoft.Authorization/policyExemptions/${entry.name}`,
      scope: cluster.id,
      name: entry.name,
      cluster: cluster.name,
      properties,
      index: entry.index,
    };
  });

  const coveredScopes = new Set<string>();
  for (const item of resolved) if (item) coveredScopes.add(item.scope);
  await mapConcurrent(file.scopes, ctx.globals.concurrency, async (scope) => {
    try {
      if (scope.value.includes("/")) {
        parseScope(scope.value);
        coveredScopes.add(scope.value);
      } else coveredScopes.add((await clusterFor(scope.value)).id);
    } catch (error) {
      fail(scope.at, error);
    }
  });

  if (errors.length > 0)
    throw new DesiredStateError(
      file.path,
      errors.sort((a, b) => a.line - b.line || a.column - b.column),
    );
  return { desired: resolved.filter((item): item is DesiredState => item !== undefined), coveredScopes: [...coveredScopes] };
}

/**
 * The exemptions that exist in the covered scopes, deduplicated: for clusters, one list per
 * subscription when the file covers several clusters in it (atExactScope() on the cluster when it
 * covers one), an unfiltered list (at and below) on broader scopes (docs/issues/13.md: never per cluster
 * where a list per scope serves).
 */
export async function listCovered(ctx: DesiredStateDeps, coveredScopes: string[]): Promise<PolicyExemption[]> {
  const client = await ctx.azure.exemptions();
  const clustersBySubscription = new Map<string, string[]>();
  const queries: Array<{ scope: string; filter?: string; covers: string[] }> = [];
  for (const scope of coveredScopes) {
    const parsed = parseScope(scope);
    if (parsed.kind === "resource" && parsed.subscriptionId) {
      const key = parsed.subscriptionId.toLowerCase();
      clustersBySubscription.set(key, [...(clustersBySubscription.get(key) ?? []), scope]);
    } else queries.push({ scope, covers: [scope] });
  }
  for (const [subscriptionId, clusters] of clustersBySubscription) {
    if (clusters.length === 1) queries.push({ scope: clusters[0] as string, filter: "atExactScope()", covers: clusters });
    else queries.push({ scope: subscriptionScope(subscriptionId), covers: clusters });
  }
  const lists = await mapConcurrent(queries, ctx.globals.concurrency, async (query) => {
    const listed = await client.list(query.scope, query.filter);
    return listed.filter((exemption) => query.covers.some((scope) => isAtOrBelow(exemption.id, scope)));
  });
  const unique = new Map<string, PolicyExemption>();
  for (const exemption of lists.flat()) unique.set(normalizeId(exemption.id), exemption);
  return [...unique.values()];
}
