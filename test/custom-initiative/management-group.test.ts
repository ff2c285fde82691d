// Issue 17: a management-group assignment is converted with its custom set at the management group
// (set definitions exist only at a management group or a subscription), its new name within ARM's
// 24-character limit there; a subscription named with --definition-scope that cannot hold it is refused.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PolicyClient } from "@azure/arm-policy";
import { afterEach, beforeEach, expect, test } from "vitest";
import { startTestEmulator, type TestEmulator } from "../helpers/emulator.js";
import { runCli } from "../helpers/cli.js";
import { DEMO, storedAssignment } from "../exclude/fixtures.js";

let emu: TestEmulator;
let stateDir: string;
const group = `/providers/Microsoft.Management/managementGroups/${DEMO.managementGroup}`;
const name = "pss-baseline-group-wide";
const oldId = `${group}/providers/Microsoft.Authorization/policyAssignments/${name}`;

beforeEach(async () => {
  emu = await startTestEmulator({ seed: "demo" });
  stateDir = mkdtempSync(join(tmpdir(), "akspol-state-"));
  const client = new PolicyClient(emu.credentialFor("admin"), DEMO.subscriptions.prod.id, emu.clientOptions);
  await client.policyAssignments.create(group, name, { displayName: "Baseline for the group", policyDefinitionId: DEMO.policySetDefinitions.baseline, parameters: { effect: { value: "Audit" } } });
  await emu.hooks.resetRequests();
});
afterEach(async () => emu.close());
const cli = (argv: string[]) => runCli(argv, { emulatorDir: emu.stateDir, stateDir });

test("the custom set goes to the management group and the new name fits 24 characters", async () => {
  const result = await cli(["exclude", "add", oldId, "monitoring", "--policies", "BlockUsingHostNetwork", "--yes", "-o", "json"]);
  expect(result.code, result.stderr).toBe(0);
  const output = JSON.parse(result.stdout);
  expect(output.setDefinitionId).toMatch(new RegExp(`^${group}/providers/Microsoft.Authorization/policySetDefinitions/akspol-baseline-`, "i"));
  const newName = output.newAssignmentId.split("/").pop();
  expect(newName.length).toBeLessThanOrEqual(24);
  expect(newName).toMatch(/-pp$/);
  const stored = await storedAssignment(emu, output.newAssignmentId);
  expect(stored.properties.parameters.effect).toEqual({ value: "Audit" });
  expect(stored.properties.parameters["BlockUsingHostNetwork-excludedNamespaces"].value).toContain("monitoring");
  expect(await emu.hooks.getResource(oldId)).toBeUndefined();
});

test("--definition-scope naming a subscription is refused for a management-group assignment, before any write", async () => {
  const result = await cli(["exclude", "add", oldId, "monitoring", "--policies", "BlockUsingHostNetwork", "--definition-scope", `/subscriptions/${DEMO.subscriptions.prod.id}`, "--yes"]);
  expect(result.code).toBe(2);
  expect(result.stderr).toMatch(/does not contain the assignment's scope/);
  expect(await emu.hooks.writes()).toEqual([]);
});
