// akspol's Resource Graph client against the emulator over HTTPS: paging across pages, batching of
// subscriptions, and waiting (and saying so) when the quota runs out, instead of failing.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ResourceGraphClient } from "@azure/arm-resourcegraph";
import { ResourceGraph, batches, parseQuotaDuration } from "../../src/azure/resource-graph.js";
import { CLUSTERS_QUERY } from "../../src/estate/rows.js";
import { estateSeed, estateSubscriptionId } from "../../src/emulator/estate-seed.js";
import { startTestEmulator, type TestEmulator } from "../helpers/emulator.js";

const SUBSCRIPTIONS = 24;
const now = new Date("2026-05-01T10:00:00Z");
const subscriptions = Array.from({ length: SUBSCRIPTIONS }, (_, index) => estateSubscriptionId(index));

let emu: TestEmulator;
beforeAll(async () => {
  emu = await startTestEmulator({ seed: estateSeed({ subscriptions: SUBSCRIPTIONS }, now).seed, now });
  await emu.hooks.setResourceGraphQuota({ queries: 1000, windowMs: 60_000 });
});
afterAll(() => emu.close());

function graph(limits: { pageSize?: number; subscriptionsPerRequest?: number } = {}): { graph: ResourceGraph; messages: string[] } {
  const messages: string[] = [];
  let instance: ResourceGraph | undefined;
  const client = new ResourceGraphClient(emu.credentialFor("admin"), {
    ...emu.clientOptions,
    credentials: { scopes: [`${emu.endpoint}/.default`] },
    additionalPolicies: [{ policy: ResourceGraph.quotaPolicy((headers) => instance?.observe(headers)), position: "perRetry" }],
  });
  instance = new ResourceGraph(client, (text) => messages.push(text), limits);
  return { graph: instance, messages };
}

async function graphRequests(): Promise<number> {
  return (await emu.hooks.requests()).filter((request) => /Microsoft\.ResourceGraph/i.test(request.path)).length;
}

describe("Resource Graph client", () => {
  it("follows $skipToken across pages and returns every row once, in order", async () => {
    await emu.hooks.resetRequests();
    const { graph: client } = graph({ pageSize: 10 });
    const rows = await client.query<{ id: string; name: string }>(CLUSTERS_QUERY, { subscriptions });
    expect(rows).toHaveLength(SUBSCRIPTIONS * 3);
    expect(new Set(rows.map((row) => row.id)).size).toBe(SUBSCRIPTIONS * 3);
    expect(await graphRequests()).toBe(Math.ceil((SUBSCRIPTIONS * 3) / 10));
    const { graph: whole } = graph();
    expect((await whole.query<{ id: string }>(CLUSTERS_QUERY, { subscriptions })).map((row) => row.id)).toEqual(rows.map((row) => row.id));
  });

  it("sends the subscriptions in batches of the service's size and joins the results", async () => {
    await emu.hooks.resetRequests();
    const { graph: client } = graph({ subscriptionsPerRequest: 5 });
    const rows = await client.query<{ id: string }>(CLUSTERS_QUERY, { subscriptions });
    expect(rows).toHaveLength(SUBSCRIPTIONS * 3);
    expect(await graphRequests()).toBe(Math.ceil(SUBSCRIPTIONS / 5));
    expect(batches([1, 2, 3, 4, 5, 6, 7], 3)).toEqual([[1, 2, 3], [4, 5, 6], [7]]);
  });

  it("waits for the quota to reset when it runs out, says so, and completes", async () => {
    await emu.hooks.setResourceGraphQuota({ queries: 2, windowMs: 2000 });
    try {
      const { graph: client, messages } = graph({ pageSize: 12 });
      const rows = await client.query<{ id: string }>(CLUSTERS_QUERY, { subscriptions });
      expect(rows).toHaveLength(SUBSCRIPTIONS * 3);
      expect(messages.some((message) => /Resource Graph (quota used up|throttled the query)/.test(message))).toBe(true);
      expect(client.stats.waitedMs + client.stats.throttled).toBeGreaterThan(0);
    } finally {
      await emu.hooks.setResourceGraphQuota({ queries: 1000, windowMs: 60_000 });
    }
  });

  it("sends no more queries than the quota leaves: the others wait for the window to refill (no 429)", async () => {
    await emu.hooks.setResourceGraphQuota({ queries: 4, windowMs: 3000 });
    try {
      await emu.hooks.resetRequests();
      const { graph: client, messages } = graph({ subscriptionsPerRequest: 4 });
      // One query learns the quota (3 left); then six batches side by side: three now, three after the refill.
      expect(await client.query<{ id: string }>(CLUSTERS_QUERY, { subscriptions: subscriptions.slice(0, 4) })).toHaveLength(12);
      const rows = await client.query<{ id: string }>(CLUSTERS_QUERY, { subscriptions });
      expect(rows).toHaveLength(SUBSCRIPTIONS * 3);
      const log = (await emu.hooks.requests()).filter((request) => /Microsoft\.ResourceGraph/i.test(request.path));
      expect(log.map((request) => request.status)).toEqual(Array(7).fill(200));
      expect(client.stats.throttled).toBe(0);
      expect(messages.filter((message) => /Resource Graph quota used up: waiting \d+ s/.test(message))).toHaveLength(1);
    } finally {
      await emu.hooks.setResourceGraphQuota({ queries: 1000, windowMs: 60_000 });
    }
  });

  it("reads the quota duration format", () => {
    expect(parseQuotaDuration("00:00:03")).toBe(3000);
    expect(parseQuotaDuration("01:02:03")).toBe(3_723_000);
    expect(parseQuotaDuration("00:00:02.5")).toBe(2500);
    expect(parseQuotaDuration("soon")).toBeUndefined();
    expect(parseQuotaDuration(undefined)).toBeUndefined();
  });
});
