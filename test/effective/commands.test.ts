// docs/issues/12.md against the emulator's demo tenant: every carrier, Deployment Safeguards, who decides.
// Demo: pss-baseline (Deny) and Defender's benchmark SecurityCenterBuiltIn (Audit, NoPrivilegedContainers
// switched to Deny by an override) on contoso-prod; pss-restricted, the single-definition assignment
// no-privilege-escalation and Deployment Safeguards (Enforce, Baseline) on aks-dev.
import { readFileSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Ajv } from "ajv";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DEMO } from "../../src/emulator/demo-seed.js";
import { SafeguardsClient } from "../../src/azure/safeguards-client.js";
import type { Choice, Prompter } from "../../src/cli/prompter.js";
import { startTestEmulator, type TestEmulator } from "../helpers/emulator.js";
import { runCli } from "../helpers/cli.js";

const prod = DEMO.subscriptions.prod;
const dev = DEMO.subscriptions.dev;
const benchmark = DEMO.carriers.benchmark;
const safeguardsId = `${DEMO.clusters.dev.id}/providers/Microsoft.ContainerService/deploymentSafeguards/default`;

let emu: TestEmulator;
let stateDir: string;
beforeEach(async () => {
  emu = await startTestEmulator({ seed: "demo" });
  stateDir = mkdtempSync(join(tmpdir(), "akspol-state-"));
});
afterEach(() => emu.close());

const cli = (argv: string[], options: Parameters<typeof runCli>[1] = {}) => runCli(argv, { emulatorDir: emu.stateDir, stateDir, ...options });
const json = (run: { stdout: string }) => JSON.parse(run.stdout);

/** A privileged pod in `namespace` (violates NoPrivilegedContainers only). */
function privilegedPod(namespace: string): string {
  const dir = mkdtempSync(join(tmpdir(), "akspol-manifests-"));
  const file = join(dir, "pod.yaml");
  writeFileSync(
    file,
    [
      "apiVersion: v1",
      "kind: Pod",
      "metadata:",
      "  name: agent",
      `  namespace: ${namespace}`,
      "spec:",
      "  securityContext:",
      "    runAsNonRoot: true",
      "    runAsUser: 1000",
      "    runAsGroup: 1000",
      "    seccompProfile: { type: RuntimeDefault }",
      "  containers:",
      "    - name: agent",
      "      image: contoso.azurecr.io/agent:1.0",
      "      securityContext:",
      "        privileged: true",
      "        allowPrivilegeEscalation: false",
      "        capabilities: { drop: [ALL] }",
    ].join("\n"),
  );
  return file;
}

function outcomeOf(report: any, namespace: string, member: string) {
  return report.outcomes.find((outcome: any) => outcome.namespace === namespace && outcome.member === member);
}

describe("a namespace excluded in the pod-security assignment is still denied through the benchmark", () => {
  it("exclude add says so in its plan and names the benchmark's parameter; effective and check --cluster find the benchmark deciding", async () => {
    const add = await cli(["exclude", "add", "pss-baseline", "monitoring", "--subscription", prod.name, "--yes", "-o", "json"]);
    expect(add.code, add.stderr).toBe(0);
    expect(add.stderr).toMatch(/not enough: after this change, pods there are still acted on by another carrier/);
    const still = json(add).stillEnforced as Array<Record<string, string>>;
    expect(still).toContainEqual(
      expect.objectContaining({ cluster: "aks-prod-weu", namespace: "monitoring", member: "NoPrivilegedContainers", outcome: "deny", parameter: "privilegedContainerNamespaceExclusion" }),
    );
    expect(still.find((row) => row.member === "NoPrivilegedContainers")?.command).toBe("akspol exclude add SecurityCenterBuiltIn monitoring --policies NoPrivilegedContainers");

    const effective = await cli(["effective", "--cluster", "aks-prod-weu", "--subscription", prod.name, "--policies", "NoPrivilegedContainers", "-o", "json"]);
    expect(effective.code, effective.stderr).toBe(0);
    const decided = outcomeOf(json(effective), "monitoring", "NoPrivilegedContainers");
    expect(decided).toMatchObject({ outcome: "deny", decidedBy: { kind: "assignment", name: benchmark.name, family: "benchmark", referenceId: "privilegedContainersShouldBeAvoided" } });
    expect(decided.verdicts.find((verdict: any) => verdict.source.name === "pss-baseline")).toMatchObject({
      outcome: "none",
      reason: expect.stringMatching(/excluded by parameter excludedNamespaces of pss-baseline/),
    });
    expect(decided.levers[0]).toMatchObject({ kind: "parameter", parameter: "privilegedContainerNamespaceExclusion" });

    const check = await cli(["check", privilegedPod("monitoring"), "--cluster", "aks-prod-weu", "--subscription", prod.name, "-o", "json"]);
    expect(check.code, check.stderr).toBe(6);
    const violation = json(check).results.find((result: any) => result.status === "violation");
    expect(violation).toMatchObject({ outcome: "deny", decidedBy: { name: benchmark.name, family: "benchmark" }, policy: { referenceId: "privilegedContainersShouldBeAvoided" } });
    const text = await cli(["check", privilegedPod("monitoring"), "--cluster", "aks-prod-weu", "--subscription", prod.name]);
    expect(text.stdout).toMatch(/DENY {2}privilegedContainersShouldBeAvoided: .*\(decided by SecurityCenterBuiltIn\)/);
  });
});

