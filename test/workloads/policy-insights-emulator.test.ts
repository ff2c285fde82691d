// The emulator's Microsoft.PolicyInsights routes through @azure/arm-policyinsights: the response shapes
// of the spec examples, the $filter/$expand subset, paging, seeding, the add-on's 500 cap, permissions.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PolicyInsightsClient, type PolicyState } from "@azure/arm-policyinsights";
import { isRestError } from "@azure/core-rest-pipeline";
import { DEMO } from "../../src/emulator/demo-seed.js";
import { startTestEmulator, type TestEmulator } from "../helpers/emulator.js";
import { armRequest } from "../helpers/arm-request.js";

const prodNeu = DEMO.clusters.prodNeu.id;

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterable) items.push(item);
  return items;
}

describe("Policy Insights in the emulator", () => {
  let emu: TestEmulator;
  let client: PolicyInsightsClient;
  beforeAll(async () => {
    emu = await startTestEmulator({ seed: "demo" });
    client = new PolicyInsightsClient(emu.credentialFor("admin"), emu.clientOptions);
  });
  afterAll(() => emu.close());

  it("answers componentPolicyStates for a cluster with the official example's shape, filtered to one pod", async () => {
    const result = await client.componentPolicyStates.listQueryResultsForResource(prodNeu.slice(1), "latest", {
      filter: "componentType eq 'pod' AND componentId eq 'monitoring/node-exporter-5fks2' AND componentName eq 'node-exporter-5fks2'",
      expand: "PolicyEvaluationDetails",
    });
    expect(result.odataCount).toBe(5);
    const failing = (result.value ?? [])
      .filter((row) => row.complianceState === "NonCompliant")
      .map((row) => row.policyDefinitionReferenceId)
      .sort();
    expect(failing).toEqual(["BlockUsingHostNetwork", "BlockUsingHostProcessIDAndIPC", "NoHostPathVolume"]);
    const row = result.value![0];
    expect(row.componentType).toBe("pod");
    expect(row.componentId).toBe("monitoring/node-exporter-5fks2");
    expect(row.resourceId).toBe(prodNeu);
    expect(row.policyAssignmentId).toBe(DEMO.assignments.baseline.id);
    expect(row.policySetDefinitionId).toBe(DEMO.policySetDefinitions.baseline);
    expect(row.timestamp).toBeInstanceOf(Date);
    expect(row.policyEvaluationDetails).toBeDefined();
  });

  it("answers policyStates with $expand=components($filter=...) for a cluster, one state per member", async () => {
    const rows = await collect(
      client.policyStates.listQueryResultsForResource("latest", prodNeu, {
        queryOptions: { expand: "components($filter=ComplianceState eq 'NonCompliant' or ComplianceState eq 'Compliant')" },
      }),
    );
    expect(rows.length).toBe(5);
    const hostNetwork = rows.find((row) => row.policyDefinitionReferenceId === "BlockUsingHostNetwork");
    expect(hostNetwork?.complianceState).toBe("NonCompliant");
    expect(hostNetwork?.isCompliant).toBe(false);
    const components = (hostNetwork as any).components as Array<{ id: string; complianceState: string; type: string }>;
    expect(components.find((component) => component.id === "monitoring/node-exporter-5fks2")).toEqual(
      expect.objectContaining({ type: "pod", name: "node-exporter-5fks2", complianceState: "NonCompliant" }),
    );
    expect(components.filter((component) => component.complianceState === "Compliant").length).toBe(4);
  });

  it("pages policyStates with @odata.nextLink and $skiptoken", async () => {
    const pages: PolicyState[][] = [];
    for await (const page of client.policyStates
      .listQueryResultsForSubscription("latest", DEMO.subscriptions.prod.id, { queryOptions: { top: 3, filter: "resourceType eq 'Microsoft.ContainerService/managedClusters'" } })
      .byPage()) {
      pages.push(page);
    }
    // Two clusters with five members each: ten policy states, three per page.
    expect(pages.map((page) => page.length)).toEqual([3, 3, 3, 1]);
    expect(new Set(pages.flat().map((row) => `${row.resourceId}|${row.policyDefinitionReferenceId}`)).size).toBe(10);
  });

  it("refuses an unsupported $filter with 400 and an api-version it does not know with 404 InvalidResourceType", async () => {
    const token = await emu.hooks.issueToken("admin");
    const bad = await armRequest(
      emu.endpoint,
      emu.caCert,
      "POST",
      `${prodNeu}/providers/Microsoft.PolicyInsights/componentPolicyStates/latest/queryResults?api-version=2024-10-01&$filter=${encodeURIComponent("startswith(componentId, 'x')")}`,
      { token },
    );
    expect(bad.status).toBe(400);
    const version = await armRequest(emu.endpoint, emu.caCert, "POST", `${prodNeu}/providers/Microsoft.PolicyInsights/componentPolicyStates/latest/queryResults?api-version=2019-10-01`, { token });
    expect(version.status).toBe(404);
    expect(version.body.error.code).toBe("InvalidResourceType");
    const older = await armRequest(emu.endpoint, emu.caCert, "POST", `${prodNeu}/providers/Microsoft.PolicyInsights/componentPolicyStates/latest/queryResults?api-version=2022-04-01`, { token });
    expect(older.status).toBe(200);
    expect(older.body["@odata.count"]).toBe(older.body.value.length);
  });

  it("accepts component states through POST /_emulator/seed and keeps at most 500 non-compliant pods per policy per cluster", async () => {
    const pods = Array.from({ length: 520 }, (_, index) => ({
      cluster: DEMO.clusters.prodWeu.id,
      policyAssignmentId: DEMO.assignments.baseline.id,
      policyDefinitionReferenceId: "NoPrivilegedContainers",
      namespace: "batch",
      pod: `job-${String(index).padStart(4, "0")}`,
    }));
    await emu.hooks.seed({ componentPolicyStates: pods });
    const result = await client.componentPolicyStates.listQueryResultsForResource(DEMO.clusters.prodWeu.id, "latest", {
      filter: "componentType eq 'pod' and policyDefinitionReferenceId eq 'NoPrivilegedContainers' and complianceState eq 'NonCompliant'",
    });
    expect(result.value?.length).toBe(500);
  });

  it("refuses a seeded state naming a reference id the assigned set does not have", async () => {
    await expect(
      emu.hooks.seed({
        componentPolicyStates: [{ cluster: prodNeu, policyAssignmentId: DEMO.assignments.baseline.id, policyDefinitionReferenceId: "AllowedSeccompProfiles", namespace: "web", pod: "x" }],
      }),
    ).rejects.toThrow(/not a member/);
  });

  it("answers 403 AuthorizationFailed to a caller without Microsoft.PolicyInsights read", async () => {
    await emu.hooks.seed({
      principals: [{ name: "no-insights" }],
      roleAssignments: [{ principal: "no-insights", role: { actions: ["*/read"], notActions: ["Microsoft.PolicyInsights/*"] }, scope: "/" }],
    });
    const token = await emu.hooks.issueToken("no-insights");
    const denied = await armRequest(emu.endpoint, emu.caCert, "POST", `${prodNeu}/providers/Microsoft.PolicyInsights/componentPolicyStates/latest/queryResults?api-version=2024-10-01`, { token });
    expect(denied.status).toBe(403);
    expect(denied.body.error.code).toBe("AuthorizationFailed");
    try {
      await new PolicyInsightsClient(emu.credentialFor("admin"), emu.clientOptions).componentPolicyStates.listQueryResultsForResource(`${prodNeu}-missing`, "latest");
      throw new Error("expected a 404");
    } catch (error) {
      expect(isRestError(error) && error.statusCode).toBe(404);
    }
  });
});
