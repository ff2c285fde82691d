import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { expectRequests } from "../helpers/requests.js";
import { DEMO } from "../../src/emulator/demo-seed.js";
import { ScriptedPrompter } from "../../src/cli/prompter.js";
import { json, startHarness, type ExemptHarness } from "./helpers.js";

let h: ExemptHarness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());
beforeEach(() => h.emulator.hooks.resetRequests());

const hostNetwork = DEMO.exemptions.hostNetwork;

describe("exempt list", () => {
  it("shows status and days left, hiding expired exemptions unless asked", async () => {
    const active = json(await h.run(["exempt", "list", "-o", "json"]));
    expect(active.schemaVersion).toBe(1);
    expect(active.exemptions.map((view: { name: string; status: string; daysLeft: number }) => [view.name, view.status, view.daysLeft])).toEqual([[hostNetwork.name, "expiring", 9]]);
    const all = json(await h.run(["exempt", "list", "--include-expired", "-o", "json"]));
    expect(all.exemptions.map((view: { name: string; status: string }) => [view.name, view.status])).toEqual([
      [DEMO.exemptions.legacy.name, "expired"],
      [hostNetwork.name, "expiring"],
    ]);
  });
  it("filters by cluster, assignment and --expiring-within", async () => {
    expect(json(await h.run(["exempt", "list", "--cluster", "aks-dev", "--include-expired", "-o", "json"])).exemptions.map((view: { name: string }) => view.name)).toEqual([
      DEMO.exemptions.legacy.name,
    ]);
    expect(json(await h.run(["exempt", "list", "--assignment", "pss-restricted", "-o", "json"])).exemptions).toEqual([]);
    expect(json(await h.run(["exempt", "list", "--expiring-within", "5d", "-o", "json"])).exemptions).toEqual([]);
    expect(json(await h.run(["exempt", "list", "--expiring-within", "15d", "-o", "json"])).exemptions).toHaveLength(1);
  });
  it("lists a resource group that exists in only some of the subscriptions", async () => {
    const run = await h.run(["exempt", "list", "--resource-group", "rg-aks-prod", "-o", "json"]);
    expect(run.code, run.stderr).toBe(0);
    expect(json(run).exemptions.map((view: { name: string }) => view.name)).toEqual([hostNetwork.name]);
  });
  it("prints a table for people", async () => {
    const run = await h.run(["exempt", "list", "--include-expired"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/NAME\s+CLUSTER\s+ASSIGNMENT\s+POLICIES\s+CATEGORY\s+EXPIRES\s+STATUS\s+DAYS LEFT\s+OWNER/);
    expect(run.stdout).toMatch(/aks-dev-legacy\s+aks-dev\s+pss-restricted\s+\(all\)\s+Mitigated\s+\S+\s+expired/);
  });
  it("refuses --cluster with --scope (exit 2)", async () => {
    expect((await h.run(["exempt", "list", "--cluster", "aks-dev", "--scope", "/subscriptions/x"])).code).toBe(2);
  });
});

describe("exempt show", () => {
  it("shows one exemption by name or id, as text or JSON", async () => {
    const text = await h.run(["exempt", "show", hostNetwork.name]);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/Policies:\s+BlockUsingHostNetwork/);
    expect(text.stdout).toMatch(/Expires:\s+\S+ \(9 days left\)/);
    const byId = json(await h.run(["exempt", "show", hostNetwork.id, "-o", "json"]));
    expect(byId).toMatchObject({ schemaVersion: 1, exemption: { name: hostNetwork.name, status: "expiring", ticket: "OPS-1234" }, metadata: { ticket: "OPS-1234" } });
  });
  it("says what to do when it does not exist (exit 3)", async () => {
    const run = await h.run(["exempt", "show", "nope"]);
    expect(run.code).toBe(3);
    expect(run.stderr).toContain("akspol exempt list");
  });
});

