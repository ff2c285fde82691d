// --safeguards on the demo tenant: aks-dev has Deployment Safeguards at Enforce (Pod Security
// Standards Baseline) while its restricted assignment only audits; the setting is read once per cluster.
import { afterAll, beforeAll, expect, test } from "vitest";
import { DEMO } from "../../src/emulator/demo-seed.js";
import type { AuditReport } from "../../src/audit/types.js";
import { startTestEmulator, type TestEmulator } from "../helpers/emulator.js";
import { runCli } from "../helpers/cli.js";

let emu: TestEmulator;
beforeAll(async () => {
  emu = await startTestEmulator({ seed: "demo" });
});
afterAll(() => emu?.close());

test("the Safeguards setting joins the outcome and AKS104 names the members where it enforces what carriers only audit", async () => {
  await emu.hooks.resetRequests();
  const run = await runCli(["audit", "--all-subscriptions", "--safeguards", "--fail-on", "never", "-o", "json"], { emulatorDir: emu.stateDir });
  expect(run.code, run.stderr).toBe(0);
  const report = JSON.parse(run.stdout) as AuditReport;
  const dev = report.clusters.find((view) => view.id === DEMO.clusters.dev.id);
  expect(dev?.safeguards?.level).toBe("Enforce");
  const finding = report.findings.find((entry) => entry.ruleId === "AKS104");
  expect(finding?.resource).toBe(DEMO.clusters.dev.id);
  expect(dev?.members.some((member) => member.winner === dev.safeguards?.id)).toBe(true);
  const safeguardsReads = (await emu.hooks.requests()).filter((entry) => /deploymentSafeguards\/default$/i.test(entry.path));
  expect(new Set(safeguardsReads.map((entry) => entry.path.toLowerCase())).size).toBe(report.clusters.length);
  const other = report.clusters.filter((view) => view.id !== DEMO.clusters.dev.id);
  expect(other.every((view) => view.safeguards === undefined)).toBe(true);
});

test("without --safeguards nothing is read per cluster", async () => {
  await emu.hooks.resetRequests();
  const run = await runCli(["audit", "--all-subscriptions", "--fail-on", "never", "-o", "json"], { emulatorDir: emu.stateDir });
  expect(run.code, run.stderr).toBe(0);
  expect((await emu.hooks.requests()).filter((entry) => /deploymentSafeguards/i.test(entry.path))).toEqual([]);
});
