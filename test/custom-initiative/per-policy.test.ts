// Issue 17: per-policy exclusions. On the cloud security benchmark (per-policy parameters already)
// the edit goes to the parameters the selected members read; on the baseline initiative it converts
// the assignment first. Each of --except-policies, --label-selector, --container and --image, and
// `akspol check` on a node exporter after a --policies exclusion of its namespace.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { startTestEmulator, type TestEmulator } from "../helpers/emulator.js";
import { runCli } from "../helpers/cli.js";
import { DEMO, prod, storedAssignment } from "../exclude/fixtures.js";
import { excludingSelector, parseLabelExclusions } from "../../src/policy/per-policy.js";

let emu: TestEmulator;
let stateDir: string;
beforeEach(async () => {
  emu = await startTestEmulator({ seed: "demo" });
  stateDir = mkdtempSync(join(tmpdir(), "akspol-state-"));
});
afterEach(async () => emu.close());

const cli = (argv: string[]) => runCli(argv, { emulatorDir: emu.stateDir, stateDir });
const benchmarkId = DEMO.carriers.benchmark.id;
const converted = `${DEMO.assignments.baseline.id}-pp`;
const parameter = async (id: string, name: string) => (await storedAssignment(emu, id)).properties.parameters[name]?.value;

describe("label selectors (pure)", () => {
  test("key=value becomes NotIn, a bare key DoesNotExist; both merge into what is set", () => {
    expect(parseLabelExclusions("app=node-exporter, team")).toEqual([{ key: "app", value: "node-exporter" }, { key: "team" }]);
    const current = { matchLabels: { tier: "web" }, matchExpressions: [{ key: "app", operator: "NotIn", values: ["a"] }] };
    expect(excludingSelector(current, [{ key: "app", value: "node-exporter" }, { key: "team" }])).toEqual({
      matchLabels: { tier: "web" },
      matchExpressions: [
        { key: "app", operator: "NotIn", values: ["a", "node-exporter"] },
        { key: "team", operator: "DoesNotExist" },
      ],
    });
    expect(() => parseLabelExclusions("app in (a,b)")).toThrow(/only 'key=value' and 'key'/);
    expect(() => parseLabelExclusions("-bad=x")).toThrow(/label name/);
  });
});

