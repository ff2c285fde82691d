import { Command, CommanderError, Option } from "commander";
import { commandGroups, type ParsedInput } from "./cli/command.js";
import { loadCommandCatalog, type CommandEntry, type CommandMetadata } from "./cli/command-catalog.js";
import { AkspolError, ExitCode, UsageError, toAkspolError } from "./cli/errors.js";
import { resolveGlobalOptions, globalOptionSpecs, type GlobalOptions, type RawGlobalFlags } from "./cli/global-options.js";
import { IO, systemIO } from "./cli/io.js";
import type { OutputFormat } from "./cli/output.js";
import { InquirerPrompter, NoPrompter, type Prompter } from "./cli/prompter.js";
import { redact } from "./cli/redact.js";
import { releaseStartupSignals, signalExitCode } from "./cli/signals.js";
import type { Clock } from "./context.js";
import type { AzureSession } from "./azure/session.js";
import { version } from "./version.js";

export interface MainDeps {
  io?: IO;
  env?: NodeJS.ProcessEnv;
  /** Tests pass a ScriptedPrompter; otherwise inquirer on a terminal, or none. */
  prompter?: Prompter;
  clock?: Clock;
  /** Tests may inject a session (for example with a fixed credential). */
  session?: (globals: GlobalOptions) => AzureSession;
  /**
   * The commands: by default the built catalog (dist/commands/catalog.json); run from source, the
   * caller passes catalogOf(commands) from commands/index.ts (src/ never imports commands/).
   */
  commands?: () => Promise<readonly CommandEntry[]>;
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
        group = new Command(noun).description(commandGroups[noun] ?? "").exitOverride().configureOutput({
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

/** Runs one akspol invocation and returns its exit code. The binary only calls this. */
export async function main(argv: string[], deps: MainDeps = {}): Promise<number> {
  const env = deps.env ?? process.env;
  const io = deps.io ?? systemIO({ color: env.NO_COLOR === undefined && env.TERM !== "dumb" });
  let selected: { entry: CommandEntry; input: ParsedInput; raw: RawGlobalFlags } | undefined;
  const loadCommands = deps.commands ?? loadCommandCatalog;
  const entries = await loadCommands();
  const program = buildProgram(io, entries, (entry, input, raw) => {
    selected = { entry, input, raw };
  });
  let debug = argv.includes("--debug") || env.AKSPOL_DEBUG === "1";
  try {
    try {
      await program.parseAsync(argv, { from: "user" });
    } catch (error) {
      if (error instanceof CommanderError) {
        if (error.code === "commander.helpDisplayed" || error.code === "commander.version" || error.code === "commander.help") return ExitCode.ok;
        // commander has already printed its message to stderr; add where to read the usage.
        if (error.exitCode !== 0) io.writeErr(`  See '${["akspol", ...commandPathOf(program, argv)].join(" ")} --help' for the usage.\n`);
        return error.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
      }
      throw error;
    }
    if (!selected) return ExitCode.ok;
    const { entry, input, raw } = selected;
    // Only now, with a command to run, its module and the frame's heavier parts are loaded.
    const [spec, { refuseUnconfirmedWrite }, { requireUsableStateDir }, { finishReads }, { createContext }] = await Promise.all([
      entry.load(),
      import("./cli/confirm.js"),
      import("./cli/state-dir.js"),
      import("./cli/scope-report.js"),
      import("./context.js"),
    ]);
    if (!spec.handlesSignals) {
      // Stopped while loading: end as the signal would have, before any request.
      const signal = releaseStartupSignals();
      if (signal) return signalExitCode(signal);
    }
    const globals = resolveGlobalOptions(raw, env);
    debug = globals.debug;
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
    io.tableWidth = wide ? undefined : (columnsFrom(env) ?? io.tableWidth);
    const options = spec.parse(input, globals);
    const command = spec.path.join(" ");
    if (spec.writes) refuseUnconfirmedWrite({ io, yes: globals.yes, dryRun: globals.dryRun, command });
    if (spec.writes && !globals.dryRun) requireUsableStateDir(globals.stateDir);
    const prompter = deps.prompter ?? (io.canPrompt ? new InquirerPrompter(io) : new NoPrompter());
    const ctx = createContext({
      io,
      prompter,
      globals,
      env,
      clock: deps.clock,
      format,
      commandLine: redact(`akspol ${argv.join(" ")}`),
      session: deps.session?.(globals),
      command,
      writes: spec.writes === true,
      whereFlags: whereFlags(raw),
      program: {
        commands: entries.map((entry) => entry.metadata),
        run: (nestedArgv, nested) => main(nestedArgv, { ...nested, commands: loadCommands }),
      },
    });
    const code = await spec.run(options, ctx);
    return finishReads(io, format, ctx.azure.scopeFailures, code ?? ExitCode.ok);
  } catch (error) {
    return reportError(io, toAkspolError(error), debug);
  }
}

/**
 * The global flags given on the command line that choose where akspol works (emulator, state dir,
 * principal, tenant, cloud, sign-in), repeated in "Undo with:" lines so they work when pasted.
 */
function whereFlags(raw: RawGlobalFlags): string[] {
  const flags: string[] = [];
  if (raw.emulatorDir) flags.push("--emulator-dir", raw.emulatorDir);
  else if (raw.emulator) flags.push("--emulator");
  if (raw.stateDir) flags.push("--state-dir", raw.stateDir);
  if (raw.principal) flags.push("--principal", raw.principal);
  if (raw.tenant) flags.push("--tenant", raw.tenant);
  if (raw.cloud) flags.push("--cloud", raw.cloud);
  if (raw.auth) flags.push("--auth", raw.auth);
  if (raw.clientId) flags.push("--client-id", raw.clientId);
  return flags;
}

/** The command words of argv ("exempt", "create"), for pointing at the right --help. */
function commandPathOf(program: Command, argv: string[]): string[] {
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

/** COLUMNS, when it is a usable width (shells export it; tests and scripts may set it). */
function columnsFrom(env: NodeJS.ProcessEnv): number | undefined {
  const columns = Number(env.COLUMNS);
  return Number.isInteger(columns) && columns >= 20 ? columns : undefined;
}

export function reportError(io: IO, error: AkspolError, debug: boolean): number {
  io.error(redact(error.message));
  if (error.suggestion) io.writeErr(`  ${redact(error.suggestion)}\n`);
  if (debug) {
    if (error.requestId) io.debug(`x-ms-request-id: ${error.requestId}`);
    const cause = error.cause as { stack?: string; message?: string } | undefined;
    if (cause) io.debug(`cause: ${cause.stack ?? cause.message ?? String(cause)}`);
  }
  return error.exitCode;
}
