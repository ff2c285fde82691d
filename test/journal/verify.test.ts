// Honest outcomes of an assignment write: a write whose read-back fails says "written; verification
// failed", is journaled `unverified` and settled by history; a change another writer removes within
// the settle interval is re-applied (or, if it keeps being removed, exit 5).
import { PolicyClient } from "@azure/arm-policy";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { baselineId, prod, storedAssignment } from "../exclude/fixtures.js";
import { runCli } from "../helpers/cli.js";
import { startTestEmulator, type TestEmulator } from "../helpers/emulator.js";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

let emu: TestEmulator;
let stateDir: string;
beforeEach(async () => {
  emu = await startTestEmulator({ seed: "demo" });
  stateDir = mkdtempSync(join(tmpdir(), "akspol-verify-"));
});
afterEach(() => emu.close());

const excluded = async (): Promise<string[]> => (await storedAssignment(emu, baselineId)).properties.parameters?.excludedNamespaces?.value ?? [];
async function until(condition: () => Promise<boolean>): Promise<void> {
  while (!(await condition())) await new Promise((resolve) => setTimeout(resolve, 10));
}

describe("verification", () => {
  test("a write that landed but whose read-back fails: 'Written; verification failed', exit 1, journaled unverified, settled by history", async () => {
    // Hold the PUT's answer so the read-back faults can be in place before akspol reads back.
    await emu.hooks.injectFault({ method: "PUT", pathPattern: "policyAssignments/pss-baseline$", count: 1, kind: "hold", latencyMs: 5_000 });
    const running = runCli(["exclude", "add", baselineId, "unverified", "--yes"], { emulatorDir: emu.stateDir, stateDir });
    await until(async () => (await excluded()).includes("unverified"));
    await emu.hooks.injectFault({ method: "GET", pathPattern: "policyAssignments/pss-baseline$", count: 50, kind: "503", retryAfterMs: 1 });
    const result = await running;
    await emu.hooks.clearFaults();
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/Written; verification failed: .*ServiceUnavailable.*recorded as change (\S+) \(unverified\)/s);
    expect(result.stderr).not.toContain("Applied and verified");
    const history = await runCli(["history", "-o", "json"], { emulatorDir: emu.stateDir, stateDir });
    expect(JSON.parse(history.stdout).entries[0]).toMatchObject({ status: "applied", resolution: "resolved from Azure: applied" });
  });

  test("another writer (another state dir) removes the change within the settle interval: akspol re-applies it", async () => {
    const running = runCli(["exclude", "add", baselineId, "settled", "--yes"], { emulatorDir: emu.stateDir, stateDir, env: { AKSPOL_VERIFY_SETTLE_MS: "3000" } });
    await until(async () => (await excluded()).includes("settled"));
    // A stale writer: it read before our write and writes its own full body after it.
    const client = new PolicyClient(emu.credentialFor("policy-contributor"), prod, emu.clientOptions);
    const stale = await client.policyAssignments.get(`/subscriptions/${prod}`, "pss-baseline");
    const parameters = { ...stale.parameters, excludedNamespaces: { value: (stale.parameters?.excludedNamespaces?.value as string[]).filter((name) => name !== "settled") } };
    await client.policyAssignments.create(`/subscriptions/${prod}`, "pss-baseline", { ...stale, parameters });
    const result = await running;
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/re-applying \(1 of 3\)/);
    expect(await excluded()).toContain("settled");
  });

  test("AKSPOL_VERIFY_SETTLE_MS must be a whole number of milliseconds", async () => {
    const result = await runCli(["exclude", "add", baselineId, "x", "--yes"], { emulatorDir: emu.stateDir, stateDir, env: { AKSPOL_VERIFY_SETTLE_MS: "soon" } });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("Invalid AKSPOL_VERIFY_SETTLE_MS 'soon'");
    expect(await excluded()).not.toContain("x");
  });
});
