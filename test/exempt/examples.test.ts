import { execFileSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startTestEmulator, type TestEmulator } from "../helpers/emulator.js";
import { runCli } from "../helpers/cli.js";

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
