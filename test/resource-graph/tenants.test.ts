// Several tenants: Resource Graph answers for its token's tenant, so akspol sends each subscription's
// queries with a token of that subscription's tenant, and gets the same answers as through ARM.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO } from "../../src/emulator/demo-seed.js";
import { startTestEmulator, type TestEmulator } from "../helpers/emulator.js";
import { runCli } from "../helpers/cli.js";
import { armRequest } from "../helpers/arm-request.js";

const now = new Date("2026-05-01T10:00:00Z");
const clock = { now: () => now };
let emu: TestEmulator;
beforeAll(async () => {
  emu = await startTestEmulator({ seed: "demo", now });
  // A pod-security assignment in the partner tenant, so its subscription has something to find.
  await emu.hooks.seed({
    policyAssignments: [
      { scope: `/subscriptions/${DEMO.partner.subscription.id}`, name: "fabrikam-baseline", properties: { displayName: "Fabrikam baseline", policyDefinitionId: DEMO.policySetDefinitions.baseline } },
    ],
  });
});
afterAll(() => emu.close());

describe("Resource Graph across tenants", () => {
  it("the emulator answers a query for the token's tenant only", async () => {
    const token = (await emu.credentialFor("admin").getToken(`${emu.endpoint}/.default`))!.token;
    const response = await armRequest(emu.endpoint, emu.caCert, "POST", "/providers/Microsoft.ResourceGraph/resources?api-version=2024-04-01", {
      token,
      body: { query: "resourcecontainers | where type == 'microsoft.resources/subscriptions' | project subscriptionId, tenantId | order by subscriptionId asc" },
    });
    expect(response.status).toBe(200);
    expect(response.body.data).toEqual([
      { subscriptionId: DEMO.subscriptions.prod.id, tenantId: DEMO.tenantId },
      { subscriptionId: DEMO.subscriptions.dev.id, tenantId: DEMO.tenantId },
    ]);
  });

  it("find, exempt list, audit and workloads over every tenant's subscriptions give the same answers through both engines", async () => {
    for (const argv of [
      ["find", "--all-subscriptions"],
      ["exempt", "list", "--all-subscriptions", "--include-expired"],
      ["audit", "--all-subscriptions", "--fail-on", "never"],
      ["workloads", "--all-subscriptions"],
    ]) {
      const [arm, graph] = [
        await runCli([...argv, "--engine", "arm", "-o", "json"], { emulatorDir: emu.stateDir, clock }),
        await runCli([...argv, "--engine", "resource-graph", "-o", "json"], { emulatorDir: emu.stateDir, clock }),
      ];
      expect(arm.code, arm.stderr).toBe(0);
      expect(graph.code, graph.stderr).toBe(0);
      const comparable = (text: string) => {
        const data = JSON.parse(text);
        // Resource Graph rows carry no systemData (README "Resource Graph").
        if (Array.isArray(data.exemptions) && argv[0] === "exempt") data.exemptions = data.exemptions.map(({ createdAt: _c, lastModifiedAt: _m, ...rest }: Record<string, unknown>) => rest);
        return data;
      };
      expect(comparable(graph.stdout)).toEqual(comparable(arm.stdout));
    }
    // The demo tenant reports pods to Policy Insights: workloads has something to compare.
    const workloads = await runCli(["workloads", "--all-subscriptions", "--engine", "resource-graph", "-o", "json"], { emulatorDir: emu.stateDir, clock });
    expect((JSON.parse(workloads.stdout).clusters as unknown[]).length).toBeGreaterThan(0);
    const found = await runCli(["find", "--all-subscriptions", "--engine", "resource-graph", "-o", "json"], { emulatorDir: emu.stateDir, clock });
    expect((JSON.parse(found.stdout).assignments as Array<{ name: string }>).map((row) => row.name)).toContain("fabrikam-baseline");
  });
});
