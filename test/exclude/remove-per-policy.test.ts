// Issue 17 follow-up: `exclude remove` takes the per-policy flags of `exclude add` back out
// (--policies / --except-policies for namespaces, --label-selector, --container, --image), through the
// same plan, confirmation, journal and undo; a value no selected member holds is refused, unwritten.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { startTestEmulator, type TestEmulator } from "../helpers/emulator.js";
import { runCli } from "../helpers/cli.js";
import { DEMO, prod, storedAssignment } from "./fixtures.js";
import { includingSelector } from "../../src/policy/per-policy.js";

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
const hostNetworkSelector = "AllowedHostNetworkingAndPortsInKubernetesClusterLabelSelector";

describe("label selectors without akspol's exclusions (pure)", () => {
  test("a bare key drops its NotIn and DoesNotExist requirements, key=value one value; others stay; missing ones are reported", () => {
    const current = {
      matchLabels: { tier: "web" },
      matchExpressions: [
        { key: "app", operator: "NotIn", values: ["a", "node-exporter"] },
        { key: "team", operator: "DoesNotExist" },
        { key: "team", operator: "In", values: ["x"] },
      ],
    };
    expect(includingSelector(current, [{ key: "app", value: "node-exporter" }])).toEqual({
      selector: {
        matchLabels: { tier: "web" },
        matchExpressions: [
          { key: "app", operator: "NotIn", values: ["a"] },
          { key: "team", operator: "DoesNotExist" },
          { key: "team", operator: "In", values: ["x"] },
        ],
      },
      missing: [],
    });
    expect(includingSelector(current, [{ key: "team" }, { key: "app" }]).selector).toEqual({ matchLabels: { tier: "web" }, matchExpressions: [{ key: "team", operator: "In", values: ["x"] }] });
    expect(includingSelector({ matchExpressions: [{ key: "app", operator: "NotIn", values: ["a"] }] }, [{ key: "app", value: "a" }]).selector).toEqual({});
    expect(includingSelector(current, [{ key: "app", value: "other" }, { key: "zone" }]).missing).toEqual(["app=other", "zone"]);
  });
});

describe("exclude remove on the cloud security benchmark (per-policy parameters)", () => {
  test("--label-selector KEY removes akspol's requirement for that key only, shown in the plan, journaled and undone", async () => {
    const added = await cli(["exclude", "add", "SecurityCenterBuiltIn", "--label-selector", "app=node-exporter,team", "--policies", "BlockUsingHostNetwork", "--subscription", prod, "--yes"]);
    expect(added.code, added.stderr).toBe(0);
    const withBoth = await parameter(benchmarkId, hostNetworkSelector);
    expect(withBoth.matchExpressions).toHaveLength(2);

    const dry = await cli(["exclude", "remove", "SecurityCenterBuiltIn", "--label-selector", "app", "--policies", "BlockUsingHostNetwork", "--subscription", prod, "--dry-run"]);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain(`${hostNetworkSelector}: ${JSON.stringify(withBoth)} -> {"matchExpressions":[{"key":"team","operator":"DoesNotExist"}]}`);
    expect(await parameter(benchmarkId, hostNetworkSelector)).toEqual(withBoth);

    const removed = await cli(["exclude", "remove", "SecurityCenterBuiltIn", "--label-selector", "app", "--policies", "BlockUsingHostNetwork", "--subscription", prod, "--yes", "-o", "json"]);
    expect(removed.code, removed.stderr).toBe(0);
    expect(await parameter(benchmarkId, hostNetworkSelector)).toEqual({ matchExpressions: [{ key: "team", operator: "DoesNotExist" }] });
    const history = await cli(["history", "-o", "json"]);
    expect(history.stdout).toContain("exclude remove --policies BlockUsingHostNetwork --label-selector app");

    const { changeId } = JSON.parse(removed.stdout);
    const undone = await cli(["undo", changeId, "--yes"]);
    expect(undone.code, undone.stderr).toBe(0);
    expect(await parameter(benchmarkId, hostNetworkSelector)).toEqual(withBoth);
  });

  test("a label no selected member excludes is refused, naming the parameter and the member, with nothing written", async () => {
    const added = await cli(["exclude", "add", "SecurityCenterBuiltIn", "--label-selector", "app=node-exporter", "--policies", "BlockUsingHostNetwork", "--subscription", prod, "--yes"]);
    expect(added.code, added.stderr).toBe(0);
    await emu.hooks.resetRequests();
    const result = await cli(["exclude", "remove", "SecurityCenterBuiltIn", "--label-selector", "app=grafana", "--policies", "BlockUsingHostNetwork", "--subscription", prod, "--yes"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/Cannot remove --label-selector app=grafana: AllowedHostNetworkingAndPortsInKubernetesClusterLabelSelector \(read by [^)]+\) does not exclude it/);
    expect(await emu.hooks.writes()).toEqual([]);
  });

  test("--except-policies stops excluding a namespace in every member but the excepted one", async () => {
    const added = await cli(["exclude", "add", "SecurityCenterBuiltIn", "monitoring", "--subscription", prod, "--yes"]);
    expect(added.code, added.stderr).toBe(0);
    expect(await parameter(benchmarkId, "privilegedContainerNamespaceExclusion")).toContain("monitoring");
    const result = await cli(["exclude", "remove", "SecurityCenterBuiltIn", "monitoring", "--except-policies", "NoPrivilegedContainers", "--subscription", prod, "--yes"]);
    expect(result.code, result.stderr).toBe(0);
    expect(await parameter(benchmarkId, "privilegedContainerNamespaceExclusion")).toContain("monitoring");
    expect(await parameter(benchmarkId, "AllowedHostNetworkingAndPortsInKubernetesClusterNamespaceExclusion")).not.toContain("monitoring");
    expect(await parameter(benchmarkId, "AllowedHostPathVolumesInKubernetesClusterNamespaceExclusion")).not.toContain("monitoring");
  });
});

