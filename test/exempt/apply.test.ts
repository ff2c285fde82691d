import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { DEMO } from "../../src/emulator/demo-seed.js";
import { json, startHarness, type ExemptHarness } from "./helpers.js";

const neu = DEMO.clusters.prodNeu;
const dev = DEMO.clusters.dev;
const idOf = (cluster: string, name: string) => `${cluster}/providers/Microsoft.Authorization/policyExemptions/${name}`;

interface Entry {
  name: string;
  cluster: string;
  assignment?: string;
  policies?: string;
  category?: string;
  expires?: string;
  reason?: string;
  ticket?: string;
}

/** A desired-state file in YAML. */
function fileText(owner: string, entries: Entry[], extra = ""): string {
  const lines = [`owner: ${owner}`, extra, "exemptions:"].filter(Boolean);
  if (entries.length === 0) lines[lines.length - 1] = "exemptions: []";
  for (const entry of entries) {
    lines.push(
      `  - name: ${entry.name}`,
      `    cluster: ${entry.cluster}`,
      `    assignment: ${entry.assignment ?? "pss-baseline"}`,
      `    policies: ${entry.policies ?? "[BlockUsingHostNetwork]"}`,
      `    category: ${entry.category ?? "waiver"}`,
      `    expires: ${entry.expires ?? "2030-04-15"}`,
      `    reason: ${entry.reason ?? "node exporter needs the host network"}`,
      ...(entry.ticket ? [`    ticket: ${entry.ticket}`] : []),
    );
  }
  return `${lines.join("\n")}\n`;
}

