import type { Context } from "../../src/context.js";
import { defineCommand, stringOption } from "../../src/cli/command.js";
import { NotFoundError, UsageError } from "../../src/cli/errors.js";
import { parseNamespaces } from "../../src/policy/namespaces.js";
import { clusterOptionSpecs, journalOptionSpecs, parseClusterSelection, type ClusterSelection } from "../../src/cli/shared-options.js";

/** The slice of the context the command uses (main passes the whole context; a test may build just this). */
export type SafeguardsExcludeDeps = Pick<Context, "azure" | "clock" | "commandLine" | "confirmWrite" | "format" | "globals" | "io" | "journal" | "prompter" | "subscriptions">;

export interface SafeguardsExcludeOptions extends ClusterSelection {
  action: "add" | "remove";
  namespaces: string[];
  reason?: string;
  ticket?: string;
}

/**
 * `akspol safeguards exclude add|remove NS... --cluster NAME`: one file for both actions, since the
 * command frame nests one noun deep; `add` and `remove` are its first argument.
 */
export default defineCommand<SafeguardsExcludeOptions, SafeguardsExcludeDeps>({
  path: ["safeguards", "exclude"],
  summary: "Add or remove namespaces in a cluster's Deployment Safeguards exclusions (plan, confirmation, journal, undo)",
  description:
    "Edits only excludedNamespaces of {cluster}/providers/Microsoft.ContainerService/deploymentSafeguards/default: every other property is sent back as read, with If-Match of the eTag the plan was made from, so a change made in between is refused (exit 5) instead of overwritten. Journaled; 'akspol undo <change>' restores the earlier list.",
  arguments: [
    { name: "action", description: "add or remove", required: true },
    { name: "namespaces", description: "namespaces (separate with spaces or commas)", required: true, variadic: true },
  ],
  options: [...clusterOptionSpecs, ...journalOptionSpecs],
  outputs: ["table", "json", "yaml"],
  writes: true,
  examples: ["akspol safeguards exclude add monitoring --cluster aks-dev --subscription contoso-dev --yes", "akspol safeguards exclude remove legacy-batch --cluster aks-dev --dry-run"],
  parse(input) {
    const action = String(input.args.action ?? "");
    if (action !== "add" && action !== "remove") throw new UsageError(`'${action}' is not an action of 'safeguards exclude': use add or remove.`);
    const parsed = parseNamespaces(([] as string[]).concat(input.args.namespaces ?? []));
    if (parsed.errors.length > 0) throw new UsageError(parsed.errors.join("; "), { suggestion: "Kubernetes namespace names: lower-case letters, digits and '-'." });
    if (parsed.names.length === 0) throw new UsageError("Which namespaces? Pass one or more after the action.");
    if (parsed.names.some((name) => name.includes("*"))) throw new UsageError("Deployment Safeguards takes namespace names, not patterns.");
    return { ...parseClusterSelection(input), action, namespaces: parsed.names, reason: stringOption(input, "reason"), ticket: stringOption(input, "ticket") };
  },
  async run(options, ctx) {
    const [{ runSafeguardsEdit }, { resolveClusterIn }] = await Promise.all([import("../shared/safeguards-flow.js"), import("../../src/azure/clusters.js")]);
    const cluster = await resolveClusterIn(ctx, options.cluster, { resourceGroup: options.resourceGroup, allSubscriptions: options.allSubscriptions });
    const planned = await (await ctx.azure.safeguards()).get(cluster.id);
    if (!planned) throw new NotFoundError(`Deployment Safeguards is not enabled on ${cluster.name}; there are no exclusions to edit.`);
    return runSafeguardsEdit(ctx, {
      clusterId: cluster.id,
      clusterName: cluster.name,
      planned,
      operation: options.action === "add" ? { add: options.namespaces } : { remove: options.namespaces },
      summary: `safeguards exclude ${options.action} ${options.namespaces.join(", ")}`,
      reason: options.reason,
      ticket: options.ticket,
    });
  },
});
