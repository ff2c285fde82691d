// The findings engine over plain data: what the emulator cannot express (Deployment Safeguards) and
// the rules' edge cases, table-driven.
import { describe, expect, test } from "vitest";
import { buildMatrix } from "../../src/audit/matrix.js";
import { evaluate, displayNamePattern } from "../../src/audit/rules.js";
import { parseAcceptedFile } from "../../src/audit/accepted.js";
import { buildReport, gateFails } from "../../src/audit/report.js";
import type { AuditData, Carrier } from "../../src/audit/types.js";
import { enforcementOf, type AssignmentEnforcement, type DefinitionDocument, type SafeguardsSetting } from "../../src/effective/index.js";
import { BUILTIN_DEFINITIONS, BUILTIN_INITIATIVES } from "../../src/check/builtins.js";
import { carrierFrom } from "../../src/audit/collect.js";

const NOW = new Date("2026-06-01T00:00:00Z");
const sub = "11111111-1111-4111-8111-111111111111";
const clusterId = `/subscriptions/${sub}/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/aks`;

const baselineSet = BUILTIN_INITIATIVES.baseline as unknown as DefinitionDocument;

/** A baseline carrier at the subscription, through the model, as the collector builds it. */
function carrier(effect: string, properties: Record<string, unknown> = {}): Carrier {
  const assignment = {
    id: `/subscriptions/${sub}/providers/Microsoft.Authorization/policyAssignments/pss`,
    name: "pss",
    scope: `/subscriptions/${sub}`,
    policyDefinitionId: baselineSet.id,
    parameters: { effect: { value: effect } },
    ...properties,
  };
  const enforcement = enforcementOf({ assignment, definition: baselineSet, memberDefinitions: BUILTIN_DEFINITIONS as unknown as DefinitionDocument[] });
  enforcements.set(assignment.id, enforcement);
  return carrierFrom(assignment, baselineSet, enforcement);
}
const enforcements = new Map<string, AssignmentEnforcement>();

function data(carriers: Carrier[], safeguards?: SafeguardsSetting): AuditData {
  return {
    generatedAt: NOW.toISOString(),
    scopes: [{ scope: `/subscriptions/${sub}`, label: "sub", status: "ok" }],
    clusters: [
      { id: clusterId, name: "aks", subscriptionId: sub, resourceGroup: "rg", location: "westeurope", azurePolicyEnabled: true, tags: {}, managementGroups: [], ...(safeguards ? { safeguards } : {}) },
    ],
    carriers,
    enforcements: Object.fromEntries(carriers.map((entry) => [entry.id, enforcements.get(entry.id) as AssignmentEnforcement])),
    exemptions: [],
    assignmentIds: carriers.map((entry) => entry.id.toLowerCase()),
    subscriptionNames: { [sub]: "sub" },
  };
}

const safeguards = (level: string): SafeguardsSetting => ({
  id: `${clusterId}/providers/Microsoft.ContainerService/deploymentSafeguards/default`,
  clusterId,
  level,
  excludedNamespaces: [],
  systemExcludedNamespaces: ["kube-system"],
  podSecurityStandardsLevel: "Restricted",
  apiVersion: "2025-05-02-preview",
});

const options = { maxDays: 90, expiringWithinDays: 14 };
const rulesFor = (input: AuditData) => evaluate(input, buildMatrix(input, NOW), options, NOW).map((finding) => finding.ruleId);

describe("Deployment Safeguards against the carriers (AKS104)", () => {
  test.each([
    ["Warn while a carrier denies", "Deny", "Warn", true],
    ["Enforce while carriers only audit", "Audit", "Enforce", true],
    ["Warn while carriers audit", "Audit", "Warn", false],
    ["Enforce while a carrier denies", "Deny", "Enforce", false],
  ] as const)("%s", (_name, effect, level, raised) => {
    expect(rulesFor(data([carrier(effect)], safeguards(level))).includes("AKS104")).toBe(raised);
  });

  test("Safeguards at Warn fill the members no carrier delivers in the matrix", () => {
    const views = buildMatrix(data([carrier("Deny")], safeguards("Warn")), NOW);
    const states = Object.fromEntries(views[0]?.members.map((member) => [member.referenceId, member.state]) ?? []);
    expect(states.NoPrivilegedContainers).toBe("deny");
    expect(states.AllowedSeccompProfiles).toBe("warn");
  });
});

describe("edge cases", () => {
  test("Deny under DoNotEnforce only audits; the cluster is then not protected", () => {
    const report = buildReport(data([carrier("Deny", { enforcementMode: "DoNotEnforce" })]), { ...options, expect: "baseline" }, [], NOW);
    expect(report.clusters[0]?.members.find((member) => member.referenceId === "NoPrivilegedContainers")?.reason).toContain("DoNotEnforce");
    expect(report.clusters[0]?.members.find((member) => member.referenceId === "NoPrivilegedContainers")?.state).toBe("audit");
    expect(report.summary.coverage.unprotected).toBe(1);
  });

  test("a wildcard '*' is high, a prefix medium", () => {
    const withExcluded = (list: string[]) => carrier("Deny", { parameters: { effect: { value: "Deny" }, excludedNamespaces: { value: list } } });
    const severity = (list: string[]) => evaluate(data([withExcluded(list)]), buildMatrix(data([withExcluded(list)]), NOW), options, NOW).find((finding) => finding.ruleId === "AKS201")?.severity;
    expect(severity(["kube-system", "gatekeeper-system", "azure-arc", "*"])).toBe("high");
    expect(severity(["kube-system", "gatekeeper-system", "azure-arc", "team-*"])).toBe("medium");
  });

  test.each([
    ["Pod security baseline (prod)", "pod security baseline"],
    ["PSS restricted - dev", "pss restricted"],
    ["Plain name", undefined],
  ])("display-name pattern of '%s'", (name, pattern) => {
    expect(displayNamePattern(name)).toBe(pattern);
  });

  test("the gate fails at or above --fail-on, never on info, never with 'never'", () => {
    const report = buildReport(data([carrier("Audit")]), { ...options, expectEffect: "deny" }, [], NOW);
    expect(report.findings.map((finding) => finding.severity)).toContain("high");
    expect(gateFails(report, "high")).toBe(true);
    expect(gateFails(report, "never")).toBe(false);
    const infoOnly = { ...report, findings: report.findings.map((finding) => ({ ...finding, severity: "info" as const })) };
    expect(gateFails(infoOnly, "low")).toBe(false);
  });
});

describe("--accepted file", () => {
  test.each([
    ["not YAML", "accepted: [", /not valid YAML/],
    ["no list", "other: 1", /no 'accepted' list/],
    ["unknown rule", "accepted:\n  - rule: NOPE\n    resource: /x\n    reason: r\n    expires: 2026-01-01", /unknown rule 'NOPE'/],
    ["no reason", "accepted:\n  - rule: AKS201\n    resource: /x\n    expires: 2026-01-01", /'reason' is required/],
    ["bad date", "accepted:\n  - rule: AKS201\n    resource: /x\n    reason: r\n    expires: soon", /'expires' must be a date/],
  ])("%s is a usage error", (_name, text, message) => {
    expect(() => parseAcceptedFile(text, "accepted.yaml")).toThrow(message);
  });

  test("a date means the end of that day (UTC)", () => {
    expect(parseAcceptedFile("accepted:\n  - rule: aks201\n    resource: /x\n    reason: r\n    expires: '2026-12-31'", "f")).toEqual([
      { ruleId: "AKS201", resource: "/x", reason: "r", expires: "2026-12-31T23:59:59.000Z" },
    ]);
  });
});
