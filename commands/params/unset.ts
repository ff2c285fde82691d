import type { Context } from "../../src/context.js";
import { defineCommand, stringOption } from "../../src/cli/command.js";
import { parsePlanReads, planReadOptionSpecs, type PlanReads } from "../../src/cli/plan-read-options.js";
import { UsageError } from "../../src/cli/errors.js";
import { parseScopeSelection, scopeOptionSpecs, type ScopeSelection } from "../../src/cli/scope-options.js";
import { runEditFlow } from "../shared/edit-flow.js";
import { effectiveParameters } from "../../src/policy/parameters.js";
import { journalOptionSpecs } from "../../src/cli/shared-options.js";

/** The slice of the context the command uses (main passes the whole context; a test may build just this). */
export type ParamsUnsetDeps = Pick<Context, "azure" | "clock" | "commandLine" | "confirmWrite" | "env" | "format" | "globals" | "io" | "journal" | "prompter" | "subscriptions" | "undoCommand">;

export interface ParamsUnsetOptions extends ScopeSelection {
  assignment?: string;
  name?: string;
  reason?: string;
  ticket?: string;
  /** The plan's extra sections to read (--no-clusters, --no-other-carriers, --no-impact). */
  planReads: PlanReads;
}

export default defineCommand<ParamsUnsetOptions, ParamsUnsetDeps>({
  path: ["params", "unset"],
  writes: true,
  summary: "Remove a parameter from the assignment so the initiative default applies again",
  description:
    "Removes the parameter from the assignment: the default of the assigned initiative version applies, and follows later changes of that default (for excludedNamespaces: the default list).",
  arguments: [
    { name: "assignment", description: "assignment name, display name or full id (asked on a terminal when omitted)" },
    { name: "name", description: "the parameter (asked on a terminal when omitted)" },
  ],
  options: [...scopeOptionSpecs, ...journalOptionSpecs, ...planReadOptionSpecs],
  outputs: ["table", "json", "yaml"],
  examples: ["akspol params unset pss-restricted excludedNamespaces --subscription contoso-dev --yes"],
  parse(input) {
    return {
      ...parseScopeSelection(input),
      assignment: input.args.assignment as string | undefined,
      name: input.args.name as string | undefined,
      reason: stringOption(input, "reason"),
      ticket: stringOption(input, "ticket"),
      planReads: parsePlanReads(input),
    };
  },
  async run(options, ctx) {
    if (options.assignment && !options.name && !ctx.io.canPrompt) {
      throw new UsageError("Missing <name>: which parameter to unset?", { suggestion: "akspol params unset <assignment> <name>" });
    }
    return runEditFlow(ctx, {
      ...options,
      summary: (operation) => `params unset ${(operation.unset ?? []).join(" ")}`,
      operation: async (target) => {
        let name = options.name;
        if (!name) {
          const own = effectiveParameters(target.entry.assignment, target.definition).filter((p) => p.source === "assignment");
          if (own.length === 0) throw new UsageError("The assignment sets no parameters; every one already follows the initiative default.");
          name = await ctx.prompter.select(
            "Which parameter goes back to the initiative default?",
            own.map((p) => ({ name: `${p.name} = ${JSON.stringify(p.value)} (default ${JSON.stringify(p.defaultValue)})`, value: p.name })),
          );
        }
        return { unset: [name] };
      },
    });
  },
});