describe("exempt apply: plan, idempotency, updates", () => {
  let h: ExemptHarness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());
  beforeEach(() => h.emulator.hooks.resetRequests());

  const entries: Entry[] = [
    { name: "neu-hostnetwork", cluster: "aks-prod-neu", ticket: "OPS-2001" },
    { name: "dev-all", cluster: "aks-dev", assignment: "pss-restricted", policies: "all", category: "mitigated", expires: "never", reason: "isolated by network policy" },
  ];

  it("prints a plan and writes nothing with --dry-run", async () => {
    const path = h.writeFile("platform.yaml", fileText("platform-team", entries));
    const run = await h.run(["exempt", "apply", "-f", path, "--dry-run"]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain("Plan for");
    expect(run.stdout).toContain("2 to create, 0 to update, 0 to replace, 0 to delete, 0 unchanged");
    expect(run.stdout).toMatch(/\+ create\s+neu-hostnetwork\s+\(cluster aks-prod-neu\)/);
    expect(await h.emulator.hooks.writes()).toEqual([]);
  });

  it("creates what is missing, stamped with the owner, one PUT each, each journaled", async () => {
    const path = h.writeFile("platform.yaml", fileText("platform-team", entries));
    const run = await h.run(["--yes", "exempt", "apply", "-f", path, "-o", "json"]);
    expect(run.code, run.stderr).toBe(0);
    const report = json(run);
    expect(report).toMatchObject({ schemaVersion: 1, owner: "platform-team", counts: { create: 2, unchanged: 0 }, failed: 0 });
    expect(report.results.map((result: { name: string; status: string }) => [result.name, result.status]).sort()).toEqual([
      ["dev-all", "applied"],
      ["neu-hostnetwork", "applied"],
    ]);
    expect((await h.emulator.hooks.writes()).map((write) => [write.method, write.status])).toEqual([
      ["PUT", 201],
      ["PUT", 201],
    ]);
    const stored = await h.emulator.hooks.getResource(idOf(neu.id, "neu-hostnetwork"));
    expect(stored.properties.metadata).toMatchObject({ managedBy: "akspol", akspolOwner: "platform-team", ticket: "OPS-2001" });
    expect(stored.properties.expiresOn).toBe("2030-04-15T23:59:59.000Z");
    const devAll = await h.emulator.hooks.getResource(idOf(dev.id, "dev-all"));
    expect(devAll.properties.expiresOn).toBeUndefined();
    expect(devAll.properties.policyDefinitionReferenceIds).toBeUndefined();
    expect((await h.journal()).filter((entry) => entry.operation === "create" && entry.status === "applied")).toHaveLength(2);
  });

  it("is idempotent: a second run plans nothing and sends no write", async () => {
    const path = h.writeFile("platform.yaml", fileText("platform-team", entries));
    const run = await h.run(["--yes", "exempt", "apply", "-f", path]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain("0 to create, 0 to update, 0 to replace, 0 to delete, 2 unchanged");
    expect(run.stderr).toContain("Nothing to do");
    expect(await h.emulator.hooks.writes()).toEqual([]);
  });

  it("updates a changed field by GET plus a full PUT and shows the field diff", async () => {
    const changed = [{ ...entries[0], expires: "2030-05-01", ticket: "OPS-2002" } as Entry, entries[1] as Entry];
    const path = h.writeFile("platform.yaml", fileText("platform-team", changed));
    const run = await h.run(["--yes", "exempt", "apply", "-f", path]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/~ update\s+neu-hostnetwork/);
    expect(run.stderr).toContain("expiresOn: 2030-04-15T23:59:59.000Z -> 2030-05-01T23:59:59Z");
    expect(run.stderr).toContain("metadata.ticket: OPS-2001 -> OPS-2002");
    const exemptionRequests = (await h.emulator.hooks.requests()).filter((request) => /policyExemptions\/neu-hostnetwork/i.test(request.path));
    expect(exemptionRequests.map((request) => request.method)).toEqual(["GET", "PUT"]);
    const update = (await h.journal()).find((entry) => entry.operation === "update");
    expect((update?.before as { properties: { expiresOn: string } }).properties.expiresOn).toBe("2030-04-15T23:59:59.000Z");
    const again = await h.run(["--yes", "exempt", "apply", "-f", path]);
    expect(again.code).toBe(0);
    expect((await h.emulator.hooks.writes()).filter((write) => write.method !== "GET")).toHaveLength(1);
  });
});

describe("exempt apply: settle intervals overlap", () => {
  let h: ExemptHarness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());

  it("with --concurrency 2, the writes do not wait out their settle interval two at a time: more than 2 PUTs precede the first verifying read", async () => {
    const entries: Entry[] = Array.from({ length: 8 }, (_, index) => ({
      name: `settle-${index}`,
      cluster: index % 2 ? neu.name : dev.name,
      assignment: index % 2 ? "pss-baseline" : "pss-restricted",
    }));
    const path = h.writeFile("settle.yaml", fileText("settle-team", entries));
    h.emulator.hooks.resetRequests();
    // A settle interval far longer than a few PUTs take even on a loaded machine; the test waits for
    // the writes to finish, it does not measure them.
    const run = await h.run(["--yes", "--concurrency", "2", "exempt", "apply", "-f", path], { env: { AKSPOL_VERIFY_SETTLE_MS: "10000" } });
    expect(run.code, run.stderr).toBe(0);
    const requests = (await h.emulator.hooks.requests()).filter((request) => /policyExemptions\/settle-/i.test(request.path));
    const put = new Set<string>();
    let putsBeforeFirstVerify = -1;
    for (const request of requests) {
      const name = request.path.toLowerCase();
      if (request.method === "PUT") put.add(name);
      else if (request.method === "GET" && put.has(name)) {
        putsBeforeFirstVerify = put.size;
        break;
      }
    }
    // Before: a pool of --concurrency writes, each holding its place through the settle interval,
    // sent exactly 2 PUTs before the first verifying GET.
    expect(putsBeforeFirstVerify).toBeGreaterThan(2);
    expect(requests.filter((request) => request.method === "PUT")).toHaveLength(8);
    expect(requests.filter((request) => request.method === "GET")).toHaveLength(16);
  });
});

