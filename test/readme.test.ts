import { execFile, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestEmulator, type TestEmulator } from "./helpers/emulator.js";

/**
 * Keeps the README true: every `akspol` command line in its ```sh blocks runs, in order, through
 * bash with the built binary, against one emulator with the demo seed and one akspol state dir, and
 * must exit 0 (or the code a trailing `# exit N` comment names). Interactive transcripts live in
 * ```text blocks; the pseudo-terminal test (test/exclude) drives the interactive flow.
 */
interface ReadmeCommand {
  line: number;
  /** The line as written (continuations joined). */
  text: string;
  argv: string[];
  expectedExit: number;
}

/** A small shell word splitter: quotes, escapes, comments; stops at a pipe or redirection. */
export function shellWords(text: string): { words: string[]; comment: string } {
  const words: string[] = [];
  let current = "";
  let quote: string | undefined;
  let started = false;
  for (let index = 0; index < text.length; index += 1) {
    const char = text[index] as string;
    if (quote) {
      if (char === quote) quote = undefined;
      else if (char === "\\" && quote === '"' && index + 1 < text.length) current += text[++index];
      else current += char;
      continue;
    }
    if (char === "'" || char === '"') {
      quote = char;
      started = true;
    } else if (char === "\\" && index + 1 < text.length) {
      current += text[++index];
      started = true;
    } else if (/\s/.test(char)) {
      if (started) words.push(current);
      current = "";
      started = false;
    } else if (char === "#" && !started) {
      return { words, comment: text.slice(index + 1).trim() };
    } else if ((char === "|" || char === ">" || char === "&" || char === ";") && !started) {
      return { words, comment: "" };
    } else {
      current += char;
      started = true;
    }
  }
  if (started) words.push(current);
  return { words, comment: "" };
}

function readmeCommands(markdown: string): ReadmeCommand[] {
  const commands: ReadmeCommand[] = [];
  const lines = markdown.split("\n");
  let inSh = false;
  for (let index = 0; index < lines.length; index += 1) {
    const raw = lines[index] as string;
    const fence = /^```(\w*)/.exec(raw.trim());
    if (fence) {
      inSh = !inSh && (fence[1] === "sh" || fence[1] === "bash");
      continue;
    }
    if (!inSh) continue;
    let text = raw.trim().replace(/^\$\s+/, "");
    const start = index;
    while (text.endsWith("\\") && index + 1 < lines.length) {
      index += 1;
      text = `${text.slice(0, -1)} ${(lines[index] as string).trim()}`;
    }
    if (!text.startsWith("akspol ")) continue;
    const { words, comment } = shellWords(text);
    const exit = /exit (\d+)/.exec(comment);
    commands.push({ line: start + 1, text, argv: words.slice(1), expectedExit: exit ? Number(exit[1]) : 0 });
  }
  return commands;
}

const root = resolve(new URL("..", import.meta.url).pathname);
const readme = readFileSync(join(root, "README.md"), "utf8");
const commands = readmeCommands(readme);

/** `akspol emulator` runs until stopped: start the built binary, wait for its ready line, stop it. */
async function runEmulatorCommand(argv: string[], home: string): Promise<{ code: number; stderr: string }> {
  const child = spawn(process.execPath, [join(root, "dist/src/bin.js"), ...argv], {
    cwd: home,
    env: { ...process.env, XDG_STATE_HOME: join(home, "xdg"), HOME: home },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  await new Promise<void>((ready, fail) => {
    // No clock of its own: the test's generous bound (vitest.config.ts) is the limit.
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('"endpoint"')) ready();
    });
    child.on("exit", (code) => fail(new Error(`emulator exited ${code}: ${out}`)));
  });
  const line = JSON.parse(out.split("\n")[0] as string) as { endpoint: string; connectionFile: string };
  expect(line.endpoint).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
  const code = await new Promise<number>((done) => {
    child.removeAllListeners("exit");
    child.on("exit", (exitCode, signal) => done(exitCode ?? (signal ? 128 + 15 : 1)));
    child.kill("SIGTERM");
  });
  return { code, stderr };
}

describe("README commands", () => {
  let emulator: TestEmulator;
  let stateDir: string;
  let home: string;
  const binary = join(root, "dist/src/bin.js");
  beforeAll(async () => {
    if (!existsSync(binary)) throw new Error("dist/src/bin.js is missing: run 'npm run build' (npm ci does it) before the README test.");
    emulator = await startTestEmulator({ seed: "demo" });
    stateDir = mkdtempSync(join(tmpdir(), "akspol-readme-state-"));
    home = mkdtempSync(join(tmpdir(), "akspol-readme-home-"));
  });
  afterAll(async () => {
    await emulator.close();
    rmSync(stateDir, { recursive: true, force: true });
    rmSync(home, { recursive: true, force: true });
  });

  it("shows at least one example of every command", async () => {
    const { commands: specs } = await import("../commands/index.js");
    const shown = commands.map((command) =>
      command.argv
        .filter((word) => !word.startsWith("-"))
        .slice(0, 2)
        .join(" "),
    );
    for (const spec of specs) {
      const path = spec.path.join(" ");
      expect(
        shown.some((entry) => entry === path || entry.startsWith(`${path} `)),
        `README shows no 'akspol ${path}'`,
      ).toBe(true);
    }
  });

  // Each line runs as written, through bash (so $(...) and pipes work), with `akspol` being the built binary.
  it.each(commands.map((command) => [`line ${command.line}: ${command.text}`, command]))("%s", async (_name, command) => {
    const { argv, expectedExit, text } = command as ReadmeCommand;
    if (argv[0] === "emulator") {
      const result = await runEmulatorCommand(argv, home);
      expect(result.code, `stderr:\n${result.stderr}`).toBe(expectedExit);
      return;
    }
    const script = `akspol() { "${process.execPath}" "${binary}" "$@"; }\nset -o pipefail\ncd "${root}"\n${text}`;
    // Asynchronous: the emulator serves from this same process, so a blocking spawn would deadlock.
    const result = await new Promise<{ status: number | null; stdout: string; stderr: string }>((done) => {
      execFile("bash", ["-c", script], { env: { PATH: process.env.PATH, HOME: home, AKSPOL_EMULATOR: emulator.stateDir, AKSPOL_STATE_DIR: stateDir, NO_COLOR: "1" } }, (error, stdout, stderr) =>
        done({ status: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      );
    });
    expect(result.status, `stdout:\n${result.stdout}\nstderr:\n${result.stderr}`).toBe(expectedExit);
  });
});