describe("exclude add on the cloud security benchmark (per-policy parameters)", () => {
  test("--except-policies edits the namespace parameter of every other member, none of the excepted one", async () => {
    const result = await cli(["exclude", "add", "SecurityCenterBuiltIn", "monitoring", "--except-policies", "NoPrivilegedContainers", "--subscription", prod, "--yes", "-o", "json"]);
    expect(result.code, result.stderr).toBe(0);
    expect(await parameter(benchmarkId, "privilegedContainerNamespaceExclusion")).toBeUndefined();
    expect(await parameter(benchmarkId, "AllowedHostNetworkingAndPortsInKubernetesClusterNamespaceExclusion")).toContain("monitoring");
    expect(await parameter(benchmarkId, "AllowedHostPathVolumesInKubernetesClusterNamespaceExclusion")).toContain("monitoring");
  });

  test("--label-selector adds a NotIn requirement to the selected member's labelSelector, shown in the plan", async () => {
    const dry = await cli(["exclude", "add", "SecurityCenterBuiltIn", "--label-selector", "app=node-exporter", "--policies", "BlockUsingHostNetwork", "--subscription", prod, "--dry-run"]);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toMatch(/AllowedHostNetworkingAndPortsInKubernetesClusterLabelSelector: \{\} -> \{"matchExpressions":\[\{"key":"app","operator":"NotIn","values":\["node-exporter"\]\}\]\}/);
    const result = await cli(["exclude", "add", "SecurityCenterBuiltIn", "--label-selector", "app=node-exporter", "--policies", "BlockUsingHostNetwork", "--subscription", prod, "--yes"]);
    expect(result.code, result.stderr).toBe(0);
    expect(await parameter(benchmarkId, "AllowedHostNetworkingAndPortsInKubernetesClusterLabelSelector")).toEqual({ matchExpressions: [{ key: "app", operator: "NotIn", values: ["node-exporter"] }] });
    expect(await parameter(benchmarkId, "privilegedContainerLabelSelector")).toBeUndefined();
  });

  test("--image edits the set's shared image list and warns that every member reads it", async () => {
    const result = await cli(["exclude", "add", "SecurityCenterBuiltIn", "--image", "quay.io/prometheus/node-exporter:*", "--policies", "BlockUsingHostNetwork", "--subscription", prod, "--yes"]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/excludedImagesInKubernetesCluster is read by .*privilegedContainersShouldBeAvoided.* too/);
    expect(await parameter(benchmarkId, "excludedImagesInKubernetesCluster")).toEqual(["quay.io/prometheus/node-exporter:*"]);
  });

  test("--container is refused where the set does not expose it, naming the members, with nothing written", async () => {
    const result = await cli(["exclude", "add", "SecurityCenterBuiltIn", "--container", "node-exporter", "--policies", "NoHostPathVolume", "--subscription", prod, "--yes"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/does not expose excludedContainers for AllowedHostPathVolumesInKubernetesCluster/);
    expect(await emu.hooks.writes()).toEqual([]);
  });
});

describe("exclude add with pod-level flags on the baseline initiative (through the conversion)", () => {
  test("--label-selector: only the named policies skip the labelled pods", async () => {
    const result = await cli(["exclude", "add", "pss-baseline", "--label-selector", "app=node-exporter", "--policies", "BlockUsingHostNetwork", "--subscription", prod, "--yes"]);
    expect(result.code, result.stderr).toBe(0);
    expect(await parameter(converted, "BlockUsingHostNetwork-labelSelector")).toEqual({ matchExpressions: [{ key: "app", operator: "NotIn", values: ["node-exporter"] }] });
    expect(await parameter(converted, "NoHostPathVolume-labelSelector")).toBeUndefined();
  });

  test("--container: accepted by the members that take excludedContainers, refused for one that does not", async () => {
    const refused = await cli(["exclude", "add", "pss-baseline", "--container", "node-exporter", "--policies", "BlockUsingHostProcessIDAndIPC", "--subscription", prod, "--yes"]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/BlockUsingHostProcessIDAndIPC does not accept excludedContainers/);
    expect(await emu.hooks.writes()).toEqual([]);
    const result = await cli(["exclude", "add", "pss-baseline", "--container", "node-exporter", "--policies", "NoHostPathVolume", "--subscription", prod, "--yes"]);
    expect(result.code, result.stderr).toBe(0);
    expect(await parameter(converted, "NoHostPathVolume-excludedContainers")).toEqual(["node-exporter"]);
    expect(await parameter(converted, "BlockUsingHostNetwork-excludedContainers")).toBeUndefined();
  });

  test("--image: the image is excluded from the named policy only", async () => {
    const result = await cli(["exclude", "add", "pss-baseline", "--image", "quay.io/prometheus/node-exporter:*", "--policies", "NoHostPathVolume", "--subscription", prod, "--yes"]);
    expect(result.code, result.stderr).toBe(0);
    expect(await parameter(converted, "NoHostPathVolume-excludedImages")).toEqual(["quay.io/prometheus/node-exporter:*"]);
    expect(await parameter(converted, "NoPrivilegedContainers-excludedImages")).toBeUndefined();
  });

  test("an unknown policy is refused before any write, listing the initiative's policies", async () => {
    const result = await cli(["exclude", "add", "pss-baseline", "monitoring", "--policies", "BlockHostNetwork", "--subscription", prod, "--yes"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/no policy 'BlockHostNetwork'/);
    expect(result.stderr).toMatch(/BlockUsingHostNetwork/);
    expect(await emu.hooks.writes()).toEqual([]);
  });
});

describe("akspol check on a node exporter after a per-policy exclusion of its namespace", () => {
  const daemonSet = [
    "apiVersion: apps/v1",
    "kind: DaemonSet",
    "metadata: {name: node-exporter, namespace: monitoring}",
    "spec:",
    "  selector: {matchLabels: {app: node-exporter}}",
    "  template:",
    "    metadata: {labels: {app: node-exporter}}",
    "    spec:",
    "      hostNetwork: true",
    "      hostPID: true",
    "      containers:",
    "      - name: node-exporter",
    "        image: quay.io/prometheus/node-exporter:v1.8.2",
    "        volumeMounts: [{name: proc, mountPath: /host/proc, readOnly: true}]",
    "      volumes:",
    "      - {name: proc, hostPath: {path: /proc}}",
    "",
  ].join("\n");

  test("passes host network and host PID, still fails the host path", async () => {
    const file = join(stateDir, "node-exporter.yaml");
    writeFileSync(file, daemonSet);
    const outcome = (stdout: string, reference: string) => JSON.parse(stdout).results.find((entry: any) => entry.policy.referenceId === reference);
    const before = await cli(["check", file, "--assignment", "pss-baseline", "--subscription", prod, "-o", "json"]);
    expect(before.code).toBe(6);
    for (const reference of ["BlockUsingHostNetwork", "BlockUsingHostProcessIDAndIPC", "NoHostPathVolume"]) expect(outcome(before.stdout, reference).outcome, reference).toBe("deny");

    const excluded = await cli(["exclude", "add", "pss-baseline", "monitoring", "--policies", "BlockUsingHostNetwork,BlockUsingHostProcessIDAndIPC", "--subscription", prod, "--yes"]);
    expect(excluded.code, excluded.stderr).toBe(0);

    const after = await cli(["check", file, "--assignment", "pss-baseline-pp", "--subscription", prod, "-o", "json"]);
    expect(after.code, after.stderr).toBe(6);
    expect(outcome(after.stdout, "BlockUsingHostNetwork")).toMatchObject({ status: "not-applicable", notApplicableReason: "excluded-namespace" });
    expect(outcome(after.stdout, "BlockUsingHostProcessIDAndIPC")).toMatchObject({ status: "not-applicable", notApplicableReason: "excluded-namespace" });
    expect(outcome(after.stdout, "NoHostPathVolume")).toMatchObject({ outcome: "deny" });
  });
});
