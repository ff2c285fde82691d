import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestEmulator, type TestEmulator } from "../helpers/emulator.js";
import { runCli } from "../helpers/cli.js";
import { DEMO } from "../../src/emulator/demo-seed.js";
import { ScriptedPrompter } from "../../src/cli/prompter.js";

const baselineSet = "/providers/Microsoft.Authorization/policySetDefinitions/a8640138-9b0a-4a28-b8cb-1666c838647d";
const restrictedSet = "/providers/Microsoft.Authorization/policySetDefinitions/42b8ef37-b724-4e24-bbc8-7a7708edfe00";
const prod = DEMO.subscriptions.prod;
const dev = DEMO.subscriptions.dev;

let emu: TestEmulator;
beforeAll(async () => {
  emu = await startTestEmulator({ seed: "demo" });
  // An assignment on the management group (inherited by every cluster below it) that excludes the
  // sandbox resource group through notScopes, and a second one with the same display name as the
  // demo's baseline assignment, to make names ambiguous.
  await emu.hooks.seed({
    policyAssignments: [
      {
        scope: DEMO.managementGroupId,
        name: "mg-restricted",
        properties: {
          displayName: "Org-wide restricted",
          policyDefinitionId: restrictedSet,
          notScopes: [`/subscriptions/${dev.id}/resourceGroups/rg-sandbox`],
        },
      },
      {
        scope: `/subscriptions/${dev.id}`,
        name: "pss-baseline-dev",
        properties: { displayName: "Pod security baseline (prod)", policyDefinitionId: baselineSet },
      },
    ],
  });
});
afterAll(() => emu.close());

const cli = (argv: string[], options: Parameters<typeof runCli>[1] = {}) => runCli(argv, { emulatorDir: emu.stateDir, ...options });

describe("find against the emulator", () => {
  it("lists every pod-security assignment across subscriptions once, the management-group one included", async () => {
    const run = await cli(["find", "--all-subscriptions", "-o", "json"]);
    expect(run.code, run.stderr).toBe(0);
    const names = (JSON.parse(run.stdout).assignments as Array<{ name: string }>).map((a) => a.name).sort();
    // Every carrier of the nine policies: the demo's benchmark (SecurityCenterBuiltIn) and single-definition assignment too.
    expect(names).toEqual(["SecurityCenterBuiltIn", "mg-restricted", "no-privilege-escalation", "pss-baseline", "pss-baseline-dev", "pss-restricted"]);
  });

  it("filters by initiative and by a name glob", async () => {
    const restricted = JSON.parse((await cli(["find", "--all-subscriptions", "--initiative", "restricted", "-o", "json"])).stdout);
    expect(restricted.assignments.map((a: { name: string }) => a.name).sort()).toEqual(["mg-restricted", "pss-restricted"]);
    const glob = JSON.parse((await cli(["find", "--all-subscriptions", "--name", "PSS-B*", "-o", "json"])).stdout);
    expect(glob.assignments.map((a: { name: string }) => a.name).sort()).toEqual(["pss-baseline", "pss-baseline-dev"]);
  });

  it("marks where excluded namespaces come from and counts exemptions", async () => {
    const run = await cli(["find", "--subscription", prod.name, "-o", "json"]);
    const baseline = JSON.parse(run.stdout).assignments.find((a: { name: string }) => a.name === "pss-baseline");
    expect(baseline.excludedNamespacesSource).toBe("default");
    expect(baseline.excludedNamespaces).toEqual(["kube-system", "gatekeeper-system", "azure-arc", "azure-extensions-usage-system"]);
    expect(baseline.exemptions).toBe(1);
    expect(baseline.effect).toBe("Deny");
  });

  it("finds the assignments that apply to a cluster, inherited from the management group", async () => {
    const run = await cli(["find", "--cluster", DEMO.clusters.dev.name, "--subscription", dev.name, "-o", "json"]);
    expect(run.code, run.stderr).toBe(0);
    const rows = JSON.parse(run.stdout).assignments as Array<{ name: string; applies: string }>;
    expect(rows.map((r) => r.name).sort()).toEqual(["mg-restricted", "no-privilege-escalation", "pss-baseline-dev", "pss-restricted"]);
    expect(rows.every((r) => r.applies === "yes")).toBe(true);
  });

  it("says a cluster excluded by notScopes is not covered, and warns when its add-on is disabled", async () => {
    const run = await cli(["find", "--cluster", DEMO.clusters.sandbox.name, "--subscription", dev.name, "-o", "json"]);
    expect(run.code, run.stderr).toBe(0);
    const rows = JSON.parse(run.stdout).assignments as Array<{ name: string; applies: string }>;
    expect(rows.find((r) => r.name === "mg-restricted")?.applies).toMatch(/^no: the cluster is excluded by notScope/);
    expect(rows.find((r) => r.name === "pss-baseline-dev")?.applies).toBe("yes (add-on disabled)");
    expect(run.stderr).toContain("Azure Policy add-on is disabled on aks-sandbox");
  });

  it("uses one assignment list per subscription (plus one exemptions list each)", async () => {
    await emu.hooks.resetRequests();
    await cli(["find", "--subscription", prod.id, "-o", "json"]);
    const log = await emu.hooks.requests();
    const lists = log.filter((entry) => /\/policyassignments$/i.test(entry.path));
    expect(lists).toHaveLength(1);
    expect(log.every((entry) => entry.method === "GET")).toBe(true);
  });

  it("exits 3 for a cluster that does not exist", async () => {
    const run = await cli(["find", "--cluster", "no-such-aks", "--subscription", prod.name]);
    expect(run.code).toBe(3);
    expect(run.stderr).toContain("aks-prod-weu");
  });
});

