import { describe, expect, it } from "vitest";
import { checkExpiry, ExpiryError, parseDayCount, parseExpiry, waiverLimit } from "../../src/exemptions/expiry.js";
import { defaultExemptionName, nameProblem } from "../../src/exemptions/names.js";
import { checkReferences, describeReferenceProblems } from "../../src/exemptions/references.js";
import { didYouMean } from "../../src/did-you-mean.js";
import { isManagedByAkspol, looksSecret, ownerOf, stampMetadata } from "../../src/exemptions/metadata.js";
import { DesiredStateError, parseDesiredState } from "../../src/exemptions/desired-state.js";
import { buildPlan, diffExemption, mergeForUpdate, type DesiredState } from "../../src/exemptions/plan.js";
import type { PolicyExemption, PolicyExemptionProperties } from "../../src/azure/exemptions-client.js";
import { version } from "../../src/version.js";

const now = new Date("2030-03-01T10:00:00Z");

describe("expiry", () => {
  it("reads a date without a time as 23:59:59Z that day", () => {
    expect(parseExpiry("2030-03-15", now).toISOString()).toBe("2030-03-15T23:59:59.000Z");
  });
  it("reads +Nd as N days from now in UTC", () => {
    expect(parseExpiry("+30d", now).toISOString()).toBe("2030-03-31T10:00:00.000Z");
  });
  it("reads full ISO date-times, with offsets and without a zone (UTC)", () => {
    expect(parseExpiry("2030-03-10T12:30:00Z", now).toISOString()).toBe("2030-03-10T12:30:00.000Z");
    expect(parseExpiry("2030-03-10T12:30:00+02:00", now).toISOString()).toBe("2030-03-10T10:30:00.000Z");
    expect(parseExpiry("2030-03-10T12:30", now).toISOString()).toBe("2030-03-10T12:30:00.000Z");
  });
  it.each(["2030-02-30", "tomorrow", "30d", "+0d", "2030-13-01"])("refuses '%s'", (text) => {
    expect(() => parseExpiry(text, now)).toThrow(ExpiryError);
  });
  it("refuses +Nd where a fixed date is needed (desired-state files)", () => {
    expect(() => parseExpiry("+5d", now, { allowRelative: false })).toThrow(/fixed date/);
  });
  it("requires the expiry to be in the future", () => {
    expect(() => checkExpiry({ category: "Mitigated", expiresOn: new Date("2030-02-28T00:00:00Z"), now })).toThrow(/in the past/);
  });
  it("caps waivers at 90 days by default, to the end of that UTC day", () => {
    expect(() => checkExpiry({ category: "Waiver", expiresOn: parseExpiry("+90d", now), now })).not.toThrow();
    expect(() => checkExpiry({ category: "Waiver", expiresOn: parseExpiry("2030-05-30", now), now })).not.toThrow();
    expect(() => checkExpiry({ category: "Waiver", expiresOn: parseExpiry("2030-05-31", now), now })).toThrow(/at most 90 days/);
    expect(waiverLimit(now, 90).toISOString()).toBe("2030-05-30T23:59:59.999Z");
  });
  it("lets --max-days move the cap and leaves mitigated exemptions uncapped", () => {
    expect(() => checkExpiry({ category: "Waiver", expiresOn: parseExpiry("+200d", now), now, maxDays: 365 })).not.toThrow();
    expect(() => checkExpiry({ category: "Mitigated", expiresOn: parseExpiry("+2000d", now), now })).not.toThrow();
  });
  it("allows no expiry only for mitigated exemptions", () => {
    expect(() => checkExpiry({ category: "Mitigated", expiresOn: undefined, now })).not.toThrow();
    expect(() => checkExpiry({ category: "Waiver", expiresOn: undefined, now })).toThrow(/waiver must expire/);
  });
  it("parses --expiring-within", () => {
    expect(parseDayCount("15d", "--expiring-within")).toBe(15);
    expect(parseDayCount("7", "--expiring-within")).toBe(7);
    expect(() => parseDayCount("two weeks", "--expiring-within")).toThrow();
  });
});

