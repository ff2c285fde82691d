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
import { ScriptedPrompter } from "../../src/cli/prompter.js";
import { heldPodExclusions } from "../../src/policy/held-exclusions.js";

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

describe("the exclusions an assignment holds (pure)", () => {
  test("labels are the selector's NotIn values and DoesNotExist keys (not In or Exists); containers and images per member; each with the members holding it", () => {
    const hostNetwork = "/providers/Microsoft.Authorization/policyDefinitions/82985f06-dc18-4a48-bc1c-b9f4f0098cfe";
    const hostPath = "/providers/Microsoft.Authorization/policyDefinitions/098fc59e-46c7-4d99-9b16-64990e543d75";
    const wired = (referenceId: string) => ({
      labelSelector: { value: `[parameters('${referenceId}-labelSelector')]` },
      excludedImages: { value: `[parameters('${referenceId}-excludedImages')]` },
    });
    const definition = {
      id: "/subscriptions/s/providers/Microsoft.Authorization/policySetDefinitions/custom",
      parameters: Object.fromEntries(
        ["A", "B"].flatMap((ref) => [
          [`${ref}-labelSelector`, { type: "Object", defaultValue: {} }],
          [`${ref}-excludedImages`, { type: "Array", defaultValue: [] }],
        ]),
      ),
      policyDefinitions: [
        { policyDefinitionId: hostNetwork, policyDefinitionReferenceId: "A", parameters: wired("A") },
        { policyDefinitionId: hostPath, policyDefinitionReferenceId: "B", parameters: wired("B") },
      ],
    };
    const assignment = {
      policyDefinitionId: definition.id,
      parameters: {
        "A-labelSelector": {
          value: {
            matchExpressions: [
              { key: "app", operator: "NotIn", values: ["x", "y"] },
              { key: "team", operator: "DoesNotExist" },
              { key: "tier", operator: "In", values: ["web"] },
              { key: "zone", operator: "Exists" },
            ],
          },
        },
        "B-labelSelector": { value: { matchExpressions: [{ key: "app", operator: "NotIn", values: ["x"] }] } },
        "B-excludedImages": { value: ["registry/agent:*"] },
      },
    };
    expect(heldPodExclusions(assignment, definition as never)).toEqual([
      { field: "labelSelector", value: "app=x", label: { key: "app", value: "x" }, policies: ["A", "B"] },
      { field: "labelSelector", value: "app=y", label: { key: "app", value: "y" }, policies: ["A"] },
      { field: "labelSelector", value: "team", label: { key: "team" }, policies: ["A"] },
      { field: "excludedImages", value: "registry/agent:*", policies: ["B"] },
    ]);
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

describe("interactive exclude remove on a set with per-policy parameters (scripted prompts)", () => {
  const tty = (argv: string[], prompter: ScriptedPrompter) => runCli(argv, { emulatorDir: emu.stateDir, stateDir, tty: true, prompter });

  test("offers each namespace, label, container and image the members hold, with the policies holding it; defaults shown but not tickable without --force; the ticked ones come out", async () => {
    for (const argv of [
      ["SecurityCenterBuiltIn", "monitoring", "--policies", "NoPrivilegedContainers"],
      ["SecurityCenterBuiltIn", "--label-selector", "app=node-exporter,team", "--policies", "BlockUsingHostNetwork"],
    ]) {
      const added = await cli(["exclude", "add", ...argv, "--subscription", prod, "--yes"]);
      expect(added.code, added.stderr).toBe(0);
    }
    let offered: Array<{ name: string; disabled?: unknown }> = [];
    const prompter = new ScriptedPrompter([
      {
        match: "Exclusions to remove",
        answer: (choices: any[]) => {
          offered = choices;
          return choices.filter((choice) => /^(namespace monitoring|label app=node-exporter) /.test(choice.name)).map((choice) => choice.value);
        },
      },
      { match: "Apply this change?", answer: true },
    ]);
    const result = await tty(["exclude", "remove", "SecurityCenterBuiltIn", "--subscription", prod], prompter);
    expect(result.code, result.stderr).toBe(0);
    expect(prompter.remaining).toBe(0);
    const line = (start: string) => offered.find((choice) => choice.name.startsWith(start));
    expect(line("namespace monitoring")?.name).toMatch(/namespace monitoring\s+privilegedContainersShouldBeAvoided$/);
    expect(line("namespace monitoring")?.disabled).toBe(false);
    expect(line("label app=node-exporter")?.name).toMatch(/AllowedHostNetworkingAndPortsInKubernetesCluster$/);
    expect(line("label team")?.disabled).toBe(false);
    expect(line("namespace kube-system")?.name).toMatch(/all policies$/);
    expect(line("namespace kube-system")?.disabled).toMatch(/the add-on excludes it anyway \(--force\)/);
    expect(line("namespace azuredefender")?.disabled).toBe("initiative default (--force)");
    expect(result.stderr).toMatch(/- monitoring/);
    expect(await parameter(benchmarkId, "privilegedContainerNamespaceExclusion")).not.toContain("monitoring");
    expect(await parameter(benchmarkId, hostNetworkSelector)).toEqual({ matchExpressions: [{ key: "team", operator: "DoesNotExist" }] });
  });

  test("a container of one member and an image of another come out in one edit, each from the member holding it", async () => {
    const name = converted.split("/").pop() as string;
    for (const [assignment, flags] of [
      ["pss-baseline", ["--container", "node-exporter", "--policies", "NoHostPathVolume"]],
      [name, ["--image", "quay.io/prometheus/node-exporter:*", "--policies", "BlockUsingHostNetwork"]],
      [name, ["--image", "quay.io/prometheus/node-exporter:*", "--policies", "NoHostPathVolume"]],
      [name, ["--container", "grafana", "--policies", "ContainerCapabilities"]],
    ] as const) {
      const added = await cli(["exclude", "add", assignment, ...flags, "--subscription", prod, "--yes"]);
      expect(added.code, added.stderr).toBe(0);
    }
    const prompter = new ScriptedPrompter([
      {
        match: "Exclusions to remove",
        answer: (choices: any[]) => {
          const names = choices.map((choice) => choice.name);
          expect(names.find((entry: string) => entry.startsWith("image quay.io/prometheus/node-exporter:*"))).toMatch(/BlockUsingHostNetwork, NoHostPathVolume$/);
          return choices.filter((choice) => /^(container node-exporter|image quay\.io)/.test(choice.name)).map((choice) => choice.value);
        },
      },
      { match: "Apply this change?", answer: true },
    ]);
    const result = await tty(["exclude", "remove", name, "--subscription", prod], prompter);
    expect(result.code, result.stderr).toBe(0);
    expect(await parameter(converted, "NoHostPathVolume-excludedContainers")).toEqual([]);
    expect(await parameter(converted, "NoHostPathVolume-excludedImages")).toEqual([]);
    expect(await parameter(converted, "BlockUsingHostNetwork-excludedImages")).toEqual([]);
    expect(await parameter(converted, "ContainerCapabilities-excludedContainers")).toEqual(["grafana"]);
    const history = await cli(["history", "-o", "json"]);
    expect(history.stdout).toContain("exclude remove --container node-exporter --image quay.io/prometheus/node-exporter:*");
  });

  test("--policies narrows what is offered to the exclusions those members hold; only defaults left is refused without a prompt or write", async () => {
    const prompter = new ScriptedPrompter([]);
    await emu.hooks.resetRequests();
    const result = await tty(["exclude", "remove", "SecurityCenterBuiltIn", "--policies", "BlockUsingHostNetwork", "--subscription", prod], prompter);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/exclude only initiative defaults \(kube-system, gatekeeper-system, azure-arc, azure-extensions-usage-system\); removing them needs --force/);
    expect(await emu.hooks.writes()).toEqual([]);
  });
});
