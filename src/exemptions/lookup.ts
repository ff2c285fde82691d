import type { Context } from "../context.js";
import type { PolicyExemption } from "../azure/exemptions-client.js";
import type { SubscriptionRef } from "../azure/subscriptions.js";
import { listClusters, resolveCluster, type ClusterRecord, type ResolveClusterRequest } from "../azure/clusters.js";
import { readScopes } from "../azure/scope-pool.js";
import { parseClusterId, splitAuthorizationId, subscriptionScope } from "../azure/ids.js";
import { NotFoundError, UsageError } from "../errors.js";

/** The slice of the context these functions use (main passes the whole context; a test may build just this). */
export type ExemptionLookupDeps = Pick<Context, "azure" | "globals" | "io" | "prompter" | "subscriptions">;

/**
 * Where to look for a cluster or exemption given by name: the subscriptions asked for
 * (--subscription, AZURE_SUBSCRIPTION_ID), else every subscription the principal can see, so that
 * `akspol exempt show <name>` works without first choosing one.
 */
export function lookupSubscriptions(ctx: Pick<Context, "globals" | "subscriptions">, all = false): Promise<SubscriptionRef[]> {
  if (all || ctx.globals.subscriptions.length === 0) return ctx.subscriptions({ all: true });
  return ctx.subscriptions();
}

export function findCluster(ctx: ExemptionLookupDeps, reference: string, resourceGroup?: string): Promise<ClusterRecord> {
  return findClusterIn({ session: ctx.azure, reference, resourceGroup, subscriptions: () => lookupSubscriptions(ctx), prompter: ctx.prompter, canPrompt: ctx.io.canPrompt });
}

/**
 * resolveCluster, except that a name with a resource group but no single subscription is looked up
 * in every candidate subscription (resolveCluster would GET it in the first one only).
 */
export async function findClusterIn(request: ResolveClusterRequest & { listed?: () => Promise<ClusterRecord[]> }): Promise<ClusterRecord> {
  if (!parseClusterId(request.reference) && request.resourceGroup) {
    const subscriptions = await request.subscriptions();
    if (subscriptions.length > 1) {
      const clusters = request.listed ? await request.listed() : await listClusters(request.session, subscriptions);
      const matches = clusters.filter((cluster) => cluster.name.toLowerCase() === request.reference.toLowerCase() && cluster.resourceGroup.toLowerCase() === request.resourceGroup?.toLowerCase());
      if (matches.length === 1) {
        request.session.scopeFailures.settle();
        return matches[0] as ClusterRecord;
      }
      if (matches.length === 0 && request.session.scopeFailures.size > 0) {
        throw request.session.scopeFailures.unreachable(`AKS cluster '${request.reference}' was not found in resource group '${request.resourceGroup}' of the subscriptions that could be read`);
      }
      if (matches.length === 0) {
        throw new NotFoundError(
          `AKS cluster '${request.reference}' was not found in resource group '${request.resourceGroup}' of ${subscriptions.map((subscription) => subscription.name).join(", ")}.`,
          {
            suggestion: "Check the name and resource group, or pass --subscription or the cluster's resource id.",
          },
        );
      }
      throw new UsageError(`'${request.reference}' in resource group '${request.resourceGroup}' exists in several subscriptions.`, {
        suggestion: "Pass --subscription, or the cluster's resource id.",
      });
    }
  }
  return resolveCluster(request);
}

export interface ExemptionLookup {
  /** A name or a full exemption id. */
  reference: string;
  cluster?: string;
  resourceGroup?: string;
}

/**
 * An exemption by full id (one GET), by cluster and name (cluster GET or list, then one GET), or by
 * name alone (one list per subscription; several matches are offered on a terminal, else refused).
 */
export async function findExemption(ctx: ExemptionLookupDeps, lookup: ExemptionLookup): Promise<PolicyExemption> {
  const client = await ctx.azure.exemptions();
  if (lookup.reference.includes("/")) {
    const parts = splitAuthorizationId(lookup.reference, "policyExemptions");
    if (!parts)
      throw new UsageError(`'${lookup.reference}' is not a policy exemption id.`, {
        suggestion: "Pass the exemption's name or its full id (.../providers/Microsoft.Authorization/policyExemptions/<name>).",
      });
    const exemption = await client.get(parts.scope, parts.name);
    if (!exemption) throw new NotFoundError(`Exemption '${lookup.reference}' does not exist.`, { suggestion: "List exemptions with 'akspol exempt list --include-expired'." });
    return exemption;
  }
  if (lookup.cluster) {
    const cluster = parseClusterId(lookup.cluster) ?? (await findCluster(ctx, lookup.cluster, lookup.resourceGroup));
    const exemption = await client.get(cluster.id, lookup.reference);
    if (!exemption) {
      throw new NotFoundError(`No exemption '${lookup.reference}' on cluster ${cluster.name}.`, { suggestion: `List them with 'akspol exempt list --cluster ${cluster.name} --include-expired'.` });
    }
    return exemption;
  }
  const subscriptions = await lookupSubscriptions(ctx);
  const lists = await readScopes(
    ctx.azure.scopeFailures,
    subscriptions,
    (subscription) => subscriptionScope(subscription.id),
    ctx.globals.concurrency,
    (subscription) => client.list(subscriptionScope(subscription.id)),
  );
  const wanted = lookup.reference.toLowerCase();
  const unique = new Map<string, PolicyExemption>();
  for (const exemption of lists.flatMap((entry) => entry.value)) if (exemption.name.toLowerCase() === wanted) unique.set(exemption.id.toLowerCase(), exemption);
  const matches = [...unique.values()];
  if (matches.length === 1) {
    ctx.azure.scopeFailures.settle();
    return matches[0] as PolicyExemption;
  }
  if (matches.length === 0 && ctx.azure.scopeFailures.size > 0) {
    throw ctx.azure.scopeFailures.unreachable(`No exemption named '${lookup.reference}' in the subscriptions that could be read`);
  }
  if (matches.length === 0) {
    throw new NotFoundError(`No exemption named '${lookup.reference}' in ${subscriptions.map((subscription) => subscription.name).join(", ")}.`, {
      suggestion: "List exemptions with 'akspol exempt list --include-expired', or pass --subscription or the full id.",
    });
  }
  if (ctx.io.canPrompt) {
    return ctx.prompter.select(
      `'${lookup.reference}' names ${matches.length} exemptions. Which one?`,
      matches.map((exemption) => ({ name: exemption.id, value: exemption })),
    );
  }
  throw new UsageError(`'${lookup.reference}' names ${matches.length} exemptions:\n${matches.map((exemption) => `  ${exemption.id}`).join("\n")}`, {
    suggestion: "Pass --cluster, or the full exemption id.",
  });
}
