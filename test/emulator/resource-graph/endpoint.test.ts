// The emulator's Resource Graph endpoint through the real @azure/arm-resourcegraph client over HTTPS:
// response shape, scoping, paging, the quota headers and throttling, and refusals.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ResourceGraphClient } from "@azure/arm-resourcegraph";
import { isRestError, type PipelineResponse } from "@azure/core-rest-pipeline";
import { estateSeed, estateSubscriptionId } from "../../../src/emulator/estate-seed.js";
import { startTestEmulator, type TestEmulator } from "../../helpers/emulator.js";
import { armRequest } from "../../helpers/arm-request.js";

const SUBSCRIPTIONS = 24;
const now = new Date("2026-05-01T10:00:00Z");

describe("Resource Graph in the emulator", () => {
  let emu: TestEmulator;
  let client: ResourceGraphClient;
  beforeAll(async () => {
    emu = await startTestEmulator({ seed: estateSeed({ subscriptions: SUBSCRIPTIONS, subscriptionsPerGroup: 4 }, now).seed, now });
    // The service's quota (15 per 5 s) is exercised by the throttling test; the others should not wait on it.
    await emu.hooks.setResourceGraphQuota({ queries: 1000, windowMs: 60_000 });
    client = new ResourceGraphClient(emu.credentialFor("admin"), { ...emu.clientOptions, credentials: { scopes: [`${emu.endpoint}/.default`] } });
  });
  afterAll(() => emu.close());

  async function token(principal = "admin"): Promise<string> {
    return (await emu.credentialFor(principal).getToken(`${emu.endpoint}/.default`))!.token;
  }

  it("answers with totalRecords, count, data, resultTruncated and the quota headers", async () => {
    let raw: PipelineResponse | undefined;
    const result = await client.resources(
      {
        subscriptions: [estateSubscriptionId(0), estateSubscriptionId(1)],
        query: "resources | where type =~ 'Microsoft.ContainerService/managedClusters' | project id, name, enabled = properties.addonProfiles.azurepolicy.enabled | order by name asc",
      },
      { onResponse: (response) => (raw = response as unknown as PipelineResponse) },
    );
    expect(result.totalRecords).toBe(6);
    expect(result.count).toBe(6);
    expect(result.resultTruncated).toBe("false");
    expect(result.skipToken).toBeUndefined();
    expect(result.data.map((row: { name: string }) => row.name)).toEqual(["aks-0-a", "aks-0-b", "aks-0-c", "aks-1-a", "aks-1-b", "aks-1-c"]);
    // Subscription 0: index % 7 === 0 disables the add-on on cluster c.
    expect(result.data.find((row: { name: string }) => row.name === "aks-0-c").enabled).toBe(false);
    expect(Number(raw!.headers.get("x-ms-user-quota-remaining"))).toBeGreaterThanOrEqual(0);
    expect(raw!.headers.get("x-ms-user-quota-resets-after")).toMatch(/^\d\d:\d\d:\d\d$/);
  });

  it("counts per subscription with summarize count() by, and returns the table format", async () => {
    const result = await client.resources({
      subscriptions: [estateSubscriptionId(2), estateSubscriptionId(3)],
      query: "policyresources | where type =~ 'microsoft.authorization/policyassignments' | summarize count() by subscriptionId | order by subscriptionId asc",
      options: { resultFormat: "table" },
    });
    expect(result.data).toEqual({
      columns: [
        { name: "subscriptionId", type: "string" },
        { name: "count_", type: "integer" },
      ],
      rows: [
        [estateSubscriptionId(2), 5],
        [estateSubscriptionId(3), 5],
      ],
    });
  });

  it("gives subscriptions their management-group ancestry, nearest first, ending at the tenant root group", async () => {
    const result = await client.resources({
      subscriptions: [estateSubscriptionId(9)],
      query: "resourcecontainers | where type == 'microsoft.resources/subscriptions' | project subscriptionId, chain = properties.managementGroupAncestorsChain",
    });
    expect(result.data).toEqual([
      {
        subscriptionId: estateSubscriptionId(9),
        chain: [
          { name: "estate-nonprod-01", displayName: "estate-nonprod-01" },
          { name: "estate-nonprod", displayName: "Estate non-production" },
          { name: "estate", displayName: "Estate" },
          { name: emu.connection.tenantId, displayName: "Tenant Root Group" },
        ],
      },
    ]);
  });

  it("scopes policy resources by authorizationScopeFilter: below (default), above, exact, above and below", async () => {
    const query = "policyresources | where type =~ 'microsoft.authorization/policyassignments' | project id | order by id asc";
    const ids = async (filter?: "AtScopeAndBelow" | "AtScopeAndAbove" | "AtScopeExact" | "AtScopeAboveAndBelow"): Promise<string[]> =>
      (await client.resources({ subscriptions: [estateSubscriptionId(1)], query, options: filter ? { authorizationScopeFilter: filter } : {} })).data.map((row: { id: string }) =>
        row.id.replace(/^.*\/(managementGroups|subscriptions)\/[^/]+/, "$1:"),
      );
    const below = await ids();
    expect(below).toHaveLength(5);
    expect(await ids("AtScopeAndBelow")).toEqual(below);
    // Subscription 1 is non-production: estate-baseline and nonprod-restricted apply from above.
    const above = await ids("AtScopeAndAbove");
    expect(above.filter((id) => id.startsWith("managementGroups")).sort()).toEqual([
      "managementGroups:/providers/Microsoft.Authorization/policyAssignments/estate-baseline",
      "managementGroups:/providers/Microsoft.Authorization/policyAssignments/nonprod-restricted",
    ]);
    // At the subscription itself: no-host-path only (index 1 puts its restricted set on rg-aks).
    expect(await ids("AtScopeExact")).toEqual(["subscriptions:/providers/Microsoft.Authorization/policyAssignments/no-host-path"]);
    expect(above.filter((id) => !id.startsWith("managementGroups"))).toEqual(await ids("AtScopeExact"));
    expect((await ids("AtScopeAboveAndBelow")).length).toBe(below.length + 2);
  });

  it("scopes by management group: the subscriptions below it and the group's own policy resources", async () => {
    const result = await client.resources({
      managementGroups: ["estate-prod"],
      query: "policyresources | where type =~ 'microsoft.authorization/policyassignments' | where isempty(subscriptionId) | project name | order by name asc",
    });
    expect(result.data).toEqual([{ name: "prod-essentials" }]);
    const subscriptions = await client.resources({ managementGroups: ["estate-prod"], query: "resourcecontainers | where type == 'microsoft.resources/subscriptions' | count" });
    expect(subscriptions.data).toEqual([{ Count: SUBSCRIPTIONS / 2 }]);
  });

  it("pages with $skipToken at the requested size, every row once, in order", async () => {
    const query = "resources | project id, name | order by id asc";
    const all: string[] = [];
    let skipToken: string | undefined;
    let pages = 0;
    do {
      const page = await client.resources({
        query,
        subscriptions: Array.from({ length: SUBSCRIPTIONS }, (_, index) => estateSubscriptionId(index)),
        options: { top: 10, ...(skipToken ? { skipToken } : {}) },
      });
      expect(page.totalRecords).toBe(SUBSCRIPTIONS * 3);
      expect(page.count).toBe(page.data.length);
      all.push(...page.data.map((row: { id: string }) => row.id));
      skipToken = page.skipToken;
      pages++;
    } while (skipToken);
    expect(pages).toBe(Math.ceil((SUBSCRIPTIONS * 3) / 10));
    expect(all).toHaveLength(SUBSCRIPTIONS * 3);
    expect(new Set(all).size).toBe(all.length);
    expect([...all].sort((a, b) => (a.toLowerCase() < b.toLowerCase() ? -1 : 1))).toEqual(all);
  });

  it("without an id column a larger result is truncated instead of paged", async () => {
    const result = await client.resources({ query: "resources | project name", subscriptions: [estateSubscriptionId(0), estateSubscriptionId(1)], options: {} });
    expect(result.resultTruncated).toBe("false");
    const big = await armRequest(emu.endpoint, emu.caCert, "POST", "/providers/Microsoft.ResourceGraph/resources?api-version=2024-04-01", {
      token: await token(),
      body: { query: "resources | project name", options: { $skip: 0 } },
    });
    expect(big.status).toBe(200);
    expect(big.body.totalRecords).toBe(SUBSCRIPTIONS * 3);
  });

  it("refuses a query outside the subset with BadRequest naming the line, position and token", async () => {
    const error = await client.resources({ query: "resources\n| join (policyresources) on id", subscriptions: [estateSubscriptionId(0)] }).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(isRestError(error)).toBe(true);
    const restError = error as { statusCode?: number; code?: string; message: string; details?: any };
    expect(restError.statusCode).toBe(400);
    expect(restError.code).toBe("BadRequest");
    const response = await armRequest(emu.endpoint, emu.caCert, "POST", "/providers/Microsoft.ResourceGraph/resources?api-version=2024-04-01", {
      token: await token(),
      body: { query: "resources\n| join (policyresources) on id" },
    });
    expect(response.status).toBe(400);
    expect(response.body.error.details[1]).toMatchObject({ code: "UnsupportedOperator", line: 2, characterPositionInLine: 2, token: "join" });
    expect(response.body.error.details[1].message).toMatch(/'join' is not in the emulator's KQL subset/);
  });

  it("refuses more than 1,000 subscriptions in one request", async () => {
    const response = await armRequest(emu.endpoint, emu.caCert, "POST", "/providers/Microsoft.ResourceGraph/resources?api-version=2024-04-01", {
      token: await token(),
      body: { query: "resources | count", subscriptions: Array.from({ length: 1001 }, (_, index) => estateSubscriptionId(index)) },
    });
    expect(response.status).toBe(400);
    expect(response.body.error.message).toMatch(/at most 1000 subscriptions/);
  });

  it("reads only the records of the subscriptions in scope (records-visited counter)", async () => {
    const visited = async (run: () => Promise<unknown>): Promise<number> => {
      const before = (await emu.hooks.stats()).recordsVisited;
      await run();
      return (await emu.hooks.stats()).recordsVisited - before;
    };
    expect(await visited(() => client.resources({ subscriptions: [estateSubscriptionId(5)], query: "resources | count" }))).toBe(3);
    // 5 assignments per subscription, plus exemptions: index 5 has a resource-group exemption, 6 a cluster one.
    expect(await visited(() => client.resources({ subscriptions: [estateSubscriptionId(5), estateSubscriptionId(6)], query: "policyresources | count" }))).toBe(12);
  });

  it("throttles a principal past its quota with 429, Retry-After and the quota headers, per principal", async () => {
    await emu.hooks.setResourceGraphQuota({ queries: 2, windowMs: 60_000 });
    try {
      const send = async (principal: string) =>
        armRequest(emu.endpoint, emu.caCert, "POST", "/providers/Microsoft.ResourceGraph/resources?api-version=2024-04-01", { token: await token(principal), body: { query: "resources | count" } });
      const first = await send("admin");
      expect(first.headers["x-ms-user-quota-remaining"]).toBe("1");
      expect((await send("admin")).headers["x-ms-user-quota-remaining"]).toBe("0");
      const throttled = await send("admin");
      expect(throttled.status).toBe(429);
      expect(Number(throttled.headers["retry-after"])).toBeGreaterThanOrEqual(1);
      expect(throttled.headers["x-ms-user-quota-remaining"]).toBe("0");
      expect(throttled.headers["x-ms-user-quota-resets-after"]).toMatch(/^00:0\d:\d\d$/);
      // Another principal has its own quota.
      expect((await send("reader")).status).toBe(200);
    } finally {
      await emu.hooks.setResourceGraphQuota({ queries: 1000, windowMs: 60_000 });
    }
  });
});