describe("exempt renew", () => {
  it("moves the expiry with one GET of the exemption and a full PUT, keeping every other field, journaled as an update", async () => {
    const before = await h.emulator.hooks.getResource(hostNetwork.id);
    const run = await h.run(["--yes", "exempt", "renew", hostNetwork.name, "--cluster", hostNetwork.scope, "--expires", "2030-04-15", "--ticket", "OPS-1300", "-o", "json"]);
    expect(run.code, run.stderr).toBe(0);
    const out = json(run);
    expect(out.diffs.map((diff: { field: string }) => diff.field)).toEqual(["expiresOn", "metadata.ticket", "metadata.reason"]);
    const after = await h.emulator.hooks.getResource(hostNetwork.id);
    expect(after.properties).toMatchObject({ ...before.properties, expiresOn: "2030-04-15T23:59:59.000Z", metadata: { ...before.properties.metadata, ticket: "OPS-1300", managedBy: "akspol" } });
    expect(after.properties.metadata.requestedBy).toBe("platform");
    expect(after.properties.metadata.lastChangedByObjectId).toMatch(/^[0-9a-f-]{36}$/);
    // Found by id under the cluster, read again for the PUT, written whole: nothing else is sent.
    await expectRequests(h.emulator, [
      { method: "GET", path: hostNetwork.id, times: 2 },
      { method: "PUT", path: hostNetwork.id },
    ]);
    const entry = (await h.journal()).find((item) => item.operation === "update");
    expect(entry).toMatchObject({ resourceKind: "policyExemption", resourceId: hostNetwork.id, status: "applied" });
    expect((entry?.before as { properties: { expiresOn: string } }).properties.expiresOn).toBe(before.properties.expiresOn);
  });
  it("applies the waiver cap from now, and --max-days raises it", async () => {
    const capped = await h.run(["--yes", "exempt", "renew", hostNetwork.name, "--expires", "+100d"]);
    expect(capped.code).toBe(2);
    expect(capped.stderr).toContain("at most 90 days");
    const raised = await h.run(["exempt", "renew", hostNetwork.name, "--expires", "+100d", "--max-days", "120", "--dry-run", "-o", "json"]);
    expect(raised.code, raised.stderr).toBe(0);
    expect(json(raised).dryRun).toBe(true);
    expect((await h.emulator.hooks.writes()).filter((write) => /policyexemptions/i.test(write.path))).toEqual([]);
  });
  it("refuses a past date (exit 2, no write)", async () => {
    const run = await h.run(["--yes", "exempt", "renew", hostNetwork.name, "--expires", "2029-12-31"]);
    expect(run.code).toBe(2);
    expect(await h.emulator.hooks.writes()).toEqual([]);
  });
});

describe("exempt delete", () => {
  it("needs --yes without a terminal (exit 2 naming --yes, no request)", async () => {
    const run = await h.run(["exempt", "delete", DEMO.exemptions.legacy.name]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("--yes");
    await expectRequests(h.emulator, []);
  });
  it("asks on a terminal, and a 'no' deletes nothing (exit 130)", async () => {
    const prompter = new ScriptedPrompter([{ match: "Delete exemption aks-dev-legacy", answer: false }]);
    const run = await h.run(["exempt", "delete", DEMO.exemptions.legacy.name], { tty: true, prompter });
    expect(run.code).toBe(130);
    expect(await h.emulator.hooks.writes()).toEqual([]);
  });
  it("deletes after a 'yes', journaling the full exemption as before", async () => {
    const before = await h.emulator.hooks.getResource(DEMO.exemptions.legacy.id);
    const prompter = new ScriptedPrompter([{ match: "Delete exemption aks-dev-legacy", answer: true }]);
    const run = await h.run(["exempt", "delete", DEMO.exemptions.legacy.name, "-o", "json"], { tty: true, prompter });
    expect(run.code, run.stderr).toBe(0);
    expect(json(run)).toMatchObject({ schemaVersion: 1, action: "delete", deleted: true });
    expect(await h.emulator.hooks.getResource(DEMO.exemptions.legacy.id)).toBeUndefined();
    expect((await h.emulator.hooks.writes()).map((write) => [write.method, write.status])).toEqual([["DELETE", 200]]);
    // By name alone: the subscriptions, one exemption list in each, then the one DELETE.
    await expectRequests(h.emulator, [
      { method: "GET", path: "/tenants" },
      { method: "GET", path: "/subscriptions", times: 2 },
      { method: "GET", path: /^\/subscriptions\/[^/]+\/providers\/Microsoft\.Authorization\/policyExemptions$/i, times: 3 },
      { method: "DELETE", path: DEMO.exemptions.legacy.id },
    ]);
    const entry = (await h.journal()).find((item) => item.operation === "delete");
    expect(entry).toMatchObject({ resourceId: DEMO.exemptions.legacy.id, intendedAfter: null, status: "applied" });
    expect((entry?.before as { properties: unknown }).properties).toEqual(before.properties);
  });
  it("deletes with --yes without a terminal", async () => {
    const created = await h.run([
      "--yes",
      "exempt",
      "create",
      "--cluster",
      "aks-dev",
      "--assignment",
      "pss-restricted",
      "--all-policies",
      "--category",
      "waiver",
      "--expires",
      "+3d",
      "--reason",
      "r",
      "--name",
      "short-lived",
    ]);
    expect(created.code, created.stderr).toBe(0);
    const run = await h.run(["exempt", "delete", "short-lived", "--yes"]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain("Deleted exemption short-lived");
  });
});
