// argv through the real parser (the program main() builds: commander, global flags, -o, the command's
// own parse and the write rule), without running anything: the typed options, or the usage error.
import { commands } from "../../commands/index.js";
import { catalogOf } from "../../src/cli/command-catalog.js";
import { toAkspolError } from "../../src/cli/errors.js";
import type { GlobalOptions } from "../../src/cli/global-options.js";
import { createTestIO } from "../../src/cli/io.js";
import type { OutputFormat } from "../../src/cli/output.js";
import { parseCommandLine } from "../../src/cli/program.js";

export type Parsed =
  | { kind: "options"; command: string; options: unknown; globals: GlobalOptions; format: OutputFormat }
  /** Exit code and what the user reads on stderr (message and suggestion). */
  | { kind: "usage"; code: number; stderr: string };

const entries = catalogOf(commands);

/** `terminal`: stdin and stdout are a terminal (prompts possible); otherwise both are pipes. */
export async function parseArgv(argv: string[], options: { terminal: boolean; env?: NodeJS.ProcessEnv }): Promise<Parsed> {
  const test = createTestIO({ tty: options.terminal });
  // No real environment leaks in: no AZURE_SUBSCRIPTION_ID, a HOME that does not exist.
  const env: NodeJS.ProcessEnv = { HOME: "/nonexistent/akspol-parse-home", ...options.env };
  try {
    const parsed = await parseCommandLine(argv, { commands: entries, io: test.io, env });
    if (parsed.kind === "exit") return { kind: "usage", code: parsed.code, stderr: test.stderr() };
    return { kind: "options", command: parsed.spec.path.join(" "), options: parsed.options, globals: parsed.globals, format: parsed.format };
  } catch (error) {
    const classified = toAkspolError(error);
    return { kind: "usage", code: classified.exitCode, stderr: `${classified.message}\n${classified.suggestion ?? ""}` };
  }
}
