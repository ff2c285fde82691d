// The Resource Graph engine gives exactly the answers of the ARM engine: the same commands over a
// generated estate (management-group hierarchy, notScopes, overrides, custom sets, exemptions at several
// scopes, expired ones) with --engine arm and --engine resource-graph, outputs compared whole.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { estateSeed, estateSubscriptionId } from "../../src/emulator/estate-seed.js";
import { startTestEmulator, type TestEmulator } from "../helpers/emulator.js";
import { runCli } from "../helpers/cli.js";

const SUBSCRIPTIONS = 40;
const now = new Date("2026-05-01T10:00:00Z");
const clock = { now: () => now };

let emu: TestEmulator;
beforeAll(async () => {
  emu = await startTestEmulator({ seed: estateSeed({ subscriptions: SUBSCRIPTIONS, subscriptionsPerGroup: 5 }, now).seed, now });
});
afterAll(() => emu.close());

const cli = (argv: string[]) => runCli(argv, { emulatorDir: emu.stateDir, clock });

interface EngineRun {
  stdout: string;
  graphQueries: number;
  armReads: number;
}

async function runWith(engine: "arm" | "resource-graph", argv: string[]): Promise<EngineRun> {
  await emu.hooks.resetRequests();
  const run = await cli([...argv, "--engine", engine, ...(argv.includes("-o") ? [] : ["-o", "json"])]);
  expect(run.code, run.stderr).toBe(0);
  const requests = await emu.hooks.requests();
  return {
    stdout: run.stdout,
    graphQueries: requests.filter((request) => /Microsoft\.ResourceGraph/i.test(request.path)).length,
    armReads: requests.filter((request) => request.method === "GET").length,
  };
}

/** Runs both engines and expects the same output; returns both runs for request counts. */
async function same(argv: string[], normalize: (text: string) => unknown = (text) => JSON.parse(text)): Promise<{ arm: EngineRun; graph: EngineRun }> {
  const arm = await runWith("arm", argv);
  const graph = await runWith("resource-graph", argv);
  expect(arm.graphQueries).toBe(0);
  expect(graph.graphQueries).toBeGreaterThan(0);
  expect(normalize(graph.stdout)).toEqual(normalize(arm.stdout));
  return { arm, graph };
}

describe("find: --engine arm and --engine resource-graph give the same assignments", () => {
  it("across every subscription: management-group, subscription and resource-group assignments, custom sets, exemption counts", async () => {
    const { arm, graph } = await same(["find", "--all-subscriptions"]);
    const assignments = JSON.parse(arm.stdout).assignments as Array<{ name: string; scope: string; exemptions: number; initiative: string }>;
    // 3 management-group assignments and one pod-security set per subscription.
    // Every carrier: 3 management-group assignments, and per subscription a pod-security set and 4 single members.
    expect(assignments).toHaveLength(3 + 5 * SUBSCRIPTIONS);
    expect(assignments.find((row) => row.name === "prod-essentials")?.initiative).toBe("custom: Pod security essentials (custom)");
    expect(assignments.find((row) => row.name === "estate-baseline")?.exemptions).toBe(Math.ceil(SUBSCRIPTIONS / 3));
    // ARM lists assignments and exemptions per subscription; Resource Graph needs one query each, and one
    // for the subscriptions it can see (an unreadable one is reported, as ARM's refusal is).
    expect(graph.graphQueries).toBe(3);
    expect(arm.armReads).toBeGreaterThan(2 * SUBSCRIPTIONS);
  });

  it("for a few named subscriptions and a resource group in each", async () => {
    const subscriptions = [0, 1, 2, 3, 5, 6, 7].map(estateSubscriptionId).join(",");
    await same(["find", "--subscription", subscriptions]);
    await same(["find", "--subscription", subscriptions, "--resource-group", "rg-aks"]);
    await same(["find", "--subscription", subscriptions, "--resource-group", "rg-apps", "--initiative", "baseline"]);
  });

  it("at a management group (the group and what it inherits)", async () => {
    await same(["find", "--management-group", "estate-nonprod"]);
    await same(["find", "--management-group", "estate-prod-01"]);
  });

  it("for one cluster: what applies to it (notScopes honoured) and the exemptions that cover it", async () => {
    // Cluster b of subscription 1 is in the restricted assignment's notScopes; cluster a of 0 has an exemption.
    await same(["find", "--cluster", `/subscriptions/${estateSubscriptionId(1)}/resourceGroups/rg-aks/providers/Microsoft.ContainerService/managedClusters/aks-1-b`]);
    await same(["find", "--cluster", `/subscriptions/${estateSubscriptionId(0)}/resourceGroups/rg-aks/providers/Microsoft.ContainerService/managedClusters/aks-0-a`]);
  });
});

