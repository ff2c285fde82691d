import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { startTestEmulator, type TestEmulator } from "../helpers/emulator.js";
import { runCli } from "../helpers/cli.js";
import { ScriptedPrompter } from "../../src/cli/prompter.js";
import { CancelledError } from "../../src/cli/errors.js";
import { Journal } from "../../src/journal/journal.js";
import { baselineId, comparable, createRichAssignment, prod, requestSummary, restrictedId, richId, storedAssignment, DEMO } from "./fixtures.js";

let emu: TestEmulator;
let stateDir: string;
beforeEach(async () => {
  emu = await startTestEmulator({ seed: "demo" });
  stateDir = mkdtempSync(join(tmpdir(), "akspol-state-"));
});
afterEach(async () => emu.close());

const cli = (argv: string[], options: Parameters<typeof runCli>[1] = {}) => runCli(argv, { emulatorDir: emu.stateDir, stateDir, ...options });
const writes = async () => (await emu.hooks.writes()).filter((entry) => /policyAssignments/i.test(entry.path));

describe("exclude add (scripted)", () => {
  test("adds to the default list of the assigned version, warns it stops following the default, prints the JSON contract", async () => {
    const result = await cli(["exclude", "add", "pss-baseline", "monitoring", "--subscription", prod, "--yes", "-o", "json", "--reason", "node exporter", "--ticket", "CHG-1"]);
    expect(result.code).toBe(0);
    const output = JSON.parse(result.stdout);
    expect(Object.keys(output).sort()).toEqual(["affectedClusters", "after", "assignmentId", "before", "changeId", "changed", "impact", "schemaVersion", "stillEnforced"]);
    expect(output.before.excludedNamespaces).toEqual(["kube-system", "gatekeeper-system", "azure-arc", "azure-extensions-usage-system"]);
    expect(output.after.excludedNamespaces).toEqual([...output.before.excludedNamespaces, "monitoring"]);
    expect(output.changed).toBe(true);
    expect(output.changeId).toMatch(/^\d{8}T\d{6}Z-[0-9a-f]{6}$/);
    expect(output.affectedClusters.map((c: any) => c.name).sort()).toEqual(["aks-prod-neu", "aks-prod-weu"]);
    expect(result.stderr).toMatch(/no longer follows changes to that default list/);
    expect(result.stderr).toMatch(/15 to 20 minutes/);
    const stored = await storedAssignment(emu, baselineId);
    expect(stored.properties.parameters.excludedNamespaces.value).toEqual(output.after.excludedNamespaces);
    expect(stored.properties.parameters.effect).toEqual({ value: "Deny" });
    const [entry] = await new Journal(stateDir).entries();
    expect(entry).toMatchObject({ changeId: output.changeId, status: "applied", reason: "node exporter", ticket: "CHG-1", touched: ["excludedNamespaces"], resourceKind: "policyAssignment" });
    expect(entry?.principal.name).toBeTruthy();
    expect(JSON.stringify(await new Journal(stateDir).records())).not.toMatch(/bearer|eyJ/i);
  });

  test("every other field reads back exactly as before (identity, location, notScopes, overrides, selectors, messages, metadata, mode, version, parameters)", async () => {
    await createRichAssignment(emu);
    const before = comparable(await storedAssignment(emu, richId));
    const result = await cli(["exclude", "add", richId, "monitoring", "team-a", "--yes"]);
    expect(result.code, result.stderr).toBe(0);
    const after = comparable(await storedAssignment(emu, richId));
    expect(after.properties.parameters.excludedNamespaces.value).toEqual(["kube-system", "gatekeeper-system", "azure-arc", "azure-extensions-usage-system", "monitoring", "team-a"]);
    delete after.properties.parameters.excludedNamespaces;
    expect(after).toEqual(before);
    const stored = await storedAssignment(emu, richId);
    expect(stored.properties.metadata.owner).toBe("platform");
    expect(Object.keys(stored.properties.metadata).filter((key) => /akspol|reason|ticket/i.test(key))).toEqual([]);
  });

  test("by full id: the assignment is read once to plan (under the write lock) and once to verify, and written once", async () => {
    await emu.hooks.resetRequests();
    const result = await cli(["exclude", "add", baselineId, "monitoring", "--yes"]);
    expect(result.code).toBe(0);
    const log = await requestSummary(emu);
    expect(log.filter((line) => line.startsWith("PUT"))).toHaveLength(1);
    // Besides GETs, the plan's workload impact reads Policy Insights with one POST query (a read).
    expect(log.filter((line) => !line.startsWith("GET") && !line.startsWith("PUT") && !/Microsoft\.PolicyInsights\/componentPolicyStates\/latest\/queryResults 200$/.test(line))).toEqual([]);
    expect(log.filter((line) => line.startsWith("GET") && /policyAssignments\/pss-baseline/.test(line))).toHaveLength(2);
  });

  test("an edit that changes nothing writes nothing and says no change", async () => {
    const result = await cli(["exclude", "add", restrictedId, "monitoring", "monitoring", "--yes", "-o", "json"]);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/No change/);
    expect(JSON.parse(result.stdout)).toMatchObject({ changed: false, changeId: null });
    expect(await writes()).toEqual([]);
  });

  test("--dry-run shows the plan, writes nothing, changeId null", async () => {
    const result = await cli(["exclude", "add", baselineId, "monitoring", "--dry-run", "-o", "json"]);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ changed: true, changeId: null });
    expect(result.stderr).toMatch(/\+ monitoring/);
    expect(result.stderr).toMatch(/every cluster below it/);
    expect(await writes()).toEqual([]);
    expect(await new Journal(stateDir).entries()).toEqual([]);
  });

  test("no terminal and no --yes: refuses to write, exit 2 naming --yes, no request at all", async () => {
    await emu.hooks.resetRequests();
    const result = await cli(["exclude", "add", baselineId, "monitoring"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--yes/);
    expect(await emu.hooks.requests()).toEqual([]);
  });

  test("missing <assignment> without a terminal is a usage error naming it", async () => {
    const result = await cli(["exclude", "add", "--yes"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/<assignment>/);
  });

  test("bad namespaces are refused at parse time: exit 2, no request", async () => {
    await emu.hooks.resetRequests();
    const result = await cli(["exclude", "add", baselineId, "Bad_Name", "--yes"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/not a valid Kubernetes namespace|upper-case/);
    expect(await emu.hooks.requests()).toEqual([]);
  });

  test("a wildcard is accepted with a warning", async () => {
    const result = await cli(["exclude", "add", baselineId, "team-*", "--yes"]);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/wildcard/);
  });

  test("a missing assignment: exit 3, no write", async () => {
    const missing = baselineId.replace("pss-baseline", "nope");
    const byId = await cli(["exclude", "add", missing, "monitoring", "--yes"]);
    expect(byId.code).toBe(3);
    expect(byId.stderr).toMatch(/does not exist/);
    const byName = await cli(["exclude", "add", "nope", "monitoring", "--yes", "--subscription", prod]);
    expect(byName.code).toBe(3);
    expect(await writes()).toEqual([]);
  });

  test("a Reader: state unchanged, one write answered 403 and none after it, exit 4 naming the role", async () => {
    const before = await storedAssignment(emu, baselineId);
    await emu.hooks.resetRequests();
    const result = await cli(["exclude", "add", baselineId, "monitoring", "--yes", "--principal", "reader"]);
    expect(result.code).toBe(4);
    expect(result.stderr).toMatch(/Resource Policy Contributor/);
    const log = await emu.hooks.requests();
    const isWrite = (entry: { method: string; path: string }) => entry.method !== "GET" && !/\/queryResults$/.test(entry.path);
    const writeIndex = log.findIndex(isWrite);
    expect(log.filter(isWrite)).toHaveLength(1);
    expect(log[writeIndex]?.status).toBe(403);
    expect(log.slice(writeIndex + 1).filter(isWrite)).toEqual([]);
    expect(await storedAssignment(emu, baselineId)).toEqual(before);
    const [entry] = await new Journal(stateDir).entries();
    expect(entry?.status).toBe("failed");
  });
});