describe("show against the emulator", () => {
  it("shows effective parameters with their source, clusters, and exemptions with status", async () => {
    const run = await cli(["show", "pss-baseline", "--subscription", prod.name, "-o", "json"]);
    expect(run.code, run.stderr).toBe(0);
    const data = JSON.parse(run.stdout);
    expect(data.parameters.find((p: { name: string }) => p.name === "effect")).toMatchObject({ value: "Deny", source: "assignment" });
    expect(data.parameters.find((p: { name: string }) => p.name === "excludedNamespaces")).toMatchObject({ source: "default" });
    expect(data.clusters.map((c: { name: string }) => c.name).sort()).toEqual(["aks-prod-neu", "aks-prod-weu"]);
    expect(data.exemptions).toHaveLength(1);
    expect(data.exemptions[0]).toMatchObject({ name: "aks-prod-weu-hostnetwork", status: "expiring" });
    expect(data.nonComplianceMessages[0].message).toContain("baseline");
  });

  it("shows the clusters a management-group assignment reaches, with the notScoped one marked", async () => {
    const run = await cli(["show", DEMO.managementGroupId + "/providers/Microsoft.Authorization/policyAssignments/mg-restricted", "-o", "json"]);
    expect(run.code, run.stderr).toBe(0);
    const clusters = JSON.parse(run.stdout).clusters as Array<{ name: string; applies: boolean; reason: string }>;
    expect(clusters.map((c) => c.name).sort()).toEqual(["aks-dev", "aks-prod-neu", "aks-prod-weu", "aks-sandbox"]);
    expect(clusters.find((c) => c.name === "aks-sandbox")).toMatchObject({ applies: false });
    expect(clusters.filter((c) => c.applies)).toHaveLength(3);
  });

  it("refuses an ambiguous display name without a terminal, listing the candidates (exit 2)", async () => {
    const run = await cli(["show", "Pod security baseline (prod)", "--all-subscriptions"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("pss-baseline-dev");
    expect(run.stderr).toContain(`/subscriptions/${prod.id}/providers/Microsoft.Authorization/policyAssignments/pss-baseline`);
  });

  it("asks which one on a terminal", async () => {
    const prompter = new ScriptedPrompter([{ match: "matches 2 assignments", answer: (choices: Array<{ value: unknown }>) => choices[1]?.value }]);
    const run = await cli(["show", "Pod security baseline (prod)", "--all-subscriptions", "-o", "json"], { tty: true, prompter });
    expect(run.code, run.stderr).toBe(0);
    expect(prompter.remaining).toBe(0);
  });

  it("exits 3 for an assignment that does not exist", async () => {
    const run = await cli(["show", "nope", "--subscription", prod.name]);
    expect(run.code).toBe(3);
  });
});

describe("subscription resolution order", () => {
  it("prefers --subscription, then AZURE_SUBSCRIPTION_ID, then the Azure CLI default", async () => {
    const home = mkdtempSync(join(tmpdir(), "akspol-azcli-"));
    mkdirSync(join(home, ".azure"));
    writeFileSync(
      join(home, ".azure", "azureProfile.json"),
      `\uFEFF${JSON.stringify({
        subscriptions: [
          { id: dev.id, name: dev.name, isDefault: true },
          { id: prod.id, name: prod.name, isDefault: false },
        ],
      })}`,
    );
    const names = async (argv: string[], env: NodeJS.ProcessEnv) =>
      (JSON.parse((await cli([...argv, "find", "-o", "json"], { env: { AZURE_CONFIG_DIR: join(home, ".azure"), ...env } })).stdout).assignments as Array<{ name: string }>).map((a) => a.name).sort();
    expect(await names([], {})).toContain("pss-restricted");
    expect(await names([], {})).not.toContain("pss-baseline");
    expect(await names([], { AZURE_SUBSCRIPTION_ID: prod.id })).toContain("pss-baseline");
    expect(await names(["--subscription", dev.name], { AZURE_SUBSCRIPTION_ID: prod.id })).not.toContain("pss-baseline");
  });

  it("prompts on a terminal when nothing else decides, and exits 2 naming --subscription without one", async () => {
    const prompter = new ScriptedPrompter([{ match: "Which subscription?", answer: (choices: Array<{ value: unknown }>) => choices.find((c) => JSON.stringify(c.value).includes(prod.id))?.value }]);
    const asked = await cli(["find", "-o", "json"], { tty: true, prompter });
    expect(asked.code, asked.stderr).toBe(0);
    expect(JSON.parse(asked.stdout).assignments.map((a: { name: string }) => a.name)).toContain("pss-baseline");
    const refused = await cli(["find"]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("--subscription");
  });
});

describe("--debug", () => {
  it("logs requests with their request ids but never a token or a secret", async () => {
    const run = await cli(["find", "--all-subscriptions", "--debug", "-o", "json"]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/debug: GET https:\/\/127\.0\.0\.1:\d+\/subscriptions/);
    expect(run.stderr).toContain("x-ms-request-id");
    const connection = JSON.parse(readFileSync(emu.connectionFile, "utf8")) as { principals: Array<{ clientSecret: string }> };
    const output = run.stdout + run.stderr;
    for (const principal of connection.principals) expect(output).not.toContain(principal.clientSecret);
    expect(output).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/);
    expect(output.toLowerCase()).not.toContain("bearer ey");
  });

  it("shows the raw cause of an error without secrets", async () => {
    const run = await cli(["show", "nope", "--subscription", prod.name, "--debug"]);
    expect(run.code).toBe(3);
    const connection = JSON.parse(readFileSync(emu.connectionFile, "utf8")) as { principals: Array<{ clientSecret: string }> };
    for (const principal of connection.principals) expect(run.stderr).not.toContain(principal.clientSecret);
  });
});
