// The emulator at tenant scale: 2,000 subscriptions, 10,000+ assignments and 6,000 clusters in memory;
// a Resource Graph query reads only the records of the subscriptions in its scope (proved with the
// store's records-visited counter, not a clock); akspol batches 2,000 subscriptions into requests of
// 1,000, which the service (and the emulator) require.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ResourceGraphClient } from "@azure/arm-resourcegraph";
import { estateSeed, estateSubscriptionId } from "../../src/emulator/estate-seed.js";
import { startTestEmulator, type TestEmulator } from "../helpers/emulator.js";
import { runCli } from "../helpers/cli.js";

const SUBSCRIPTIONS = 2000;
const now = new Date("2026-05-01T10:00:00Z");

let emu: TestEmulator;
let client: ResourceGraphClient;
beforeAll(async () => {
  emu = await startTestEmulator({ seed: estateSeed({ subscriptions: SUBSCRIPTIONS }, now).seed, now });
  await emu.hooks.setResourceGraphQuota({ queries: 1000, windowMs: 60_000 });
  client = new ResourceGraphClient(emu.credentialFor("admin"), { ...emu.clientOptions, credentials: { scopes: [`${emu.endpoint}/.default`] } });
}, 120_000);
afterAll(() => emu.close());

describe("the emulator at 2,000 subscriptions", () => {
  it("holds 2,000 subscriptions, 10,000 assignments below them and 6,000 clusters", async () => {
    const subscriptions = Array.from({ length: SUBSCRIPTIONS }, (_, index) => estateSubscriptionId(index));
    const count = async (query: string, batch: string[]): Promise<number> => ((await client.resources({ query, subscriptions: batch })).data as Array<{ Count: number }>)[0]!.Count;
    let subscriptionCount = 0;
    let assignments = 0;
    let clusters = 0;
    for (const batch of [subscriptions.slice(0, 1000), subscriptions.slice(1000)]) {
      subscriptionCount += await count("resourcecontainers | where type == 'microsoft.resources/subscriptions' | count", batch);
      assignments += await count("policyresources | where type =~ 'microsoft.authorization/policyassignments' | count", batch);
      clusters += await count("resources | where type =~ 'microsoft.containerservice/managedclusters' | count", batch);
    }
    expect([subscriptionCount, assignments, clusters]).toEqual([SUBSCRIPTIONS, 5 * SUBSCRIPTIONS, 3 * SUBSCRIPTIONS]);
  });

  it("answers a query for one subscription by reading that subscription's records only", async () => {
    let before = (await emu.hooks.stats()).recordsVisited;
    const result = await client.resources({ query: "policyresources | summarize count() by type | order by type asc", subscriptions: [estateSubscriptionId(1234)] });
    // 1234 % 3 != 0 and 1234 % 5 != 0: five assignments and no exemption.
    expect(result.data).toEqual([{ type: "microsoft.authorization/policyassignments", count_: 5 }]);
    expect((await emu.hooks.stats()).recordsVisited - before).toBe(5);
    before = (await emu.hooks.stats()).recordsVisited;
    await client.resources({ query: "resources | count", subscriptions: [estateSubscriptionId(7), estateSubscriptionId(8)] });
    expect((await emu.hooks.stats()).recordsVisited - before).toBe(6);
  });

  it("akspol find --all-subscriptions through Resource Graph batches 1,000 subscriptions a request", async () => {
    await emu.hooks.resetRequests();
    const run = await runCli(["find", "--all-subscriptions", "--engine", "resource-graph", "-o", "json"], { emulatorDir: emu.stateDir, clock: { now: () => now } });
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout).assignments).toHaveLength(3 + 5 * SUBSCRIPTIONS);
    const queries = (await emu.hooks.requests()).filter((request) => /Microsoft\.ResourceGraph/i.test(request.path));
    // Two batches of 1,000 (the emulator refuses more) for each query. Assignments: 5 per subscription
    // (sets and single member policies) plus 3 inherited from management groups = 5,003 rows a batch,
    // 6 pages of 1,000; exemptions and the subscriptions seen: one page a batch.
    expect(queries).toHaveLength(2 * Math.ceil((5 * 1000 + 3) / 1000) + 2 + 2);
    expect(queries.every((request) => request.status === 200)).toBe(true);
  }, 120_000);
});