describe("exempt list: --engine arm and --engine resource-graph give the same exemptions", () => {
  // Resource Graph rows carry no systemData, so createdAt/lastModifiedAt are ARM-only (README "Resource Graph").
  const withoutSystemData = (text: string): unknown => (JSON.parse(text).exemptions as Array<Record<string, unknown>>).map(({ createdAt: _created, lastModifiedAt: _modified, ...rest }) => rest);

  it("across every subscription, expired ones included", async () => {
    const { arm } = await same(["exempt", "list", "--all-subscriptions", "--include-expired"], withoutSystemData);
    expect((JSON.parse(arm.stdout).exemptions as unknown[]).length).toBe(Math.ceil(SUBSCRIPTIONS / 3) + Math.ceil(SUBSCRIPTIONS / 5));
  });

  it("expiring soon, by resource group, at a scope, for a cluster", async () => {
    await same(["exempt", "list", "--all-subscriptions", "--expiring-within", "15d"], withoutSystemData);
    await same(["exempt", "list", "--all-subscriptions", "--resource-group", "rg-apps", "--include-expired"], withoutSystemData);
    await same(["exempt", "list", "--scope", `/subscriptions/${estateSubscriptionId(5)}`, "--include-expired"], withoutSystemData);
    await same(
      ["exempt", "list", "--cluster", `/subscriptions/${estateSubscriptionId(3)}/resourceGroups/rg-aks/providers/Microsoft.ContainerService/managedClusters/aks-3-a`, "--include-expired"],
      withoutSystemData,
    );
  });
});

describe("audit: --engine arm and --engine resource-graph give the same report", () => {
  it("across every subscription: findings, clusters, carriers, exemptions, scopes", async () => {
    const { arm, graph } = await same(["audit", "--all-subscriptions", "--fail-on", "never"]);
    const report = JSON.parse(arm.stdout);
    expect(report.summary.clusters).toBe(3 * SUBSCRIPTIONS);
    expect(report.findings.length).toBeGreaterThan(0);
    // ARM: 3 lists per subscription; Resource Graph: 4 queries for all of them.
    expect(graph.graphQueries).toBe(4);
    expect(arm.armReads).toBeGreaterThanOrEqual(3 * SUBSCRIPTIONS);
  });

  it("below a management group, for a resource group in a few subscriptions, with expectations and a markdown report", async () => {
    await same(["audit", "--management-group", "estate-nonprod", "--expect", "restricted", "--expect-effect", "deny", "--fail-on", "never"]);
    const subscriptions = [0, 1, 2, 3, 4, 5, 6, 9].map(estateSubscriptionId).join(",");
    await same(["audit", "--subscription", subscriptions, "--resource-group", "rg-aks", "--fail-on", "never"]);
    await same(["audit", "--all-subscriptions", "--expect", "baseline", "--fail-on", "never", "-o", "markdown"], (text) => text);
  });
});

describe("throttled by Resource Graph, a command waits, says so, and gives the same answer", () => {
  it("find --all-subscriptions with a quota of one query per window", async () => {
    const arm = await runWith("arm", ["find", "--all-subscriptions"]);
    await emu.hooks.setResourceGraphQuota({ queries: 1, windowMs: 2000 });
    try {
      const run = await cli(["find", "--all-subscriptions", "--engine", "resource-graph", "-o", "json"]);
      expect(run.code, run.stderr).toBe(0);
      // Two queries go out together (assignments and exemptions): the second is over the quota.
      expect(run.stderr).toMatch(/Resource Graph (throttled the query \(429\)|quota used up): waiting \d+ s/);
      expect(JSON.parse(run.stdout)).toEqual(JSON.parse(arm.stdout));
      expect((await emu.hooks.requests()).some((request) => /Microsoft\.ResourceGraph/i.test(request.path) && request.status === 429)).toBe(true);
    } finally {
      await emu.hooks.setResourceGraphQuota({ queries: 15, windowMs: 5000 });
    }
  });
});

describe("--engine", () => {
  it("auto reads Resource Graph for --all-subscriptions and ARM for a few subscriptions (--debug says which)", async () => {
    const all = await runCli(["find", "--all-subscriptions", "--debug", "-o", "json"], { emulatorDir: emu.stateDir, clock });
    expect(all.stderr).toMatch(/engine: resource-graph \(--all-subscriptions\)/);
    const few = await runCli(["find", "--subscription", estateSubscriptionId(0), "--debug", "-o", "json"], { emulatorDir: emu.stateDir, clock });
    expect(few.stderr).toMatch(/engine: arm \(1 subscription\)/);
  });

  it("refuses an unknown engine with a usage error naming the choices", async () => {
    const run = await cli(["find", "--all-subscriptions", "--engine", "graph"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/graph/);
    expect(run.stderr).toMatch(/resource-graph/);
  });
});
