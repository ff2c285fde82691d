import type { Context } from "../../src/context.js";
import { defineCommand, listOption, stringOption } from "../../src/cli/command.js";
import { parsePlanReads, planReadOptionSpecs, type PlanReads } from "../../src/cli/plan-read-options.js";
import { namespaceParametersFor } from "../../src/policy/edit.js";
import { UsageError } from "../../src/cli/errors.js";
import { parseScopeSelection, scopeOptionSpecs, type ScopeSelection } from "../../src/cli/scope-options.js";
import { excludePoliciesOptionSpec, journalOptionSpecs } from "../../src/cli/shared-options.js";
import { runEditFlow } from "../shared/edit-flow.js";
import { parseNamespaces, validateNamespaceInput } from "../../src/policy/namespaces.js";

/** The slice of the context the command uses (main passes the whole context; a test may build just this). */
export type ExcludeAddDeps = Pick<Context, "azure" | "clock" | "commandLine" | "confirmWrite" | "env" | "format" | "globals" | "io" | "journal" | "prompter" | "subscriptions" | "undoCommand">;

export interface ExcludeAddOptions extends ScopeSelection {
  assignment?: string;
  namespaces: string[];
  /** Member policies whose exclusion parameter to edit (sets with per-policy parameters). */
  policies: string[];
  reason?: string;
  ticket?: string;
  /** The plan's extra sections to read (--no-clusters, --no-other-carriers, --no-impact). */
  planReads: PlanReads;
}

/** --policies of exclude add/remove: on a set with per-policy exclusion parameters, which ones to edit. */
export default defineCommand<ExcludeAddOptions, ExcludeAddDeps>({
  path: ["exclude", "add"],
  writes: true,
  summary: "Exclude namespaces from an assignment's pod-security policies",
  description:
    "Adds namespaces to the assignment's excludedNamespaces, keeping every other field as it is. When the assignment does not set the parameter yet, the edit starts from the default list of the initiative version it uses (read from Azure). Shows the plan and the clusters it reaches, asks for confirmation (or --yes), writes, and verifies by reading back.",
  arguments: [
    { name: "assignment", description: "assignment name, display name or full id (asked on a terminal when omitted)" },
    { name: "namespace", description: "namespaces to exclude (asked on a terminal when omitted)", variadic: true },
  ],
  options: [...scopeOptionSpecs, excludePoliciesOptionSpec, ...journalOptionSpecs, ...planReadOptionSpecs],
  outputs: ["table", "json", "yaml"],
  examples: [
    "akspol exclude add pss-baseline monitoring --subscription contoso-prod --reason 'node exporter uses hostNetwork' --ticket CHG-1234",
    "akspol exclude add pss-baseline monitoring --subscription contoso-prod --dry-run -o json",
    "akspol exclude add SecurityCenterBuiltIn monitoring --policies NoPrivilegedContainers --subscription contoso-prod --yes",
    "akspol exclude add            # interactive, on a terminal",
  ],
  parse(input) {
    const namespaces = (input.args.namespace as string[] | undefined) ?? [];
    const parsed = parseNamespaces(namespaces);
    if (parsed.errors.length > 0) throw new UsageError(`Invalid namespace: ${parsed.errors.join("; ")}.`);
    return {
      ...parseScopeSelection(input),
      assignment: input.args.assignment as string | undefined,
      namespaces: parsed.names,
      policies: listOption(input, "policies"),
      reason: stringOption(input, "reason"),
      ticket: stringOption(input, "ticket"),
      planReads: parsePlanReads(input),
    };
  },
  async run(options, ctx) {
    if (options.assignment && options.namespaces.length === 0 && !ctx.io.canPrompt) {
      throw new UsageError("Missing <namespace>: which namespaces to exclude?", { suggestion: "akspol exclude add <assignment> <namespace>..." });
    }
    return runEditFlow(ctx, {
      ...options,
      showExclusions: true,
      summary: (operation) => `exclude add ${(operation.addNamespaces ?? []).join(" ")}`,
      operation: async (target) => {
        let names = options.namespaces;
        if (names.length === 0) {
          const typed = await ctx.prompter.input("Namespaces to exclude (separate with spaces or commas):", { validate: validateNamespaceInput });
          names = parseNamespaces([typed]).names;
        }
        for (const warning of parseNamespaces(names).warnings) ctx.io.warn(warning);
        const { parameters, warnings } = namespaceParametersFor(target.definition, target.entry.assignment.policyDefinitionId ?? "", options.policies);
        for (const warning of warnings) ctx.io.warn(warning);
        return { addNamespaces: names, ...(parameters ? { namespacesParameters: parameters } : {}) };
      },
    });
  },
});
