// `akspol workloads` against the emulator's demo tenant: per cluster, across subscriptions, the one-line
// notes (no data yet, add-on disabled, no permission) and the 500-record truncation mark.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { DEMO } from "../../src/emulator/demo-seed.js";
import { startTestEmulator, type TestEmulator } from "../helpers/emulator.js";
import { runCli } from "../helpers/cli.js";

const prod = DEMO.subscriptions.prod.name;

let emu: TestEmulator;
beforeAll(async () => {
  emu = await startTestEmulator({ seed: "demo" });
});
afterAll(() => emu.close());

const cli = (argv: string[]) => runCli(argv, { emulatorDir: emu.stateDir });

describe("akspol workloads", () => {
  test("lists the non-compliant pods of a demo cluster per policy, with the assignment, its effect and what a restart would do", async () => {
    const result = await cli(["workloads", "--cluster", "aks-prod-neu", "--subscription", prod]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^aks-prod-neu: 3 non-compliant pods, 2 reported compliant; last evaluated 20\d\d-/);
    expect(result.stdout).toMatch(/BlockUsingHostNetwork\s+monitoring\s+node-exporter-5fks2\s+pss-baseline\s+deny\s+denied/);
    expect(result.stdout).toMatch(/NoPrivilegedContainers\s+payments\s+ledger-api-7b9f6d4c9-qq8rt\s+pss-baseline\s+deny\s+denied/);
    expect(result.stdout).not.toMatch(/prometheus-server-0|frontend/);
  });

  test("request economy: one Policy Insights query per cluster or per subscription, one exemption list per cluster with results", async () => {
    const count = async (argv: string[]) => {
      await emu.hooks.resetRequests();
      expect((await cli(argv)).code).toBe(0);
      const log = await emu.hooks.requests();
      return { insights: log.filter((entry) => /Microsoft\.PolicyInsights/.test(entry.path)).length, exemptionLists: log.filter((entry) => /policyExemptions$/i.test(entry.path)).length };
    };
    expect(await count(["workloads", "--cluster", "aks-prod-neu", "--subscription", prod])).toEqual({ insights: 1, exemptionLists: 1 });
    // Three subscriptions, two with clusters; three clusters with results.
    expect(await count(["workloads", "--all-subscriptions"])).toEqual({ insights: 2, exemptionLists: 3 });
  });

  test("-o json: findings with effect and restart verdict; an Audit assignment admits, an exemption is named", async () => {
    const dev = await cli(["workloads", "--cluster", "aks-dev", "--subscription", DEMO.subscriptions.dev.name, "-o", "json"]);
    expect(dev.code, dev.stderr).toBe(0);
    const output = JSON.parse(dev.stdout);
    expect(output.schemaVersion).toBe(1);
    const [cluster] = output.clusters;
    expect(cluster.clusterId).toBe(DEMO.clusters.dev.id);
    expect(cluster.findings).toContainEqual(
      expect.objectContaining({
        namespace: "dev",
        pod: "debug-shell",
        referenceId: "NoPrivilegeEscalation",
        assignmentName: "pss-restricted",
        effect: "audit",
        onRestart: "admitted (audit)",
        deniedOnRestart: false,
      }),
    );
    expect(cluster.truncated).toEqual([]);
    await emu.hooks.seed({
      componentPolicyStates: [
        {
          cluster: DEMO.clusters.prodWeu.id,
          policyAssignmentId: DEMO.assignments.baseline.id,
          policyDefinitionReferenceId: "BlockUsingHostNetwork",
          namespace: "monitoring",
          pod: "node-exporter-q8w4z",
        },
      ],
    });
    const weu = JSON.parse((await cli(["workloads", "--cluster", "aks-prod-weu", "--subscription", prod, "--policies", "BlockUsingHostNetwork", "-o", "json"])).stdout);
    expect(weu.clusters[0].findings).toEqual([
      expect.objectContaining({ pod: "node-exporter-q8w4z", referenceId: "BlockUsingHostNetwork", onRestart: `admitted (exempt: ${DEMO.exemptions.hostNetwork.name})`, deniedOnRestart: false }),
    ]);
  });

  test("--namespace, --policies and --assignment (name or id) narrow the findings", async () => {
    const result = await cli(["workloads", "--cluster", "aks-prod-neu", "--subscription", prod, "--namespace", "monitoring", "--policies", "ContainerCapabilities,NoHostPathVolume", "-o", "json"]);
    const findings = JSON.parse(result.stdout).clusters[0].findings.map((finding: any) => `${finding.referenceId} ${finding.namespace}/${finding.pod}`);
    expect(findings).toEqual(["ContainerCapabilities monitoring/grafana-6d9f7c5b8-x2k4p", "NoHostPathVolume monitoring/node-exporter-5fks2"]);
    const dev = DEMO.subscriptions.dev.name;
    const byOther = JSON.parse((await cli(["workloads", "--cluster", "aks-dev", "--subscription", dev, "--assignment", "pss-baseline", "-o", "json"])).stdout);
    expect(byOther.clusters[0].findings).toEqual([]);
    const byId = JSON.parse((await cli(["workloads", "--cluster", "aks-dev", "--subscription", dev, "--assignment", DEMO.assignments.restricted.id, "-o", "json"])).stdout);
    expect(byId.clusters[0].findings).toHaveLength(4);
  });

  test("--all-subscriptions: one summary row per cluster; the add-on-disabled cluster gets its one-line note", async () => {
    const result = await cli(["workloads", "--all-subscriptions", "-o", "json"]);
    expect(result.code, result.stderr).toBe(0);
    const clusters = JSON.parse(result.stdout).clusters;
    expect(clusters.map((cluster: any) => cluster.clusterName)).toEqual(["aks-dev", "aks-prod-neu", "aks-prod-weu", "aks-sandbox"]);
    const neu = clusters.find((cluster: any) => cluster.clusterName === "aks-prod-neu");
    expect(new Set(neu.findings.map((finding: any) => finding.pod)).size).toBe(3);
    expect(clusters.find((cluster: any) => cluster.clusterName === "aks-sandbox").note).toMatch(/add-on is disabled/);
    const table = await cli(["workloads", "--all-subscriptions"]);
    expect(table.stdout).toMatch(/aks-prod-neu\s+3\s+5\s+3\s+20\d\d-/);
    expect(table.stdout).toMatch(/aks-dev\s+2\s+3\s+0\s+/);
  });

  test("a cluster without results yet: one line, exit 0", async () => {
    await emu.hooks.seed({ managedClusters: [{ subscriptionId: DEMO.subscriptions.prod.id, resourceGroup: "rg-aks-prod", name: "aks-prod-new", azurePolicyEnabled: true }] });
    const result = await cli(["workloads", "--cluster", "aks-prod-new", "--subscription", prod]);
    expect(result.code).toBe(0);
    expect(result.stdout.trim().split("\n")).toEqual([
      "aks-prod-new: no pod results for aks-prod-new yet: the Azure Policy add-on reports about 30 minutes after it starts, and Azure lists only pods that fail a policy.",
    ]);
  });

  test("marks a policy whose results reach Azure's 500-record cap as truncated", async () => {
    await emu.hooks.seed({ managedClusters: [{ subscriptionId: DEMO.subscriptions.prod.id, resourceGroup: "rg-aks-prod", name: "aks-prod-batch", azurePolicyEnabled: true }] });
    const cluster = `/subscriptions/${DEMO.subscriptions.prod.id}/resourceGroups/rg-aks-prod/providers/Microsoft.ContainerService/managedClusters/aks-prod-batch`;
    await emu.hooks.seed({
      componentPolicyStates: Array.from({ length: 530 }, (_, index) => ({
        cluster,
        policyAssignmentId: DEMO.assignments.baseline.id,
        policyDefinitionReferenceId: "NoPrivilegedContainers",
        namespace: "batch",
        pod: `job-${index}`,
      })),
    });
    const json = JSON.parse((await cli(["workloads", "--cluster", "aks-prod-batch", "--subscription", prod, "-o", "json"])).stdout);
    expect(json.clusters[0].findings).toHaveLength(500);
    expect(json.clusters[0].truncated).toEqual([{ assignmentName: "pss-baseline", referenceId: "NoPrivilegedContainers", reported: 500 }]);
    const table = await cli(["workloads", "--cluster", "aks-prod-batch", "--subscription", prod]);
    expect(table.stdout).toMatch(/NoPrivilegedContainers \(truncated\)\s+batch\s+job-0\s/);
    expect(table.stdout).toMatch(/truncated: pss-baseline NoPrivilegedContainers shows 500 pods\. Azure reports at most 500 non-compliant pods per policy per cluster; more may fail\./);
  });

  test("without permission to read Policy Insights: one line, exit 0", async () => {
    await emu.hooks.removeRoleAssignments("reader");
    await emu.hooks.addRoleAssignment({ principal: "reader", role: { actions: ["*/read"], notActions: ["Microsoft.PolicyInsights/*"] }, scope: "/" });
    const result = await cli(["workloads", "--cluster", "aks-prod-neu", "--subscription", prod, "--principal", "reader"]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout.trim().split("\n")).toEqual([
      "aks-prod-neu: pod results not shown: no permission to read Azure Policy compliance for aks-prod-neu (needs Microsoft.PolicyInsights/*/queryResults/read, e.g. the Reader role).",
    ]);
    const summary = await cli(["workloads", "--all-subscriptions", "--principal", "reader", "-o", "json"]);
    expect(summary.code).toBe(0);
    const clusters = JSON.parse(summary.stdout).clusters;
    expect(clusters.length).toBeGreaterThan(3);
    for (const cluster of clusters) expect(cluster.note).toMatch(/^pod results not shown: no permission .* for subscription contoso-(prod|dev) /);
  });

  test("refuses a namespace that is not a Kubernetes name before any request", async () => {
    const result = await cli(["workloads", "--cluster", "aks-prod-neu", "--namespace", "Monitoring!"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/'Monitoring!' is not a Kubernetes namespace name/);
  });
});
