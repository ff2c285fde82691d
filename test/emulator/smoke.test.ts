import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PolicyClient } from "@azure/arm-policy";
import { DEMO } from "../../src/emulator/demo-seed.js";
import { startTestEmulator, type TestEmulator } from "../helpers/emulator.js";

describe("smoke", () => {
  let emu: TestEmulator;
  beforeAll(async () => {
    emu = await startTestEmulator();
  });
  afterAll(() => emu.close());
  it("gets the demo baseline assignment through the real SDK", async () => {
    const client = new PolicyClient(emu.credentialFor("admin"), DEMO.subscriptions.prod.id, emu.clientOptions);
    const assignment = await client.policyAssignments.get(DEMO.assignments.baseline.scope, "pss-baseline");
    expect(assignment.displayName).toBe("Pod security baseline (prod)");
  });
});