describe("exempt apply: validation before any write", () => {
  let h: ExemptHarness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());
  beforeEach(() => h.emulator.hooks.resetRequests());

  it("rejects an invalid file whole with file:line:column for each error, before any request", async () => {
    const path = h.writeFile(
      "bad.yaml",
      "owner: platform-team\nexemptions:\n  - name: a.b\n    cluster: aks-prod-neu\n    assignment: pss-baseline\n    policies: [BlockUsingHostNetwork]\n    category: waiver\n    expires: +10d\n  - name: ok\n    cluster: aks-dev\n    assignment: pss-restricted\n    policies: all\n    category: someday\n    expires: 2030-03-10\n    reason: r\n",
    );
    const run = await h.run(["--yes", "exempt", "apply", "-f", path]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`${path}:3:11: exemption name 'a.b'`);
    expect(run.stderr).toContain(`${path}:3:5: 'reason' is required`);
    expect(run.stderr).toContain(`${path}:8:14: expires: '+10d' is relative`);
    expect(run.stderr).toContain(`${path}:13:15: category 'someday'`);
    expect(await h.emulator.hooks.requests()).toEqual([]);
  });

  it("checks clusters, assignments and reference ids against Azure and reports them at their lines (exit 2, no write)", async () => {
    const path = h.writeFile(
      "azure.yaml",
      fileText("platform-team", [
        { name: "typo", cluster: "aks-prod-neu", policies: "[BlockUsingHostNetwrok]" },
        { name: "outside", cluster: "aks-sandbox", assignment: "pss-restricted", policies: "all" },
        { name: "missing", cluster: "aks-nowhere" },
        { name: "fine", cluster: "aks-prod-weu" },
      ]),
    );
    const run = await h.run(["--yes", "exempt", "apply", "-f", path]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`${path}:6:15: 'BlockUsingHostNetwrok' is not a policy reference id`);
    expect(run.stderr).toContain("did you mean 'BlockUsingHostNetwork'?");
    expect(run.stderr).toContain(`${path}:12:17: Assignment 'pss-restricted' does not apply to cluster aks-sandbox`);
    expect(run.stderr).toContain(`${path}:18:14: no AKS cluster named 'aks-nowhere'`);
    expect(run.stderr).not.toContain("fine");
    expect(await h.emulator.hooks.writes()).toEqual([]);
  });

  it("leaves no exemption for a principal without permission (exit 4)", async () => {
    const path = h.writeFile("reader.yaml", fileText("platform-team", [{ name: "reader-try", cluster: "aks-prod-neu" }]));
    const run = await h.run(["--yes", "exempt", "apply", "-f", path, "--principal", "reader"]);
    expect(run.code).toBe(4);
    expect((await h.emulator.hooks.writes()).map((write) => [write.method, write.status])).toEqual([["PUT", 403]]);
    expect(await h.emulator.hooks.getResource(idOf(neu.id, "reader-try"))).toBeUndefined();
  });
});

