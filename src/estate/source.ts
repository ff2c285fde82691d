import type { AzureSession } from "../azure/session.js";
import type { PolicyExemption } from "../azure/exemptions-client.js";
import { listClusters, listClustersIn, toClusterRecord, type ClusterRecord } from "../azure/clusters.js";
import { isAtOrBelow, normalizeId, parseScope, resourceGroupScope, segments, subscriptionScope, targetScope, type ScopeTarget } from "../azure/ids.js";
import { NotFoundError } from "../errors.js";
import type { SubscriptionRef } from "../azure/subscriptions.js";
import type { GraphScope } from "../azure/resource-graph.js";
import { listAssignmentsAt, type PolicyAssignment } from "../azure/assignments.js";
import { isNotFound } from "../azure/arm-errors.js";
import { isScopeFailure, readScopes, type ScopeFailures } from "../azure/scope-pool.js";
import { ASSIGNMENTS_QUERY, CLUSTERS_QUERY, EXEMPTIONS_QUERY, SUBSCRIPTIONS_QUERY, resourceGroupsQuery, rowToAssignment, rowToExemption, rowToManagedCluster } from "./rows.js";

export type Engine = "arm" | "resource-graph";

/** A subscription, or one resource group of it, read whole (audit). */
export interface ReadScope {
  subscriptionId: string;
  resourceGroup?: string;
}

/** What ARM's unfiltered lists at one scope return: assignments (inherited ones included), clusters, exemptions. */
export interface ScopeRead {
  assignments: PolicyAssignment[];
  clusters: ClusterRecord[];
  exemptions: PolicyExemption[];
}

/**
 * Where the estate is read from: per-scope ARM list calls, or a few Resource Graph queries over all
 * subscriptions at once. Both return the same raw documents (assignments, exemptions, clusters) with
 * ARM's list semantics, and every command computes its answer from them with the same functions.
 */
export interface EstateSource {
  engine: Engine;
  /** The assignments the ARM list at each target returns (unfiltered; atScope() for groups and clusters), deduplicated. */
  assignments(targets: ScopeTarget[]): Promise<PolicyAssignment[]>;
  /**
   * The exemptions an unfiltered ARM list at each scope returns, or with `atScope` those at it and above.
   * A resource-group scope that does not exist is skipped, or with `missing: "fail"` is an error.
   */
  exemptions(scopes: string[], mode?: "all" | "atScope", missing?: "skip" | "fail"): Promise<PolicyExemption[]>;
  clusters(subscriptions: SubscriptionRef[]): Promise<ClusterRecord[]>;
  /**
   * Each scope read whole. A scope that cannot be read is recorded in `failures` (the frame reports it,
   * exit 7) and left out of the result; `onRead` is called once per scope, read or not. `onAssignments`
   * hears the assignments as soon as they are known (with Resource Graph every assignment row, before the
   * clusters and exemptions, which may still fail), so a caller can read their definitions meanwhile.
   */
  readScopes<T extends ReadScope>(
    scopes: T[],
    failures: ScopeFailures,
    onRead?: (read: ScopeRead | undefined) => void,
    onAssignments?: (assignments: PolicyAssignment[]) => void,
  ): Promise<Array<{ item: T; value: ScopeRead }>>;
}

function dedupe<T extends { id?: string }>(items: T[]): T[] {
  const unique = new Map<string, T>();
  for (const item of items) if (item.id) unique.set(normalizeId(item.id), item);
  return [...unique.values()];
}

