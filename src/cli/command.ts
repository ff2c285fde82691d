import type { Context } from "../context.js";
import type { GlobalOptions } from "./global-options.js";
import type { OutputFormat } from "./output.js";
import type { ArgumentSpec, OptionSpec, ParsedInput } from "./option-spec.js";

// Flag and argument declarations, and the helpers parse functions read them with, live in
// ./option-spec.ts (global-options.ts needs them without the command frame); re-exported for commands.
export type { ArgumentSpec, OptionSpec, ParsedInput } from "./option-spec.js";
export { booleanOption, listOption, stringOption } from "./option-spec.js";

/**
 * One verb. `parse` turns argv into typed Options or throws UsageError (tested without Azure);
 * `run` does the work with the injected Context and returns an exit code (default 0). `Deps` is the
 * slice of the Context the command uses (`Pick<Context, "io" | ...>`): main passes the whole context,
 * a test builds exactly the slice. The pattern is GitHub CLI's NewCmdX + xRun with its options struct.
 */
export interface CommandSpec<Options = unknown, Deps = Context> {
  /** ["find"] or ["exclude", "add"]: verbs of one word live in commands/<verb>.ts, noun groups in commands/<noun>/<verb>.ts. */
  path: string[];
  summary: string;
  description?: string;
  arguments?: ArgumentSpec[];
  options?: OptionSpec[];
  /** Supported -o formats; the first is the default. */
  outputs?: OutputFormat[];
  examples?: string[];
  /**
   * The command writes to Azure. The frame then applies the one confirmation rule (src/cli/confirm.ts):
   * refusal without a terminal unless --yes, the plan and a question on a terminal, --dry-run prints
   * the plan. A command that writes calls ctx.confirmWrite(plan) before its first write request.
   */
  writes?: boolean;
  /** The command installs its own SIGINT/SIGTERM handlers (akspol emulator); others get Node's default. */
  handlesSignals?: boolean;
  parse(input: ParsedInput, globals: GlobalOptions): Options;
  run(options: Options, ctx: Deps): Promise<number | void>;
}

export function defineCommand<Options, Deps = Context>(spec: CommandSpec<Options, Deps>): CommandSpec<Options, Deps> {
  return spec;
}

/** Descriptions of the noun groups, for help. */
export const commandGroups: Record<string, string> = {
  exclude: "List, add or remove excluded namespaces of an assignment",
  params: "Read and change an assignment's initiative parameters and effects",
  exempt: "Cluster exemptions: create, list, show, renew, delete, apply a desired-state file",
  safeguards: "A cluster's Deployment Safeguards setting: show it, add or remove excluded namespaces",
  initiative: "akspol's custom initiatives (per-policy exclusions): bring one up to a newer built-in version",
};
