// Request economy (docs/issues/13.md): each operation's ARM requests as a function of the tenant, held on a
// generated tenant of S subscriptions with C clusters each (the README table "ARM requests per
// operation" states the same formulas). A change that adds a request per item fails here.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestEmulator, type TestEmulator } from "../helpers/emulator.js";
import { runCli } from "../helpers/cli.js";
import { syntheticTenant, type SyntheticTenant } from "../../src/emulator/synthetic-tenant.js";
import type { RequestLogEntry } from "../../src/emulator/hooks-client.js";

const S = 6;
const C = 3;
let emu: TestEmulator;
let tenant: SyntheticTenant;
let stateDir: string;
let files: string;
beforeAll(async () => {
  // Two assignments per subscription (baseline and restricted: two distinct built-in sets), one exemption per cluster.
  tenant = syntheticTenant({ subscriptions: S, clustersPerSubscription: C, assignments: S * 2, exemptions: S * C });
  emu = await startTestEmulator({ seed: tenant.seed });
  stateDir = mkdtempSync(join(tmpdir(), "akspol-counts-state-"));
  files = mkdtempSync(join(tmpdir(), "akspol-counts-files-"));
});
afterAll(() => emu.close());

async function counted(argv: string[]): Promise<{ log: RequestLogEntry[]; stdout: string; count: (method: string, pattern: RegExp) => number }> {
  await emu.hooks.resetRequests();
  const run = await runCli(argv, { emulatorDir: emu.stateDir, stateDir });
  expect(run.code, run.stderr).toBe(0);
  const log = await emu.hooks.requests();
  return { log, stdout: run.stdout, count: (method, pattern) => log.filter((entry) => entry.method === method && pattern.test(entry.path)).length };
}

const SUBSCRIPTIONS = /^\/subscriptions$/;
const TENANTS = /^\/tenants$/;
/** Finding the visible subscriptions: the tenant list and the subscription list. */
const DISCOVERY = 2;
const CLUSTER_LIST = /^\/subscriptions\/[^/]+\/providers\/Microsoft\.ContainerService\/managedClusters$/i;
const ASSIGNMENT_LIST = /\/providers\/Microsoft\.Authorization\/policyAssignments$/i;
const EXEMPTION_LIST = /\/providers\/Microsoft\.Authorization\/policyExemptions$/i;
const SET_DEFINITION = /policySetDefinitions/i;
const POLICY_STATES = /\/providers\/Microsoft\.PolicyInsights\/.*queryResults$/i;
/** Member definitions the effective model reads (latest, then the pinned version): at most 2 per member, whatever S and C. */
const MEMBER_DEFINITION = /\/policyDefinitions\//i;
const MEMBER_DEFINITION_BOUND = 2 * 9;
const SAFEGUARDS = /\/deploymentSafeguards\/default$/i;

/** A desired-state file with one entry per cluster of the first `subscriptions` subscriptions. */
function desiredState(name: string, subscriptions: number, extra: (cluster: SyntheticTenant["clusters"][number]) => string = () => ""): string {
  const entries = tenant.clusters.slice(0, subscriptions * C).map((cluster, index) => {
    const assignment = tenant.assignments[tenant.subscriptionIds.indexOf(cluster.subscriptionId)]!;
    return `  - name: ${name}-${index}\n    cluster: ${cluster.name}\n${extra(cluster)}    assignment: ${assignment.name}\n    policies: all\n    category: mitigated\n    expires: never\n    reason: request counts\n`;
  });
  const file = join(files, `${name}.yaml`);
  writeFileSync(file, `owner: ${name}\nexemptions:\n${entries.join("")}`);
  return file;
}