export function armSource(session: AzureSession, concurrency: number): EstateSource {
  return {
    engine: "arm",
    async assignments(targets) {
      // A scope that cannot be read is recorded (exit 7) and the others are read (scope-pool.ts).
      const lists = await readScopes(session.scopeFailures, targets, targetScope, concurrency, (target) => listAssignmentsAt(session, target));
      return dedupe(lists.flatMap((entry) => entry.value));
    },
    async exemptions(scopes, mode = "all", missing = "skip") {
      const client = await session.exemptions();
      const filter = mode === "atScope" ? "atScope()" : undefined;
      // One scope asked for by name (a cluster, --scope): its failure is the command's failure.
      if (scopes.length === 1 && (mode === "atScope" || missing === "fail")) return client.list(scopes[0]!, filter);
      const lists = await readScopes(
        session.scopeFailures,
        scopes,
        (scope) => scope,
        concurrency,
        async (scope) => {
          try {
            return await client.list(scope, filter);
          } catch (error) {
            // A resource group that exists in only some of the subscriptions.
            if (missing === "skip" && isNotFound(error) && parseScope(scope).kind === "resourceGroup") return [];
            throw error;
          }
        },
      );
      return dedupe(lists.flatMap((entry) => entry.value));
    },
    clusters(subscriptions) {
      return listClusters(session, subscriptions);
    },
    readScopes(scopes, failures, onRead, onAssignments) {
      return readScopes(failures, scopes, scopeId, concurrency, async (scope) => {
        let read: ScopeRead | undefined;
        try {
          read = await readScopeFromArm(session, scope);
          onAssignments?.(read.assignments);
          return read;
        } finally {
          onRead?.(read);
        }
      });
    },
  };
}

/** Three list calls: assignments (unfiltered, $expand versions), clusters, exemptions. */
async function readScopeFromArm(session: AzureSession, scope: ReadScope): Promise<ScopeRead> {
  const target = scope.resourceGroup
    ? ({ kind: "resourceGroup", subscriptionId: scope.subscriptionId, resourceGroup: scope.resourceGroup } as const)
    : ({ kind: "subscription", subscriptionId: scope.subscriptionId } as const);
  const [assignments, clusters, exemptions] = await Promise.all([
    listAssignmentsAt(session, target),
    listClustersIn(session, scope.subscriptionId, scope.resourceGroup),
    (async () => (await session.exemptions()).list(scopeId(scope)))(),
  ]);
  return { assignments, clusters, exemptions };
}

function scopeId(scope: ReadScope): string {
  return scope.resourceGroup ? resourceGroupScope(scope.subscriptionId, scope.resourceGroup) : subscriptionScope(scope.subscriptionId);
}

/** The failure recorded for a subscription Resource Graph did not return (exit 7, as ARM's refusal would be). */
function unseenSubscription(subscriptionId: string): Error & { statusCode: number; code: string } {
  return Object.assign(new Error(`Resource Graph returned nothing for subscription ${subscriptionId}: it does not exist or the signed-in principal cannot read it.`), {
    name: "RestError",
    statusCode: 404,
    code: "SubscriptionNotFound",
  });
}

/** The subscription id (lower case) a scope or resource id lies in; undefined above subscriptions. */
function subscriptionIdIn(scope: string): string | undefined {
  return /^\/?subscriptions\/([^/]+)/i.exec(scope)?.[1]?.toLowerCase();
}

/** Items keyed by the subscription their scope lies in ("" above subscriptions), each with its scope and sort key. */
function bucketBySubscription<T extends { id?: string }>(items: T[], scopeOf: (item: T) => string): Map<string, Array<{ item: T; scope: string; key: string }>> {
  const buckets = new Map<string, Array<{ item: T; scope: string; key: string }>>();
  for (const item of items) {
    const scope = scopeOf(item);
    const subscription = subscriptionIdIn(scope) ?? "";
    let bucket = buckets.get(subscription);
    if (bucket === undefined) {
      bucket = [];
      buckets.set(subscription, bucket);
    }
    bucket.push({ item, scope, key: normalizeId(item.id ?? "") });
  }
  return buckets;
}

function managementGroupName(scope: string): string | undefined {
  const match = /^\/?providers\/microsoft\.management\/managementgroups\/([^/]+)$/i.exec(scope);
  return match?.[1];
}

/** The scope a policy resource sits at: its id before `/providers/Microsoft.Authorization/...`. */
export function policyResourceScope(id: string): string {
  const parts = segments(id);
  for (let index = parts.length - 4; index >= 0; index--) {
    if (parts[index]!.toLowerCase() === "providers" && parts[index + 1]!.toLowerCase() === "microsoft.authorization") return `/${parts.slice(0, index).join("/")}`;
  }
  return "/";
}

