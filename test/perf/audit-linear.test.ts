// No super-linear CPU in audit (docs/issues/13.md and 16): each cluster is checked against the carriers
// assigned at its own scopes (its resource group, subscription, management groups), found through an
// index, not against every carrier of the tenant. Proven with a counter of scope checks, not a clock:
// four times the subscriptions (and so four times the clusters and carriers) cost about four times the
// checks; a join of every cluster with every carrier would cost sixteen times.
import { afterEach, describe, expect, it } from "vitest";
import { startTestEmulator, type TestEmulator } from "../helpers/emulator.js";
import { runCli } from "../helpers/cli.js";
import { estateSeed } from "../../src/emulator/estate-seed.js";
import { applicabilityWork } from "../../src/policy/applicability.js";

const now = new Date("2026-05-01T10:00:00Z");
let emu: TestEmulator | undefined;
afterEach(async () => {
  await emu?.close();
  emu = undefined;
});

async function auditChecks(subscriptions: number): Promise<{ checks: number; clusters: number; carriers: number }> {
  emu = await startTestEmulator({ seed: estateSeed({ subscriptions }, now).seed, now });
  const before = applicabilityWork.checks;
  const run = await runCli(["audit", "--all-subscriptions", "--engine", "arm", "--fail-on", "never", "-o", "json"], { emulatorDir: emu.stateDir, clock: { now: () => now } });
  const checks = applicabilityWork.checks - before;
  expect(run.code, run.stderr).toBe(0);
  const report = JSON.parse(run.stdout) as { summary: { clusters: number; carriers: number } };
  await emu.close();
  emu = undefined;
  return { checks, clusters: report.summary.clusters, carriers: report.summary.carriers };
}

describe("audit's cluster x carrier join", () => {
  it("grows with the clusters, not with clusters times carriers", async () => {
    const small = await auditChecks(10);
    const large = await auditChecks(40);
    expect(large.clusters).toBe(4 * small.clusters);
    expect(large.carriers).toBeGreaterThan(3 * small.carriers);
    // Linear: about 4x (the management-group carriers reach every cluster, the rest stay in their subscription).
    expect(large.checks).toBeLessThanOrEqual(4.5 * small.checks);
    // and far below the full join of every cluster with every carrier
    expect(large.checks).toBeLessThan((large.clusters * large.carriers) / 4);
  }, 300_000);
});
