import { readFileSync } from "node:fs";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startTestEmulator, type TestEmulator } from "../helpers/emulator.js";
import { runCli } from "../helpers/cli.js";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** Splits a shell command line on spaces, honouring double and single quotes (enough for the docs). */
function words(line: string): string[] {
  const result: string[] = [];
  let current = "";
  let quote: string | undefined;
  let started = false;
  for (const char of line) {
    if (quote) {
      if (char === quote) quote = undefined;
      else current += char;
    } else if (char === '"' || char === "'") {
      quote = char;
      started = true;
    } else if (char === " ") {
      if (started || current) result.push(current);
      current = "";
      started = false;
    } else current += char;
  }
  if (started || current) result.push(current);
  return result;
}

function docCommands(): string[][] {
  const text = readFileSync("docs/exemptions.md", "utf8");
  const blocks = [...text.matchAll(/```sh\n([\s\S]*?)```/g)].map((match) => match[1] as string);
  return blocks.flatMap((block) => block.split("\n")).filter((line) => line.startsWith("akspol ")).map((line) => words(line).slice(1));
}

// Real time on both sides: the example file's dates are meant for today, not for a test clock.
let emulator: TestEmulator;
const stateDir = mkdtempSync(join(tmpdir(), "akspol-exempt-docs-"));
beforeAll(async () => {
  emulator = await startTestEmulator({ seed: "demo" });
});
afterAll(() => emulator.close());

it("every command in docs/exemptions.md works, in order, against the demo tenant", async () => {
  const commands = docCommands();
  expect(commands.length).toBeGreaterThanOrEqual(9);
  for (const argv of commands) {
    const run = await runCli(argv, { emulatorDir: emulator.stateDir, stateDir });
    expect(run.code, `akspol ${argv.join(" ")}\n${run.stderr}`).toBe(0);
  }
});

it("examples/exemptions.yaml is idempotent against the demo tenant", async () => {
  await emulator.hooks.resetRequests();
  const again = await runCli(["exempt", "apply", "-f", "examples/exemptions.yaml", "--yes"], { emulatorDir: emulator.stateDir, stateDir });
  expect(again.code, again.stderr).toBe(0);
  expect(again.stdout).toContain("2 unchanged");
  expect(await emulator.hooks.writes()).toEqual([]);
});

it("examples/create-exemption.sh is valid bash", async () => {
  const { execFileSync } = await import("node:child_process");
  expect(() => execFileSync("bash", ["-n", "examples/create-exemption.sh"])).not.toThrow();
});
