// A failing token endpoint is reported in its own words (error and error_description), never as
// "[object Object]" (docs/issues/10.md).
import { afterAll, beforeAll, expect, test } from "vitest";
import { baselineId } from "../exclude/fixtures.js";
import { runCli } from "../helpers/cli.js";
import { startTestEmulator, type TestEmulator } from "../helpers/emulator.js";

let emu: TestEmulator;
beforeAll(async () => {
  emu = await startTestEmulator({ seed: "demo" });
});
afterAll(() => emu.close());

test("a 500 from the token endpoint shows its code and message, exit 4", async () => {
  await emu.hooks.injectFault({ pathPattern: "oauth2", count: 50, kind: "500" });
  const result = await runCli(["show", baselineId], { emulatorDir: emu.stateDir });
  await emu.hooks.clearFaults();
  expect(result.code, result.stderr).toBe(4);
  expect(result.stderr).not.toContain("[object Object]");
  expect(result.stderr).toMatch(/token endpoint answered.* InternalServerError: Encountered internal server error/);
});