describe("names", () => {
  it.each([
    ["ok-name_1", undefined],
    ["", "empty"],
    ["a.b", "contains"],
    ["a/b", "contains"],
    ["trailing ", "ends with a space"],
    ["x".repeat(65), "at most 64"],
  ])("checks '%s'", (name, problem) => {
    if (problem === undefined) expect(nameProblem(name)).toBeUndefined();
    else expect(nameProblem(name)).toContain(problem);
  });
  it("derives the default name from cluster, assignment and sorted policies", () => {
    expect(defaultExemptionName("aks-prod-neu", "pss-baseline", ["NoHostPathVolume", "BlockUsingHostNetwork"])).toBe("aks-prod-neu-pss-baseline-BlockUsingHostNetwork-NoHostPathVolume");
    expect(defaultExemptionName("aks-dev", "pss-restricted", undefined)).toBe("aks-dev-pss-restricted-all");
  });
  it("hashes long default names to fit 64 characters, deterministically and distinctly", () => {
    const policies = ["NoPrivilegedContainers", "BlockUsingHostNetwork", "BlockUsingHostProcessIDAndIPC", "ContainerCapabilities"];
    const first = defaultExemptionName("aks-prod-weu", "pss-baseline", policies);
    const second = defaultExemptionName("aks-prod-weu", "pss-baseline", policies.slice(1));
    expect(first.length).toBeLessThanOrEqual(64);
    expect(first).toMatch(/-[0-9a-f]{8}$/);
    expect(nameProblem(first)).toBeUndefined();
    expect(defaultExemptionName("aks-prod-weu", "pss-baseline", [...policies].reverse())).toBe(first);
    expect(second).not.toBe(first);
  });
  it("replaces characters ARM refuses", () => {
    expect(defaultExemptionName("aks.prod", "my assignment", ["A+B"])).toBe("aks-prod-my-assignment-A-B");
  });
});

describe("references", () => {
  const members = ["NoPrivilegedContainers", "BlockUsingHostNetwork", "BlockUsingHostProcessIDAndIPC", "ContainerCapabilities", "NoHostPathVolume"].map((referenceId) => ({
    referenceId,
    definitionId: `/x/${referenceId}`,
  }));
  it("accepts ids case-insensitively and returns the set's spelling, sorted and unique", () => {
    expect(checkReferences(["blockusinghostnetwork", "NoHostPathVolume", "BlockUsingHostNetwork"], members)).toEqual({ resolved: ["BlockUsingHostNetwork", "NoHostPathVolume"], problems: [] });
  });
  it("suggests the nearest id for a typo or a fragment", () => {
    expect(
      didYouMean(
        "BlockUsingHostNetwrok",
        members.map((m) => m.referenceId),
      ),
    ).toBe("BlockUsingHostNetwork");
    expect(
      didYouMean(
        "HostNetwork",
        members.map((m) => m.referenceId),
      ),
    ).toBe("BlockUsingHostNetwork");
    expect(
      didYouMean(
        "Completely-unrelated",
        members.map((m) => m.referenceId),
      ),
    ).toBeUndefined();
  });
  it("reports every unknown id with 'did you mean' and the valid list", () => {
    const check = checkReferences(["NoPrivilegedContainer", "Bogus"], members);
    const message = describeReferenceProblems(check.problems, members, "'baseline' 1.4.0");
    expect(message).toContain("did you mean 'NoPrivilegedContainers'?");
    expect(message).toContain("'Bogus' is not a policy reference id");
    expect(message).toContain("Valid reference ids: NoPrivilegedContainers, BlockUsingHostNetwork");
  });
});

describe("metadata", () => {
  it("stamps akspol's keys and keeps others", () => {
    const stamped = stampMetadata({ createdBy: "arm-object-id", custom: 1 }, { owner: "team-a", ticket: "CHG-1", reason: "why", principal: { id: "oid", name: "alice" } });
    expect(stamped).toEqual({
      createdBy: "arm-object-id",
      custom: 1,
      managedBy: "akspol",
      akspolVersion: version,
      akspolOwner: "team-a",
      ticket: "CHG-1",
      reason: "why",
      requestedBy: "alice",
      requestedByObjectId: "oid",
    });
    expect(ownerOf(stamped)).toBe("team-a");
    expect(ownerOf({ akspolOwner: "team-a" })).toBeUndefined();
    expect(isManagedByAkspol({})).toBe(false);
  });
  it("recognises secret-looking text", () => {
    expect(looksSecret("password=hunter2")).toBe(true);
    expect(looksSecret("node exporter needs host network")).toBe(false);
  });
});

