import { describe, expect, it } from "vitest";
import { chooseEngine, HANDFUL_OF_SUBSCRIPTIONS, RESOURCE_GRAPH_LAG_MS } from "../../src/estate/engine.js";
import { listedAt, policyResourceScope } from "../../src/estate/source.js";

const now = new Date("2026-05-01T10:00:00Z");

describe("chooseEngine", () => {
  it("keeps an explicit choice", () => {
    expect(chooseEngine("arm", { allSubscriptions: true, subscriptionCount: 900, now }).engine).toBe("arm");
    expect(chooseEngine("resource-graph", { cluster: true, subscriptionCount: 1, now }).engine).toBe("resource-graph");
  });

  it("auto: Resource Graph for --all-subscriptions, --management-group and more than a handful of subscriptions", () => {
    expect(chooseEngine("auto", { allSubscriptions: true, subscriptionCount: 2, now }).engine).toBe("resource-graph");
    expect(chooseEngine("auto", { managementGroup: true, subscriptionCount: 0, now }).engine).toBe("resource-graph");
    expect(chooseEngine("auto", { subscriptionCount: HANDFUL_OF_SUBSCRIPTIONS + 1, now }).engine).toBe("resource-graph");
    expect(chooseEngine("auto", { subscriptionCount: HANDFUL_OF_SUBSCRIPTIONS, now }).engine).toBe("arm");
  });

  it("auto: ARM for one cluster and right after akspol wrote (Resource Graph lags behind ARM)", () => {
    expect(chooseEngine("auto", { cluster: true, allSubscriptions: true, subscriptionCount: 50, now }).engine).toBe("arm");
    const justWrote = new Date(now.getTime() - RESOURCE_GRAPH_LAG_MS + 1000);
    const longAgo = new Date(now.getTime() - RESOURCE_GRAPH_LAG_MS - 1000);
    expect(chooseEngine("auto", { allSubscriptions: true, subscriptionCount: 50, lastWriteAt: justWrote, now })).toEqual({
      engine: "arm",
      reason: `akspol wrote at ${justWrote.toISOString()}; Resource Graph may not show it yet`,
    });
    expect(chooseEngine("auto", { allSubscriptions: true, subscriptionCount: 50, lastWriteAt: longAgo, now }).engine).toBe("resource-graph");
  });
});

describe("ARM list semantics applied to Resource Graph rows", () => {
  const sub = "/subscriptions/s1";
  const rg = `${sub}/resourceGroups/rg-a`;
  const cluster = `${rg}/providers/Microsoft.ContainerService/managedClusters/c1`;

  it("an unfiltered list returns ancestors, the scope and everything below it", () => {
    expect(listedAt("/providers/Microsoft.Management/managementGroups/mg", rg, "all")).toBe(true);
    expect(listedAt(sub, rg, "all")).toBe(true);
    expect(listedAt(rg, rg, "all")).toBe(true);
    expect(listedAt(cluster, rg, "all")).toBe(true);
    expect(listedAt(`${sub}/resourceGroups/rg-b`, rg, "all")).toBe(false);
    expect(listedAt(`${sub}/resourceGroups/RG-A/providers/x/y/z`, rg, "all")).toBe(true);
  });

  it("atScope() returns the scope and its ancestors only", () => {
    expect(listedAt(sub, cluster, "atScope")).toBe(true);
    expect(listedAt(rg, cluster, "atScope")).toBe(true);
    expect(listedAt(cluster, cluster, "atScope")).toBe(true);
    expect(listedAt(cluster, rg, "atScope")).toBe(false);
  });

  it("finds the scope of a policy resource id", () => {
    expect(policyResourceScope(`${cluster}/providers/Microsoft.Authorization/policyExemptions/e1`)).toBe(cluster);
    expect(policyResourceScope("/providers/Microsoft.Management/managementGroups/mg/providers/Microsoft.Authorization/policyAssignments/a")).toBe(
      "/providers/Microsoft.Management/managementGroups/mg",
    );
  });
});
