import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { main } from "../../src/main.js";
import { createTestIO } from "../../src/cli/io.js";
import type { Prompter } from "../../src/cli/prompter.js";
import type { Clock } from "../../src/context.js";
import { catalogOf } from "../../src/cli/command-catalog.js";
import { commands } from "../../commands/index.js";

/** The commands from source (no built catalog), as main() takes them. */
export const sourceCommands = async () => catalogOf(commands);

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunCliOptions {
  /** The emulator's state dir (RunningEmulator.stateDir); sets AKSPOL_EMULATOR. */
  emulatorDir?: string;
  /** akspol's own state dir (journal, locks); a fresh temp dir per call when omitted. */
  stateDir?: string;
  tty?: boolean;
  input?: string;
  prompter?: Prompter;
  env?: NodeJS.ProcessEnv;
  clock?: Clock;
}

/**
 * Runs akspol in-process with buffered streams and an isolated environment: HOME points at an
 * empty temp dir (no real Azure CLI profile leaks in) and nothing from the real environment is read.
 */
export async function runCli(argv: string[], options: RunCliOptions = {}): Promise<CliRun> {
  const home = mkdtempSync(join(tmpdir(), "akspol-home-"));
  const stateDir = options.stateDir ?? join(home, "state");
  const env: NodeJS.ProcessEnv = {
    HOME: home,
    PATH: process.env.PATH,
    AKSPOL_STATE_DIR: stateDir,
    // The verifying read right after the write, not after a settle interval, unless a test asks (test/journal/verify.test.ts does).
    AKSPOL_VERIFY_SETTLE_MS: "0",
    ...(options.emulatorDir ? { AKSPOL_EMULATOR: options.emulatorDir } : {}),
    ...options.env,
  };
  const test = createTestIO({ tty: options.tty, input: options.input });
  try {
    const code = await main(argv, { io: test.io, env, prompter: options.prompter, clock: options.clock, commands: sourceCommands });
    return { code, stdout: test.stdout(), stderr: test.stderr() };
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}
