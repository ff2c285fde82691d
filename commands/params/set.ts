import type { Context } from "../../src/context.js";
import { readFile } from "node:fs/promises";
import { parsePlanReads, planReadOptionSpecs, type PlanReads } from "../../src/cli/plan-read-options.js";
import { booleanOption, defineCommand, listOption, stringOption } from "../../src/cli/command.js";
import { UsageError } from "../../src/cli/errors.js";
import { parseScopeSelection, scopeOptionSpecs, type ScopeSelection } from "../../src/cli/scope-options.js";
import type { EditOperation } from "../../src/policy/edit.js";
import { parseParameterValue, splitAssignmentArgument } from "../../src/policy/parameter-values.js";
import { runEditFlow } from "../shared/edit-flow.js";
import { effectiveParameters } from "../../src/policy/parameters.js";
import { journalOptionSpecs } from "../../src/cli/shared-options.js";

/** The slice of the context the command uses (main passes the whole context; a test may build just this). */
export type ParamsSetDeps = Pick<Context, "azure" | "clock" | "commandLine" | "confirmWrite" | "env" | "format" | "globals" | "io" | "journal" | "prompter" | "subscriptions" | "undoCommand">;

export interface ParamsSetOptions extends ScopeSelection {
  assignment?: string;
  values: Array<{ name: string; raw: string }>;
  effect?: "audit" | "deny" | "disabled";
  policies: string[];
  enforcementMode?: "Default" | "DoNotEnforce";
  force: boolean;
  reason?: string;
  ticket?: string;
  /** The plan's extra sections to read (--no-clusters, --no-other-carriers, --no-impact). */
  planReads: PlanReads;
}

async function readValueFile(raw: string): Promise<string | undefined> {
  if (!raw.startsWith("@")) return undefined;
  try {
    return await readFile(raw.slice(1), "utf8");
  } catch (error) {
    throw new UsageError(`Cannot read ${raw}: ${(error as Error).message}`);
  }
}

