import { execFile, execFileSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startTestEmulator, type TestEmulator } from "../helpers/emulator.js";
import { runCli } from "../helpers/cli.js";
import { binary } from "../exclude/binary.js";

// The README's own commands run in test/readme.test.ts; this checks the files in examples/.
// Real time on both sides: the example file's dates are meant for today, not for a test clock.
let emulator: TestEmulator;
const stateDir = mkdtempSync(join(tmpdir(), "akspol-exempt-examples-"));
beforeAll(async () => {
  emulator = await startTestEmulator({ seed: "demo" });
});
afterAll(() => emulator.close());

it("examples/exemptions.yaml applies to the demo tenant, and a second run writes nothing", async () => {
  const first = await runCli(["exempt", "apply", "-f", "examples/exemptions.yaml", "--yes"], { emulatorDir: emulator.stateDir, stateDir });
  expect(first.code, first.stderr).toBe(0);
  expect((await emulator.hooks.writes()).length).toBeGreaterThan(0);
  await emulator.hooks.resetRequests();
  const again = await runCli(["exempt", "apply", "-f", "examples/exemptions.yaml", "--yes"], { emulatorDir: emulator.stateDir, stateDir });
  expect(again.code, again.stderr).toBe(0);
  expect(again.stdout).toContain("unchanged");
  expect(await emulator.hooks.writes()).toEqual([]);
});

it("examples/create-exemption.sh is valid bash", () => {
  expect(() => execFileSync("bash", ["-n", "examples/create-exemption.sh"])).not.toThrow();
});

function bash(script: string, env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  // Asynchronous: the emulator serves from this same process.
  return new Promise((resolve) => {
    execFile(
      "bash",
      ["-c", script],
      { env: { PATH: process.env.PATH, HOME: stateDir, AKSPOL_EMULATOR: emulator.stateDir, AKSPOL_STATE_DIR: stateDir, NO_COLOR: "1", ...env } },
      (error, stdout, stderr) => resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

it("examples/create-exemption.sh creates the exemption without a terminal (it passes --yes), and reports exit 5 when it exists", async () => {
  const akspol = join(mkdtempSync(join(tmpdir(), "akspol-bin-")), "akspol");
  writeFileSync(akspol, `#!/bin/sh\nexec "${process.execPath}" "${binary}" "$@"\n`);
  chmodSync(akspol, 0o755);
  const first = await bash("examples/create-exemption.sh", { AKSPOL: akspol, CLUSTER: "aks-prod-neu", ASSIGNMENT: "pss-baseline" });
  expect(first.code, first.stderr).toBe(0);
  expect(JSON.parse(first.stdout)).toMatchObject({ action: "create", dryRun: false });
  const again = await bash("examples/create-exemption.sh", { AKSPOL: akspol, CLUSTER: "aks-prod-neu", ASSIGNMENT: "pss-baseline" });
  expect(again.stderr).toContain("The exemption exists already");
});

it("the GitHub Actions workflow passes --yes to every akspol command that writes without --dry-run", () => {
  const workflow = readFileSync("examples/github-actions-exemption.yml", "utf8");
  const commands = workflow
    .replace(/\\\n\s*/g, " ")
    .split("\n")
    .filter((line) => /akspol (exempt (create|apply|renew|delete)|exclude (add|remove)|params (set|unset)|undo)\b/.test(line));
  expect(commands.length).toBeGreaterThanOrEqual(2);
  for (const command of commands) expect(command, command).toMatch(/--yes .*|--dry-run/);
  for (const command of commands.filter((line) => !line.includes("--dry-run"))) expect(command.replace("npx --yes", "npx"), command).toContain("--yes");
});
