import type { Context } from "../../src/context.js";
import { booleanOption, defineCommand, listOption, stringOption } from "../../src/cli/command.js";
import { parsePlanReads, planReadOptionSpecs, type PlanReads } from "../../src/cli/plan-read-options.js";
import { UsageError } from "../../src/cli/errors.js";
import { parseScopeSelection, scopeOptionSpecs, type ScopeSelection } from "../../src/cli/scope-options.js";
import { excludedNamespacesParameter, namespaceParametersFor } from "../../src/policy/edit.js";
import { runEditFlow } from "../shared/edit-flow.js";
import { parseNamespaces, protectionOf } from "../../src/policy/namespaces.js";
import { effectiveParameters } from "../../src/policy/parameters.js";
import { excludePoliciesOptionSpec, journalOptionSpecs } from "../../src/cli/shared-options.js";

/** The slice of the context the command uses (main passes the whole context; a test may build just this). */
export type ExcludeRemoveDeps = Pick<Context, "azure" | "clock" | "commandLine" | "confirmWrite" | "env" | "format" | "globals" | "io" | "journal" | "prompter" | "subscriptions" | "undoCommand">;

export interface ExcludeRemoveOptions extends ScopeSelection {
  assignment?: string;
  namespaces: string[];
  policies: string[];
  force: boolean;
  reason?: string;
  ticket?: string;
  /** The plan's extra sections to read (--no-clusters, --no-other-carriers, --no-impact). */
  planReads: PlanReads;
}

export default defineCommand<ExcludeRemoveOptions, ExcludeRemoveDeps>({
  path: ["exclude", "remove"],
  writes: true,
  summary: "Stop excluding namespaces from an assignment",
  description:
    "Removes namespaces from the assignment's excludedNamespaces, keeping every other field. The initiative's default namespaces are protected: removing kube-system, gatekeeper-system or azure-arc changes nothing (the add-on excludes them anyway), removing another default makes its pods subject to the initiative; both need --force.",
  arguments: [
    { name: "assignment", description: "assignment name, display name or full id (asked on a terminal when omitted)" },
    { name: "namespace", description: "namespaces to stop excluding (ticked from a list on a terminal when omitted)", variadic: true },
  ],
  options: [...scopeOptionSpecs, excludePoliciesOptionSpec, { flags: "--force", description: "allow removing the initiative's default namespaces" }, ...journalOptionSpecs, ...planReadOptionSpecs],
  outputs: ["table", "json", "yaml"],
  examples: ["akspol exclude remove pss-baseline monitoring --subscription contoso-prod --yes", "akspol exclude remove          # interactive, on a terminal"],
  parse(input) {
    const parsed = parseNamespaces((input.args.namespace as string[] | undefined) ?? []);
    if (parsed.errors.length > 0) throw new UsageError(`Invalid namespace: ${parsed.errors.join("; ")}.`);
    return {
      ...parseScopeSelection(input),
      assignment: input.args.assignment as string | undefined,
      namespaces: parsed.names,
      policies: listOption(input, "policies"),
      force: booleanOption(input, "force"),
      reason: stringOption(input, "reason"),
      ticket: stringOption(input, "ticket"),
      planReads: parsePlanReads(input),
    };
  },
  async run(options, ctx) {
    if (options.assignment && options.namespaces.length === 0 && !ctx.io.canPrompt) {
      throw new UsageError("Missing <namespace>: which namespaces to stop excluding?", { suggestion: "akspol exclude remove <assignment> <namespace>..." });
    }
    return runEditFlow(ctx, {
      ...options,
      showExclusions: true,
      summary: (operation) => `exclude remove ${(operation.removeNamespaces ?? []).join(" ")}`,
      operation: async (target) => {
        let names = options.namespaces;
        if (names.length === 0) {
          const parameter = effectiveParameters(target.entry.assignment, target.definition).find((p) => p.name === excludedNamespacesParameter);
          const current = (parameter?.value as string[] | undefined) ?? [];
          const defaults = Array.isArray(parameter?.defaultValue) ? (parameter?.defaultValue as string[]) : [];
          if (current.length === 0) throw new UsageError("The assignment excludes no namespaces; nothing to remove.");
          names = await ctx.prompter.checkbox(
            "Namespaces to stop excluding (space to tick, enter to confirm):",
            current.map((namespace) => {
              const protection = protectionOf(namespace, defaults);
              return {
                name: namespace,
                value: namespace,
                disabled: protection && !options.force ? (protection === "add-on" ? "initiative default, the add-on excludes it anyway (--force)" : "initiative default (--force)") : false,
              };
            }),
            { required: true },
          );
        }
        const { parameters, warnings } = namespaceParametersFor(target.definition, target.entry.assignment.policyDefinitionId ?? "", options.policies);
        for (const warning of warnings) ctx.io.warn(warning);
        return { removeNamespaces: names, force: options.force, ...(parameters ? { namespacesParameters: parameters } : {}) };
      },
    });
  },
});
