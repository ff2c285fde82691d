import type { IO } from "./cli/io.js";
import type { Prompter } from "./cli/prompter.js";
import type { GlobalOptions } from "./cli/global-options.js";
import type { OutputFormat } from "./cli/output.js";
import { AzureSession } from "./azure/session.js";
import { resolveSubscriptions, type SubscriptionRef } from "./azure/subscriptions.js";
import { Journal } from "./journal/journal.js";
import { confirmWrite, type WritePlan } from "./cli/confirm.js";
import type { OptionSpec } from "./cli/option-spec.js";

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/**
 * akspol itself, for the two commands that need it without importing the command list (which
 * imports them): `completion` lists the commands, `demo` runs akspol in-process.
 */
export interface Program {
  /** Every command's path and flags. */
  commands: ReadonlyArray<{ path: string[]; summary: string; options?: OptionSpec[] }>;
  /** One more invocation in this process, exactly as the binary would run it; returns its exit code. */
  run(argv: string[], deps: { io: IO; env: NodeJS.ProcessEnv; clock?: Clock }): Promise<number>;
}

/**
 * Everything a command may use, built once per invocation and lazily: the Azure session signs in
 * only when a command first asks for a client. Commands take the narrow slice they need.
 */
export interface Context {
  io: IO;
  prompter: Prompter;
  globals: GlobalOptions;
  env: NodeJS.ProcessEnv;
  clock: Clock;
  /** The output format chosen for this command (validated against the formats it supports). */
  format: OutputFormat;
  azure: AzureSession;
  /** The argv of this invocation (for the journal), with nothing secret in it. */
  commandLine: string;
  subscriptions(options?: { all?: boolean }): Promise<SubscriptionRef[]>;
  journal(): Journal;
  /**
   * The frame's one confirmation rule (src/cli/confirm.ts): call with the plan before the first write
   * request. True: write. False: a dry run, the plan was printed as the result; write nothing.
   */
  confirmWrite(plan: WritePlan): Promise<boolean>;
  /** `akspol undo <id>` with the global flags this change was made with, so it works when pasted. */
  undoCommand(changeId: string): string;
  /** Set by main(); absent in contexts a test builds for one command. */
  program?: Program;
}

export interface ContextDeps {
  io: IO;
  prompter: Prompter;
  globals: GlobalOptions;
  env: NodeJS.ProcessEnv;
  clock?: Clock;
  format: OutputFormat;
  commandLine: string;
  /** Tests may inject a credential or a prebuilt session. */
  session?: AzureSession;
  /** The command's path ("exempt create") and whether its metadata declares that it writes. */
  command?: string;
  writes?: boolean;
  /** The global flags of this invocation that say where it worked (--emulator-dir, --state-dir, ...). */
  whereFlags?: string[];
  program?: Program;
}

/** A word as a POSIX shell reads it back unchanged. */
function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

export function createContext(deps: ContextDeps): Context {
  const azure =
    deps.session ??
    new AzureSession({
      globals: deps.globals,
      env: deps.env,
      log: (text) => deps.io.info(text),
      debug: (text) => deps.io.debug(text),
    });
  let journal: Journal | undefined;
  const resolved = new Map<string, Promise<SubscriptionRef[]>>();
  return {
    io: deps.io,
    prompter: deps.prompter,
    globals: deps.globals,
    env: deps.env,
    clock: deps.clock ?? systemClock,
    format: deps.format,
    azure,
    commandLine: deps.commandLine,
    program: deps.program,
    subscriptions(options = {}) {
      const key = options.all ? "all" : "chosen";
      let result = resolved.get(key);
      if (!result) {
        result = resolveSubscriptions({ session: azure, env: deps.env, prompter: deps.prompter, canPrompt: deps.io.canPrompt, requested: deps.globals.subscriptions }, options);
        resolved.set(key, result);
      }
      return result;
    },
    journal() {
      journal ??= new Journal(deps.globals.stateDir);
      return journal;
    },
    undoCommand(changeId) {
      return ["akspol", ...(deps.whereFlags ?? []), "undo", changeId].map(shellWord).join(" ");
    },
    confirmWrite(plan) {
      return confirmWrite(
        {
          io: deps.io,
          prompter: deps.prompter,
          format: deps.format,
          yes: deps.globals.yes,
          dryRun: deps.globals.dryRun,
          command: deps.command ?? "",
          declaredWrites: deps.writes === true,
        },
        plan,
      );
    },
  };
}