describe("the plan names the clusters an assignment reaches", () => {
  test("an assignment on a management group reaches the clusters of every subscription below it, and the plan says so", async () => {
    const { PolicyClient } = await import("@azure/arm-policy");
    const client = new PolicyClient(emu.credentialFor("admin"), prod, emu.clientOptions);
    await client.policyAssignments.create(DEMO.managementGroupId, "pss-mg", { policyDefinitionId: DEMO.policySetDefinitions.baseline, displayName: "mg baseline" });
    const id = `${DEMO.managementGroupId}/providers/Microsoft.Authorization/policyAssignments/pss-mg`;
    const result = await cli(["exclude", "add", id, "monitoring", "--dry-run", "-o", "json"]);
    expect(result.code, result.stderr).toBe(0);
    expect(
      JSON.parse(result.stdout)
        .affectedClusters.map((c: any) => c.name)
        .sort(),
    ).toEqual(["aks-dev", "aks-prod-neu", "aks-prod-weu", "aks-sandbox"]);
    expect(result.stderr).toMatch(/4 clusters below the management group/);
    expect(result.stderr).toMatch(/on a management group, so this applies to every cluster below it/);
    expect(result.stderr).toMatch(/aks-sandbox \(Azure Policy add-on disabled\)/);
  });

  test("an assignment on a resource group reaches only its clusters, with no exemption hint", async () => {
    const result = await cli(["exclude", "add", restrictedId, "extra", "--dry-run", "-o", "json"]);
    expect(JSON.parse(result.stdout).affectedClusters.map((c: any) => c.name)).toEqual(["aks-dev"]);
    expect(result.stderr).not.toMatch(/exempt that cluster/);
  });
});

