// The one confirmation rule (src/cli/confirm.ts), proven for every registered command that declares
// `writes`, the same way: a new writing command cannot forget it (it needs a scenario in
// test/helpers/writers.ts, or this test fails).
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { commands } from "../../commands/index.js";
import { ScriptedPrompter } from "../../src/cli/prompter.js";
import { startTestEmulator, type TestEmulator } from "../helpers/emulator.js";
import { runCli } from "../helpers/cli.js";
import { writerScenarios } from "../helpers/writers.js";

const writers = commands.filter((spec) => spec.writes).map((spec) => spec.path.join(" "));

test("every registered command that writes has a scenario, and only those", () => {
  expect(writers.length).toBeGreaterThanOrEqual(9);
  expect(Object.keys(writerScenarios).sort()).toEqual([...writers].sort());
});

describe.each(writers)("akspol %s follows the confirmation rule", (path) => {
  let emu: TestEmulator;
  let stateDir: string;
  let argv: string[];
  const run = (extra: string[], options: Parameters<typeof runCli>[1] = {}) => runCli([...argv, ...extra], { emulatorDir: emu.stateDir, stateDir, ...options });
  const writes = async () => (await emu.hooks.writes()).length;

  beforeAll(async () => {
    emu = await startTestEmulator({ seed: "demo" });
    stateDir = mkdtempSync(join(tmpdir(), "akspol-confirm-"));
    argv = await writerScenarios[path]!({
      stateDir,
      prepare: async (prepareArgv) => {
        const prepared = await runCli(prepareArgv, { emulatorDir: emu.stateDir, stateDir });
        if (prepared.code !== 0) throw new Error(`preparing ${path}: ${prepared.stderr}`);
      },
      seed: (document) => emu.hooks.seed(document),
    });
    await emu.hooks.resetRequests();
  });
  afterAll(async () => emu.close());

  test("no terminal and no --yes: exit 2 naming --yes, before any request", async () => {
    const result = await run([]);
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toMatch(/--yes/);
    expect(await emu.hooks.requests()).toEqual([]);
  });

  test("--no-input on a terminal: the same refusal, no prompt", async () => {
    const prompter = new ScriptedPrompter([]);
    const result = await run(["--no-input"], { tty: true, prompter });
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toMatch(/--yes/);
    expect(prompter.asked).toEqual([]);
    expect(await emu.hooks.requests()).toEqual([]);
  });

  test("--dry-run -o json: the plan object is the result on stdout, nothing written", async () => {
    const result = await run(["--dry-run", "-o", "json"]);
    expect(result.code, result.stderr).toBe(0);
    const plan = JSON.parse(result.stdout);
    expect(plan).toMatchObject({ schemaVersion: 1, command: path, dryRun: true });
    expect(plan.requests.length).toBeGreaterThan(0);
    for (const request of plan.requests) {
      expect(["PUT", "PATCH", "DELETE"]).toContain(request.method);
      expect(request.resource).toMatch(/^\/(subscriptions|providers)\//i);
      expect(request.summary).toBeTruthy();
    }
    expect(await writes()).toBe(0);
  });

  test("--dry-run -q: the plan is still printed on stdout (it is the result), nothing written", async () => {
    const result = await run(["--dry-run", "-q"]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/Plan/);
    // -q silences status (warnings still show), never the plan of a dry run.
    expect(result.stderr).not.toMatch(/Plan|Dry run/);
    expect(await writes()).toBe(0);
  });

  test("on a terminal: the plan on stderr, then the question; 'no' is exit 130 and nothing written", async () => {
    const prompter = new ScriptedPrompter([{ match: /\?$/, answer: false }]);
    const result = await run([], { tty: true, prompter });
    expect(result.code, result.stderr).toBe(130);
    expect(prompter.asked).toHaveLength(1);
    expect(result.stderr).toMatch(/Plan/);
    expect(result.stdout).not.toMatch(/Plan/);
    expect(await writes()).toBe(0);
  });

  test("--yes: writes without asking", async () => {
    const prompter = new ScriptedPrompter([]);
    const result = await run(["--yes"], { prompter });
    expect(result.code, result.stderr).toBe(0);
    expect(prompter.asked).toEqual([]);
    expect(await writes()).toBeGreaterThan(0);
  });
});