describe("exclude remove on akspol's custom initiative (after a conversion)", () => {
  test("--container and --image come out of the named member only; a value it does not hold is refused", async () => {
    const name = converted.split("/").pop() as string;
    for (const [assignment, flags] of [
      ["pss-baseline", ["--container", "node-exporter"]],
      [name, ["--image", "quay.io/prometheus/node-exporter:*"]],
    ] as const) {
      const added = await cli(["exclude", "add", assignment, ...flags, "--policies", "NoHostPathVolume", "--subscription", prod, "--yes"]);
      expect(added.code, added.stderr).toBe(0);
    }
    expect(await parameter(converted, "NoHostPathVolume-excludedContainers")).toEqual(["node-exporter"]);

    await emu.hooks.resetRequests();
    const refused = await cli(["exclude", "remove", name, "--container", "grafana", "--policies", "NoHostPathVolume", "--subscription", prod, "--yes"]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/Cannot remove --container grafana: NoHostPathVolume-excludedContainers \(read by NoHostPathVolume\) does not exclude it/);
    expect(await emu.hooks.writes()).toEqual([]);

    const containers = await cli(["exclude", "remove", name, "--container", "node-exporter", "--policies", "NoHostPathVolume", "--subscription", prod, "--yes"]);
    expect(containers.code, containers.stderr).toBe(0);
    expect(await parameter(converted, "NoHostPathVolume-excludedContainers")).toEqual([]);
    expect(await parameter(converted, "NoHostPathVolume-excludedImages")).toEqual(["quay.io/prometheus/node-exporter:*"]);

    const images = await cli(["exclude", "remove", name, "--image", "quay.io/prometheus/node-exporter:*", "--policies", "NoHostPathVolume", "--subscription", prod, "--yes"]);
    expect(images.code, images.stderr).toBe(0);
    expect(await parameter(converted, "NoHostPathVolume-excludedImages")).toEqual([]);
  });

  test("on the built-in baseline initiative, --except-policies warns that the members sharing excludedNamespaces check the namespace again too", async () => {
    const result = await cli(["exclude", "remove", "pss-baseline", "monitoring", "--except-policies", "BlockUsingHostNetwork", "--subscription", prod, "--dry-run"]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/excludedNamespaces is read by .* too: they check the namespace again as well\./);
    expect(result.stderr).not.toContain("excluded as well");
    expect(await emu.hooks.writes()).toEqual([]);
  });

  test("on the built-in baseline initiative a pod-level removal is refused before any write", async () => {
    const result = await cli(["exclude", "remove", "pss-baseline", "--label-selector", "app", "--subscription", prod, "--yes"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/built-in baseline initiative, whose policies take no per-policy label selector/);
    expect(await emu.hooks.writes()).toEqual([]);
  });
});