describe("exempt apply: ownership and --prune", () => {
  let h: ExemptHarness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());
  beforeEach(() => h.emulator.hooks.resetRequests());

  const teamA = [
    { name: "a-hostnetwork", cluster: "aks-prod-neu" },
    { name: "a-hostpath", cluster: "aks-prod-neu", policies: "[NoHostPathVolume]" },
  ];
  const teamB = [{ name: "b-capabilities", cluster: "aks-prod-neu", policies: "[ContainerCapabilities]" }];

  it("lets two owners' files share a cluster without touching each other's exemptions", async () => {
    const a = h.writeFile("a.yaml", fileText("team-a", teamA));
    const b = h.writeFile("b.yaml", fileText("team-b", teamB));
    expect((await h.run(["--yes", "exempt", "apply", "-f", a, "--prune"])).code).toBe(0);
    expect((await h.run(["--yes", "exempt", "apply", "-f", b, "--prune"])).code).toBe(0);
    await h.emulator.hooks.resetRequests();
    const againA = await h.run(["--yes", "exempt", "apply", "-f", a, "--prune"]);
    const againB = await h.run(["--yes", "exempt", "apply", "-f", b, "--prune"]);
    expect(againA.stdout).toContain("0 to delete, 2 unchanged");
    expect(againB.stdout).toContain("0 to delete, 1 unchanged");
    expect(await h.emulator.hooks.writes()).toEqual([]);
    const names = (await h.emulator.hooks.listResources("Microsoft.Authorization/policyExemptions")).map((item: { name: string }) => item.name).sort();
    expect(names).toEqual(["a-hostnetwork", "a-hostpath", "aks-dev-legacy", "aks-prod-weu-hostnetwork", "b-capabilities"]);
  });

  it("without --prune only reports what the owner no longer lists", async () => {
    const a = h.writeFile("a.yaml", fileText("team-a", teamA.slice(0, 1)));
    const run = await h.run(["--yes", "exempt", "apply", "-f", a]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("(not in the file) a-hostpath");
    expect(run.stdout).toContain("--prune would delete it");
    expect(await h.emulator.hooks.writes()).toEqual([]);
  });

  it("--prune deletes only the owner's exemptions in the covered scopes, never another owner's or hand-made ones", async () => {
    // Team A now lists nothing on aks-prod-neu but still covers it, and covers aks-prod-weu where a hand-made exemption lives.
    const a = h.writeFile("a.yaml", fileText("team-a", [], `scopes:\n  - aks-prod-neu\n  - ${DEMO.clusters.prodWeu.id}`));
    const run = await h.run(["--yes", "exempt", "apply", "-f", a, "--prune", "-o", "json"]);
    expect(run.code, run.stderr).toBe(0);
    const report = json(run);
    expect(report.actions.map((action: { action: string; name: string }) => [action.action, action.name]).sort()).toEqual([
      ["delete", "a-hostnetwork"],
      ["delete", "a-hostpath"],
    ]);
    expect((await h.emulator.hooks.writes()).map((write) => write.method)).toEqual(["DELETE", "DELETE"]);
    const names = (await h.emulator.hooks.listResources("Microsoft.Authorization/policyExemptions")).map((item: { name: string }) => item.name).sort();
    expect(names).toEqual(["aks-dev-legacy", "aks-prod-weu-hostnetwork", "b-capabilities"]);
    const deletes = (await h.journal()).filter((entry) => entry.operation === "delete");
    expect(deletes.map((entry) => (entry.before as { name: string }).name).sort()).toEqual(["a-hostnetwork", "a-hostpath"]);
    expect(deletes.every((entry) => entry.intendedAfter === null)).toBe(true);
  });

  it("refuses to take over a name owned by another owner or made by hand (exit 5, no write)", async () => {
    const taken = h.writeFile(
      "a.yaml",
      fileText("team-a", [
        { name: "b-capabilities", cluster: "aks-prod-neu" },
        { name: "aks-prod-weu-hostnetwork", cluster: "aks-prod-weu" },
      ]),
    );
    const run = await h.run(["--yes", "exempt", "apply", "-f", taken]);
    expect(run.code).toBe(5);
    expect(run.stderr).toContain(`${taken}:3:11: exemption 'b-capabilities' on aks-prod-neu exists and belongs to owner 'team-b'`);
    expect(run.stderr).toContain("'aks-prod-weu-hostnetwork' on aks-prod-weu exists and was not made by an akspol desired-state file");
    expect(await h.emulator.hooks.writes()).toEqual([]);
  });
});

