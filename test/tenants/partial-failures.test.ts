// docs/issues/11.md: a read across subscriptions goes on when one subscription fails, lists the failure, and
// exits 0 (answer found elsewhere), 7 (a scope that could hold the answer failed) or 4 (every scope
// refused for permission).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestEmulator, type TestEmulator } from "../helpers/emulator.js";
import { runCli } from "../helpers/cli.js";
import { DEMO, demoSeed } from "../../src/emulator/demo-seed.js";

const legacy = { id: "33333333-3333-4333-8333-333333333333", name: "contoso-legacy" };

let emu: TestEmulator;
beforeAll(async () => {
  const demo = demoSeed(new Date());
  emu = await startTestEmulator({
    seed: {
      ...demo,
      // A subscription where Microsoft.ContainerService is not registered (409 MissingSubscriptionRegistration).
      subscriptions: [
        ...(demo.subscriptions ?? []),
        { subscriptionId: legacy.id, displayName: legacy.name, managementGroup: DEMO.managementGroup, unregisteredProviders: ["Microsoft.ContainerService"] },
      ],
      principals: [{ name: "no-cluster-read" }],
      // Sees the subscriptions but may read nothing in them.
      roleAssignments: [
        { principal: "no-cluster-read", role: { actions: ["Microsoft.Resources/subscriptions/read"] }, scope: `/subscriptions/${DEMO.subscriptions.prod.id}` },
        { principal: "no-cluster-read", role: { actions: ["Microsoft.Resources/subscriptions/read"] }, scope: `/subscriptions/${DEMO.subscriptions.dev.id}` },
      ],
    },
  });
});
afterAll(() => emu.close());

const cli = (argv: string[]) => runCli(argv, { emulatorDir: emu.stateDir });

describe("a subscription with Microsoft.ContainerService unregistered beside healthy ones", () => {
  it("a cluster found by name in a healthy subscription is exempted (exit 0), the failed subscription listed", async () => {
    const run = await cli([
      "exempt",
      "create",
      "--cluster",
      DEMO.clusters.prodNeu.name,
      "--assignment",
      "pss-baseline",
      "--all-policies",
      "--category",
      "Mitigated",
      "--expires",
      "+30d",
      "--reason",
      "partial failure test",
      "--yes",
      "-o",
      "json",
    ]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain(`/subscriptions/${legacy.id}: MissingSubscriptionRegistration`);
    const exemptions = await emu.hooks.listResources("Microsoft.Authorization/policyExemptions");
    expect(exemptions.some((exemption) => String(exemption.id).toLowerCase().startsWith(DEMO.clusters.prodNeu.id.toLowerCase()))).toBe(true);
  });

  it("find --cluster by name succeeds and carries the failed scope in -o json errors", async () => {
    const run = await cli(["find", "--cluster", DEMO.clusters.dev.name, "--all-subscriptions", "-o", "json"]);
    expect(run.code, run.stderr).toBe(0);
    const data = JSON.parse(run.stdout);
    expect(data.assignments.map((a: { name: string }) => a.name)).toContain("pss-restricted");
    expect(data.errors).toEqual([
      {
        scope: `/subscriptions/${legacy.id}`,
        code: "MissingSubscriptionRegistration",
        message: "The subscription is not registered to use namespace 'Microsoft.ContainerService'. See https://aka.ms/rps-not-found for how to register subscriptions.",
      },
    ]);
  });

  it("a cluster name found nowhere readable exits 7 (not 3), naming the subscription that failed", async () => {
    const run = await cli(["find", "--cluster", "aks-nowhere", "--all-subscriptions"]);
    expect(run.code).toBe(7);
    expect(run.stderr).toContain("aks-nowhere");
    expect(run.stderr).toContain(`/subscriptions/${legacy.id}: MissingSubscriptionRegistration`);
  });

  it("a list whose subscription fails after retries shows the rest, a table footer, and exits 7", async () => {
    await emu.hooks.injectFault({ method: "GET", pathPattern: `^/subscriptions/${DEMO.subscriptions.dev.id}/providers/Microsoft.Authorization/policyAssignments$`, count: 20, kind: "500" });
    try {
      // The fault is on ARM's list call: read through ARM (auto would choose Resource Graph here).
      const run = await cli(["find", "--all-subscriptions", "--engine", "arm"]);
      expect(run.code, run.stderr).toBe(7);
      expect(run.stdout).toContain("pss-baseline");
      expect(run.stdout).not.toContain("pss-restricted");
      expect(run.stdout).toMatch(/Could not read 1 scope\(s\)[^\n]*\n {2}\/subscriptions\/2{8}-2{4}-4222-8222-2{12}: InternalServerError/);
    } finally {
      await emu.hooks.clearFaults();
    }
  });

  it("exits 4 when every subscription refuses for permission", async () => {
    const run = await runCli(["find", "--cluster", "aks-dev", "--all-subscriptions", "--principal", "no-cluster-read"], { emulatorDir: emu.stateDir });
    expect(run.code, run.stderr).toBe(4);
    expect(run.stderr).toContain("AuthorizationFailed");
  });
});