describe("desired-state file", () => {
  const valid = `owner: team-a
exemptions:
  - name: neu-hostnetwork
    cluster: aks-prod-neu
    assignment: pss-baseline
    policies: [BlockUsingHostNetwork]
    category: waiver
    expires: 2030-04-01
    reason: node exporter
    ticket: OPS-1
  - name: dev-all
    cluster: aks-dev
    assignment: pss-restricted
    policies: all
    category: mitigated
    expires: never
    reason: isolated
`;
  it("parses a valid YAML file", async () => {
    const file = await parseDesiredState(valid, { path: "x.yaml", now });
    expect(file.owner).toBe("team-a");
    expect(file.exemptions.map((entry) => [entry.name, entry.policies, entry.category, entry.expiresOn?.toISOString()])).toEqual([
      ["neu-hostnetwork", ["BlockUsingHostNetwork"], "Waiver", "2030-04-01T23:59:59.000Z"],
      ["dev-all", "all", "Mitigated", undefined],
    ]);
    expect(file.exemptions[0]?.at.policies).toEqual({ line: 6, column: 15 });
  });
  it("parses JSON with the same schema", async () => {
    const text = JSON.stringify({ owner: "team-a", exemptions: [{ name: "n", cluster: "c", assignment: "a", policies: ["P"], category: "Waiver", expires: "2030-03-20", reason: "r" }] }, null, 2);
    const file = await parseDesiredState(text, { path: "x.json", now });
    expect(file.exemptions[0]?.name).toBe("n");
  });
  it("collects every error with line and column, not only the first", async () => {
    const text = `owner: team a
exemptons: []
exemptions:
  - name: bad.name
    cluster: aks-prod-neu
    assignment: pss-baseline
    policies: []
    category: maybe
    expires: 2020-01-01
  - name: ok
    cluster: aks-dev
    assignment: pss-restricted
    policies: all
    category: waiver
    expires: +10d
    reason: "password=hunter2"
`;
    const error = await parseDesiredState(text, { path: "bad.yaml", now }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DesiredStateError);
    const messages = (error as DesiredStateError).message;
    expect(messages).toContain("bad.yaml:1:8: owner 'team a'");
    expect(messages).toContain("bad.yaml:2:1: unknown key 'exemptons' at the top level; did you mean 'exemptions'?");
    expect(messages).toContain("bad.yaml:4:11: exemption name 'bad.name'");
    expect(messages).toContain("bad.yaml:7:15: 'policies' must be a non-empty list");
    expect(messages).toContain("bad.yaml:8:15: category 'maybe'");
    expect(messages).toMatch(/bad\.yaml:4:5: 'reason' is required/);
    expect(messages).toContain("bad.yaml:15:14: expires: '+10d' is relative");
    expect(messages).toContain("bad.yaml:16:13: 'reason' looks like it contains a secret");
    expect((error as DesiredStateError).exitCode).toBe(2);
  });
  it("reports YAML syntax errors with their position", async () => {
    const error = (await parseDesiredState("owner: a\nexemptions:\n  - name: x\n    name: y\n", { path: "dup.yaml", now }).catch((caught: unknown) => caught)) as DesiredStateError;
    expect(error.message).toMatch(/dup\.yaml:4:5: Map keys must be unique/);
  });
  it("rejects a past expiry and a waiver beyond the cap, and honours maxDays", async () => {
    const entry = (expires: string, category = "waiver") => `owner: a\nexemptions:\n  - {name: n, cluster: c, assignment: a, policies: all, category: ${category}, expires: "${expires}", reason: r}\n`;
    await expect(parseDesiredState(entry("2030-02-01"), { path: "f", now })).rejects.toThrow(/f:3:.*in the past/);
    await expect(parseDesiredState(entry("2030-12-01"), { path: "f", now })).rejects.toThrow(/at most 90 days/);
    await expect(parseDesiredState(`maxDays: 365\n${entry("2030-12-01")}`, { path: "f", now })).resolves.toBeDefined();
    await expect(parseDesiredState(entry("never"), { path: "f", now })).rejects.toThrow(/waiver must expire/);
  });
  it("rejects the same name twice on one cluster", async () => {
    const text = `owner: a\nexemptions:\n  - {name: n, cluster: c, assignment: a, policies: all, category: mitigated, expires: never, reason: r}\n  - {name: n, cluster: c, assignment: a, policies: all, category: mitigated, expires: never, reason: r}\n`;
    await expect(parseDesiredState(text, { path: "f", now })).rejects.toThrow(/f:4:5: exemption 'n' on cluster 'c' is listed twice \(first at line 3\)/);
  });
});

