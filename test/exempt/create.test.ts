import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { expectRequests } from "../helpers/requests.js";
import { DEMO } from "../../src/emulator/demo-seed.js";
import { ScriptedPrompter } from "../../src/cli/prompter.js";
import createCommand from "../../commands/exempt/create.js";
import { resolveGlobalOptions } from "../../src/cli/global-options.js";
import { json, startHarness, type ExemptHarness } from "./helpers.js";

let h: ExemptHarness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());
beforeEach(() => h.emulator.hooks.resetRequests());

const neu = DEMO.clusters.prodNeu;
const exemptionId = (cluster: string, name: string) => `${cluster}/providers/Microsoft.Authorization/policyExemptions/${name}`;
const base = ["exempt", "create", "--cluster", "aks-prod-neu", "--assignment", "pss-baseline", "--category", "waiver", "--reason", "node exporter needs the host network", "--yes"];

describe("exempt create: parse layer", () => {
  const globals = resolveGlobalOptions({}, {});
  const parse = (options: Record<string, unknown>) => createCommand.parse({ args: {}, options }, globals);
  it("refuses --policies with --all-policies, and --expires with --no-expiry", () => {
    expect(() => parse({ policies: ["A"], allPolicies: true })).toThrow(/either --policies or --all-policies/);
    expect(() => parse({ expires: "+1d", expiry: false })).toThrow(/either --expires or --no-expiry/);
  });
  it("splits comma-separated policies and reads the category case-insensitively", () => {
    const options = parse({ policies: ["A,B", "C"], category: "Mitigated", expiry: false });
    expect(options.policies).toEqual(["A", "B", "C"]);
    expect(options.category).toBe("Mitigated");
    expect(options.noExpiry).toBe(true);
  });
  it("refuses a bad category, name, reason or --max-days before anything runs", () => {
    expect(() => parse({ category: "sometimes" })).toThrow(/Invalid --category/);
    expect(() => parse({ name: "bad/name" })).toThrow(/Invalid exemption name/);
    expect(() => parse({ reason: "   " })).toThrow(/reason is required/);
    expect(() => parse({ reason: "client_secret=abc123" })).toThrow(/secret/);
    expect(() => parse({ maxDays: "0" })).toThrow(/--max-days/);
  });
});

