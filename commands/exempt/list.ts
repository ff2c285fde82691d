import { defineCommand, booleanOption, stringOption } from "../../src/cli/command.js";
import { UsageError } from "../../src/cli/errors.js";
import { printList, type Column } from "../../src/cli/output.js";
import type { Context } from "../../src/context.js";
import type { PolicyExemption } from "../../src/azure/exemptions-client.js";
import { engineOptionSpec, parseEngineChoice } from "../../src/cli/engine-option.js";
import { estateSourceFor } from "../../src/estate/choose.js";
import type { EngineChoice } from "../../src/estate/engine.js";
import { lastSegment, parseScope, resourceGroupScope, sameId, scopeLabel, subscriptionScope } from "../../src/azure/ids.js";
import { parseDayCount } from "../../src/exemptions/expiry.js";
import { findCluster, lookupSubscriptions } from "../../src/exemptions/lookup.js";
import { exemptionView, type ExemptionView } from "../../src/exemptions/present.js";
import { expiryToUsage } from "../../src/exemptions/validate.js";

/** The slice of the context the command uses (main passes the whole context; a test may build just this). */
export type ExemptListDeps = Pick<Context, "azure" | "clock" | "format" | "globals" | "io" | "journal" | "prompter" | "subscriptions">;

export interface ListOptions {
  cluster?: string;
  resourceGroup?: string;
  assignment?: string;
  scope?: string;
  allSubscriptions: boolean;
  expiringWithinDays?: number;
  includeExpired: boolean;
  engine: EngineChoice;
}

const dayMs = 86_400_000;

export default defineCommand<ListOptions, ExemptListDeps>({
  path: ["exempt", "list"],
  summary: "List exemptions with their status (active, expiring, expired) and days left",
  description:
    "Lists policy exemptions on a cluster (including ones inherited from its resource group or subscription), at a scope, or in the chosen subscriptions (all visible ones when none is chosen). Expired exemptions are hidden unless --include-expired. 'expiring' means less than 14 days left.",
  options: [
    { flags: "--cluster <name-or-id>", description: "exemptions that apply to this cluster" },
    { flags: "--resource-group <name>", description: "the cluster's resource group" },
    { flags: "--assignment <name-or-id>", description: "only exemptions from this assignment" },
    { flags: "--scope <id>", description: "exemptions at and below an ARM scope (subscription, resource group, cluster)" },
    { flags: "--all-subscriptions", description: "every subscription the signed-in principal can see" },
    { flags: "--expiring-within <days>", description: "only exemptions that expire within N days, e.g. 15d" },
    { flags: "--include-expired", description: "also show expired exemptions" },
    engineOptionSpec,
  ],
  outputs: ["table", "json", "yaml", "tsv"],
  examples: [
    "akspol exempt list",
    "akspol exempt list --cluster aks-prod-weu",
    "akspol exempt list --expiring-within 15d -o json",
    "akspol exempt list --all-subscriptions --include-expired",
    "akspol exempt list --all-subscriptions --engine resource-graph -o json",
  ],
  parse(input) {
    const cluster = stringOption(input, "cluster");
    const scope = stringOption(input, "scope");
    const allSubscriptions = booleanOption(input, "allSubscriptions");
    if ([cluster, scope, allSubscriptions ? "all" : undefined].filter(Boolean).length > 1) {
      throw new UsageError("Choose one of --cluster, --scope and --all-subscriptions.");
    }
    if (scope) {
      try {
        parseScope(scope);
      } catch (error) {
        throw new UsageError((error as Error).message);
      }
    }
    const expiring = stringOption(input, "expiringWithin");
    let expiringWithinDays: number | undefined;
    if (expiring !== undefined) {
      try {
        expiringWithinDays = parseDayCount(expiring, "--expiring-within");
      } catch (error) {
        expiryToUsage(error);
      }
    }
    return {
      cluster,
      resourceGroup: stringOption(input, "resourceGroup"),
      assignment: stringOption(input, "assignment"),
      scope,
      allSubscriptions,
      expiringWithinDays,
      includeExpired: booleanOption(input, "includeExpired"),
      engine: parseEngineChoice(input),
    };
  },
  async run(options, ctx) {
    const exemptions = await listExemptions(options, ctx);
    const now = ctx.clock.now();
    const views = exemptions
      .filter((exemption) => !options.assignment || matchesAssignment(exemption, options.assignment))
      .map((exemption) => exemptionView(exemption, now))
      .filter((view) => keep(view, options, now))
      .sort((a, b) => (a.expiresOn ?? "9999").localeCompare(b.expiresOn ?? "9999") || a.name.localeCompare(b.name));
    const names = new Map<string, string>();
    const columns: Array<Column<ExemptionView>> = [
      { header: "Name", value: (view) => view.name },
      { header: "Cluster", value: (view) => view.cluster ?? scopeLabel(view.scope, names) },
      { header: "Assignment", value: (view) => view.assignment },
      { header: "Policies", value: (view) => (view.policies === "all" ? "(all)" : view.policies) },
      { header: "Category", value: (view) => view.category, optional: true },
      { header: "Expires", value: (view) => view.expiresOn ?? "never" },
      { header: "Status", value: (view) => view.status },
      { header: "Days left", value: (view) => view.daysLeft, optional: true },
      { header: "Owner", value: (view) => view.owner ?? (view.managedByAkspol ? "(akspol)" : ""), optional: true },
    ];
    await printList(ctx.io, ctx.format, columns, views, { schemaVersion: 1, exemptions: views, errors: ctx.azure.scopeFailures.list() });
    return 0;
  },
});

function keep(view: ExemptionView, options: ListOptions, now: Date): boolean {
  if (view.status === "expired") return options.includeExpired;
  if (options.expiringWithinDays !== undefined) {
    if (!view.expiresOn) return false;
    return new Date(view.expiresOn).getTime() - now.getTime() <= options.expiringWithinDays * dayMs;
  }
  return true;
}

function matchesAssignment(exemption: PolicyExemption, reference: string): boolean {
  const id = exemption.properties.policyAssignmentId;
  return reference.includes("/") ? sameId(id, reference) : lastSegment(id).toLowerCase() === reference.toLowerCase();
}

async function listExemptions(options: ListOptions, ctx: ExemptListDeps): Promise<PolicyExemption[]> {
  if (options.cluster) {
    const cluster = await findCluster(ctx, options.cluster, options.resourceGroup);
    // atScope(): the cluster's own exemptions and those of its resource group and subscription.
    const source = await estateSourceFor(ctx, options.engine, { subscriptionCount: 1, cluster: true });
    return source.exemptions([cluster.id], "atScope");
  }
  if (options.scope) {
    const source = await estateSourceFor(ctx, options.engine, { subscriptionCount: parseScope(options.scope).subscriptionId ? 1 : 0 });
    return source.exemptions([options.scope], "all", "fail");
  }
  const subscriptions = await lookupSubscriptions(ctx, options.allSubscriptions);
  const source = await estateSourceFor(ctx, options.engine, { allSubscriptions: options.allSubscriptions, subscriptionCount: subscriptions.length });
  // One list per subscription, or per resource group (which may exist in some of them only).
  return source.exemptions(subscriptions.map((subscription) => (options.resourceGroup ? resourceGroupScope(subscription.id, options.resourceGroup) : subscriptionScope(subscription.id))));
}