describe("plan", () => {
  const cluster = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/aks";
  const assignment = "/subscriptions/s/providers/Microsoft.Authorization/policyAssignments/pss-baseline";
  const props = (overrides: Partial<PolicyExemptionProperties> = {}, owner: string | null = "team-a"): PolicyExemptionProperties => ({
    policyAssignmentId: assignment,
    policyDefinitionReferenceIds: ["BlockUsingHostNetwork"],
    exemptionCategory: "Waiver",
    expiresOn: "2030-04-01T23:59:59Z",
    displayName: "d",
    description: "r",
    metadata: owner ? { managedBy: "akspol", akspolOwner: owner, reason: "r", requestedBy: "someone" } : { reason: "by hand" },
    ...overrides,
  });
  const actual = (name: string, properties: PolicyExemptionProperties, scope = cluster): PolicyExemption => ({
    id: `${scope}/providers/Microsoft.Authorization/policyExemptions/${name}`,
    name,
    type: "Microsoft.Authorization/policyExemptions",
    properties,
  });
  const desired = (name: string, properties: PolicyExemptionProperties): DesiredState => ({
    id: `${cluster}/providers/Microsoft.Authorization/policyExemptions/${name}`,
    scope: cluster,
    name,
    cluster: "aks",
    properties,
  });

  it("plans create, update, replace and unchanged, ignoring who ran akspol", () => {
    const plan = buildPlan({
      owner: "team-a",
      desired: [
        desired("new", props()),
        desired("same", { ...props(), metadata: { managedBy: "akspol", akspolOwner: "team-a", reason: "r", requestedBy: "someone-else", akspolVersion: "9" } }),
        desired("later", props({ expiresOn: "2030-05-01T00:00:00Z" })),
        desired("moved", props({ policyAssignmentId: assignment.replace("pss-baseline", "pss-other") })),
      ],
      actual: [actual("same", props({ expiresOn: "2030-04-01T23:59:59.000Z" })), actual("later", props()), actual("moved", props())],
      coveredScopes: [cluster],
      prune: false,
    });
    expect(plan.actions.map((action) => [action.name, action.action])).toEqual([
      ["new", "create"],
      ["same", "unchanged"],
      ["later", "update"],
      ["moved", "replace"],
    ]);
    const update = plan.actions[2];
    expect(update && "diffs" in update ? update.diffs : []).toEqual([{ field: "expiresOn", before: "2030-04-01T23:59:59Z", after: "2030-05-01T00:00:00Z" }]);
  });

  it("prunes only this owner's akspol exemptions within the covered scopes", () => {
    const elsewhere = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/other";
    const input = {
      owner: "team-a",
      desired: [],
      actual: [actual("mine", props()), actual("theirs", props({}, "team-b")), actual("by-hand", props({}, null)), actual("mine-elsewhere", props(), elsewhere)],
      coveredScopes: [cluster],
    };
    expect(buildPlan({ ...input, prune: true }).actions.map((action) => [action.name, action.action])).toEqual([["mine", "delete"]]);
    const withoutPrune = buildPlan({ ...input, prune: false });
    expect(withoutPrune.actions).toEqual([]);
    expect(withoutPrune.prunable.map((action) => action.name)).toEqual(["mine"]);
  });

  it("refuses to take over an exemption of another owner or one made by hand", () => {
    const plan = buildPlan({
      owner: "team-a",
      desired: [desired("theirs", props()), desired("by-hand", props())],
      actual: [actual("theirs", props({}, "team-b")), actual("by-hand", props({}, null))],
      coveredScopes: [cluster],
      prune: true,
    });
    expect(plan.conflicts.map((conflict) => [conflict.name, conflict.owner])).toEqual([
      ["theirs", "team-b"],
      ["by-hand", undefined],
    ]);
    expect(plan.actions).toEqual([]);
  });

  it("merges an update into the full exemption, keeping selectors and foreign metadata", () => {
    const current = props({ resourceSelectors: [{ name: "eu" }], assignmentScopeValidation: "Default", metadata: { managedBy: "akspol", akspolOwner: "team-a", ticket: "OLD-1", custom: "keep" } });
    const merged = mergeForUpdate(current, props({ policyDefinitionReferenceIds: undefined, expiresOn: undefined, metadata: { managedBy: "akspol", akspolOwner: "team-a", reason: "r" } }));
    expect(merged.resourceSelectors).toEqual([{ name: "eu" }]);
    expect(merged.assignmentScopeValidation).toBe("Default");
    expect(merged.metadata).toEqual({ managedBy: "akspol", akspolOwner: "team-a", reason: "r", custom: "keep" });
    expect("policyDefinitionReferenceIds" in merged).toBe(false);
    expect("expiresOn" in merged).toBe(false);
    expect(diffExemption(current, merged).map((diff) => diff.field)).toEqual(["policyDefinitionReferenceIds", "expiresOn", "metadata.ticket", "metadata.reason"]);
  });
});
