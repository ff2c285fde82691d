import { execFile, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestEmulator, type TestEmulator } from "./helpers/emulator.js";
import { runCli } from "./helpers/cli.js";

/**
 * Keeps the README true: every `akspol` command line in its ```sh blocks runs, in order, through
 * bash with the built binary, against one emulator with the demo seed and one akspol state dir, and
 * must exit 0 (or the code a trailing `# exit N` comment names). Interactive transcripts live in
 * ```text blocks; the pseudo-terminal test (test/exclude) drives the interactive flow. The other
 * transcripts in ```text blocks (`$ akspol ...` and its output) are compared with a real run.
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

interface ReadmeTranscript {
  line: number;
  command: string;
  /** The output as the README shows it; a line of only `...` stands for one or more lines left out. */
  output: string[];
}

/** The `$ akspol ...` transcripts of ```text blocks: each command line and the lines up to the next `$ ` line or the block's end. */
export function readmeTranscripts(markdown: string): ReadmeTranscript[] {
  const transcripts: ReadmeTranscript[] = [];
  let inText = false;
  let current: ReadmeTranscript | undefined;
  const close = () => {
    while (current && current.output.length > 0 && current.output.at(-1)?.trim() === "") current.output.pop();
    if (current) transcripts.push(current);
    current = undefined;
  };
  markdown.split("\n").forEach((raw, index) => {
    const fence = /^```(\w*)/.exec(raw.trim());
    if (fence) {
      close();
      inText = !inText && fence[1] === "text";
      return;
    }
    if (!inText) return;
    if (raw.startsWith("$ ")) {
      close();
      if (raw.startsWith("$ akspol ")) current = { line: index + 1, command: raw.slice(2), output: [] };
      return;
    }
    current?.output.push(raw);
  });
  close();
  return transcripts;
}

/** Times differ from run to run (the demo seed's results are dated relative to its clock). */
const withoutTimes = (line: string) => line.replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z/g, "<time>");

/**
 * Whether a terminal showing `stdout` and `stderr` shows `shown`: every stdout line in order, with
 * lines of stderr (status, such as "Dry run: nothing was written.") in their order among them and
 * stderr lines that vanish on a terminal (spinners) left out; a `...` line stands for one or more
 * stdout lines.
 */
export function matchesTranscript(shown: string[], stdout: string[], stderr: string[] = []): boolean {
  const expected = shown.map(withoutTimes);
  const lines = stdout.map(withoutTimes);
  const status = stderr.map(withoutTimes);
  const match = (at: number, from: number, statusFrom: number): boolean => {
    if (at === expected.length) return from === lines.length;
    const line = expected[at] as string;
    if (line.trim() === "...") {
      for (let next = from + 1; next <= lines.length; next += 1) if (match(at + 1, next, statusFrom)) return true;
      return false;
    }
    if (from < lines.length && lines[from] === line && match(at + 1, from + 1, statusFrom)) return true;
    const statusAt = status.indexOf(line, statusFrom);
    return statusAt >= 0 && match(at + 1, from, statusAt + 1);
  };
  return match(0, 0, 0);
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

describe("README transcripts", () => {
  const transcripts = readmeTranscripts(readme);
  // Interactive transcripts (a `? ` question) are driven by the pseudo-terminal tests instead.
  const compared = transcripts.filter((transcript) => !transcript.output.some((line) => line.startsWith("? ")));
  let emulator: TestEmulator;
  beforeAll(async () => {
    emulator = await startTestEmulator({ seed: "demo" });
  });
  afterAll(async () => emulator.close());

  it("reads each transcript: the command and its output up to the next command; `...` stands for lines left out", () => {
    const sample = "```text\n$ akspol show x\nline 1\n  ...\nlast\n\n$ akspol find\nrow\n```\n```sh\n$ akspol other\n```";
    expect(readmeTranscripts(sample)).toEqual([
      { line: 2, command: "akspol show x", output: ["line 1", "  ...", "last"] },
      { line: 7, command: "akspol find", output: ["row"] },
    ]);
    expect(matchesTranscript(["line 1", "  ...", "last"], ["line 1", "a", "b", "last"])).toBe(true);
    expect(matchesTranscript(["line 1", "  ...", "last"], ["line 1", "last"])).toBe(false);
    expect(matchesTranscript(["line 1", "last"], ["line 1", "other", "last"])).toBe(false);
    expect(matchesTranscript(["at 2026-05-01T10:03:07Z"], ["at 2026-12-08T03:59:56.296Z"])).toBe(true);
    expect(matchesTranscript(["row", "Dry run."], ["row"], ["Reading...", "Dry run."])).toBe(true);
    expect(matchesTranscript(["row", "Dry run."], ["row"], [])).toBe(false);
    expect(compared.map((transcript) => transcript.command.split(" ")[1])).toContain("advise");
  });

  // Each against a fresh demo tenant, before any README command changed it; stdout only (status goes to stderr).
  it.each(compared.map((transcript) => [`line ${transcript.line}: ${transcript.command}`, transcript]))("%s prints what the README shows", async (_name, transcript) => {
    const { command, output } = transcript as ReadmeTranscript;
    const result = await runCli(shellWords(command).words.slice(1), { emulatorDir: emulator.stateDir });
    expect(result.code, result.stderr).toBe(0);
    const [stdout, stderr] = [result.stdout, result.stderr].map((text) => text.replace(/\n$/, "").split("\n")) as [string[], string[]];
    expect(matchesTranscript(output, stdout, stderr), `README shows:\n${output.join("\n")}\n\nthe command printed:\n${stdout.join("\n")}\n\nand on stderr:\n${stderr.join("\n")}`).toBe(true);
  });
});
