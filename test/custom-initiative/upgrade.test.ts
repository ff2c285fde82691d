// Issue 17: `akspol initiative upgrade` brings akspol's custom initiative to a newer built-in version
// (restricted 2.4.0 -> 2.5.0 in the emulator, which serves both), with plan, journal and undo.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PolicyClient } from "@azure/arm-policy";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { startTestEmulator, type TestEmulator } from "../helpers/emulator.js";
import { runCli } from "../helpers/cli.js";
import { DEMO, storedAssignment } from "../exclude/fixtures.js";
import restrictedSet from "../../src/data/azure-builtins/policySetDefinitions/42b8ef37-b724-4e24-bbc8-7a7708edfe00.json" with { type: "json" };

let emu: TestEmulator;
let stateDir: string;
const dev = DEMO.subscriptions.dev.id;
const scope = `/subscriptions/${dev}/resourceGroups/rg-aks-dev`;
const oldId = `${scope}/providers/Microsoft.Authorization/policyAssignments/pss-pinned`;
const newId = `${oldId}-pp`;
const setId = `/subscriptions/${dev}/providers/Microsoft.Authorization/policySetDefinitions/akspol-restricted-pss-pinned`;

beforeEach(async () => {
  emu = await startTestEmulator({ seed: "demo" });
  stateDir = mkdtempSync(join(tmpdir(), "akspol-state-"));
  // An assignment pinned to the older restricted version, converted: its custom set is made from 2.4.0.
  const client = new PolicyClient(emu.credentialFor("admin"), dev, emu.clientOptions);
  await client.policyAssignments.create(scope, "pss-pinned", {
    displayName: "Restricted pinned to 2.4.0",
    policyDefinitionId: DEMO.policySetDefinitions.restricted,
    definitionVersion: "2.4.0",
    parameters: { effect: { value: "Deny" } },
  });
  const converted = await cli(["exclude", "add", oldId, "monitoring", "--policies", "NoPrivilegedContainers", "--yes"]);
  expect(converted.code, converted.stderr).toBe(0);
});
afterEach(async () => emu.close());

const cli = (argv: string[]) => runCli(argv, { emulatorDir: emu.stateDir, stateDir });
const set = async () => (await emu.hooks.getResource(setId)).body ?? (await emu.hooks.getResource(setId));
const volumeTypes = (document: any) =>
  document.properties.policyDefinitions.find((reference: any) => reference.policyDefinitionReferenceId === "AllowedVolumeTypes").parameters.allowedVolumeTypes.value;

describe("akspol initiative upgrade", () => {
  test("--dry-run names the versions and the requests, writes nothing", async () => {
    await emu.hooks.resetRequests();
    const result = await cli(["initiative", "upgrade", newId, "--dry-run"]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/2\.4\.0 -> 2\.5\.0/);
    expect(result.stdout).toMatch(/definitionVersion to 2\.5\.0/);
    expect(await emu.hooks.writes()).toEqual([]);
  });

  test("adds the new built-in version to the custom set (same members, new values), keeps the per-policy exclusion; undo puts 2.4.0 back", async () => {
    const result = await cli(["initiative", "upgrade", newId, "--yes", "-o", "json"]);
    expect(result.code, result.stderr).toBe(0);
    const output = JSON.parse(result.stdout);
    expect(output).toMatchObject({ fromVersion: "2.4.0", toVersion: "2.5.0", changed: true });
    const upgraded = await set();
    expect(upgraded.properties.version).toBe("2.5.0");
    expect(upgraded.properties.metadata).toMatchObject({ akspolSourceVersion: "2.5.0", managedBy: "akspol" });
    expect(volumeTypes(upgraded)).toEqual(volumeTypes(restrictedSet));
    expect(upgraded.properties.policyDefinitions.map((reference: any) => reference.definitionVersion)).toEqual(
      restrictedSet.properties.policyDefinitions.map((reference) => reference.definitionVersion),
    );
    const assignment = await storedAssignment(emu, newId);
    expect(assignment.properties.definitionVersion).toBe("2.5.0");
    expect(assignment.properties.parameters["NoPrivilegedContainers-excludedNamespaces"].value).toContain("monitoring");

    const again = await cli(["initiative", "upgrade", newId, "--yes"]);
    expect(again.code).toBe(0);
    expect(again.stderr).toMatch(/No change/);

    const undone = await cli(["undo", output.changeId, "--yes"]);
    expect(undone.code, undone.stderr).toBe(0);
    const restored = await set();
    expect(restored.properties.version).toBe("2.4.0");
    expect(volumeTypes(restored)).not.toEqual(volumeTypes(restrictedSet));
    expect((await storedAssignment(emu, newId)).properties.definitionVersion).toBe("2.4.0");
  });

  test("refuses an assignment that does not assign an akspol custom initiative", async () => {
    const result = await cli(["initiative", "upgrade", DEMO.assignments.restricted.id, "--yes"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/does not assign a custom initiative made by akspol/);
  });
});

describe("audit AKS403: an akspol custom initiative made from an older built-in version", () => {
  const aks403 = async () => {
    const result = await cli(["audit", "--subscription", dev, "--fail-on", "never", "-o", "json"]);
    expect(result.code, result.stderr).toBe(0);
    return JSON.parse(result.stdout).findings.filter((finding: any) => finding.ruleId === "AKS403");
  };

  test("is raised with the upgrade command as its fix, and gone after the upgrade", async () => {
    const before = await aks403();
    expect(before.map((finding: any) => finding.resource)).toEqual([newId]);
    expect(before[0].message).toMatch(/an akspol per-policy initiative from restricted 2\.4\.0; the built-in offers 2\.5\.0/);
    expect(before[0].evidence).toMatchObject({ madeFromVersion: "2.4.0", latestVersion: "2.5.0", setDefinitionId: setId });
    expect(before[0].command).toBe(`akspol initiative upgrade ${newId}`);

    const upgraded = await cli(["initiative", "upgrade", newId, "--yes"]);
    expect(upgraded.code, upgraded.stderr).toBe(0);
    expect(await aks403()).toEqual([]);
  });
});