describe("exempt create", () => {
  it("creates the exemption at the cluster's scope with akspol's metadata, one PUT, and a journal entry undo can reverse", async () => {
    // +30d counts from the moment the command runs (the clocks move with real time): bound it, not guess it.
    const before = h.clock.now().getTime();
    const run = await h.run([
      ...base,
      "--policies",
      "BlockUsingHostNetwork",
      "--expires",
      "+30d",
      "--ticket",
      "OPS-2001",
      "--resource-group",
      "rg-aks-prod",
      "--subscription",
      DEMO.subscriptions.prod.id,
      "-o",
      "json",
    ]);
    expect(run.code, run.stderr).toBe(0);
    const name = "aks-prod-neu-pss-baseline-BlockUsingHostNetwork";
    const out = json(run);
    expect(out.schemaVersion).toBe(1);
    expect(out.exemption).toMatchObject({ name, cluster: "aks-prod-neu", policies: ["BlockUsingHostNetwork"], category: "Waiver", status: "active", daysLeft: 29, ticket: "OPS-2001" });
    expect(out.exemption.owner).toBeUndefined();
    const stored = await h.emulator.hooks.getResource(exemptionId(neu.id, name));
    expect(stored.properties).toMatchObject({
      policyAssignmentId: DEMO.assignments.baseline.id,
      policyDefinitionReferenceIds: ["BlockUsingHostNetwork"],
      exemptionCategory: "Waiver",
      description: "node exporter needs the host network",
    });
    const DAY = 24 * 60 * 60 * 1000;
    const expiresOn = Date.parse(stored.properties.expiresOn);
    expect(stored.properties.expiresOn).toMatch(/^2030-03-31T10:\d\d:\d\d\.000Z$/);
    expect(expiresOn).toBeGreaterThanOrEqual(Math.floor((before + 30 * DAY) / 1000) * 1000);
    expect(expiresOn).toBeLessThanOrEqual(h.clock.now().getTime() + 30 * DAY);
    expect(Object.keys(stored.properties.metadata).sort()).toEqual(["akspolVersion", "managedBy", "reason", "requestedBy", "requestedByObjectId", "ticket"]);
    expect(stored.properties.metadata.managedBy).toBe("akspol");
    expect(JSON.stringify(stored)).not.toMatch(/secret|eyJ/i);

    const requests = await h.emulator.hooks.requests();
    const summary = requests.map((request) => request.method);
    // The workload impact reads Policy Insights with one POST query; the only write is the PUT.
    expect(summary.filter((method) => method !== "GET")).toEqual(["POST", "PUT"]);
    expect(requests.find((request) => request.method === "POST")?.path).toMatch(/\/providers\/Microsoft\.PolicyInsights\/componentPolicyStates\/latest\/queryResults$/);
    // Four reads for the exemption itself, one exemption list at the cluster for the workload impact.
    expect(summary.filter((method) => method === "GET")).toHaveLength(5);

    const [entry] = (await h.journal()).filter((item) => item.resourceId.endsWith(name));
    expect(entry).toMatchObject({ resourceKind: "policyExemption", operation: "create", before: null, status: "applied", ticket: "OPS-2001", reason: "node exporter needs the host network" });
    expect((entry?.intendedAfter as { properties: unknown }).properties).toMatchObject({ policyDefinitionReferenceIds: ["BlockUsingHostNetwork"] });
  });

  it("refuses to overwrite an existing exemption (exit 5, no write)", async () => {
    const run = await h.run([...base, "--policies", "BlockUsingHostNetwork", "--expires", "+30d"]);
    expect(run.code).toBe(5);
    expect(run.stderr).toContain("already exists");
    expect(await h.exemptionWrites()).toEqual([]);
  });

  it("gives 'did you mean' for a wrong reference id, read from the assigned initiative version (exit 2, no write)", async () => {
    const run = await h.run([...base, "--policies", "BlockUsingHostNetwrok,NoHostPathVolume", "--expires", "+30d"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("'BlockUsingHostNetwrok' is not a policy reference id");
    expect(run.stderr).toContain("did you mean 'BlockUsingHostNetwork'?");
    expect(run.stderr).toContain("Valid reference ids: NoPrivilegedContainers");
    const requests = await h.emulator.hooks.requests();
    expect(requests.some((request) => /policySetDefinitions/i.test(request.path))).toBe(true);
    expect(requests.filter((request) => request.method !== "GET")).toEqual([]);
  });

  it("refuses an assignment whose scope does not contain the cluster (exit 2, no write)", async () => {
    const run = await h.run([
      "--yes",
      "exempt",
      "create",
      "--cluster",
      "aks-sandbox",
      "--assignment",
      "pss-restricted",
      "--all-policies",
      "--category",
      "mitigated",
      "--expires",
      "+10d",
      "--reason",
      "r",
    ]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("Assignment 'pss-restricted' does not apply to cluster aks-sandbox");
    expect(run.stderr).toContain("does not contain the cluster");
    expect(await h.emulator.hooks.writes()).toEqual([]);
  });

  it("refuses an assignment that does not reach the cluster at all (exit 2)", async () => {
    const run = await h.run([...base.slice(0, 4), "--assignment", "pss-restricted", "--all-policies", "--category", "waiver", "--expires", "+1d", "--reason", "r", "--yes"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("No pod-security assignment 'pss-restricted' applies to cluster aks-prod-neu");
    expect(run.stderr).toContain("Assignments that apply to aks-prod-neu: pss-baseline");
  });

  it("refuses an expiry in the past before any request (exit 2)", async () => {
    const run = await h.run([...base, "--all-policies", "--expires", "2030-02-01"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("is in the past");
    await expectRequests(h.emulator, []);
  });

  it("caps a waiver at 90 days unless --max-days says otherwise; mitigated has no cap", async () => {
    const tooLong = await h.run([...base, "--all-policies", "--expires", "+120d"]);
    expect(tooLong.code).toBe(2);
    expect(tooLong.stderr).toContain("A waiver may be at most 90 days away");
    await expectRequests(h.emulator, []);
    const allowed = await h.run([...base, "--all-policies", "--expires", "+120d", "--max-days", "180", "--dry-run", "-o", "json"]);
    expect(allowed.code, allowed.stderr).toBe(0);
    expect(json(allowed)).toMatchObject({ dryRun: true, exemption: { policies: "all", name: "aks-prod-neu-pss-baseline-all" } });
    const mitigated = await h.run([...base.slice(0, 6), "--category", "mitigated", "--reason", "r", "--all-policies", "--expires", "+1000d", "--dry-run"]);
    expect(mitigated.code, mitigated.stderr).toBe(0);
    expect(await h.emulator.hooks.writes()).toEqual([]);
  });

  it("needs --no-expiry for an exemption without expiry, and refuses it for a waiver", async () => {
    const waiver = await h.run([...base, "--all-policies", "--no-expiry"]);
    expect(waiver.code).toBe(2);
    expect(waiver.stderr).toContain("A waiver must expire");
    const mitigated = await h.run([
      "--yes",
      "exempt",
      "create",
      "--cluster",
      "aks-dev",
      "--assignment",
      "pss-restricted",
      "--all-policies",
      "--category",
      "mitigated",
      "--no-expiry",
      "--reason",
      "isolated by network policy",
      "-o",
      "json",
    ]);
    expect(mitigated.code, mitigated.stderr).toBe(0);
    expect(json(mitigated).exemption).toMatchObject({ name: "aks-dev-pss-restricted-all", expiresOn: null, status: "active", policies: "all" });
  });

  it("names every missing flag without a terminal (exit 2, no request)", async () => {
    const run = await h.run(["--yes", "exempt", "create", "--cluster", "aks-prod-neu"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("Missing --assignment, --policies or --all-policies, --category, --expires (or --no-expiry), --reason");
    expect(await h.emulator.hooks.requests()).toEqual([]);
  });

  it("asks for cluster, assignment, policies, category, expiry and reason on a terminal", async () => {
    const prompter = new ScriptedPrompter([
      { match: "Which cluster?", answer: (choices: Array<{ name: string; value: unknown }>) => choices.find((choice) => choice.name.startsWith("aks-prod-weu"))?.value },
      { match: "Which assignment", answer: (choices: Array<{ value: unknown }>) => choices[0]?.value },
      { match: "Exempt from which policies?", answer: "some" },
      {
        match: "Policies to exempt",
        answer: (choices: Array<{ name: string; value: unknown }>) => {
          expect(choices.map((choice) => choice.name)).toContain("Kubernetes cluster should not allow privileged containers");
          return [choices.find((choice) => choice.value === "NoPrivilegedContainers")?.value];
        },
      },
      { match: "Category?", answer: "Waiver" },
      { match: "Expires", answer: "+14d" },
      { match: "Reason", answer: "debug container for an incident" },
      { match: "Create exemption aks-prod-weu-pss-baseline-NoPrivilegedContainers on aks-prod-weu?", answer: true },
    ]);
    const run = await h.run(["exempt", "create", "-o", "json"], { tty: true, prompter });
    expect(run.code, run.stderr).toBe(0);
    expect(prompter.remaining).toBe(0);
    expect(json(run).exemption).toMatchObject({ name: "aks-prod-weu-pss-baseline-NoPrivilegedContainers", policies: ["NoPrivilegedContainers"], daysLeft: 13 });
  });

  it("refuses an invalid --name (exit 2) and a missing cluster (exit 3), writing nothing", async () => {
    const badName = await h.run([...base, "--all-policies", "--expires", "+1d", "--name", "a:b"]);
    expect(badName.code).toBe(2);
    const missing = await h.run([
      "--yes",
      "exempt",
      "create",
      "--cluster",
      "aks-nowhere",
      "--assignment",
      "pss-baseline",
      "--all-policies",
      "--category",
      "waiver",
      "--expires",
      "+1d",
      "--reason",
      "r",
    ]);
    expect(missing.code).toBe(3);
    expect(missing.stderr).toContain("No AKS cluster named 'aks-nowhere'");
    expect(await h.emulator.hooks.writes()).toEqual([]);
  });

  it("leaves no exemption behind for a principal without permission (one PUT answered 403, exit 4)", async () => {
    const run = await h.run([...base, "--policies", "NoHostPathVolume", "--expires", "+5d", "--principal", "reader"]);
    expect(run.code).toBe(4);
    expect(run.stderr).toContain("Permission denied");
    const writes = await h.emulator.hooks.writes();
    expect(writes.map((write) => [write.method, write.status])).toEqual([["PUT", 403]]);
    expect(await h.emulator.hooks.getResource(exemptionId(neu.id, "aks-prod-neu-pss-baseline-NoHostPathVolume"))).toBeUndefined();
    const failed = (await h.journal()).find((entry) => entry.resourceId.endsWith("NoHostPathVolume"));
    expect(failed?.status).toBe("failed");
  });
});