describe("exclude remove", () => {
  test("removes a custom namespace", async () => {
    const result = await cli(["exclude", "remove", restrictedId, "monitoring", "--yes", "-o", "json"]);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).after.excludedNamespaces).toEqual(["kube-system", "gatekeeper-system", "azure-arc", "azure-extensions-usage-system"]);
  });

  test.each(["kube-system", "gatekeeper-system", "azure-arc", "azure-extensions-usage-system"])("removing the default %s is refused without --force (exit 2, no write)", async (namespace) => {
    const result = await cli(["exclude", "remove", restrictedId, namespace, "--yes"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--force/);
    expect(await writes()).toEqual([]);
  });

  test("with --force a default is removed, with the reason as a warning", async () => {
    const result = await cli(["exclude", "remove", restrictedId, "azure-extensions-usage-system", "--force", "--yes"]);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/subject to the initiative/);
    expect((await storedAssignment(emu, restrictedId)).properties.parameters.excludedNamespaces.value).not.toContain("azure-extensions-usage-system");
  });
});

describe("exclude list", () => {
  test("marks the initiative defaults and says where the list comes from", async () => {
    const table = await cli(["exclude", "list", restrictedId]);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/monitoring\s+no/);
    expect(table.stdout).toMatch(/kube-system\s+yes \(the add-on excludes it anyway\)/);
    const json = JSON.parse((await cli(["exclude", "list", "pss-baseline", "--subscription", prod, "-o", "json"])).stdout);
    expect(json).toMatchObject({ source: "default", initiativeVersion: "1.4.0" });
    expect(json.excludedNamespaces).toEqual(json.defaultExcludedNamespaces);
  });
});

describe("interactive (scripted prompts on a terminal)", () => {
  test("choose the subscription and the assignment, type namespaces, see the plan, confirm", async () => {
    const prompter = new ScriptedPrompter([
      { match: "Which subscription?", answer: (choices: any[]) => choices.find((c) => c.name.startsWith("contoso-prod"))?.value },
      {
        match: "Which assignment?",
        answer: (choices: any[]) => {
          expect(choices[0].name).toMatch(/pss-baseline\s+sub\/.*baseline 1.4.0\s+excluded: kube-system.*\(default\)/);
          return choices[0].value;
        },
      },
      { match: "Namespaces to exclude", answer: "monitoring, security-agent" },
      { match: "Apply this change?", answer: true },
    ]);
    const result = await cli(["exclude", "add"], { tty: true, prompter });
    expect(result.code, result.stderr).toBe(0);
    expect(prompter.remaining).toBe(0);
    expect(result.stderr).toMatch(/kube-system\s+\[default; the add-on excludes it anyway\]/);
    expect(result.stderr).toMatch(/\+ security-agent/);
    expect((await storedAssignment(emu, baselineId)).properties.parameters.excludedNamespaces.value).toContain("security-agent");
  });

  test("ticking namespaces to remove; protected ones cannot be ticked", async () => {
    const prompter = new ScriptedPrompter([
      {
        match: "Namespaces to stop excluding",
        answer: (choices: any[]) => {
          expect(choices.find((c) => c.value === "kube-system")?.disabled).toBeTruthy();
          expect(choices.find((c) => c.value === "monitoring")?.disabled).toBe(false);
          return ["monitoring"];
        },
      },
      { match: "Apply this change?", answer: true },
    ]);
    const result = await cli(["exclude", "remove", restrictedId], { tty: true, prompter });
    expect(result.code, result.stderr).toBe(0);
    expect((await storedAssignment(emu, restrictedId)).properties.parameters.excludedNamespaces.value).not.toContain("monitoring");
  });

  test("Ctrl+C at a prompt cancels with exit 130 and nothing written", async () => {
    const prompter = new ScriptedPrompter([{ match: "Namespaces to exclude", answer: new CancelledError() }]);
    const result = await cli(["exclude", "add", baselineId], { tty: true, prompter });
    expect(result.code).toBe(130);
    expect(await writes()).toEqual([]);
    expect(await new Journal(stateDir).entries()).toEqual([]);
  });

  test("declining the confirmation writes nothing", async () => {
    const prompter = new ScriptedPrompter([{ match: "Apply this change?", answer: false }]);
    const result = await cli(["exclude", "add", baselineId, "monitoring"], { tty: true, prompter });
    expect(result.code).toBe(130);
    expect(await writes()).toEqual([]);
  });
});

export { DEMO };