export default defineCommand<ParamsSetOptions, ParamsSetDeps>({
  path: ["params", "set"],
  writes: true,
  summary: "Change initiative parameters, the effect (all or per policy) or the enforcement mode",
  description:
    "Sets parameters by name, each value parsed by the parameter's declared type (arrays as JSON or comma lists, objects as JSON, @file.json) and checked against its allowedValues before anything is written. Only the named parameters change; every other field is sent back as read. --effect with --policies writes a per-policy policyEffect override (PATCH).",
  arguments: [
    { name: "assignment", description: "assignment name, display name or full id (asked on a terminal when omitted)" },
    { name: "values", description: "name=value pairs", variadic: true },
  ],
  options: [
    ...scopeOptionSpecs,
    { flags: "--effect <effect>", description: "the initiative effect", choices: ["audit", "deny", "disabled"] },
    { flags: "--policies <refs>", description: "with --effect: only these member policies (reference ids, comma-separated), as overrides", repeatable: true },
    { flags: "--enforcement-mode <mode>", description: "default, or do-not-enforce (evaluate and report, never deny)", choices: ["default", "do-not-enforce"] },
    { flags: "--force", description: "allow removing the initiative's default namespaces through excludedNamespaces=..., or setting a namespaces include-list without a terminal" },
    ...journalOptionSpecs,
    ...planReadOptionSpecs,
  ],
  outputs: ["table", "json", "yaml"],
  examples: [
    "akspol params set pss-baseline --effect audit --subscription contoso-prod --yes",
    "akspol params set pss-baseline --effect audit --policies BlockUsingHostNetwork --subscription contoso-prod --yes",
    "akspol params set pss-restricted allowedCapabilities=CHOWN,KILL --subscription contoso-dev --yes",
    "akspol params set pss-baseline --enforcement-mode do-not-enforce --subscription contoso-prod --dry-run",
  ],
  parse(input) {
    const values = ((input.args.values as string[] | undefined) ?? []).map(splitAssignmentArgument);
    const effect = stringOption(input, "effect")?.toLowerCase() as ParamsSetOptions["effect"];
    const policies = listOption(input, "policies");
    if (policies.length > 0 && !effect) throw new UsageError("--policies goes with --effect.", { suggestion: "akspol params set <assignment> --effect audit --policies BlockUsingHostNetwork" });
    const mode = stringOption(input, "enforcementMode");
    if (effect && values.some((value) => value.name.toLowerCase() === "effect")) throw new UsageError("Give the effect once: effect=... or --effect.");
    return {
      ...parseScopeSelection(input),
      assignment: input.args.assignment as string | undefined,
      values,
      effect,
      policies,
      enforcementMode: mode === undefined ? undefined : mode === "do-not-enforce" ? "DoNotEnforce" : "Default",
      force: booleanOption(input, "force"),
      reason: stringOption(input, "reason"),
      ticket: stringOption(input, "ticket"),
      planReads: parsePlanReads(input),
    };
  },
  async run(options, ctx) {
    const nothingAsked = options.values.length === 0 && !options.effect && !options.enforcementMode;
    if (options.assignment && nothingAsked && !ctx.io.canPrompt) {
      throw new UsageError("Nothing to set.", { suggestion: "Pass name=value, --effect or --enforcement-mode." });
    }
    return runEditFlow(ctx, {
      ...options,
      summary: (operation) =>
        [
          ...Object.entries(operation.set ?? {}).map(([name, value]) => `${name}=${JSON.stringify(value)}`),
          operation.effect ? `effect=${operation.effect.value}${operation.effect.policies ? ` for ${operation.effect.policies.join(",")}` : ""}` : "",
          operation.enforcementMode ? `enforcementMode=${operation.enforcementMode}` : "",
        ]
          .filter(Boolean)
          .join(" ")
          .replace(/^/, "params set "),
      operation: async (target) => {
        let values = options.values;
        if (nothingAsked) {
          const parameters = effectiveParameters(target.entry.assignment, target.definition);
          const name = await ctx.prompter.select(
            "Which parameter?",
            parameters.map((p) => ({ name: `${p.name} (${p.type}) = ${JSON.stringify(p.value)}${p.source === "default" ? " (default)" : ""}`, value: p.name })),
          );
          const raw = await ctx.prompter.input(`New value for ${name} (arrays as JSON or a comma list, objects as JSON, @file.json):`, {
            validate: (text) => {
              if (text.startsWith("@")) return true;
              try {
                parseParameterValue(target.definition, name, text);
                return true;
              } catch (error) {
                return (error as Error).message;
              }
            },
          });
          values = [{ name, raw }];
        }
        const set: Record<string, unknown> = {};
        for (const { name, raw } of values) {
          const parsed = parseParameterValue(target.definition, name, raw, await readValueFile(raw));
          set[parsed.name] = parsed.value;
        }
        // A non-empty `namespaces` is an include-list: every namespace not listed stops being checked.
        // On a terminal the plan says so and asks; a script must say --force.
        const includeList = Object.entries(set).find(([name, value]) => name.toLowerCase() === "namespaces" && Array.isArray(value) && value.length > 0);
        if (includeList && !options.force && !ctx.io.canPrompt && !ctx.globals.dryRun) {
          throw new UsageError(
            `namespaces=${JSON.stringify(includeList[1])} is a coverage change: the initiative would check only ${(includeList[1] as string[]).join(", ")}, and every namespace not listed would stop being checked.`,
            { suggestion: "Pass --force if that is what you want (see the plan with --dry-run); to exempt namespaces use excludedNamespaces ('akspol exclude add')." },
          );
        }
        const operation: EditOperation = { force: options.force };
        if (Object.keys(set).length > 0) operation.set = set;
        if (options.effect) operation.effect = { value: options.effect, ...(options.policies.length ? { policies: options.policies } : {}) };
        if (options.enforcementMode) operation.enforcementMode = options.enforcementMode;
        return operation;
      },
    });
  },
});
