// The command line, from argv to a command and its typed options: the program built from the
// commands' metadata (help and parsing load no command module, src/cli/command-catalog.ts), the
// global flags resolved, the output format checked, the command's own parse, and the frame's rule
// for a write without a terminal. main() runs what this returns; the argv tables of
// test/cli/argv.test.ts call it for every command, with and without a terminal.
import { Command, CommanderError, Option } from "commander";
import { commandGroups, type CommandSpec, type ParsedInput } from "./command.js";
import type { CommandEntry, CommandMetadata } from "./command-catalog.js";
import { ExitCode, UsageError } from "./errors.js";
import { globalOptionSpecs, resolveGlobalOptions, type GlobalOptions, type RawGlobalFlags } from "./global-options.js";
import type { IO } from "./io.js";
import type { OutputFormat } from "./output.js";
import { version } from "../version.js";

/** A command to run, and everything the frame decided from argv. */
export interface CommandLine<Options = unknown> {
  kind: "run";
  spec: CommandSpec<Options>;
  /** The command's typed options: what its parse function returned. */
  options: Options;
  globals: GlobalOptions;
  format: OutputFormat;
  /** -o wide: the table with every column at full width. */
  wide: boolean;
  /** The global flags as given (repeated in "Undo with:" lines). */
  raw: RawGlobalFlags;
}

/** Nothing to run: help or the version was printed (exit 0), or commander printed a usage error (exit 2). */
export interface CommandLineExit {
  kind: "exit";
  code: number;
}

export interface ParseDeps {
  commands: readonly CommandEntry[];
  /** Help, the version and commander's usage errors are written here; `canPrompt` decides the write rule. */
  io: IO;
  env: NodeJS.ProcessEnv;
  /**
   * Called once the command's module is loaded, before its flags are resolved: main() ends here when a
   * signal arrived while loading. A number ends the parse with that exit code.
   */
  afterLoad?: (spec: CommandSpec) => number | undefined;
}

/**
 * argv to the command and its typed options, or an exit (help, version, commander's usage error,
 * already printed). Throws UsageError for what the frame or the command's parse refuses.
 */
export async function parseCommandLine(argv: readonly string[], deps: ParseDeps): Promise<CommandLine | CommandLineExit> {
  const { io, env } = deps;
  let selected: { entry: CommandEntry; input: ParsedInput; raw: RawGlobalFlags } | undefined;
  const program = buildProgram(io, deps.commands, (entry, input, raw) => {
    selected = { entry, input, raw };
  });
  try {
    await program.parseAsync([...argv], { from: "user" });
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === "commander.helpDisplayed" || error.code === "commander.version" || error.code === "commander.help") return { kind: "exit", code: ExitCode.ok };
      // commander has already printed its message to stderr; add where to read the usage.
      if (error.exitCode !== 0) io.writeErr(`  See '${["akspol", ...commandPathOf(program, argv)].join(" ")} --help' for the usage.\n`);
      return { kind: "exit", code: error.exitCode === 0 ? ExitCode.ok : ExitCode.usage };
    }
    throw error;
  }
  if (!selected) return { kind: "exit", code: ExitCode.ok };
  const { entry, input, raw } = selected;
  // Only now, with a command to run, its module and the confirmation rule (output renderers) load.
  const [spec, { refuseUnconfirmedWrite }] = await Promise.all([entry.load(), import("./confirm.js")]);
  const early = deps.afterLoad?.(spec);
  if (early !== undefined) return { kind: "exit", code: early };
  const globals = resolveGlobalOptions(raw, env);
  io.quiet = globals.quiet;
  io.debugEnabled = globals.debug;
  io.noInput = globals.noInput;
  const outputs = spec.outputs ?? ["table", "json"];
  // -o wide is the table with every column at full width, for every command that prints a table.
  const wide = globals.output === "wide" && outputs.includes("table");
  const format = (wide ? "table" : (globals.output ?? outputs[0])) as OutputFormat;
  if (!outputs.includes(format)) {
    throw new UsageError(`'akspol ${spec.path.join(" ")}' cannot print '${globals.output}'.`, {
      suggestion: `Use -o ${[...outputs, ...(outputs.includes("table") ? ["wide"] : [])].join("|")}.`,
    });
  }
  const options = spec.parse(input, globals);
  if (spec.writes) refuseUnconfirmedWrite({ io, yes: globals.yes, dryRun: globals.dryRun, command: spec.path.join(" ") });
  return { kind: "run", spec, options, globals, format, wide, raw };
}

const collect = (value: string, previous: string[] | undefined) => [...(previous ?? []), value];

/**
 * Global flags, accepted before or after the verb. On verbs they are hidden from help (akspol --help
 * lists them once) except -o, whose formats differ per command.
 */
