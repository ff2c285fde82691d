import type { Context } from "../../src/context.js";
import { defineCommand } from "../../src/cli/command.js";
import { NotFoundError } from "../../src/cli/errors.js";
import { printRecord } from "../../src/cli/output.js";
import { clusterOptionSpecs, parseClusterSelection, type ClusterSelection } from "../../src/cli/shared-options.js";

/** The slice of the context the command uses (main passes the whole context; a test may build just this). */
export type SafeguardsShowDeps = Pick<Context, "azure" | "format" | "io" | "prompter" | "subscriptions">;

export type SafeguardsShowOptions = ClusterSelection;

export default defineCommand<SafeguardsShowOptions, SafeguardsShowDeps>({
  path: ["safeguards", "show"],
  summary: "Show a cluster's Deployment Safeguards setting: level, Pod Security Standards level, excluded namespaces",
  description:
    "Reads {cluster}/providers/Microsoft.ContainerService/deploymentSafeguards/default (api-version 2025-05-02-preview for the Pod Security Standards level, else 2025-04-01, which does not serve it). Exit 3 when Safeguards is not enabled on the cluster.",
  options: clusterOptionSpecs,
  outputs: ["table", "json", "yaml"],
  examples: ["akspol safeguards show --cluster aks-dev --subscription contoso-dev", "akspol safeguards show --cluster aks-dev -o json"],
  parse: parseClusterSelection,
  async run(options, ctx) {
    const { resolveClusterIn } = await import("../../src/azure/clusters.js");
    const cluster = await resolveClusterIn(ctx, options.cluster, { resourceGroup: options.resourceGroup, allSubscriptions: options.allSubscriptions });
    const read = await (await ctx.azure.safeguards()).get(cluster.id);
    if (!read) {
      throw new NotFoundError(`Deployment Safeguards is not enabled on ${cluster.name}.`, {
        suggestion: `Enable it with 'az aks safeguards create --resource-group ${cluster.resourceGroup} --name ${cluster.name} --level Warn'.`,
      });
    }
    const properties = read.resource.properties;
    const data = {
      schemaVersion: 1,
      id: read.resource.id,
      cluster: { id: cluster.id, name: cluster.name },
      level: properties.level,
      podSecurityStandardsLevel: properties.podSecurityStandardsLevel ?? null,
      excludedNamespaces: properties.excludedNamespaces ?? [],
      systemExcludedNamespaces: properties.systemExcludedNamespaces ?? [],
      eTag: read.resource.eTag ?? null,
      apiVersion: read.apiVersion,
    };
    await printRecord(ctx.io, ctx.format, data, () =>
      [
        `Deployment Safeguards of ${cluster.name}`,
        `  level:                      ${data.level} (${data.level === "Enforce" ? "violating pods are denied" : "violating pods get a warning"})`,
        `  Pod Security Standards:     ${data.podSecurityStandardsLevel ?? `not served by api-version ${read.apiVersion}`}`,
        `  excluded namespaces:        ${data.excludedNamespaces.join(", ") || "none"}`,
        `  system (always excluded):   ${data.systemExcludedNamespaces.join(", ") || "none"}`,
        `  eTag:                       ${data.eTag ?? "-"}`,
      ].join("\n"),
    );
    return 0;
  },
});
