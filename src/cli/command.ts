import type { Context } from "../context.js";
import type { GlobalOptions } from "./global-options.js";
import type { OutputFormat } from "./output.js";

export interface ArgumentSpec {
  name: string;
  description: string;
  required?: boolean;
  variadic?: boolean;
}

export interface OptionSpec {
  /** Commander flags, e.g. "--reason <text>", "-f, --file <path>", "--force". */
  flags: string;
  description: string;
  choices?: readonly string[];
  default?: string | boolean | string[];
  /** May be given several times; the values are collected into an array. */
  repeatable?: boolean;
}

/** What the parse layer hands a command: positional arguments by name and options in camelCase. */
export interface ParsedInput {
  args: Record<string, string | string[] | undefined>;
  options: Record<string, unknown>;
}

/**
 * One verb. `parse` turns argv into typed Options or throws UsageError (tested without Azure);
 * `run` does the work with the injected Context and returns an exit code (default 0).
 * The pattern is GitHub CLI's NewCmdX + xRun.
 */
export interface CommandSpec<Options = unknown> {
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
  run(options: Options, ctx: Context): Promise<number | void>;
}

export function defineCommand<Options>(spec: CommandSpec<Options>): CommandSpec<Options> {
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

/** Helpers for parse functions. */
export function stringOption(input: ParsedInput, name: string): string | undefined {
  const value = input.options[name];
  if (value === undefined || value === null || value === false) return undefined;
  return String(value);
}

export function listOption(input: ParsedInput, name: string): string[] {
  const value = input.options[name];
  if (value === undefined || value === null) return [];
  const values = Array.isArray(value) ? value : [value];
  return values
    .flatMap((item) => String(item).split(","))
    .map((item) => item.trim())
    .filter(Boolean);
}

export function booleanOption(input: ParsedInput, name: string): boolean {
  return input.options[name] === true;
}
