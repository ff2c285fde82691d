// The emulator's Resource Graph pages at tenant scale: the pages after the first ($skipToken) are cut
// from the result the first page computed, so a query of P pages reads its scope's records once, not P
// times; after a write the next page is computed again from the changed state. Proven with the store's
// records-visited counter, not a clock.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ResourceGraphClient } from "@azure/arm-resourcegraph";
import { estateSeed, estateSubscriptionId } from "../../../src/emulator/estate-seed.js";
import { startTestEmulator, type TestEmulator } from "../../helpers/emulator.js";

const SUBSCRIPTIONS = 12;
const now = new Date("2026-05-01T10:00:00Z");
const QUERY = "resources | where type =~ 'microsoft.containerservice/managedclusters' | project id, name | order by id asc";

let emu: TestEmulator;
let client: ResourceGraphClient;
beforeAll(async () => {
  emu = await startTestEmulator({ seed: estateSeed({ subscriptions: SUBSCRIPTIONS }, now).seed, now });
  await emu.hooks.setResourceGraphQuota({ queries: 1000, windowMs: 60_000 });
  client = new ResourceGraphClient(emu.credentialFor("admin"), { ...emu.clientOptions, credentials: { scopes: [`${emu.endpoint}/.default`] } });
});
afterAll(() => emu.close());

const subscriptions = Array.from({ length: SUBSCRIPTIONS }, (_, index) => estateSubscriptionId(index));
const visited = async (): Promise<number> => (await emu.hooks.stats()).recordsVisited;

describe("Resource Graph paging in the emulator", () => {
  it("reads the scope's records for the first page only; the next pages follow the same result", async () => {
    let before = await visited();
    const first = await client.resources({ query: QUERY, subscriptions, options: { top: 10 } });
    const firstCost = (await visited()) - before;
    // 3 clusters per subscription, each read once.
    expect(firstCost).toBe(3 * SUBSCRIPTIONS);
    expect(first.totalRecords).toBe(3 * SUBSCRIPTIONS);
    const ids = (first.data as Array<{ id: string }>).map((row) => row.id);
    let token = first.skipToken;
    before = await visited();
    while (token) {
      const page = await client.resources({ query: QUERY, subscriptions, options: { top: 10, skipToken: token } });
      ids.push(...(page.data as Array<{ id: string }>).map((row) => row.id));
      token = page.skipToken;
    }
    expect((await visited()) - before).toBe(0);
    expect(ids).toHaveLength(3 * SUBSCRIPTIONS);
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("after a write, the next page is computed again from the changed state", async () => {
    const first = await client.resources({ query: QUERY, subscriptions, options: { top: 10 } });
    await emu.hooks.seed({
      resourceGroups: [{ subscriptionId: subscriptions[0]!, name: "rg-new" }],
      managedClusters: [{ subscriptionId: subscriptions[0]!, resourceGroup: "rg-new", name: "aks-new" }],
    });
    const before = await visited();
    const next = await client.resources({ query: QUERY, subscriptions, options: { top: 10, skipToken: first.skipToken } });
    expect((await visited()) - before).toBe(3 * SUBSCRIPTIONS + 1);
    expect(next.totalRecords).toBe(3 * SUBSCRIPTIONS + 1);
  });
});
