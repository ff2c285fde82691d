// One bound for everything in flight (docs/issues/13.md): whatever code sends them and however many
// subscriptions are walked in parallel, no more than --concurrency ARM requests are ever open at once.
// Proven from the emulator's request log (real start and end of every request), not from a clock.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestEmulator, type TestEmulator } from "../helpers/emulator.js";
import { runCli } from "../helpers/cli.js";
import { syntheticTenant, type SyntheticTenant } from "../../src/emulator/synthetic-tenant.js";
import type { RequestLogEntry } from "../../src/emulator/hooks-client.js";
import { maxInFlight } from "../helpers/in-flight.js";

let emu: TestEmulator;
let tenant: SyntheticTenant;
beforeAll(async () => {
  tenant = syntheticTenant({ subscriptions: 24, clustersPerSubscription: 1, assignments: 24, exemptions: 24 });
  emu = await startTestEmulator({ seed: tenant.seed });
  // A little latency per request, so that requests overlap whenever the client lets them.
  await emu.hooks.setLatency(15);
});
afterAll(() => emu.close());

async function measured(argv: string[]): Promise<{ code: number; stderr: string; log: RequestLogEntry[] }> {
  await emu.hooks.resetRequests();
  const run = await runCli(argv, { emulatorDir: emu.stateDir });
  return { code: run.code, stderr: run.stderr, log: await emu.hooks.requests() };
}

describe("the process-wide ARM request limiter", () => {
  it.each([1, 3, 8])("find --all-subscriptions --concurrency %i never has more requests in flight", async (limit) => {
    // ARM's per-scope lists (auto would read this tenant through Resource Graph).
    const run = await measured(["find", "--all-subscriptions", "--engine", "arm", "--concurrency", String(limit), "-o", "json"]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.log.length).toBeGreaterThan(tenant.subscriptionIds.length);
    const peak = maxInFlight(run.log);
    expect(peak).toBeLessThanOrEqual(limit);
    // The bound is a bound, not serialisation: with 24 subscriptions to read, requests do overlap.
    if (limit > 1) expect(peak).toBeGreaterThan(1);
    // One keep-alive agent for every client (one per subscription): connections are reused, never
    // more than the bound at once, not one pool per subscription.
    expect(new Set(run.log.map((entry) => entry.connection)).size).toBeLessThanOrEqual(limit);
  });

  it("find --cluster --all-subscriptions (clusters, assignments, exemptions, set definitions) stays under the bound", async () => {
    const run = await measured(["find", "--cluster", tenant.clusters[5]!.name, "--all-subscriptions", "--concurrency", "2", "-o", "json"]);
    expect(run.code, run.stderr).toBe(0);
    expect(maxInFlight(run.log)).toBeLessThanOrEqual(2);
  });

  it("exempt list and exempt apply over many clusters stay under the bound", async () => {
    const list = await measured(["exempt", "list", "--all-subscriptions", "--concurrency", "2", "-o", "json"]);
    expect(list.code, list.stderr).toBe(0);
    expect(maxInFlight(list.log)).toBeLessThanOrEqual(2);

    const dir = mkdtempSync(join(tmpdir(), "akspol-inflight-"));
    const file = join(dir, "exemptions.yaml");
    const entries = tenant.clusters
      .slice(0, 12)
      .map((cluster, index) =>
        [
          `  - name: inflight-${index}`,
          `    cluster: ${cluster.name}`,
          `    assignment: ${tenant.assignments[tenant.clusters.indexOf(cluster)]!.name}`,
          "    policies: all",
          "    category: mitigated",
          "    expires: never",
          "    reason: in-flight bound test",
        ].join("\n"),
      );
    writeFileSync(file, `owner: inflight-test\nexemptions:\n${entries.join("\n")}\n`);
    const apply = await measured(["exempt", "apply", "-f", file, "--yes", "--concurrency", "3", "-o", "json"]);
    expect(apply.code, apply.stderr).toBe(0);
    expect(apply.log.filter((entry) => entry.method === "PUT")).toHaveLength(12);
    expect(maxInFlight(apply.log)).toBeLessThanOrEqual(3);
  });

  it("a throttled request waits out Retry-After without holding a slot, and the bound still holds", async () => {
    await emu.hooks.injectFault({ method: "GET", pathPattern: "policyAssignments", count: 3, kind: "429", retryAfterMs: 50 });
    const run = await measured(["find", "--all-subscriptions", "--engine", "arm", "--concurrency", "2", "-o", "json"]);
    expect(run.code, run.stderr).toBe(0);
    const throttled = run.log.filter((entry) => entry.status === 429);
    expect(throttled).toHaveLength(3);
    // Each throttled request was sent again no sooner than Retry-After said.
    for (const entry of throttled) {
      const retry = run.log.find((other) => other.path === entry.path && other.status === 200 && other.startMs >= entry.endMs);
      expect(retry, entry.path).toBeDefined();
      expect(retry!.startMs - entry.endMs).toBeGreaterThanOrEqual(45);
    }
    expect(maxInFlight(run.log)).toBeLessThanOrEqual(2);
  });
});

describe("maxInFlight", () => {
  const at = (startMs: number, endMs: number) => ({ startMs, endMs }) as RequestLogEntry;
  it("counts overlapping intervals, and a request ending as another starts does not overlap it", () => {
    expect(maxInFlight([])).toBe(0);
    expect(maxInFlight([at(0, 10), at(10, 20)])).toBe(1);
    expect(maxInFlight([at(0, 10), at(5, 20), at(6, 7), at(19, 30)])).toBe(3);
  });
});