describe("exempt apply: replace, faults and convergence", () => {
  let h: ExemptHarness;
  beforeAll(async () => {
    h = await startHarness();
    // A second baseline assignment on the prod resource group, so an entry can move between assignments.
    await h.emulator.hooks.seed({
      policyAssignments: [
        {
          scope: `/subscriptions/${DEMO.subscriptions.prod.id}/resourceGroups/rg-aks-prod`,
          name: "pss-baseline-rg",
          properties: { displayName: "Pod security baseline (rg)", policyDefinitionId: DEMO.policySetDefinitions.baseline, definitionVersion: "1.*.*", parameters: { effect: { value: "Audit" } } },
        },
      ],
    });
  });
  afterAll(() => h.close());
  beforeEach(() => h.emulator.hooks.resetRequests());

  it("replaces an exemption whose assignment changes: delete the old, create the new, two journal entries", async () => {
    const path = h.writeFile("r.yaml", fileText("team-r", [{ name: "moving", cluster: "aks-prod-neu" }]));
    expect((await h.run(["--yes", "exempt", "apply", "-f", path])).code).toBe(0);
    const moved = h.writeFile("r.yaml", fileText("team-r", [{ name: "moving", cluster: "aks-prod-neu", assignment: "pss-baseline-rg" }]));
    await h.emulator.hooks.resetRequests();
    const run = await h.run(["--yes", "exempt", "apply", "-f", moved]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/-\/\+ replace\s+moving/);
    expect(run.stderr).toContain("policyAssignmentId: /subscriptions/11111111-1111-4111-8111-111111111111/providers/Microsoft.Authorization/policyAssignments/pss-baseline -> ");
    expect((await h.emulator.hooks.writes()).map((write) => [write.method, write.status])).toEqual([
      ["DELETE", 200],
      ["PUT", 201],
    ]);
    const stored = await h.emulator.hooks.getResource(idOf(neu.id, "moving"));
    expect(stored.properties.policyAssignmentId).toMatch(/pss-baseline-rg$/);
    const entries = (await h.journal()).filter((entry) => entry.resourceId.endsWith("/moving")).slice(-2);
    expect(entries.map((entry) => [entry.operation, entry.before === null, entry.intendedAfter === null])).toEqual([
      ["delete", false, true],
      ["create", true, false],
    ]);
  });

  it("completes the other writes when some fail after the SDK's retries (exit 7 with a report), and a re-run converges", async () => {
    const entries: Entry[] = [
      { name: "fault-throttled", cluster: "aks-prod-neu", policies: "[NoPrivilegedContainers]" },
      { name: "fault-unavailable", cluster: "aks-prod-neu", policies: "[ContainerCapabilities]" },
      { name: "fault-once", cluster: "aks-prod-neu", policies: "[NoHostPathVolume]" },
      { name: "fault-free", cluster: "aks-dev", assignment: "pss-restricted", policies: "[AllowedSeccompProfiles]" },
    ];
    const path = h.writeFile("f.yaml", fileText("team-f", entries));
    // The SDK makes 5 attempts (maxRetries 4): 8 faults outlast them, 1 is retried away.
    await h.emulator.hooks.injectFault({ method: "PUT", pathPattern: "policyExemptions/fault-throttled$", count: 8, kind: "429", retryAfterMs: 5 });
    await h.emulator.hooks.injectFault({ method: "PUT", pathPattern: "policyExemptions/fault-unavailable$", count: 8, kind: "503", retryAfterMs: 5 });
    await h.emulator.hooks.injectFault({ method: "PUT", pathPattern: "policyExemptions/fault-once$", count: 1, kind: "500" });
    const first = await h.run(["--yes", "exempt", "apply", "-f", path, "-o", "json"]);
    expect(first.code).toBe(7);
    const report = json(first);
    expect(report.failed).toBe(2);
    expect(
      report.results
        .filter((result: { status: string }) => result.status === "failed")
        .map((result: { name: string }) => result.name)
        .sort(),
    ).toEqual(["fault-throttled", "fault-unavailable"]);
    expect(first.stderr).toContain("2 of 4 write(s) failed");
    expect(first.stderr).toContain("Run the same apply again");
    expect(await h.emulator.hooks.getResource(idOf(neu.id, "fault-once"))).toBeDefined();
    expect(await h.emulator.hooks.getResource(idOf(dev.id, "fault-free"))).toBeDefined();
    expect(await h.emulator.hooks.getResource(idOf(neu.id, "fault-throttled"))).toBeUndefined();
    const failedEntries = (await h.journal()).filter((entry) => entry.status === "failed");
    expect(failedEntries.map((entry) => entry.resourceId.split("/").pop()).sort()).toEqual(["fault-throttled", "fault-unavailable"]);

    // Whatever the SDK's retries left of the faults is cleared: the service has recovered.
    await h.emulator.hooks.clearFaults();
    await h.emulator.hooks.resetRequests();
    const second = await h.run(["--yes", "exempt", "apply", "-f", path]);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stderr).toContain("2 to create, 0 to update, 0 to replace, 0 to delete, 2 unchanged");
    expect((await h.emulator.hooks.writes()).map((write) => write.status)).toEqual([201, 201]);

    await h.emulator.hooks.resetRequests();
    const third = await h.run(["--yes", "exempt", "apply", "-f", path]);
    expect(third.code).toBe(0);
    expect(third.stdout).toContain("4 unchanged");
    expect(await h.emulator.hooks.writes()).toEqual([]);
  });
});
