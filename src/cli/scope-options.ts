import type { Context } from "../context.js";
import type { OptionSpec, ParsedInput } from "./option-spec.js";
import { booleanOption, stringOption } from "./command.js";
import { NotFoundError, UsageError } from "./errors.js";
import { parseScope, targetFromScope, type ScopeTarget } from "../azure/ids.js";
import { listManagementGroupNames } from "../azure/management-groups.js";

/** --scope, --management-group, --resource-group and --all-subscriptions, shared by the commands that look for assignments. */
export const scopeOptionSpecs: OptionSpec[] = [
  { flags: "--scope <id>", description: "an ARM scope id: management group, subscription, resource group or cluster" },
  { flags: "--management-group <name>", description: "look at this management group (and what it inherits)" },
  { flags: "--resource-group <name>", description: "look in this resource group of the chosen subscription" },
  { flags: "--all-subscriptions", description: "look in every subscription the signed-in principal can see" },
];

export interface ScopeSelection {
  scope?: string;
  managementGroup?: string;
  resourceGroup?: string;
  allSubscriptions: boolean;
}

export function parseScopeSelection(input: ParsedInput): ScopeSelection {
  const selection: ScopeSelection = {
    scope: stringOption(input, "scope"),
    managementGroup: stringOption(input, "managementGroup"),
    resourceGroup: stringOption(input, "resourceGroup"),
    allSubscriptions: booleanOption(input, "allSubscriptions"),
  };
  const given = [selection.scope, selection.managementGroup, selection.allSubscriptions ? "all" : undefined].filter(Boolean);
  if (given.length > 1) {
    throw new UsageError("Choose one of --scope, --management-group and --all-subscriptions.");
  }
  if (selection.scope) {
    try {
      parseScope(selection.scope);
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
  }
  if (selection.resourceGroup && (selection.scope || selection.managementGroup)) {
    throw new UsageError("--resource-group goes with --subscription, not with --scope or --management-group.");
  }
  return selection;
}

/**
 * ARM answers a management group that does not exist like one the caller may not see (403
 * AuthorizationFailed, evaluated on the group first), so a typo would read as a permission problem.
 * One list of the groups the principal can see tells the two apart: a name not among them is "not
 * found" (exit 3), with the groups that are there.
 */
export async function requireManagementGroup(ctx: Pick<Context, "azure">, name: string): Promise<void> {
  const visible = await listManagementGroupNames(ctx.azure);
  if (visible.some((candidate) => candidate.toLowerCase() === name.toLowerCase())) return;
  throw new NotFoundError(`Management group '${name}' was not found: it does not exist, or the signed-in principal cannot see it.`, {
    suggestion:
      visible.length > 0
        ? `Management groups you can see: ${visible.join(", ")}. Pass the group's name (its id), not its display name.`
        : "You can see no management group; check the name, or work by --subscription.",
  });
}

/** Turns the selection into list targets; subscriptions are resolved only when needed. */
export async function resolveTargets(ctx: Pick<Context, "subscriptions" | "azure">, selection: ScopeSelection): Promise<ScopeTarget[]> {
  if (selection.scope) return [targetFromScope(selection.scope)];
  if (selection.managementGroup) {
    await requireManagementGroup(ctx, selection.managementGroup);
    return [{ kind: "managementGroup", managementGroup: selection.managementGroup }];
  }
  const subscriptions = await ctx.subscriptions({ all: selection.allSubscriptions });
  if (selection.resourceGroup) {
    return subscriptions.map((subscription) => ({ kind: "resourceGroup", subscriptionId: subscription.id, resourceGroup: selection.resourceGroup as string }));
  }
  return subscriptions.map((subscription) => ({ kind: "subscription", subscriptionId: subscription.id }));
}