describe("a benchmark per-policy exclusion", () => {
  it("is edited in the parameter the member reads, and undone", async () => {
    const add = await cli(["exclude", "add", benchmark.name, "monitoring", "--policies", "NoPrivilegedContainers", "--subscription", prod.name, "--yes", "-o", "json"]);
    expect(add.code, add.stderr).toBe(0);
    expect(add.stderr).toMatch(/privilegedContainerNamespaceExclusion:/);
    const out = json(add);
    expect(out.after.privilegedContainerNamespaceExclusion).toContain("monitoring");
    const stored = await emu.hooks.getResource(benchmark.id);
    expect(stored.properties.parameters.privilegedContainerNamespaceExclusion.value).toEqual([
      "kube-system",
      "gatekeeper-system",
      "azure-arc",
      "azuredefender",
      "mdc",
      "azure-extensions-usage-system",
      "monitoring",
    ]);
    expect(Object.keys(stored.properties.parameters)).toEqual(["privilegedContainerNamespaceExclusion"]);
    expect(stored.properties.overrides).toHaveLength(1);

    const undo = await cli(["undo", out.changeId, "--yes"]);
    expect(undo.code, undo.stderr).toBe(0);
    const restored = await emu.hooks.getResource(benchmark.id);
    expect(restored.properties.parameters?.privilegedContainerNamespaceExclusion).toBeUndefined();
  });

  it("refuses a policy the assignment does not carry, naming those it does (exit 2)", async () => {
    const run = await cli(["exclude", "add", benchmark.name, "monitoring", "--policies", "AllowedSeccompProfiles", "--subscription", prod.name, "--yes"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/carries no policy 'AllowedSeccompProfiles'/);
    expect(await emu.hooks.writes()).toEqual([]);
  });
});

describe("Deployment Safeguards", () => {
  it("shows the setting, edits its exclusions with If-Match, journals and undoes the edit", async () => {
    const show = await cli(["safeguards", "show", "--cluster", "aks-dev", "--subscription", dev.name, "-o", "json"]);
    expect(show.code, show.stderr).toBe(0);
    expect(json(show)).toMatchObject({ level: "Enforce", podSecurityStandardsLevel: "Baseline", excludedNamespaces: ["legacy-batch"], apiVersion: "2025-05-02-preview" });

    const add = await cli(["safeguards", "exclude", "add", "monitoring", "--cluster", "aks-dev", "--subscription", dev.name, "--yes", "-o", "json"]);
    expect(add.code, add.stderr).toBe(0);
    expect(json(add)).toMatchObject({ before: { excludedNamespaces: ["legacy-batch"] }, after: { excludedNamespaces: ["legacy-batch", "monitoring"] }, changed: true });
    const stored = await emu.hooks.getResource(safeguardsId);
    expect(stored.properties).toMatchObject({ level: "Enforce", podSecurityStandardsLevel: "Baseline", excludedNamespaces: ["legacy-batch", "monitoring"] });
    const writes = await emu.hooks.writes();
    expect(writes.map((write) => write.method)).toEqual(["PUT"]);

    const history = await cli(["history", "-o", "json"]);
    expect(JSON.stringify(json(history))).toMatch(/safeguards exclude add monitoring/);
    const undo = await cli(["undo", json(add).changeId, "--yes"]);
    expect(undo.code, undo.stderr).toBe(0);
    expect((await emu.hooks.getResource(safeguardsId)).properties.excludedNamespaces).toEqual(["legacy-batch"]);
  });

  it("exits 5 and writes nothing when the setting changed after the plan was made (stale eTag)", async () => {
    const client = await SafeguardsClient.create(emu.endpoint, emu.credentialFor("admin"), emu.clientOptions);
    const prompter: Prompter = {
      select: async () => {
        throw new Error("unexpected select");
      },
      checkbox: async () => {
        throw new Error("unexpected checkbox");
      },
      input: async () => {
        throw new Error("unexpected input");
      },
      // While the person reads the plan, someone else changes the setting.
      async confirm() {
        const current = await client.get(DEMO.clusters.dev.id);
        await client.put(DEMO.clusters.dev.id, { properties: { ...current!.resource.properties, excludedNamespaces: ["legacy-batch", "someone-else"] } }, current!.resource.eTag, current!.apiVersion);
        return true;
      },
    };
    const run = await cli(["safeguards", "exclude", "add", "monitoring", "--cluster", "aks-dev", "--subscription", dev.name], { tty: true, prompter });
    expect(run.code, run.stderr).toBe(5);
    expect(run.stderr).toMatch(/changed since akspol read it/);
    expect((await emu.hooks.getResource(safeguardsId)).properties.excludedNamespaces).toEqual(["legacy-batch", "someone-else"]);
    const history = json(await cli(["history", "-o", "json"]));
    expect(JSON.stringify(history)).toMatch(/not-applied/);
  });

  it("is one more source on its cluster: it denies what pss-restricted only audits", async () => {
    const effective = await cli(["effective", "--cluster", "aks-dev", "--subscription", dev.name, "--namespace", "web", "-o", "json"]);
    expect(effective.code, effective.stderr).toBe(0);
    const report = json(effective);
    expect(report.sources.safeguards).toMatchObject({ level: "Enforce", podSecurityStandardsLevel: "Baseline", podSecurityStandardsLevelAssumed: false });
    expect(outcomeOf(report, "web", "BlockUsingHostNetwork")).toMatchObject({ outcome: "deny", decidedBy: { kind: "safeguards" } });
    expect(outcomeOf(report, "legacy-batch", "BlockUsingHostNetwork")).toMatchObject({ outcome: "audit", decidedBy: { name: "pss-restricted" } });
    expect(outcomeOf(report, "web", "AllowedSeccompProfiles")).toMatchObject({ outcome: "audit", decidedBy: { name: "pss-restricted" } });
  });
});

describe("a single-definition assignment", () => {
  it("is found by find and decides where nothing else acts", async () => {
    const find = await cli(["find", "--subscription", dev.name, "-o", "json"]);
    expect(find.code, find.stderr).toBe(0);
    const row = json(find).assignments.find((assignment: any) => assignment.name === "no-privilege-escalation");
    expect(row).toMatchObject({ initiative: "single definition: NoPrivilegeEscalation", policies: "1 of 9", effect: "Audit" });
    const effective = json(await cli(["effective", "--cluster", "aks-dev", "--subscription", dev.name, "--policies", "NoPrivilegeEscalation", "-o", "json"]));
    // pss-restricted excludes azure-extensions-usage-system (its default list), the single definition does not.
    expect(outcomeOf(effective, "azure-extensions-usage-system", "NoPrivilegeEscalation")).toMatchObject({ outcome: "audit", decidedBy: { name: "no-privilege-escalation", family: "definition" } });
    expect(outcomeOf(effective, "monitoring", "NoPrivilegeEscalation")).toMatchObject({ outcome: "none" });
    expect(effective.sources.assignments.find((source: any) => source.name === "no-privilege-escalation")).toMatchObject({
      family: "definition",
      members: [{ member: "NoPrivilegeEscalation", definitionVersion: "7.2.0" }],
    });
  });
});

describe("an override that disables one member", () => {
  it("is shown as such by show, find, effective and check", async () => {
    const set = await cli(["params", "set", "pss-baseline", "--effect", "disabled", "--policies", "NoHostPathVolume", "--subscription", prod.name, "--yes"]);
    expect(set.code, set.stderr).toBe(0);

    const show = json(await cli(["show", "pss-baseline", "--subscription", prod.name, "-o", "json"]));
    expect(show.policies.find((policy: any) => policy.referenceId === "NoHostPathVolume")).toMatchObject({ effect: "disabled", effectFrom: { kind: "override", index: 0 } });
    expect(show.policies.find((policy: any) => policy.referenceId === "NoPrivilegedContainers")).toMatchObject({ effect: "deny", effectFrom: { kind: "parameter", parameter: "effect" } });

    const find = json(await cli(["find", "--subscription", prod.name, "-o", "json"]));
    expect(find.assignments.find((row: any) => row.name === "pss-baseline").effect).toBe("mixed (Deny, Disabled)");

    const effective = json(await cli(["effective", "--cluster", "aks-prod-neu", "--subscription", prod.name, "--policies", "NoHostPathVolume", "-o", "json"]));
    const verdict = outcomeOf(effective, "*", "NoHostPathVolume").verdicts.find((item: any) => item.source.name === "pss-baseline");
    expect(verdict).toMatchObject({ outcome: "none", reason: expect.stringMatching(/effect Disabled, from override #1 of pss-baseline/) });

    const dir = mkdtempSync(join(tmpdir(), "akspol-manifests-"));
    const file = join(dir, "hostpath.yaml");
    writeFileSync(
      file,
      "apiVersion: v1\nkind: Pod\nmetadata: { name: p, namespace: web }\nspec:\n  containers: [{ name: c, image: x, volumeMounts: [{ name: h, mountPath: /logs }] }]\n  volumes: [{ name: h, hostPath: { path: /var/log } }]\n",
    );
    const check = json(await cli(["check", file, "--assignment", "pss-baseline", "--subscription", prod.name, "--fail-on", "never", "-o", "json"]));
    expect(check.results.find((result: any) => result.policy.referenceId === "NoHostPathVolume")).toMatchObject({
      status: "violation",
      effect: "disabled",
      outcome: "none",
      noOutcomeReason: "effect-disabled",
    });
  });
});

describe("one model, one answer", () => {
  it("show and check report the same effective effect and exclusions for every member of every carrier in the demo tenant", async () => {
    const file = privilegedPod("web");
    const carriers = json(await cli(["find", "--all-subscriptions", "-o", "json"])).assignments as Array<{ id: string; name: string }>;
    expect(carriers.map((carrier) => carrier.name).sort()).toEqual(["SecurityCenterBuiltIn", "no-privilege-escalation", "pss-baseline", "pss-restricted"]);
    let compared = 0;
    for (const carrier of carriers) {
      const show = json(await cli(["show", carrier.id, "-o", "json"]));
      const check = await cli(["check", file, "--assignment", carrier.id, "--fail-on", "never", "-o", "json"]);
      expect(check.code, check.stderr).toBe(0);
      const members = json(check).initiative.members as Array<{ referenceId: string; effect: string; match: { excludedNamespaces: string[] } }>;
      expect(members.map((member) => member.referenceId).sort()).toEqual(show.policies.map((policy: any) => policy.referenceId).sort());
      for (const policy of show.policies) {
        const member = members.find((item) => item.referenceId === policy.referenceId)!;
        expect([carrier.name, policy.referenceId, member.effect, member.match.excludedNamespaces]).toEqual([carrier.name, policy.referenceId, policy.effect, policy.excludedNamespaces]);
        compared++;
      }
    }
    expect(compared).toBe(5 + 8 + 7 + 1);
  });
});

describe("akspol effective -o json", () => {
  const schema = JSON.parse(readFileSync(new URL("../../docs/effective.schema.json", import.meta.url), "utf8"));
  const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);

  it("matches docs/effective.schema.json on every demo cluster", async () => {
    for (const [cluster, subscription] of [
      ["aks-prod-weu", prod.name],
      ["aks-prod-neu", prod.name],
      ["aks-dev", dev.name],
      ["aks-sandbox", dev.name],
    ]) {
      const run = await cli(["effective", "--cluster", cluster as string, "--subscription", subscription as string, "-o", "json"]);
      expect(run.code, run.stderr).toBe(0);
      const report = json(run);
      expect(validate(report), `${cluster}: ${JSON.stringify(validate.errors)}`).toBe(true);
    }
    // The schema is strict: a report missing a field fails it.
    expect(
      validate({
        schemaVersion: 1,
        cluster: { id: "x", name: "x", azurePolicyEnabled: true },
        sources: { assignments: [], safeguards: null, exemptions: [] },
        outcomes: [{ namespace: "*" }],
        assumptions: [],
      }),
    ).toBe(false);
  });

  it("says an exempted outcome relies on exemptions removing the in-cluster constraint", async () => {
    const report = json(await cli(["effective", "--cluster", "aks-prod-weu", "--subscription", prod.name, "--policies", "BlockUsingHostNetwork", "-o", "json"]));
    const verdict = outcomeOf(report, "*", "BlockUsingHostNetwork").verdicts.find((item: any) => item.source.name === "pss-baseline");
    expect(verdict).toMatchObject({ outcome: "none", exemptedBy: DEMO.exemptions.hostNetwork.name });
    expect(report.assumptions.join(" ")).toMatch(/not whether the in-cluster constraint is removed/);
    const text = await cli(["effective", "--cluster", "aks-prod-weu", "--subscription", prod.name]);
    expect(text.stdout).toMatch(/\* Exempted outcomes assume/);
  });

  it("refuses an unknown policy name (exit 2) and a missing --cluster", async () => {
    expect((await cli(["effective", "--cluster", "aks-dev", "--policies", "Nope"])).code).toBe(2);
    expect((await cli(["effective"])).code).toBe(2);
  });
});

// Keep the helper's choice type used (the scripted prompter above implements Prompter directly).
export type { Choice };
