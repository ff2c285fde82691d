// Issue 17: find, show, effective, exclude list, audit and check recognise akspol's custom initiative
// as a carrier of the pod-security policies, with its per-policy exclusions.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { startTestEmulator, type TestEmulator } from "../helpers/emulator.js";
import { runCli } from "../helpers/cli.js";
import { prod } from "../exclude/fixtures.js";

let emu: TestEmulator;
let stateDir: string;
beforeAll(async () => {
  emu = await startTestEmulator({ seed: "demo" });
  stateDir = mkdtempSync(join(tmpdir(), "akspol-state-"));
  const converted = await cli(["exclude", "add", "pss-baseline", "monitoring", "--policies", "BlockUsingHostNetwork,BlockUsingHostProcessIDAndIPC", "--subscription", prod, "--yes"]);
  expect(converted.code, converted.stderr).toBe(0);
});
afterAll(async () => emu.close());
const cli = (argv: string[]) => runCli(argv, { emulatorDir: emu.stateDir, stateDir });

test("find lists the converted assignment as an akspol per-policy initiative, also under --initiative baseline", async () => {
  const all = await cli(["find", "--subscription", prod]);
  expect(all.code, all.stderr).toBe(0);
  expect(all.stdout).toMatch(/pss-baseline-pp .*akspol per-policy initiative from baseline 1\.4\.0/);
  const baseline = await cli(["find", "--subscription", prod, "--initiative", "baseline", "-o", "json"]);
  expect(baseline.code, baseline.stderr).toBe(0);
  expect(baseline.stdout).toMatch(/pss-baseline-pp/);
});

test("show names the per-policy parameters each member reads", async () => {
  const result = await cli(["show", "pss-baseline-pp", "--subscription", prod]);
  expect(result.code, result.stderr).toBe(0);
  expect(result.stdout).toMatch(/BlockUsingHostNetwork\s+deny\s+excluded via BlockUsingHostNetwork-excludedNamespaces/);
});

test("effective: the namespace is excluded from the two named policies only, and the source says what it was made from", async () => {
  const result = await cli(["effective", "--cluster", "aks-prod-neu", "--namespace", "monitoring", "--subscription", prod, "-o", "json"]);
  expect(result.code, result.stderr).toBe(0);
  const report = JSON.parse(result.stdout);
  const source = report.sources.assignments.find((entry: any) => entry.name === "pss-baseline-pp");
  expect(source).toMatchObject({ family: "custom-set", madeFrom: { version: "1.4.0" } });
  const member = (key: string) => source.members.find((entry: any) => entry.member === key);
  expect(member("BlockUsingHostNetwork").excludedNamespaces).toContain("monitoring");
  expect(member("NoHostPathVolume").excludedNamespaces).not.toContain("monitoring");
  const text = await cli(["effective", "--cluster", "aks-prod-neu", "--namespace", "monitoring", "--subscription", prod]);
  expect(text.stdout).toMatch(/pss-baseline-pp\s+custom-set \(akspol per-policy initiative from baseline 1\.4\.0\)/);
});

test("exclude list shows the exclusions per policy; exclude add without --policies edits every member's parameter", async () => {
  const list = await cli(["exclude", "list", "pss-baseline-pp", "--subscription", prod]);
  expect(list.code, list.stderr).toBe(0);
  expect(list.stderr).toMatch(/BlockUsingHostNetwork-excludedNamespaces/);
  expect(list.stdout).toMatch(/monitoring\s+no\s+BlockUsingHostNetwork, BlockUsingHostProcessIDAndIPC/);
  expect(list.stdout).toMatch(/kube-system\s+yes \(the add-on excludes it anyway\)\s+all/);
  const all = await cli(["exclude", "add", "pss-baseline-pp", "logging", "--subscription", prod, "--yes", "-o", "json"]);
  expect(all.code, all.stderr).toBe(0);
  const output = JSON.parse(all.stdout);
  expect(Object.keys(output.after).sort()).toEqual(
    ["BlockUsingHostNetwork", "BlockUsingHostProcessIDAndIPC", "ContainerCapabilities", "NoHostPathVolume", "NoPrivilegedContainers"].map((key) => `${key}-excludedNamespaces`).sort(),
  );
});

test("audit reads the custom initiative as a carrier", async () => {
  const result = await cli(["audit", "--subscription", prod, "-o", "json"]);
  expect([0, 6], result.stderr).toContain(result.code);
  expect(result.stdout).toMatch(/pss-baseline-pp/);
});
