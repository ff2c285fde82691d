import type { ManagedCluster } from "@azure/arm-containerservice";
import { isNotFound } from "./arm-errors.js";
import { NotFoundError, UsageError } from "../errors.js";
import type { Prompter } from "../cli/prompter.js";
import type { SubscriptionRef } from "./subscriptions.js";
import type { AzureSession } from "./session.js";
import { clusterId, parseClusterId, subscriptionScope } from "./ids.js";
import { readScopes } from "./scope-pool.js";
import type { ClusterFacts } from "../policy/applicability.js";

/** The SDK's model of a managed cluster. */
export type { ManagedCluster };

export interface ClusterRecord extends ClusterFacts {
  subscriptionId: string;
  resourceGroup: string;
  kubernetesVersion?: string;
  raw: ManagedCluster;
}

export function azurePolicyEnabled(cluster: ManagedCluster): boolean {
  const profiles = cluster.addonProfiles ?? {};
  const entry = Object.entries(profiles).find(([key]) => key.toLowerCase() === "azurepolicy");
  return entry?.[1]?.enabled === true;
}

export function toClusterRecord(cluster: ManagedCluster): ClusterRecord {
  const parsed = parseClusterId(cluster.id ?? "");
  if (!parsed) throw new Error(`Unexpected managed cluster id '${cluster.id}'.`);
  return {
    id: clusterId(parsed.subscriptionId, parsed.resourceGroup, cluster.name ?? parsed.name),
    name: cluster.name ?? parsed.name,
    location: cluster.location,
    subscriptionId: parsed.subscriptionId,
    resourceGroup: parsed.resourceGroup,
    azurePolicyEnabled: azurePolicyEnabled(cluster),
    kubernetesVersion: cluster.kubernetesVersion,
    raw: cluster,
  };
}

/** The clusters in one subscription, or in one of its resource groups (one paged list call). */
export async function listClustersIn(session: AzureSession, subscriptionId: string, resourceGroup?: string): Promise<ClusterRecord[]> {
  const client = await session.containerClient(subscriptionId);
  const pages = resourceGroup ? client.managedClusters.listByResourceGroup(resourceGroup) : client.managedClusters.list();
  const result: ClusterRecord[] = [];
  for await (const cluster of pages) result.push(toClusterRecord(cluster));
  return result;
}

/**
 * Every cluster in the subscriptions, one list call each through the scope pool: a subscription that
 * cannot be read (403, 409 MissingSubscriptionRegistration, 5xx) is recorded in
 * session.scopeFailures and the others are still listed.
 */
export async function listClusters(session: AzureSession, subscriptions: SubscriptionRef[]): Promise<ClusterRecord[]> {
  const lists = await readScopes(
    session.scopeFailures,
    subscriptions,
    (subscription) => subscriptionScope(subscription.id),
    session.globals.concurrency,
    (subscription) => listClustersIn(session, subscription.id),
  );
  return lists.flatMap((entry) => entry.value);
}

export interface ResolveClusterRequest {
  session: AzureSession;
  /** A cluster name or its full resource id. */
  reference: string;
  resourceGroup?: string;
  subscriptions: () => Promise<SubscriptionRef[]>;
  prompter?: Prompter;
  canPrompt?: boolean;
}

/** The slice of a command's context that a cluster lookup reads. */
export interface ClusterLookupContext {
  azure: AzureSession;
  subscriptions(options?: { all?: boolean }): Promise<SubscriptionRef[]>;
  prompter: Prompter;
  io: { canPrompt: boolean };
}

/** resolveCluster with the session, subscriptions and prompting of a command's context. */
export function resolveClusterIn(ctx: ClusterLookupContext, reference: string, options: { resourceGroup?: string; allSubscriptions?: boolean } = {}): Promise<ClusterRecord> {
  return resolveCluster({
    session: ctx.azure,
    reference,
    resourceGroup: options.resourceGroup,
    subscriptions: () => ctx.subscriptions({ all: options.allSubscriptions }),
    prompter: ctx.prompter,
    canPrompt: ctx.io.canPrompt,
  });
}

/**
 * Finds a cluster by id (one GET), by resource group and name (one GET), or by name alone
 * (one list per subscription). Reads it through @azure/arm-containerservice, so a missing
 * cluster is reported before anything is written.
 */
export async function resolveCluster(request: ResolveClusterRequest): Promise<ClusterRecord> {
  const parsed = parseClusterId(request.reference);
  if (parsed || request.resourceGroup) {
    const subscriptionId = parsed?.subscriptionId ?? (await request.subscriptions())[0]?.id;
    const resourceGroup = parsed?.resourceGroup ?? (request.resourceGroup as string);
    const name = parsed?.name ?? request.reference;
    if (!subscriptionId) throw new UsageError("No subscription to look for the cluster in.", { suggestion: "Pass --subscription or the cluster's full resource id." });
    const client = await request.session.containerClient(subscriptionId);
    try {
      return toClusterRecord(await client.managedClusters.get(resourceGroup, name));
    } catch (error) {
      if (isNotFound(error)) {
        throw new NotFoundError(`AKS cluster '${name}' was not found in resource group '${resourceGroup}' of subscription ${subscriptionId}.`, {
          suggestion: "Check the name and --resource-group, or list clusters with 'az aks list -o table'.",
          cause: error,
        });
      }
      throw error;
    }
  }
  const subscriptions = await request.subscriptions();
  const clusters = await listClusters(request.session, subscriptions);
  const matches = clusters.filter((cluster) => cluster.name.toLowerCase() === request.reference.toLowerCase());
  if (matches.length === 1) {
    // Found in a readable subscription: the failed ones do not change the answer (a cluster with the
    // same name there would make it ambiguous, which --resource-group or the id resolves).
    request.session.scopeFailures.settle();
    return matches[0] as ClusterRecord;
  }
  if (matches.length === 0 && request.session.scopeFailures.size > 0) {
    throw request.session.scopeFailures.unreachable(`No AKS cluster named '${request.reference}' in the subscriptions that could be read`);
  }
  if (matches.length === 0) {
    throw new NotFoundError(`No AKS cluster named '${request.reference}' in ${subscriptions.map((s) => s.name).join(", ")}.`, {
      suggestion: clusters.length
        ? `Clusters there: ${clusters.map((c) => c.name).join(", ")}. Use --subscription to look elsewhere.`
        : "Use --subscription to look in another subscription, or pass the cluster's resource id.",
    });
  }
  if (request.canPrompt && request.prompter) {
    return request.prompter.select(
      `Several clusters are named '${request.reference}'. Which one?`,
      matches.map((cluster) => ({ name: cluster.id, value: cluster })),
    );
  }
  throw new UsageError(`'${request.reference}' names ${matches.length} clusters:\n${matches.map((c) => `  ${c.id}`).join("\n")}`, {
    suggestion: "Pass --resource-group, or the full resource id.",
  });
}
