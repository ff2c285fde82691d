// The emulator's lists are indexed by scope (docs/issues/13.md): the records a list call looks at grow with
// what sits at the scopes it asks about, not with the tenant. Proven with the emulator's counter.
import { describe, expect, it } from "vitest";
import { PolicyClient } from "@azure/arm-policy";
import { ContainerServiceClient } from "@azure/arm-containerservice";
import { startTestEmulator, type TestEmulator } from "../helpers/emulator.js";
import { syntheticTenant, type SyntheticTenant } from "../../src/emulator/synthetic-tenant.js";
import { ExemptionsClient } from "../../src/azure/exemptions-client.js";

async function visitedBy(emu: TestEmulator, action: () => Promise<unknown>): Promise<number> {
  const before = (await emu.hooks.stats()).recordsVisited;
  await action();
  return (await emu.hooks.stats()).recordsVisited - before;
}

async function costs(subscriptions: number) {
  const tenant: SyntheticTenant = syntheticTenant({ subscriptions, assignments: subscriptions * 2, exemptions: subscriptions * 2 });
  const emu = await startTestEmulator({ seed: tenant.seed });
  try {
    const subscriptionId = tenant.subscriptionIds[1]!;
    const policy = new PolicyClient(emu.credentialFor("admin"), subscriptionId, emu.clientOptions);
    const containers = new ContainerServiceClient(emu.credentialFor("admin"), subscriptionId, emu.clientOptions);
    const exemptions = await ExemptionsClient.create(emu.endpoint, emu.credentialFor("admin"), emu.clientOptions);
    const assignments = await visitedBy(emu, async () => {
      const listed = [];
      for await (const item of policy.policyAssignments.list()) listed.push(item);
      expect(listed).toHaveLength(2);
    });
    const clusters = await visitedBy(emu, async () => {
      const listed = [];
      for await (const item of containers.managedClusters.list()) listed.push(item);
      expect(listed).toHaveLength(1);
    });
    const exempt = await visitedBy(emu, async () => {
      expect(await exemptions.list(`/subscriptions/${subscriptionId}`)).toHaveLength(2);
    });
    return { assignments, clusters, exempt };
  } finally {
    await emu.close();
  }
}

describe("emulator lists indexed by scope", () => {
  it("a subscription's lists visit the same number of records in a tenant of 5 and of 200 subscriptions", async () => {
    const small = await costs(5);
    const large = await costs(200);
    expect(large).toEqual(small);
    // and that number is the size of the answer, not of the tenant
    expect(small.assignments).toBe(2);
    expect(small.clusters).toBe(1);
    expect(small.exempt).toBe(2);
  });
});
