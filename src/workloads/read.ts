// `akspol workloads`: one cluster (one Policy Insights query) or every cluster of the chosen
// subscriptions (one cluster list and one Policy Insights query per subscription), each with the
// verdicts of the assignments that flag its pods.
import type { Context } from "../context.js";
import { listClusters, resolveClusterIn, type ClusterRecord } from "../azure/clusters.js";
import { readClusterPodStates, readSubscriptionPodStates, type PodStatesResult } from "../azure/policy-insights.js";
import { normalizeId } from "../azure/ids.js";
import { SetDefinitionCache } from "../policy/definitions.js";
import { clusterWorkloads, type ClusterWorkloads, type WorkloadFilter } from "./findings.js";
import { VerdictLoader } from "./load.js";
import { estateSourceFor } from "../estate/choose.js";
import type { EngineChoice } from "../estate/engine.js";

/** The slice of the context these functions use (main passes the whole context; a test may build just this). */
export type ReadWorkloadsDeps = Pick<Context, "azure" | "clock" | "globals" | "io" | "journal" | "prompter" | "subscriptions">;

export interface ReadWorkloadsRequest {
  cluster?: string;
  resourceGroup?: string;
  allSubscriptions: boolean;
  namespace?: string;
  policies: string[];
  assignments: string[];
  /** --engine: where the clusters of the chosen subscriptions are listed (README "Resource Graph"). */
  engine?: EngineChoice;
}

export async function workloadsOfCluster(loader: VerdictLoader, cluster: ClusterRecord, result: PodStatesResult, filter: WorkloadFilter): Promise<ClusterWorkloads> {
  const ids = result.status === "ok" ? result.states.filter((state) => normalizeId(state.clusterId) === normalizeId(cluster.id)).map((state) => state.assignmentId) : [];
  const verdicts = await loader.verdicts(ids, cluster);
  return clusterWorkloads(cluster, result, verdicts, filter);
}

export async function readWorkloads(ctx: ReadWorkloadsDeps, request: ReadWorkloadsRequest) {
  const loader = new VerdictLoader(ctx.azure, new SetDefinitionCache(ctx.azure), ctx.clock.now());
  const filter: WorkloadFilter = { namespace: request.namespace, policies: request.policies, assignments: request.assignments };
  const failures: Array<{ subscription: string; message: string }> = [];
  if (request.cluster) {
    const cluster = await resolveClusterIn(ctx, request.cluster, { resourceGroup: request.resourceGroup, allSubscriptions: request.allSubscriptions });
    const result = await readClusterPodStates(ctx.azure, cluster.id);
    return { schemaVersion: 1 as const, clusters: [await workloadsOfCluster(loader, cluster, result, filter)], failures };
  }
  const subscriptions = await ctx.subscriptions({ all: request.allSubscriptions });
  // Through Resource Graph, one query lists the clusters of every subscription; through ARM, one list each.
  const source = await estateSourceFor(ctx, request.engine ?? "auto", { allSubscriptions: request.allSubscriptions, subscriptionCount: subscriptions.length });
  let listedAtOnce: Map<string, ClusterRecord[]> | undefined;
  if (source.engine === "resource-graph") {
    listedAtOnce = new Map();
    for (const cluster of await source.clusters(subscriptions)) {
      const key = cluster.subscriptionId.toLowerCase();
      listedAtOnce.set(key, [...(listedAtOnce.get(key) ?? []), cluster]);
    }
  }
  const perSubscription = await Promise.all(
    subscriptions.map(async (subscription) => {
      let clusters: ClusterRecord[];
      try {
        clusters = listedAtOnce ? (listedAtOnce.get(subscription.id.toLowerCase()) ?? []) : await listClusters(ctx.azure, [subscription]);
      } catch (error) {
        failures.push({ subscription: subscription.name, message: `its clusters could not be listed (${(error as Error).message.split("\n")[0]})` });
        return [];
      }
      if (request.resourceGroup) clusters = clusters.filter((cluster) => cluster.resourceGroup.toLowerCase() === request.resourceGroup?.toLowerCase());
      if (clusters.length === 0) return [];
      const result = await readSubscriptionPodStates(ctx.azure, subscription.id, subscription.name);
      return Promise.all(clusters.map((cluster) => workloadsOfCluster(loader, cluster, result, filter)));
    }),
  );
  const clusters = perSubscription.flat().sort((a, b) => a.clusterName.localeCompare(b.clusterName) || a.clusterId.localeCompare(b.clusterId));
  return { schemaVersion: 1 as const, clusters, failures };
}