/**
 * Whether ARM's list at `listScope` returns a policy resource at `resourceScope`, given that Resource
 * Graph was asked for the list scope's subscription with AtScopeAboveAndBelow: management-group rows
 * are the subscription's ancestors (always inherited); within the subscription, the ancestors of the
 * list scope and itself, and with an unfiltered list also everything below it.
 */
export function listedAt(resourceScope: string, listScope: string, mode: "all" | "atScope"): boolean {
  if (!/^\/?subscriptions\//i.test(resourceScope)) return true;
  if (isAtOrBelow(listScope, resourceScope)) return true;
  return mode === "all" && isAtOrBelow(resourceScope, listScope);
}

function subscriptionOf(scope: string): string | undefined {
  return parseScope(scope).subscriptionId;
}

export function resourceGraphSource(session: AzureSession): EstateSource {
  /** The home tenant's client (management-group queries, existence checks). */
  const graph = () => session.resourceGraph();
  /**
   * A query over subscriptions, sent with a token of each subscription's tenant (Resource Graph answers
   * for its token's tenant; README "Several tenants"), the results joined.
   */
  async function queryByTenant<T>(query: string, scope: GraphScope & { subscriptions: string[] }): Promise<T[]> {
    const byTenant = new Map<string, string[]>();
    for (const subscription of scope.subscriptions) {
      const tenant = session.tenantOf(subscription)?.toLowerCase() ?? "";
      byTenant.set(tenant, [...(byTenant.get(tenant) ?? []), subscription]);
    }
    const results = await Promise.all(
      [...byTenant.entries()].map(async ([tenant, subscriptions]) => (await session.resourceGraph(tenant === "" ? undefined : tenant)).query<T>(query, { ...scope, subscriptions })),
    );
    return results.flat();
  }

  const checked = new Map<string, Promise<void>>();
  /**
   * Resource Graph leaves out a subscription the caller cannot read, where ARM would refuse it: one query
   * (per set of subscriptions, per run) finds them, and each is reported as ARM's refusal would be (exit 7).
   */
  function checkVisible(subscriptions: string[]): Promise<void> {
    const key = [...subscriptions].sort().join(",");
    let check = checked.get(key);
    if (check === undefined) {
      check = (async () => {
        const seen = await queryByTenant<{ subscriptionId: string }>(SUBSCRIPTIONS_QUERY, { subscriptions });
        const visible = new Set(seen.map((row) => String(row.subscriptionId).toLowerCase()));
        for (const subscription of subscriptions) {
          if (visible.has(subscription)) session.scopeFailures.succeed();
          else session.scopeFailures.add(`/subscriptions/${subscription}`, unseenSubscription(subscription));
        }
      })();
      checked.set(key, check);
    }
    return check;
  }

  /** Rows over the subscriptions of the scopes, kept where ARM's list at some scope would return them. */
  async function listedRows<T>(query: string, scopes: Array<{ scope: string; mode: "all" | "atScope" }>, scopeOf: (row: T) => string): Promise<T[]> {
    const subscriptions = [
      ...new Set(
        scopes
          .map((entry) => subscriptionOf(entry.scope))
          .filter((id): id is string => id !== undefined)
          .map((id) => id.toLowerCase()),
      ),
    ];
    if (subscriptions.length === 0) return [];
    const [rows] = await Promise.all([queryByTenant<T>(query, { subscriptions, authorizationScopeFilter: "AtScopeAboveAndBelow" }), checkVisible(subscriptions)]);
    // Subscriptions listed whole (the common case) need no per-row check.
    if (scopes.every((entry) => entry.mode === "all" && parseScope(entry.scope).kind === "subscription")) return rows;
    // Otherwise each row is checked against the scopes of its own subscription only (linear, not rows x scopes).
    const bySubscription = new Map<string, Array<{ scope: string; mode: "all" | "atScope" }>>();
    for (const entry of scopes) {
      const key = subscriptionOf(entry.scope)!.toLowerCase();
      bySubscription.set(key, [...(bySubscription.get(key) ?? []), entry]);
    }
    return rows.filter((row) => {
      const scope = scopeOf(row);
      const subscription = subscriptionIdIn(scope);
      // Management-group rows are the subscriptions' ancestors: every list returns them.
      if (subscription === undefined) return true;
      return (bySubscription.get(subscription) ?? []).some((entry) => listedAt(scope, entry.scope, entry.mode));
    });
  }

  /** Resource-group scopes that do not exist are left out (ARM answers them 404), or refused. */
  async function existingScopes(scopes: string[], missing: "skip" | "fail"): Promise<string[]> {
    const groups = scopes.filter((scope) => parseScope(scope).kind === "resourceGroup");
    if (groups.length === 0) return scopes;
    const names = [...new Set(groups.map((scope) => parseScope(scope).resourceGroup!.toLowerCase()))];
    const subscriptions = [...new Set(groups.map((scope) => subscriptionOf(scope)!.toLowerCase()))];
    const found = new Set<string>();
    for (const name of names) {
      for (const row of await queryByTenant<{ id: string }>(resourceGroupsQuery(name), { subscriptions })) found.add(normalizeId(row.id));
    }
    const absent = groups.find((scope) => !found.has(normalizeId(scope)));
    if (absent !== undefined && missing === "fail") {
      throw new NotFoundError(`Resource group '${parseScope(absent).resourceGroup}' could not be found in subscription ${subscriptionOf(absent)}.`, {
        suggestion: "Check the --scope id; Resource Graph may also not show a resource group created in the last minutes (try --engine arm).",
      });
    }
    return scopes.filter((scope) => parseScope(scope).kind !== "resourceGroup" || found.has(normalizeId(scope)));
  }

  return {
    engine: "resource-graph",
    async assignments(targets) {
      const groups = targets.filter((target): target is Extract<ScopeTarget, { kind: "managementGroup" }> => target.kind === "managementGroup");
      const scoped = targets.flatMap((target): Array<{ scope: string; mode: "all" | "atScope" }> => {
        switch (target.kind) {
          case "subscription":
            return [{ scope: `/subscriptions/${target.subscriptionId}`, mode: "all" }];
          case "resourceGroup":
            return [{ scope: `/subscriptions/${target.subscriptionId}/resourceGroups/${target.resourceGroup}`, mode: "all" }];
          case "cluster":
            return [{ scope: `/subscriptions/${target.subscriptionId}/resourceGroups/${target.resourceGroup}/providers/Microsoft.ContainerService/managedClusters/${target.name}`, mode: "atScope" }];
          default:
            return [];
        }
      });
      const [inSubscriptions, inGroups] = await Promise.all([
        listedRows<Record<string, any>>(ASSIGNMENTS_QUERY, scoped, (row) => String(row.properties?.scope ?? policyResourceScope(row.id))),
        // atScope() at a management group: the group and its ancestors.
        groups.length === 0
          ? []
          : graph().then((client) =>
              client.query<Record<string, any>>(ASSIGNMENTS_QUERY, { managementGroups: groups.map((group) => group.managementGroup), authorizationScopeFilter: "AtScopeAndAbove" }),
            ),
      ]);
      return dedupe([...inSubscriptions, ...inGroups].map(rowToAssignment));
    },
    async exemptions(scopes, mode = "all", missing = "skip") {
      const groups = scopes.filter((scope) => parseScope(scope).kind === "managementGroup").map((scope) => parseScope(scope).managementGroup!);
      const existing = await existingScopes(
        scopes.filter((scope) => parseScope(scope).kind !== "managementGroup"),
        missing,
      );
      const [inSubscriptions, inGroups] = await Promise.all([
        listedRows<Record<string, any>>(
          EXEMPTIONS_QUERY,
          existing.map((scope) => ({ scope, mode })),
          (row) => policyResourceScope(row.id),
        ),
        groups.length === 0
          ? []
          : graph().then((client) =>
              client.query<Record<string, any>>(EXEMPTIONS_QUERY, { managementGroups: groups, authorizationScopeFilter: mode === "atScope" ? "AtScopeAndAbove" : "AtScopeAboveAndBelow" }),
            ),
      ]);
      return dedupe([...inSubscriptions, ...inGroups].map(rowToExemption));
    },
    async readScopes(scopes, failures, onRead, onAssignments) {
      const subscriptions = [...new Set(scopes.map((scope) => scope.subscriptionId.toLowerCase()))];
      const over = { subscriptions, authorizationScopeFilter: "AtScopeAboveAndBelow" as const };
      // Assignments first, then clusters, exemptions and the subscriptions' ancestry, in that order: when the
      // pages outnumber the quota (about 15 queries per 5 s), the assignments come within the first quota
      // window and their definitions are read (onAssignments) while the rest waits for the next one; the
      // clusters' first pages take the first window's last queries, so the second needs fewer rounds.
      try {
        const assignmentRows = await queryByTenant<Record<string, any>>(ASSIGNMENTS_QUERY, over);
        const listed = assignmentRows.map(rowToAssignment);
        onAssignments?.(listed);
        const [clusterRows, exemptionRows, subscriptionRows] = await Promise.all([
          queryByTenant<Record<string, any>>(CLUSTERS_QUERY, { subscriptions }),
          queryByTenant<Record<string, any>>(EXEMPTIONS_QUERY, over),
          queryByTenant<Record<string, any>>(SUBSCRIPTIONS_QUERY, { subscriptions }),
        ]);
        const ancestry = new Map<string, Set<string>>();
        for (const row of subscriptionRows) {
          const chain = Array.isArray(row.managementGroups) ? (row.managementGroups as Array<{ name?: string }>) : [];
          ancestry.set(String(row.subscriptionId).toLowerCase(), new Set(chain.map((group) => String(group.name ?? "").toLowerCase())));
        }
        // Rows by the subscription they sit in ("" for management-group rows), in ARM's list order (by id),
        // so each scope looks at its own subscription's rows and the few group rows only.
        const assignments = bucketBySubscription(listed, (assignment) => assignment.scope ?? policyResourceScope(assignment.id ?? ""));
        const exemptions = bucketBySubscription(exemptionRows.map(rowToExemption), (exemption) => policyResourceScope(exemption.id));
        const clusters = bucketBySubscription(
          clusterRows.map((row) => toClusterRecord(rowToManagedCluster(row))),
          (cluster) => cluster.id,
        );
        return scopes.flatMap((scope) => {
          const id = scopeId(scope);
          const subscription = scope.subscriptionId.toLowerCase();
          const groups = ancestry.get(subscription);
          if (groups === undefined) {
            failures.add(id, unseenSubscription(scope.subscriptionId));
            onRead?.(undefined);
            return [];
          }
          failures.succeed();
          // ARM's unfiltered list at the scope: the management groups above its subscription, the scope's
          // ancestors within the subscription, the scope itself and everything below it.
          const inherited = <T>(bucket: Map<string, Array<{ item: T; scope: string; key: string }>>): T[] =>
            [
              ...(bucket.get("") ?? []).filter((entry) => groups.has((managementGroupName(entry.scope) ?? "").toLowerCase())),
              ...(bucket.get(subscription) ?? []).filter((entry) => listedAt(entry.scope, id, "all")),
            ]
              .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
              .map((entry) => entry.item);
          const read: ScopeRead = {
            assignments: inherited(assignments),
            clusters: (clusters.get(subscription) ?? []).filter((entry) => isAtOrBelow(entry.scope, id)).map((entry) => entry.item),
            exemptions: inherited(exemptions),
          };
          onRead?.(read);
          return [{ item: scope, value: read }];
        });
      } catch (error) {
        // One failed query leaves every scope unread: each is reported as failed, as ARM's pool would.
        if (!isScopeFailure(error)) throw error;
        for (const scope of scopes) {
          failures.add(scopeId(scope), error);
          onRead?.(undefined);
        }
        return [];
      }
    },
    async clusters(subscriptions) {
      if (subscriptions.length === 0) return [];
      const rows = await queryByTenant<Record<string, any>>(CLUSTERS_QUERY, { subscriptions: subscriptions.map((subscription) => subscription.id) });
      return rows.map((row) => toClusterRecord(rowToManagedCluster(row)));
    },
  };
}

export function estateSource(engine: Engine, session: AzureSession, concurrency: number): EstateSource {
  return engine === "resource-graph" ? resourceGraphSource(session) : armSource(session, concurrency);
}
