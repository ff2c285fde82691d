// docs/issues/11.md: writes start from the raw JSON ARM returned, so properties the SDK does not model survive
// every writing command; the emulator keeps properties it does not model and returns them.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestEmulator, type TestEmulator } from "../helpers/emulator.js";
import { armRequest } from "../helpers/arm-request.js";
import { runCli } from "../helpers/cli.js";
import { DEMO } from "../../src/emulator/demo-seed.js";

const prod = DEMO.subscriptions.prod;
const assignmentId = `/subscriptions/${prod.id}/providers/Microsoft.Authorization/policyAssignments/raw-roundtrip`;
const selfServe = { enabled: true, policyDefinitionReferenceIds: ["BlockUsingHostNetwork"] };
const future = { nested: { list: [1, "two", null], flag: false } };

let emu: TestEmulator;
const stateDir = mkdtempSync(join(tmpdir(), "akspol-raw-"));
beforeAll(async () => {
  emu = await startTestEmulator({ seed: "demo" });
  await emu.hooks.seed({
    policyAssignments: [
      {
        scope: `/subscriptions/${prod.id}`,
        name: "raw-roundtrip",
        properties: {
          displayName: "Round trip",
          policyDefinitionId: DEMO.policySetDefinitions.baseline,
          parameters: { effect: { value: "Deny" } },
          selfServeExemptionSettings: selfServe,
          futureField: future,
        },
      },
    ],
    policyExemptions: [
      {
        scope: DEMO.clusters.prodNeu.id,
        name: "raw-exemption",
        properties: { policyAssignmentId: assignmentId, exemptionCategory: "Waiver", expiresOn: new Date(Date.now() + 5 * 86_400_000).toISOString(), futureField: future },
      },
    ],
  });
});
afterAll(() => emu.close());

const cli = (argv: string[]) => runCli([...argv, "--subscription", prod.id, "--yes"], { emulatorDir: emu.stateDir, stateDir });

async function expectUnknownPropertiesKept(): Promise<void> {
  const stored = await emu.hooks.getResource(assignmentId);
  expect(stored.properties.selfServeExemptionSettings).toEqual(selfServe);
  expect(stored.properties.futureField).toEqual(future);
  const token = await emu.hooks.issueToken("admin");
  const read = await armRequest(emu.endpoint, emu.caCert, "GET", `${assignmentId}?api-version=2025-03-01`, { token });
  expect(read.body.properties.selfServeExemptionSettings).toEqual(selfServe);
  expect(read.body.properties.futureField).toEqual(future);
}

describe("an assignment with selfServeExemptionSettings and an unknown properties.futureField", () => {
  it("the emulator returns both as seeded", async () => {
    await expectUnknownPropertiesKept();
  });

  it.each([
    ["exclude add", ["exclude", "add", "raw-roundtrip", "monitoring", "--reason", "raw test"]],
    ["exclude remove", ["exclude", "remove", "raw-roundtrip", "monitoring", "--reason", "raw test"]],
    ["params set (PUT)", ["params", "set", "raw-roundtrip", "--effect", "audit", "--reason", "raw test"]],
    ["params set --policies (PATCH overrides)", ["params", "set", "raw-roundtrip", "--effect", "deny", "--policies", "BlockUsingHostNetwork", "--reason", "raw test"]],
    ["params unset", ["params", "unset", "raw-roundtrip", "effect", "--reason", "raw test"]],
  ])("%s keeps both unchanged", async (_label, argv) => {
    const before = (await emu.hooks.getResource(assignmentId)).systemData.lastModifiedAt;
    const run = await cli(argv);
    expect(run.code, run.stderr).toBe(0);
    expect((await emu.hooks.getResource(assignmentId)).systemData.lastModifiedAt).not.toBe(before);
    await expectUnknownPropertiesKept();
  });

  it("undo keeps both unchanged", async () => {
    const history = await runCli(["history", "-o", "json"], { emulatorDir: emu.stateDir, stateDir });
    expect(history.code, history.stderr).toBe(0);
    const entries = JSON.parse(history.stdout).entries as Array<{ changeId: string; command: string; status: string }>;
    const paramsUnset = entries[0];
    expect(paramsUnset?.command).toContain("params unset");
    const run = await runCli(["undo", paramsUnset!.changeId, "--yes"], { emulatorDir: emu.stateDir, stateDir });
    expect(run.code, run.stderr).toBe(0);
    await expectUnknownPropertiesKept();
  });

  it("exempt renew keeps an exemption's unknown property", async () => {
    const run = await runCli(["exempt", "renew", "raw-exemption", "--cluster", DEMO.clusters.prodNeu.id, "--expires", "+20d", "--yes"], { emulatorDir: emu.stateDir, stateDir });
    expect(run.code, run.stderr).toBe(0);
    const stored = await emu.hooks.getResource(`${DEMO.clusters.prodNeu.id}/providers/Microsoft.Authorization/policyExemptions/raw-exemption`);
    expect(stored.properties.futureField).toEqual(future);
    expect(new Date(stored.properties.expiresOn).getTime()).toBeGreaterThan(Date.now() + 15 * 86_400_000);
  });
});