describe("ARM requests per operation (S subscriptions, C clusters each)", () => {
  it("find --all-subscriptions: 2 + S assignment lists + S exemption lists + one read per distinct built-in set", async () => {
    // ARM's requests (auto would read --all-subscriptions through Resource Graph).
    const { log, count } = await counted(["find", "--all-subscriptions", "--engine", "arm", "-o", "json"]);
    expect(count("GET", SUBSCRIPTIONS)).toBe(1);
    expect(count("GET", TENANTS)).toBe(1);
    expect(count("GET", ASSIGNMENT_LIST)).toBe(S);
    expect(count("GET", EXEMPTION_LIST)).toBe(S);
    expect(count("GET", SET_DEFINITION)).toBe(2);
    expect(count("GET", MEMBER_DEFINITION)).toBeLessThanOrEqual(MEMBER_DEFINITION_BOUND);
    expect(log).toHaveLength(DISCOVERY + 2 * S + 2 + count("GET", MEMBER_DEFINITION));
  });

  it("exempt list --all-subscriptions: 2 + one exemption list per subscription", async () => {
    const { log, count } = await counted(["exempt", "list", "--all-subscriptions", "--engine", "arm", "-o", "json"]);
    expect(count("GET", EXEMPTION_LIST)).toBe(S);
    expect(log).toHaveLength(DISCOVERY + S);
  });

  it("find --cluster NAME --all-subscriptions: 2 + S cluster lists + the cluster's assignment and exemption lists + its sets", async () => {
    const { log, count } = await counted(["find", "--cluster", tenant.clusters[C + 1]!.name, "--all-subscriptions", "-o", "json"]);
    expect(count("GET", CLUSTER_LIST)).toBe(S);
    expect(count("GET", ASSIGNMENT_LIST)).toBe(1);
    expect(count("GET", EXEMPTION_LIST)).toBe(1);
    expect(count("GET", MEMBER_DEFINITION)).toBeLessThanOrEqual(MEMBER_DEFINITION_BOUND);
    expect(log).toHaveLength(DISCOVERY + S + 2 + count("GET", SET_DEFINITION) + count("GET", MEMBER_DEFINITION));
    expect(count("GET", SET_DEFINITION)).toBeLessThanOrEqual(2);
  });

  it("exempt apply by cluster name: lists per subscription, never per cluster; the second run reads the same and writes nothing", async () => {
    const touched = 4; // subscriptions the file's clusters are in (C clusters each)
    const file = desiredState("by-name", touched);
    const first = await counted(["exempt", "apply", "-f", file, "--yes", "-o", "json"]);
    expect(first.count("GET", SUBSCRIPTIONS)).toBe(1);
    expect(first.count("GET", CLUSTER_LIST)).toBe(S); // names are looked up in every visible subscription, once for the whole file
    expect(first.count("GET", ASSIGNMENT_LIST)).toBe(touched);
    expect(first.count("GET", EXEMPTION_LIST)).toBe(touched);
    expect(first.count("GET", SET_DEFINITION)).toBe(0); // `policies: all` needs no set definition
    expect(first.count("PUT", /policyExemptions\//i)).toBe(touched * C);
    // Each write: one GET re-checking ownership just before it (docs/issues/10.md), then the PUT.
    expect(first.count("GET", /policyExemptions\/[^/]+$/i)).toBe(touched * C);
    expect(first.log).toHaveLength(DISCOVERY + S + 2 * touched + 2 * touched * C);

    const second = await counted(["exempt", "apply", "-f", file, "--yes", "-o", "json"]);
    expect(second.log.filter((entry) => entry.method !== "GET")).toEqual([]);
    expect(second.log).toHaveLength(DISCOVERY + S + 2 * touched);
  });

  it("exempt apply naming policies: set definitions only of the assignments the file uses", async () => {
    // Subscriptions 0 and 2 carry only baseline assignments (even indexes); the restricted set is assigned elsewhere and never read.
    const entries = [0, 2].map((subscription, index) => {
      const cluster = tenant.clusters[subscription * C]!;
      return `  - name: by-policy-${index}\n    cluster: ${cluster.name}\n    assignment: ${tenant.assignments[subscription]!.name}\n    policies: [NoPrivilegedContainers]\n    category: mitigated\n    expires: never\n    reason: request counts\n`;
    });
    const file = join(files, "by-policy.yaml");
    writeFileSync(file, `owner: by-policy\nexemptions:\n${entries.join("")}`);
    const run = await counted(["exempt", "apply", "-f", file, "--yes", "-o", "json"]);
    const baseline = run.count("GET", /policySetDefinitions\/a8640138-9b0a-4a28-b8cb-1666c838647d/i);
    expect(baseline).toBeGreaterThanOrEqual(1);
    expect(baseline).toBeLessThanOrEqual(2); // latest, and the version the assignment pins when it is not the latest
    expect(run.count("GET", SET_DEFINITION)).toBe(baseline);
    expect(run.count("GET", ASSIGNMENT_LIST)).toBe(2);
    expect(run.count("GET", EXEMPTION_LIST)).toBe(2);
  });

  it("exempt apply with subscription ids and resourceGroup: one cluster GET per cluster, no cluster list, no subscription discovery", async () => {
    const touched = 2;
    const file = desiredState("by-group", touched, (cluster) => `    subscription: ${cluster.subscriptionId}\n    resourceGroup: ${cluster.resourceGroup}\n`);
    const run = await counted(["exempt", "apply", "-f", file, "--yes", "-o", "json"]);
    expect(run.count("GET", TENANTS)).toBe(0);
    expect(run.count("GET", SUBSCRIPTIONS)).toBe(0);
    expect(run.count("GET", CLUSTER_LIST)).toBe(0);
    expect(run.count("GET", /\/managedClusters\/[^/]+$/i)).toBe(touched * C);
    expect(run.count("GET", ASSIGNMENT_LIST)).toBe(touched);
    expect(run.count("GET", EXEMPTION_LIST)).toBe(touched);
    expect(run.log).toHaveLength(touched * C + 2 * touched + 2 * touched * C); // + the ownership re-check GET per write
  });

  it("exempt apply with subscription ids and cluster names: one cluster list per subscription touched, no subscription discovery", async () => {
    const touched = 2;
    const file = desiredState("by-subscription-id", touched, (cluster) => `    subscription: ${cluster.subscriptionId}\n`);
    const run = await counted(["exempt", "apply", "-f", file, "--yes", "-o", "json"]);
    expect(run.count("GET", TENANTS)).toBe(0);
    expect(run.count("GET", SUBSCRIPTIONS)).toBe(0);
    expect(run.count("GET", CLUSTER_LIST)).toBe(touched);
    expect(run.count("GET", ASSIGNMENT_LIST)).toBe(touched);
    expect(run.count("GET", EXEMPTION_LIST)).toBe(touched);
    expect(run.log).toHaveLength(touched + 2 * touched + 2 * touched * C);
  });

  it("exempt apply with subscription names: the subscription list once for the file, then one cluster list per subscription touched", async () => {
    const touched = 2;
    const file = desiredState("by-subscription-name", touched, (cluster) => `    subscription: ${tenant.subscriptionNames[tenant.subscriptionIds.indexOf(cluster.subscriptionId)]}\n`);
    const run = await counted(["exempt", "apply", "-f", file, "--yes", "-o", "json"]);
    expect(run.count("GET", TENANTS)).toBe(1);
    expect(run.count("GET", SUBSCRIPTIONS)).toBe(1);
    expect(run.count("GET", CLUSTER_LIST)).toBe(touched);
    expect(run.log).toHaveLength(DISCOVERY + touched + 2 * touched + 2 * touched * C);
  });

  it("subscription names cost the subscription list once per process: --subscription NAME and a file's subscription names share it", async () => {
    // Clusters of the first subscription are looked up in --subscription; those of the second name theirs in the file.
    const file = desiredState("shared-names", 2, (cluster) => {
      const index = tenant.subscriptionIds.indexOf(cluster.subscriptionId);
      return index === 0 ? "" : `    subscription: ${tenant.subscriptionNames[index]}\n`;
    });
    const run = await counted(["exempt", "apply", "-f", file, "--subscription", tenant.subscriptionNames[0]!, "--yes", "-o", "json"]);
    expect(run.count("GET", TENANTS)).toBe(1);
    expect(run.count("GET", SUBSCRIPTIONS)).toBe(1);
    expect(run.count("GET", CLUSTER_LIST)).toBe(2);
    const find = await counted(["find", "--subscription", tenant.subscriptionNames[1]!, "--engine", "arm", "-o", "json"]);
    expect(find.count("GET", TENANTS)).toBe(1);
    expect(find.count("GET", SUBSCRIPTIONS)).toBe(1);
  });

  it("exempt apply with a subscription id the principal cannot see: a file error naming it, no write", async () => {
    const unknown = "0b0b0b0b-0000-4000-8000-00000000abcd";
    const file = join(files, "invisible.yaml");
    writeFileSync(
      file,
      `owner: invisible\nexemptions:\n  - name: invisible-0\n    cluster: ${tenant.clusters[0]!.name}\n    subscription: ${unknown}\n    resourceGroup: rg-aks\n    assignment: ${tenant.assignments[0]!.name}\n    policies: all\n    category: mitigated\n    expires: never\n    reason: request counts\n`,
    );
    await emu.hooks.resetRequests();
    const run = await runCli(["exempt", "apply", "-f", file, "--yes", "-o", "json"], { emulatorDir: emu.stateDir, stateDir });
    expect(run.code, run.stderr).not.toBe(0);
    expect(run.stderr).toContain(`subscription '${unknown}' is not visible to the signed-in principal`);
    expect((await emu.hooks.requests()).filter((entry) => entry.method !== "GET")).toEqual([]);
  });

  const ASSIGNMENT_GET = /\/policyAssignments\/[^/]+$/i;
  const ASSIGNMENT_PUT = /\/policyAssignments\//i;

  it("exclude add <full id> --no-clusters: 4 requests (the assignment read once under the write lock, its set definition, the PUT, the verifying GET)", async () => {
    const assignment = tenant.assignments[0]!;
    const add = await counted(["exclude", "add", assignment.id, "minimal-ns", "--no-clusters", "--yes", "-o", "json"]);
    expect(add.log.map((entry) => entry.method)).toEqual(["GET", "GET", "PUT", "GET"]);
    expect(add.count("GET", ASSIGNMENT_GET)).toBe(2);
    expect(add.count("GET", SET_DEFINITION)).toBe(1);
    expect(add.count("PUT", ASSIGNMENT_PUT)).toBe(1);
    expect(JSON.parse(add.stdout)).toMatchObject({ changed: true, affectedClusters: null, impact: null, stillEnforced: null });
  });

  it("exclude add <full id> --no-clusters, excludedNamespaces already set on a built-in version akspol embeds: 3 requests (no set definition)", async () => {
    // The first exclude add above set the parameter on this assignment; its default list is no longer needed.
    const assignment = tenant.assignments[0]!;
    const add = await counted(["exclude", "add", assignment.id, "already-set-ns", "--no-clusters", "--yes", "-o", "json"]);
    expect(add.log.map((entry) => entry.method)).toEqual(["GET", "PUT", "GET"]);
    expect(add.count("GET", SET_DEFINITION)).toBe(0);
    const output = JSON.parse(add.stdout);
    expect(output).toMatchObject({ changed: true });
    expect(output.after.excludedNamespaces).toEqual([...output.before.excludedNamespaces, "already-set-ns"]);
  });

  it("exclude add <full id> --no-clusters on a version akspol does not embed (restricted 2.4.0): the set definition is read", async () => {
    // In the last subscription, whose clusters no later test reaches (the other-carriers section would read this set too).
    const scope = `/subscriptions/${tenant.subscriptionIds[S - 1]}/resourceGroups/rg-aks`;
    await emu.hooks.seed({
      policyAssignments: [
        {
          scope,
          name: "pinned-240",
          properties: {
            displayName: "Restricted 2.4.0",
            policyDefinitionId: "/providers/Microsoft.Authorization/policySetDefinitions/42b8ef37-b724-4e24-bbc8-7a7708edfe00",
            definitionVersion: "2.4.0",
            parameters: { excludedNamespaces: { value: ["kube-system"] } },
          },
        },
      ],
    } as Parameters<TestEmulator["hooks"]["seed"]>[0]);
    const add = await counted(["exclude", "add", `${scope}/providers/Microsoft.Authorization/policyAssignments/pinned-240`, "pinned-ns", "--no-clusters", "--yes", "-o", "json"]);
    expect(add.count("GET", SET_DEFINITION)).toBe(2); // latest (2.5.0), then the pinned 2.4.0
    expect(add.log).toHaveLength(3 + 2);
  });

  it("exclude add <name> --subscription --no-clusters: one assignment list page more than by id", async () => {
    const assignment = tenant.assignments[0]!;
    const add = await counted(["exclude", "add", assignment.name, "by-name-ns", "--subscription", tenant.subscriptionIds[0]!, "--no-clusters", "--yes", "-o", "json"]);
    expect(add.count("GET", ASSIGNMENT_LIST)).toBe(1);
    expect(add.count("GET", ASSIGNMENT_GET)).toBe(2);
    expect(add.count("GET", SET_DEFINITION)).toBe(0); // excludedNamespaces already set
    expect(add.count("PUT", ASSIGNMENT_PUT)).toBe(1);
    expect(add.log).toHaveLength(1 + 3);
  });

  it("exclude add <full id>: + 1 cluster list, 1 Policy Insights query and, per cluster reached, what another carrier still enforces; each section switches off", async () => {
    const assignment = tenant.assignments[0]!;
    const add = await counted(["exclude", "add", assignment.id, "counts-ns", "--yes", "-o", "json"]);
    expect(add.count("GET", ASSIGNMENT_GET)).toBe(2);
    expect(add.count("PUT", ASSIGNMENT_PUT)).toBe(1);
    expect(add.count("GET", CLUSTER_LIST)).toBe(1); // the plan's "clusters reached" (assignment at one subscription)
    expect(add.count("POST", POLICY_STATES)).toBe(1); // the plan's workload impact (one subscription reached)
    // What another carrier still enforces (docs/issues/12.md): per cluster reached, its assignment list, its
    // exemptions and its Safeguards setting; set and member definitions once for all (this set among them:
    // the edit itself needs none of its defaults, the parameter being set).
    expect(add.count("GET", SAFEGUARDS)).toBe(C);
    expect(add.count("GET", SET_DEFINITION)).toBe(1);
    expect(add.count("GET", MEMBER_DEFINITION)).toBeLessThanOrEqual(MEMBER_DEFINITION_BOUND);
    expect(add.log).toHaveLength(3 + 2 + 3 * C + 1 + add.count("GET", MEMBER_DEFINITION));

    const noCarriers = await counted(["exclude", "add", assignment.id, "counts-ns2", "--no-other-carriers", "--yes", "-o", "json"]);
    expect(noCarriers.count("GET", CLUSTER_LIST)).toBe(1);
    expect(noCarriers.count("POST", POLICY_STATES)).toBe(1);
    expect(noCarriers.log).toHaveLength(3 + 2);
    expect(JSON.parse(noCarriers.stdout).stillEnforced).toBeNull();

    const noImpact = await counted(["exclude", "add", assignment.id, "counts-ns3", "--no-impact", "--yes", "-o", "json"]);
    expect(noImpact.count("POST", POLICY_STATES)).toBe(0);
    expect(noImpact.count("GET", SAFEGUARDS)).toBe(C);
    expect(noImpact.log).toHaveLength(3 + 1 + 3 * C + 1 + noImpact.count("GET", MEMBER_DEFINITION));
    expect(JSON.parse(noImpact.stdout).impact).toBeNull();
  });

  it("exclude remove <full id> --no-clusters and params set: 4 requests, the set definition always read", async () => {
    // Removing checks the initiative's default namespaces, so the set definition is read even though the parameter is set.
    const assignment = tenant.assignments[0]!;
    const remove = await counted(["exclude", "remove", assignment.id, "counts-ns3", "--no-clusters", "--yes", "-o", "json"]);
    expect(remove.log.map((entry) => entry.method)).toEqual(["GET", "GET", "PUT", "GET"]);
    expect(remove.count("GET", SET_DEFINITION)).toBe(1);
    expect(JSON.parse(remove.stdout).changed).toBe(true);
    const set = await counted(["params", "set", assignment.id, "--effect", "deny", "--no-clusters", "--yes", "-o", "json"]);
    expect(set.log.map((entry) => entry.method)).toEqual(["GET", "GET", "PUT", "GET"]);
    expect(set.count("GET", SET_DEFINITION)).toBe(1);
  });

  it("undo of an assignment edit: the assignment read once before and once after its write", async () => {
    const assignment = tenant.assignments[1]!;
    const add = await counted(["exclude", "add", assignment.id, "undo-ns", "--no-clusters", "--yes", "-o", "json"]);
    const changeId = JSON.parse(add.stdout).changeId as string;
    const undo = await counted(["undo", changeId, "--no-clusters", "--yes", "-o", "json"]);
    expect(undo.log.map((entry) => entry.method)).toEqual(["GET", "GET", "PUT", "GET"]);
    expect(undo.count("GET", ASSIGNMENT_GET)).toBe(2);
    expect(undo.count("GET", SET_DEFINITION)).toBe(1);
    expect(undo.count("PUT", ASSIGNMENT_PUT)).toBe(1);
    // With the plan's sections: the cluster list and the workload impact query (undo adds no namespace: no carriers read).
    const again = await counted(["exclude", "add", assignment.id, "undo-ns2", "--no-clusters", "--yes", "-o", "json"]);
    const full = await counted(["undo", JSON.parse(again.stdout).changeId as string, "--yes", "-o", "json"]);
    expect(full.count("GET", ASSIGNMENT_GET)).toBe(2);
    expect(full.log).toHaveLength(4 + 2);
  });
});
