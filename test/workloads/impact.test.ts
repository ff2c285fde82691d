// The workload impact section in the plans of edits, against the emulator's demo pods: an exclusion
// names the non-compliant pods it would hide, Audit to Deny names the pods a restart would refuse, a
// removed exclusion points to `check`, and no permission on Policy Insights is one line, never a failure.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { DEMO } from "../../src/emulator/demo-seed.js";
import { diffImpact, workloadImpact } from "../../src/workloads/impact.js";
import { enforcementFor } from "../../src/workloads/verdicts.js";
import { BUILTIN_INITIATIVES } from "../../src/check/builtins.js";
import type { ExemptionFact } from "../../src/effective/index.js";
import type { PodState } from "../../src/azure/policy-insights.js";
import { startTestEmulator, type TestEmulator } from "../helpers/emulator.js";
import { runCli } from "../helpers/cli.js";

const prod = DEMO.subscriptions.prod.name;
const dev = DEMO.subscriptions.dev.name;

let emu: TestEmulator;
beforeAll(async () => {
  emu = await startTestEmulator({ seed: "demo" });
});
afterAll(() => emu.close());

const cli = (argv: string[]) => runCli(argv, { emulatorDir: emu.stateDir });

describe("workload impact in plans", () => {
  test("exclude add names the non-compliant pods the exclusion would hide, per cluster, and the other pods it stops checking", async () => {
    const result = await cli(["exclude", "add", "pss-baseline", "monitoring", "--subscription", prod, "--dry-run"]);
    expect(result.code, result.stderr).toBe(0);
    // A dry run prints the plan, workloads included, as its result.
    expect(result.stdout).toContain(
      [
        "  workloads (pod results Azure Policy reports):",
        "    aks-prod-neu: 2 non-compliant pods would no longer be checked:",
        "      monitoring/grafana-6d9f7c5b8-x2k4p  fails ContainerCapabilities",
        "      monitoring/node-exporter-5fks2      fails BlockUsingHostNetwork, BlockUsingHostProcessIDAndIPC, NoHostPathVolume",
        "    aks-prod-neu: 1 other pod in the newly excluded namespaces would stop being checked against every policy",
        "    aks-prod-weu: 1 non-compliant pod would no longer be checked:",
        "      monitoring/node-exporter-q8w4z  fails NoHostPathVolume",
      ].join("\n"),
    );
    const json = JSON.parse((await cli(["exclude", "add", "pss-baseline", "monitoring", "--subscription", prod, "--dry-run", "-o", "json"])).stdout);
    const neu = json.impact.clusters.find((cluster: any) => cluster.clusterName === "aks-prod-neu");
    expect(neu.noLongerChecked.map((pod: any) => pod.pod)).toEqual(["grafana-6d9f7c5b8-x2k4p", "node-exporter-5fks2"]);
    expect(neu.otherPodsUnchecked).toBe(1);
    expect(neu.deniedOnRestart).toEqual([]);
  });

  test("params set --effect deny (from Audit) names the running pods that would be denied at their next restart", async () => {
    const result = await cli(["params", "set", "pss-restricted", "--effect", "deny", "--subscription", dev, "--dry-run", "-o", "json"]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(
      /aks-dev: 2 running pods would be denied at the next restart:\n\s+dev\/debug-shell\s+fails AllowedSeccompProfiles, AllowedUsersGroups, NoPrivilegeEscalation\n\s+web\/frontend-6f7d9c8b5-z9x8c\s+fails AllowedSeccompProfiles/,
    );
    const impact = JSON.parse(result.stdout).impact;
    expect(impact.clusters[0].deniedOnRestart).toEqual([
      { namespace: "dev", pod: "debug-shell", fails: ["AllowedSeccompProfiles", "AllowedUsersGroups", "NoPrivilegeEscalation"] },
      { namespace: "web", pod: "frontend-6f7d9c8b5-z9x8c", fails: ["AllowedSeccompProfiles"] },
    ]);
    expect(impact.clusters[0].noLongerChecked).toEqual([]);
  });

  test("a per-policy Deny override names only the pods failing that policy", async () => {
    const result = await cli(["params", "set", "pss-restricted", "--effect", "deny", "--policies", "NoPrivilegeEscalation", "--subscription", dev, "--dry-run", "-o", "json"]);
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout).impact.clusters[0].deniedOnRestart).toEqual([{ namespace: "dev", pod: "debug-shell", fails: ["NoPrivilegeEscalation"] }]);
  });

  test("params set --enforcement-mode default on a DoNotEnforce Deny assignment names the pods a restart would refuse", async () => {
    const staged = await cli(["params", "set", "pss-baseline", "--enforcement-mode", "do-not-enforce", "--subscription", prod, "--yes"]);
    expect(staged.code, staged.stderr).toBe(0);
    const result = await cli(["params", "set", "pss-baseline", "--enforcement-mode", "default", "--subscription", prod, "--dry-run", "-o", "json"]);
    expect(result.code, result.stderr).toBe(0);
    const weu = JSON.parse(result.stdout).impact.clusters.find((cluster: any) => cluster.clusterName === "aks-prod-weu");
    expect(weu.deniedOnRestart).toEqual([{ namespace: "monitoring", pod: "node-exporter-q8w4z", fails: ["NoHostPathVolume"] }]);
    expect((await cli(["params", "set", "pss-baseline", "--enforcement-mode", "default", "--subscription", prod, "--yes"])).code).toBe(0);
  });

  test("exclude remove says Azure holds no results for the re-included namespace and points to check", async () => {
    const result = await cli(["exclude", "remove", "pss-restricted", "monitoring", "--subscription", dev, "--dry-run"]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(
      "    monitoring: Azure holds no results for pods in an excluded namespace; check their manifests before this applies: akspol check <manifests> --assignment pss-restricted --namespace monitoring",
    );
  });

  test("exempt create shows the pods the exemption would stop checking on its cluster", async () => {
    const result = await cli([
      "exempt",
      "create",
      "--cluster",
      "aks-prod-neu",
      "--assignment",
      "pss-baseline",
      "--policies",
      "ContainerCapabilities",
      "--category",
      "Waiver",
      "--expires",
      "+30d",
      "--reason",
      "grafana needs NET_ADMIN",
      "--subscription",
      prod,
      "--dry-run",
      "-o",
      "json",
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/aks-prod-neu: 1 non-compliant pod would no longer be checked:\n\s+monitoring\/grafana-6d9f7c5b8-x2k4p\s+fails ContainerCapabilities/);
    const impact = JSON.parse(result.stdout).impact;
    expect(impact.clusters).toEqual([
      expect.objectContaining({ clusterName: "aks-prod-neu", noLongerChecked: [{ namespace: "monitoring", pod: "grafana-6d9f7c5b8-x2k4p", fails: ["ContainerCapabilities"] }] }),
    ]);
  });

  test("without permission on Policy Insights the plan says so in one line and the edit still applies", async () => {
    await emu.hooks.removeRoleAssignments("policy-contributor");
    await emu.hooks.addRoleAssignment({
      principal: "policy-contributor",
      role: { actions: ["*/read", "Microsoft.Authorization/policyassignments/*", "Microsoft.Authorization/policyexemptions/*"], notActions: ["Microsoft.PolicyInsights/*"] },
      scope: "/",
    });
    const result = await cli(["exclude", "add", "pss-baseline", "monitoring", "--subscription", prod, "--yes", "--principal", "policy-contributor", "-o", "json"]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(
      /^ {2}workloads: pod results not shown: no permission to read Azure Policy compliance \(needs Microsoft\.PolicyInsights\/\*\/queryResults\/read, e\.g\. the Reader role\)\.\n/m,
    );
    expect(result.stderr).not.toMatch(/aks-prod-neu: pod results/);
    expect(result.stderr).toMatch(/Applied and verified/);
    const output = JSON.parse(result.stdout);
    expect(output.changed).toBe(true);
    expect(output.impact.note).toMatch(/^pod results not shown: no permission/);
  });
});

describe("diffImpact (pure, over the effective model)", () => {
  const setDefinition = BUILTIN_INITIATIVES.baseline;
  const assignment = (properties: Record<string, unknown>) =>
    ({
      id: "/subscriptions/s/providers/Microsoft.Authorization/policyAssignments/a",
      name: "a",
      scope: "/subscriptions/s",
      policyDefinitionId: DEMO.policySetDefinitions.baseline,
      ...properties,
    }) as any;
  const side = (properties: Record<string, unknown>, exemptions: ExemptionFact[] = []) => ({ enforcement: enforcementFor(assignment(properties), setDefinition), exemptions });
  const state = (namespace: string, pod: string, referenceId: string, compliant = false): PodState => ({
    clusterId: "/c",
    namespace,
    pod,
    assignmentId: "/subscriptions/s/providers/Microsoft.Authorization/policyAssignments/a",
    referenceId,
    policyDefinitionId: "/d",
    compliant,
    evaluatedAt: "2026-01-01T00:00:00Z",
  });
  const cluster = { id: "/c", name: "c" };
  const audit = { parameters: { effect: { value: "Audit" } } };
  const deny = { parameters: { effect: { value: "Deny" } } };
  const exemption: ExemptionFact = {
    id: "/e",
    name: "e",
    policyAssignmentId: "/subscriptions/s/providers/Microsoft.Authorization/policyAssignments/a",
    policyDefinitionReferenceIds: ["BlockUsingHostNetwork"],
  };

  test.each([
    ["disabling the initiative hides the failing pods", side(audit), side({ parameters: { effect: { value: "Disabled" } } }), { hidden: ["ns/x"], denied: [], other: 0 }],
    ["an exemption of the member hides its failing pods", side(audit), side(audit, [exemption]), { hidden: ["ns/x"], denied: [], other: 0 }],
    ["Audit to Deny newly refuses", side(audit), side(deny), { hidden: [], denied: ["ns/x"], other: 0 }],
    ["already Deny: nothing new", side(deny), side(deny), { hidden: [], denied: [], other: 0 }],
    ["Deny to Audit: nothing hidden, nothing refused", side(deny), side(audit), { hidden: [], denied: [], other: 0 }],
    ["DoNotEnforce to Default on Deny newly refuses", side({ ...deny, enforcementMode: "DoNotEnforce" }), side(deny), { hidden: [], denied: ["ns/x"], other: 0 }],
    [
      "excluding the namespace hides the failing pod and stops checking the compliant one",
      side(audit),
      side({ parameters: { effect: { value: "Audit" }, excludedNamespaces: { value: ["kube-system", "ns"] } } }),
      { hidden: ["ns/x"], denied: [], other: 1 },
    ],
  ])("%s", (_name, before, after, expected) => {
    const impact = diffImpact(cluster, [state("ns", "x", "BlockUsingHostNetwork"), state("ns", "ok", "BlockUsingHostNetwork", true)], before, after, new Date("2026-01-02T00:00:00Z"));
    expect(impact.noLongerChecked.map((pod) => `${pod.namespace}/${pod.pod}`)).toEqual(expected.hidden);
    expect(impact.deniedOnRestart.map((pod) => `${pod.namespace}/${pod.pod}`)).toEqual(expected.denied);
    expect(impact.otherPodsUnchecked).toBe(expected.other);
  });

  test("an impact that cannot be computed is one line, never an error", async () => {
    const impact = await workloadImpact({ session: undefined as never, before: assignment(audit), after: assignment(deny), setDefinition: null, clusters: [], now: new Date() });
    expect(impact.clusters).toEqual([]);
    expect(impact.note).toMatch(/^workloads not shown: /);
  });
});
