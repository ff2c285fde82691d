// `akspol advise`: levers for a denied pod, narrowest first, with their blast radius from Azure's pod
// results and the exact command; the per-member exclusion of a carrier with per-policy parameters.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import benchmark from "../../src/data/azure-builtins/more/policySetDefinitions/1f3afdf9-d0c9-4c3d-847f-89da613e70a8.json" with { type: "json" };
import { DEMO } from "../../src/emulator/demo-seed.js";
import { assignmentVerdict } from "../../src/effective/index.js";
import { rankLevers, type WorkloadFailure } from "../../src/workloads/advise.js";
import { enforcementFor } from "../../src/workloads/verdicts.js";
import type { PodState } from "../../src/azure/policy-insights.js";
import { startTestEmulator, type TestEmulator } from "../helpers/emulator.js";
import { runCli } from "../helpers/cli.js";

const prod = DEMO.subscriptions.prod.name;

let emu: TestEmulator;
beforeAll(async () => {
  emu = await startTestEmulator({ seed: "demo" });
});
afterAll(() => emu.close());

const cli = (argv: string[]) => runCli(argv, { emulatorDir: emu.stateDir });

describe("akspol advise", () => {
  test("ranks an exemption of the one failing reference id above the namespace exclusion, each with its blast radius and command", async () => {
    const result = await cli(["advise", "--cluster", "aks-prod-neu", "--namespace", "monitoring", "--pod", "grafana-6d9f7c5b8-x2k4p", "--subscription", prod, "-o", "json"]);
    expect(result.code, result.stderr).toBe(0);
    const advice = JSON.parse(result.stdout);
    expect(advice.failures).toEqual([expect.objectContaining({ assignmentName: "pss-baseline", referenceId: "ContainerCapabilities", outcome: "deny" })]);
    expect(advice.levers.map((lever: any) => [lever.rank, lever.kind, lever.policies.length])).toEqual([
      [1, "exemption", 1],
      [2, "member-exclusion", 1],
      [3, "namespace-exclusion", 5],
      [4, "effect-override", 1],
    ]);
    const [exemption, conversion, exclusion, override] = advice.levers;
    // Issue 17: the shared excludedNamespaces would switch off 5 policies; converting lifts only the failing one.
    expect(conversion).toMatchObject({
      policies: ["ContainerCapabilities"],
      namespaces: ["monitoring"],
      clusters: ["aks-prod-neu", "aks-prod-weu"],
      command: "akspol exclude add pss-baseline monitoring --policies ContainerCapabilities",
      otherPods: [],
    });
    expect(conversion.description).toMatch(/converts pss-baseline to akspol's per-policy custom initiative pss-baseline-pp; the other 4 policies keep checking monitoring/);
    expect(exemption).toMatchObject({ policies: ["ContainerCapabilities"], namespaces: "all", clusters: ["aks-prod-neu"], otherPods: [] });
    expect(exemption.command).toBe("akspol exempt create --cluster aks-prod-neu --assignment pss-baseline --policies ContainerCapabilities --category waiver --expires +30d --reason '...'");
    expect(exclusion).toMatchObject({ namespaces: ["monitoring"], clusters: ["aks-prod-neu", "aks-prod-weu"], command: "akspol exclude add pss-baseline monitoring" });
    expect(exclusion.otherPods).toEqual([
      { namespace: "monitoring", pod: "node-exporter-5fks2", fails: ["BlockUsingHostNetwork", "BlockUsingHostProcessIDAndIPC", "NoHostPathVolume"] },
      { namespace: "monitoring", pod: "prometheus-server-0", fails: [] },
    ]);
    expect(override.command).toBe("akspol params set pss-baseline --effect audit --policies ContainerCapabilities");
  });

  test("the table names each lever, what it stops, the other pods it affects and the command", async () => {
    const result = await cli(["advise", "--cluster", "aks-prod-neu", "--namespace", "monitoring", "--pod", "grafana-6d9f7c5b8-x2k4p", "--subscription", prod]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain("  1. exempt cluster aks-prod-neu from ContainerCapabilities of pss-baseline\n     stops: ContainerCapabilities in every namespace on aks-prod-neu");
    expect(result.stdout).toContain(
      "     also affects on aks-prod-neu: monitoring/node-exporter-5fks2 (fails BlockUsingHostNetwork, BlockUsingHostProcessIDAndIPC, NoHostPathVolume); monitoring/prometheus-server-0 (compliant)",
    );
    expect(result.stdout.indexOf("1. exempt")).toBeLessThan(result.stdout.indexOf("2. exclude namespace monitoring"));
  });

  test("--manifest: a workload not deployed yet, evaluated as check does; a member the cluster's exemption covers needs no lever", async () => {
    const result = await cli(["advise", "--cluster", "aks-prod-weu", "--manifest", "examples/manifests/node-exporter.yaml", "--pod", "node-exporter", "--subscription", prod, "-o", "json"]);
    expect(result.code, result.stderr).toBe(0);
    const advice = JSON.parse(result.stdout);
    expect(advice.source).toEqual({ kind: "manifest", file: "examples/manifests/node-exporter.yaml", workloadKind: "DaemonSet" });
    // pss-baseline's, then the demo's benchmark (SecurityCenterBuiltIn, Audit) carrying the same policies.
    expect(advice.failures.map((failure: any) => `${failure.referenceId}:${failure.outcome}`)).toEqual([
      "BlockUsingHostNetwork:none",
      "BlockUsingHostProcessIDAndIPC:deny",
      "NoHostPathVolume:deny",
      "AllowedHostNetworkingAndPortsInKubernetesCluster:audit",
      "AllowedHostPathVolumesInKubernetesCluster:audit",
      "MustRunAsNonRoot:audit",
      "NoSharingSensitiveHostNamespacesInKubernetes:audit",
    ]);
    expect(advice.levers[0]).toMatchObject({
      kind: "exemption",
      policies: ["BlockUsingHostProcessIDAndIPC", "NoHostPathVolume"],
      otherPods: [{ namespace: "monitoring", pod: "node-exporter-q8w4z", fails: ["NoHostPathVolume"] }],
    });
    expect(advice.levers.map((lever: any) => lever.kind)).toEqual(["exemption", "member-exclusion", "namespace-exclusion", "effect-override", "effect-override"]);
    const ambiguous = await cli(["advise", "--cluster", "aks-prod-weu", "--manifest", "examples/manifests/node-exporter.yaml", "--subscription", prod]);
    expect(ambiguous.code).toBe(2);
    expect(ambiguous.stderr).toMatch(/holds 2 workloads with a pod template \(DaemonSet\/node-exporter, Deployment\/web\); advise takes one/);
  });

  test("a pod Azure does not report is exit 3 pointing to workloads and check; missing flags are exit 2", async () => {
    const missing = await cli(["advise", "--cluster", "aks-prod-neu", "--namespace", "monitoring", "--pod", "nope", "--subscription", prod]);
    expect(missing.code).toBe(3);
    expect(missing.stderr).toMatch(/Azure reports no pod monitoring\/nope on aks-prod-neu/);
    expect(missing.stderr).toMatch(/akspol workloads --cluster aks-prod-neu --namespace monitoring/);
    const usage = await cli(["advise", "--cluster", "aks-prod-neu"]);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/Missing --namespace, --pod \(or --manifest\)/);
  });
});

describe("rankLevers (pure)", () => {
  test("a carrier with per-policy parameters offers a per-member exclusion, ranked between the exemption and the Audit override", () => {
    const assignmentId = "/subscriptions/s/providers/Microsoft.Authorization/policyAssignments/mcsb";
    const enforcement = enforcementFor(
      { id: assignmentId, name: "mcsb", scope: "/subscriptions/s", policyDefinitionId: benchmark.id, parameters: { allowedContainerImagesInKubernetesClusterEffect: { value: "Audit" } } } as any,
      benchmark,
    );
    const member = enforcement.members.find((candidate) => candidate.member === "NoPrivilegedContainers");
    expect(member).toBeDefined();
    const cluster = { clusterId: "/c", clusterName: "c", exemptions: [] };
    const verdict = assignmentVerdict(enforcement, member!, "monitoring", cluster, new Date());
    const failure: WorkloadFailure = { assignmentId, assignmentName: "mcsb", referenceId: member!.referenceId, outcome: "deny", reason: verdict.reason, levers: verdict.levers };
    const states: PodState[] = [{ clusterId: "/c", namespace: "monitoring", pod: "p", assignmentId, referenceId: member!.referenceId, policyDefinitionId: "/d", compliant: false, evaluatedAt: "" }];
    const levers = rankLevers({ cluster: { id: "/c", name: "c" }, namespace: "monitoring", pod: "p", failures: [failure], states, enforcements: [enforcement], reach: new Map() });
    const exclusion = levers.find((lever) => lever.kind === "member-exclusion" || lever.kind === "namespace-exclusion");
    expect(exclusion?.kind).toBe("member-exclusion");
    expect(exclusion?.policies).toEqual([member!.referenceId]);
    expect(levers[0]?.kind).toBe("exemption");
  });
});