function addGlobalOptions(command: Command, hidden = false): Command {
  const options = globalOptionSpecs.map((spec) => {
    const option = new Option(spec.flags, spec.description);
    if (spec.choices) option.choices(spec.choices as string[]);
    if (spec.repeatable) option.argParser(collect);
    return option;
  });
  const own = new Set(command.options.map((option) => option.long));
  for (const option of options) {
    // A verb may give a global flag its own meaning (akspol emulator --state-dir is the emulator's).
    if (own.has(option.long)) continue;
    if (hidden && option.long !== "--output") option.hideHelp();
    command.addOption(option);
  }
  return command;
}

function helpExamples(spec: CommandMetadata): string {
  const lines: string[] = [];
  if (spec.outputs) lines.push(`\nOutput formats (-o): ${spec.outputs.join(", ")} (default ${spec.outputs[0]})`);
  if (spec.examples?.length) {
    lines.push("\nExamples:");
    for (const example of spec.examples) lines.push(`  $ ${example}`);
  }
  return lines.join("\n");
}

/** Help and argv parsing from the commands' metadata only: no command module is loaded here. */
function buildProgram(io: IO, entries: readonly CommandEntry[], onRun: (entry: CommandEntry, input: ParsedInput, raw: RawGlobalFlags) => void): Command {
  const program = addGlobalOptions(new Command("akspol"))
    .description(
      "Manage the Azure Policy pod-security initiatives (baseline, restricted) on AKS clusters:\nfind assignments, edit excluded namespaces and parameters safely, exempt clusters, check manifests.",
    )
    .version(version, "-v, --version")
    .showSuggestionAfterError(true)
    .configureOutput({
      writeOut: (text) => io.writeOut(text),
      writeErr: (text) => io.writeErr(text),
    })
    .exitOverride();
  program.addHelpText(
    "after",
    "\nGet started:\n  $ akspol demo                      # see it work on an embedded emulator\n  $ akspol find --all-subscriptions  # your pod-security assignments\n\nExit codes: 0 ok, 1 failure, 2 usage, 3 not found, 4 auth/permission, 5 conflict, 6 gate failed, 7 partial failure, 130 cancelled.",
  );

  const groups = new Map<string, Command>();
  for (const entry of entries) {
    const spec = entry.metadata;
    let parent = program;
    if (spec.path.length === 2) {
      const noun = spec.path[0] as string;
      let group = groups.get(noun);
      if (!group) {
        group = new Command(noun)
          .description(commandGroups[noun] ?? "")
          .exitOverride()
          .configureOutput({
            writeOut: (text) => io.writeOut(text),
            writeErr: (text) => io.writeErr(text),
          });
        program.addCommand(group);
        groups.set(noun, group);
      }
      parent = group;
    }
    const verb = new Command(spec.path[spec.path.length - 1]).description(spec.description ?? spec.summary).summary(spec.summary);
    verb.exitOverride().configureOutput({ writeOut: (text) => io.writeOut(text), writeErr: (text) => io.writeErr(text) });
    for (const argument of spec.arguments ?? []) {
      const name = `${argument.name}${argument.variadic ? "..." : ""}`;
      verb.argument(argument.required ? `<${name}>` : `[${name}]`, argument.description);
    }
    for (const option of spec.options ?? []) {
      const built = new Option(option.flags, option.description);
      if (option.choices) built.choices(option.choices as string[]);
      if (option.default !== undefined) built.default(option.default);
      if (option.repeatable) built.argParser(collect);
      verb.addOption(built);
    }
    addGlobalOptions(verb, true);
    verb.addHelpText("after", `${helpExamples(spec)}\n\nGlobal options (--subscription, --auth, --emulator, --yes, --dry-run, ...): see 'akspol --help'.`);
    verb.action((...actionArgs: unknown[]) => {
      const command = actionArgs[actionArgs.length - 1] as Command;
      const positional = command.processedArgs as Array<string | string[] | undefined>;
      const args: ParsedInput["args"] = {};
      (spec.arguments ?? []).forEach((argument, index) => {
        args[argument.name] = positional[index];
      });
      const merged = command.optsWithGlobals() as Record<string, unknown>;
      onRun(entry, { args, options: merged }, merged as RawGlobalFlags);
    });
    parent.addCommand(verb);
  }
  return program;
}

/** The command words of argv ("exempt", "create"), for pointing at the right --help. */
function commandPathOf(program: Command, argv: readonly string[]): string[] {
  const path: string[] = [];
  let current = program;
  for (const token of argv) {
    const next = current.commands.find((command) => command.name() === token);
    if (!next) continue;
    path.push(token);
    current = next;
  }
  return path;
}
