// Fault injection through the hooks, with the real SDK retrying. Retry delays come from the
// Retry-After / retry-after-ms the faults set, so these tests stay fast.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { PolicyClient } from "@azure/arm-policy";
import { ContainerServiceClient } from "@azure/arm-containerservice";
import { DEMO } from "../../src/emulator/demo-seed.js";
import { startTestEmulator, type TestEmulator } from "../helpers/emulator.js";

const prod = DEMO.subscriptions.prod.id;

describe("fault injection", () => {
  let emu: TestEmulator;
  let policy: PolicyClient;
  beforeAll(async () => {
    emu = await startTestEmulator({ seed: "demo" });
    policy = new PolicyClient(emu.credentialFor("admin"), prod, emu.clientOptions);
    await policy.policyAssignments.get(DEMO.assignments.baseline.scope, "pss-baseline"); // warm the token cache
  });
  afterAll(() => emu.close());
  beforeEach(async () => {
    await emu.hooks.clearFaults();
    await emu.hooks.resetRequests();
  });

  const statuses = async () => (await emu.hooks.requests()).map((entry) => entry.status);

  it("429 with retry-after-ms: the SDK waits as told and succeeds", async () => {
    await emu.hooks.injectFault({ method: "GET", pathPattern: "/policyAssignments/pss-baseline$", count: 2, kind: "429", retryAfterMs: 100 });
    const started = Date.now();
    const assignment = await policy.policyAssignments.get(DEMO.assignments.baseline.scope, "pss-baseline");
    expect(assignment.name).toBe("pss-baseline");
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    expect(await statuses()).toEqual([429, 429, 200]);
  });

  it("503 with Retry-After in seconds: one retry after about a second", async () => {
    await emu.hooks.injectFault({ pathPattern: "managedClusters$", count: 1, kind: "503", retryAfterSeconds: 1 });
    const clusters = new ContainerServiceClient(emu.credentialFor("reader"), prod, emu.clientOptions);
    const started = Date.now();
    const names: string[] = [];
    for await (const cluster of clusters.managedClusters.list()) names.push(cluster.name!);
    expect(names.sort()).toEqual(["aks-prod-neu", "aks-prod-weu"]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(await statuses()).toEqual([503, 200]);
  });

  it("500 and a dropped connection are retried; the write lands once", async () => {
    const scope = `/subscriptions/${prod}/resourceGroups/rg-shared`;
    await emu.hooks.injectFault({ method: "PUT", pathPattern: "policyAssignments/retried$", count: 1, kind: "500" });
    await emu.hooks.injectFault({ method: "PUT", pathPattern: "policyAssignments/retried$", count: 1, kind: "drop" });
    const created = await policy.policyAssignments.create(scope, "retried", { policyDefinitionId: DEMO.policySetDefinitions.baseline });
    expect(created.name).toBe("retried");
    expect(await statuses()).toEqual([500, 0, 201]);
    expect((await emu.hooks.writes()).every((entry) => entry.method === "PUT" && entry.principal === "admin")).toBe(true);
    expect(await emu.hooks.getResource(created.id!)).toBeDefined();
  });

  it("an exhausted retry budget surfaces the throttling error", async () => {
    await emu.hooks.injectFault({ method: "GET", pathPattern: "pss-baseline$", count: 10, kind: "429", retryAfterMs: 10 });
    const error = (await policy.policyAssignments.get(DEMO.assignments.baseline.scope, "pss-baseline").catch((caught: unknown) => caught)) as { statusCode?: number };
    expect(error.statusCode).toBe(429);
    expect(await statuses()).toEqual([429, 429, 429, 429]);
  });

  it("added latency slows only the matching requests; global latency slows all", async () => {
    await emu.hooks.injectFault({ method: "GET", pathPattern: "pss-baseline$", count: 1, kind: "latency", latencyMs: 300 });
    await policy.policyAssignments.get(DEMO.assignments.baseline.scope, "pss-baseline");
    await policy.policyAssignments.get(DEMO.assignments.baseline.scope, "pss-baseline");
    const [slow, fast] = await emu.hooks.requests();
    expect(slow.durationMs).toBeGreaterThanOrEqual(290);
    expect(fast.durationMs).toBeLessThan(290);
    await emu.hooks.setLatency(150);
    const started = Date.now();
    await policy.policyAssignments.get(DEMO.assignments.baseline.scope, "pss-baseline");
    expect(Date.now() - started).toBeGreaterThanOrEqual(145);
    await emu.hooks.setLatency(0);
  });

  it("the request log names method, path, api-version, status, duration and principal", async () => {
    await policy.policyAssignments.get(DEMO.assignments.baseline.scope, "pss-baseline");
    const [entry] = await emu.hooks.requests();
    expect(entry).toMatchObject({
      method: "GET",
      path: `/subscriptions/${prod}/providers/Microsoft.Authorization/policyAssignments/pss-baseline`,
      apiVersion: "2025-03-01",
      status: 200,
      principal: "admin",
    });
    expect(typeof entry.durationMs).toBe("number");
    expect(Number.isNaN(Date.parse(entry.time))).toBe(false);
  });
});
