// The audit tenant (src/emulator/audit-seed.ts: every finding, a custom set, selectors, notScopes,
// overrides, exemptions of every kind, a subscription the auditor may not read) gives the same report
// through --engine arm and --engine resource-graph, and the Resource Graph audit completes when throttled.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AUDIT_TENANT, auditSeed } from "../../src/emulator/audit-seed.js";
import { startTestEmulator, type TestEmulator } from "../helpers/emulator.js";
import { runCli } from "../helpers/cli.js";

const NOW = new Date("2026-06-01T12:00:00Z");
const clock = { now: () => NOW };
let emu: TestEmulator;
beforeAll(async () => {
  emu = await startTestEmulator({ seed: auditSeed(NOW), now: NOW });
});
afterAll(() => emu.close());

async function audit(engine: "arm" | "resource-graph", argv: string[]): Promise<{ code: number; stderr: string; report: any }> {
  const run = await runCli([...argv, "--engine", engine, "--fail-on", "never", "-o", "json"], { emulatorDir: emu.stateDir, clock });
  return { code: run.code, stderr: run.stderr, report: run.stdout ? JSON.parse(run.stdout) : undefined };
}

describe("the audit tenant through both engines", () => {
  it("the same report for every subscription, and for the fabrikam management group", async () => {
    for (const argv of [
      ["audit", "--all-subscriptions"],
      ["audit", "--management-group", AUDIT_TENANT.managementGroups.root, "--expect", "baseline", "--expect-effect", "deny"],
    ]) {
      const arm = await audit("arm", argv);
      const graph = await audit("resource-graph", argv);
      expect(arm.code, arm.stderr).toBe(0);
      expect(graph.code, graph.stderr).toBe(0);
      expect(graph.report).toEqual(arm.report);
      expect(arm.report.findings.length).toBeGreaterThan(5);
    }
  });

  it("a subscription the auditor cannot read fails in both (exit 7), and the rest of the report is the same", async () => {
    const ids = Object.values(AUDIT_TENANT.subscriptions)
      .map((subscription) => subscription.id)
      .join(",");
    const arm = await audit("arm", ["--principal", "auditor", "audit", "--subscription", ids]);
    const graph = await audit("resource-graph", ["--principal", "auditor", "audit", "--subscription", ids]);
    expect([arm.code, graph.code]).toEqual([7, 7]);
    // The failure is described by each engine in its own words (ARM: 403 AuthorizationFailed).
    const withoutErrors = (report: any) => ({ ...report, scopes: report.scopes.map(({ error: _error, ...scope }: any) => scope) });
    expect(withoutErrors(graph.report)).toEqual(withoutErrors(arm.report));
    expect(graph.report.scopes.filter((scope: any) => scope.status === "failed").map((scope: any) => scope.scope)).toEqual([`/subscriptions/${AUDIT_TENANT.subscriptions.broken.id}`]);
  });

  it("find: a subscription the principal cannot read is reported by both engines (exit 7), the rest is the same", async () => {
    const ids = Object.values(AUDIT_TENANT.subscriptions)
      .map((subscription) => subscription.id)
      .join(",");
    const runs = [];
    for (const engine of ["arm", "resource-graph"]) {
      runs.push(await runCli(["--principal", "auditor", "find", "--subscription", ids, "--engine", engine, "-o", "json"], { emulatorDir: emu.stateDir, clock }));
    }
    const [arm, graph] = runs as [Awaited<ReturnType<typeof runCli>>, Awaited<ReturnType<typeof runCli>>];
    expect([arm.code, graph.code]).toEqual([7, 7]);
    expect(graph.stderr).toContain(AUDIT_TENANT.subscriptions.broken.id);
    const assignments = (text: string) => JSON.parse(text).assignments;
    expect(assignments(graph.stdout)).toEqual(assignments(arm.stdout));
  });

  it("throttled to one query per window, the Resource Graph audit waits, says so, and completes with the same report", async () => {
    const arm = await audit("arm", ["audit", "--all-subscriptions"]);
    await emu.hooks.setResourceGraphQuota({ queries: 1, windowMs: 2000 });
    try {
      const graph = await audit("resource-graph", ["audit", "--all-subscriptions"]);
      expect(graph.code, graph.stderr).toBe(0);
      expect(graph.stderr).toMatch(/Resource Graph (throttled the query \(429\)|quota used up): waiting \d+ s/);
      expect(graph.report).toEqual(arm.report);
    } finally {
      await emu.hooks.setResourceGraphQuota({ queries: 15, windowMs: 5000 });
    }
  });
});
