import { loadCommandCatalog, type CommandEntry } from "./cli/command-catalog.js";
import { AkspolError, ExitCode } from "./errors.js";
import { toAkspolError } from "./azure/error-classifier.js";
import type { GlobalOptions, RawGlobalFlags } from "./cli/global-options.js";
import { IO, systemIO } from "./cli/io.js";
import { parseCommandLine } from "./cli/program.js";
import { InquirerPrompter, NoPrompter, type Prompter } from "./cli/prompter.js";
import { redact } from "./redact.js";
import { releaseStartupSignals, signalExitCode } from "./cli/signals.js";
import type { Clock } from "./context.js";
import type { AzureSession } from "./azure/session.js";

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

/** Runs one akspol invocation and returns its exit code. The binary only calls this. */
export async function main(argv: string[], deps: MainDeps = {}): Promise<number> {
  const env = deps.env ?? process.env;
  const io = deps.io ?? systemIO({ color: env.NO_COLOR === undefined && env.TERM !== "dumb" });
  const loadCommands = deps.commands ?? loadCommandCatalog;
  let debug = argv.includes("--debug") || env.AKSPOL_DEBUG === "1";
  try {
    const entries = await loadCommands();
    const parsed = await parseCommandLine(argv, {
      commands: entries,
      io,
      env,
      // Stopped while loading: end as the signal would have, before any request.
      afterLoad: (spec) => {
        if (spec.handlesSignals) return undefined;
        const signal = releaseStartupSignals();
        return signal ? signalExitCode(signal) : undefined;
      },
    });
    if (parsed.kind === "exit") return parsed.code;
    const { spec, options, globals, format, wide, raw } = parsed;
    debug = globals.debug;
    // Only now, with a command to run, the frame's heavier parts are loaded.
    const [{ requireUsableStateDir }, { finishReads }, { createContext }] = await Promise.all([import("./cli/state-dir.js"), import("./cli/scope-report.js"), import("./context.js")]);
    io.tableWidth = wide ? undefined : (columnsFrom(env) ?? io.tableWidth);
    const command = spec.path.join(" ");
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
