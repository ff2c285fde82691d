// `akspol audit` against the audit tenant (src/emulator/audit-seed.ts) over real HTTPS: every finding,
// every output format checked against its schema or parsed, the gate, acceptances, a failing subscription.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { Ajv } from "ajv";
import ajvFormats from "ajv-formats";
import ajvDraft04 from "ajv-draft-04";
import { parse as parseCsv } from "csv-parse/sync";
import { XMLParser } from "fast-xml-parser";
import { AUDIT_TENANT } from "../../src/emulator/audit-seed.js";
import { rules } from "../../src/audit/rules.js";
import type { AuditReport } from "../../src/audit/types.js";
import type { TestEmulator } from "../helpers/emulator.js";
import { audit, healthySubscriptions, startAuditTenant } from "./helpers.js";

// CommonJS packages: under nodenext their default import is module.exports, whose .default is the API.
const addFormats = ((ajvFormats as { default?: unknown }).default ?? ajvFormats) as typeof ajvFormats.default;
const AjvDraft04 = ((ajvDraft04 as { default?: unknown }).default ?? ajvDraft04) as typeof ajvDraft04.default;

let emu: TestEmulator;
let dir: string;
beforeAll(async () => {
  emu = await startAuditTenant();
  dir = mkdtempSync(join(tmpdir(), "akspol-audit-"));
});
afterAll(async () => {
  await emu?.close();
  rmSync(dir, { recursive: true, force: true });
});

const strict = ["--subscription", healthySubscriptions, "--expect", "restricted", "--expect-effect", "deny"];

async function jsonReport(argv: string[]): Promise<{ code: number; report: AuditReport; stderr: string }> {
  const run = await audit(emu, [...argv, "-o", "json"]);
  return { code: run.code, report: JSON.parse(run.stdout) as AuditReport, stderr: run.stderr };
}

describe("findings on the audit tenant", () => {
  test("every rule the emulator can express is raised (all but Safeguards, which unit tests cover, and acceptances, tested below)", async () => {
    const { code, report } = await jsonReport(strict);
    expect(code).toBe(6);
    const raised = new Set(report.findings.map((finding) => finding.ruleId));
    const expected = rules.map((rule) => rule.id).filter((id) => id !== "AKS104" && id !== "AKS901");
    expect([...raised].sort()).toEqual(expected.sort());
  });

  test("each finding has a stable id (rule + resource), evidence and a recommendation with a command", async () => {
    const first = await jsonReport(strict);
    const second = await jsonReport(strict);
    expect(second.report.findings.map((finding) => finding.id)).toEqual(first.report.findings.map((finding) => finding.id));
    for (const finding of first.report.findings) {
      expect(finding.id).toBe(`${finding.ruleId}:${finding.resource.toLowerCase()}`);
      expect(Object.keys(finding.evidence).length).toBeGreaterThan(0);
      expect(finding.recommendation.length).toBeGreaterThan(0);
    }
  });

  test("the findings name the resources the seed arranged", async () => {
    const { report } = await jsonReport(strict);
    const on = (ruleId: string) => report.findings.filter((finding) => finding.ruleId === ruleId).map((finding) => finding.resource);
    const { clusters, assignments, exemptions } = AUDIT_TENANT;
    expect(on("AKS001")).toEqual([clusters.paAddonOff]);
    expect(on("AKS002").sort()).toEqual([clusters.paLegacy, clusters.pbExcluded].sort());
    expect(on("AKS003")).toContain(clusters.pbBaselineOnly);
    expect(on("AKS004")).toEqual([assignments.devRestricted]);
    expect(on("AKS005")).toEqual([assignments.prodBaseline]);
    expect(on("AKS006")).toEqual([assignments.prodBaseline]);
    expect(on("AKS101")).toEqual([assignments.prodARestricted]);
    expect(on("AKS102")).toEqual([assignments.devRestricted]);
    expect(on("AKS103")).toEqual([assignments.prodARestricted]);
    expect(on("AKS201")).toEqual([assignments.prodARestricted]);
    expect(on("AKS202")).toEqual([assignments.devRestricted]);
    expect(on("AKS203")).toEqual([assignments.devRestricted]);
    expect(on("AKS204")).toEqual([assignments.prodBaseline]);
    expect(on("AKS206")).toContain(clusters.paOne);
    expect(on("AKS301")).toEqual([exemptions.broad]);
    expect(on("AKS302").sort()).toEqual([exemptions.broad, exemptions.long].sort());
    expect(on("AKS303")).toEqual([exemptions.expiring]);
    expect(on("AKS304")).toEqual([exemptions.expired]);
    expect(on("AKS305")).toEqual([exemptions.stale]);
    expect(on("AKS306")).toEqual([exemptions.orphan]);
    expect(on("AKS307")).toEqual([exemptions.broad]);
    expect(on("AKS401")).toEqual([assignments.prodARestricted]);
    expect(on("AKS403")).toEqual([assignments.devAkspolConverted]);
    const drift = report.findings.find((finding) => finding.ruleId === "AKS205" && /management group fabrikam-prod/.test(finding.message));
    expect(drift?.evidence.diff).toEqual([
      { assignment: assignments.prodARestricted, extra: ["prod-*"], missing: [] },
      { assignment: assignments.prodBRestricted, extra: [], missing: ["prod-*"] },
    ]);
    const overlap = report.findings.find((finding) => finding.ruleId === "AKS501" && finding.resource === clusters.pbOne);
    expect(JSON.stringify(overlap?.evidence)).toContain(assignments.prodBaseline);
  });

  test("the matrix holds each cluster's effective pod security per member", async () => {
    const { report } = await jsonReport(strict);
    const cluster = (id: string) => report.clusters.find((view) => view.id === id);
    expect(cluster(AUDIT_TENANT.clusters.paAddonOff)?.members.every((member) => member.state === "no-addon")).toBe(true);
    const pbTwo = cluster(AUDIT_TENANT.clusters.pbBaselineOnly);
    expect(pbTwo?.members.find((member) => member.referenceId === "NoPrivilegedContainers")?.state).toBe("deny");
    expect(pbTwo?.members.find((member) => member.referenceId === "AllowedSeccompProfiles")?.state).toBe("none");
    expect(cluster(AUDIT_TENANT.clusters.paLegacy)?.members.find((member) => member.referenceId === "NoPrivilegedContainers")?.state).toBe("excluded");
    // Deny from the custom set wins over the DoNotEnforce restricted assignment.
    const daTwo = cluster(AUDIT_TENANT.clusters.daTwo)?.members.find((member) => member.referenceId === "NoPrivilegedContainers");
    expect(daTwo?.state).toBe("deny");
    expect(daTwo?.winner).toBe(AUDIT_TENANT.assignments.devCustom);
    expect(report.members).toHaveLength(9);
  });
});

describe("output formats", () => {
  test("-o json validates against docs/audit-report.schema.json", async () => {
    const { report } = await jsonReport(strict);
    const ajv = new Ajv({ allErrors: true, strict: false });
    addFormats(ajv);
    const validate = ajv.compile(JSON.parse(readFileSync(new URL("../../docs/audit-report.schema.json", import.meta.url), "utf8")));
    const valid = validate(report);
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
    expect(report.schemaVersion).toBe(1);
  });

  test("-o csv has one parsed row per finding", async () => {
    const { report } = await jsonReport(strict);
    const run = await audit(emu, [...strict, "-o", "csv"]);
    const rows = parseCsv(run.stdout, { columns: true }) as Array<Record<string, string>>;
    expect(rows).toHaveLength(report.findings.length);
    expect(rows.map((row) => row.id)).toEqual(report.findings.map((finding) => finding.id));
    expect(JSON.parse(rows[0]?.evidence ?? "")).toEqual(report.findings[0]?.evidence);
  });

  test("-o sarif validates against the SARIF 2.1.0 schema, ruleId is the rule and the ARM id the logical location", async () => {
    const { report } = await jsonReport(strict);
    const run = await audit(emu, [...strict, "-o", "sarif"]);
    const sarif = JSON.parse(run.stdout);
    // The schema's language pattern is not valid with the u flag; it is an ECMA-262 pattern without it.
    const ajv = new AjvDraft04({ allErrors: true, strict: false, unicodeRegExp: false });
    addFormats(ajv as never);
    const validate = ajv.compile(JSON.parse(readFileSync(new URL("../fixtures/sarif/sarif-2.1.0-rtm.5.json", import.meta.url), "utf8")));
    validate(sarif);
    expect(validate.errors ?? []).toEqual([]);
    const results = sarif.runs[0].results as Array<{ ruleId: string; locations: Array<{ logicalLocations: Array<{ fullyQualifiedName: string }> }> }>;
    expect(results).toHaveLength(report.findings.length);
    expect(results.map((result) => result.ruleId)).toEqual(report.findings.map((finding) => finding.ruleId));
    expect(results.map((result) => result.locations[0]?.logicalLocations[0]?.fullyQualifiedName)).toEqual(report.findings.map((finding) => finding.resource));
  });

  test("-o junit parses; findings at or above --fail-on are failures", async () => {
    const { report } = await jsonReport(strict);
    const run = await audit(emu, [...strict, "-o", "junit"]);
    const xml = new XMLParser({ ignoreAttributes: false }).parse(run.stdout);
    const suites = xml.testsuites.testsuite as Array<{ testcase: unknown }>;
    expect(suites).toHaveLength(rules.length);
    expect(Number(xml.testsuites["@_failures"])).toBe(report.findings.filter((finding) => finding.severity === "high").length);
  });

  test("-o markdown has the summary and one table row per finding", async () => {
    const { report } = await jsonReport(strict);
    const run = await audit(emu, [...strict, "-o", "markdown"]);
    expect(run.stdout).toMatch(/^## akspol audit\n\n9 clusters in 3 subscriptions/);
    expect(run.stdout.split("\n").filter((line) => line.startsWith("| ") && !line.startsWith("| Severity")).length).toBe(report.findings.length);
  });

  test("the terminal report starts with the summary and groups findings by cluster within the width", async () => {
    const run = await audit(emu, strict);
    const lines = run.stdout.split("\n");
    expect(lines[0]).toBe("akspol audit");
    expect(lines[1]).toMatch(/^9 clusters in 3 subscriptions, 6 assignments; findings: \d+ high/);
    expect(run.stdout).toContain("\naks-pa-2  fabrikam-prod-a/rg-pa\n");
    // stdout carries only the report; progress goes to stderr.
    expect(run.stderr).toContain("Auditing 3 subscription(s)");
    expect(run.stdout).not.toContain("Auditing");
  });

  test("on a terminal, progress (subscriptions read, clusters found, requests in flight) goes to stderr and stdout holds only the report", async () => {
    const run = await audit(emu, strict, { tty: true });
    expect(run.stderr).toMatch(/Auditing: 3 of 3 subscriptions read, 9 clusters found, \d+ requests in flight/);
    expect(run.stdout.split("\n")[0]).toBe("akspol audit");
    expect(run.stdout).not.toContain("requests in flight");
  });

  test("--html writes one self-contained page", async () => {
    const file = join(dir, "report.html");
    const run = await audit(emu, [...strict, "--html", file, "--fail-on", "never"]);
    expect(run.code).toBe(0);
    const html = readFileSync(file, "utf8");
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href=|@import|url\(/i);
    expect(html).toContain('data-state="loading"');
  });
});

describe("gate, acceptances and failures", () => {
  test("--fail-on sets exit 6 at or above the severity, 0 with never", async () => {
    expect((await audit(emu, [...strict, "--fail-on", "high", "-o", "json"])).code).toBe(6);
    expect((await audit(emu, [...strict, "--fail-on", "never", "-o", "json"])).code).toBe(0);
    // aks-pb-1 has medium findings and none high: the gate passes at high and fails at medium.
    const pbOne = ["--subscription", healthySubscriptions, "--cluster", "aks-pb-1", "-o", "json"];
    const { report } = await jsonReport(pbOne.slice(0, -2));
    expect(report.findings.map((finding) => finding.severity)).toContain("medium");
    expect(report.findings.map((finding) => finding.severity)).not.toContain("high");
    expect((await audit(emu, [...pbOne, "--fail-on", "high"])).code).toBe(0);
    expect((await audit(emu, [...pbOne, "--fail-on", "medium"])).code).toBe(6);
  });

  test("an accepted finding is left out; an expired acceptance is a finding itself and the finding returns", async () => {
    const file = join(dir, "accepted.yaml");
    writeFileSync(
      file,
      [
        "accepted:",
        "  - rule: AKS202",
        `    resource: ${AUDIT_TENANT.assignments.devRestricted}`,
        "    reason: dev runs tooling in default until OPS-9",
        "    expires: 2026-12-31",
        "  - rule: AKS102",
        `    resource: ${AUDIT_TENANT.assignments.devRestricted}`,
        "    reason: dev is audit-only",
        "    expires: 2026-05-01",
        "",
      ].join("\n"),
    );
    const { report } = await jsonReport([...strict, "--accepted", file]);
    expect(report.findings.some((finding) => finding.ruleId === "AKS202")).toBe(false);
    expect(report.accepted).toEqual([
      { finding: `AKS202:${AUDIT_TENANT.assignments.devRestricted.toLowerCase()}`, reason: "dev runs tooling in default until OPS-9", expires: "2026-12-31T23:59:59.000Z" },
    ]);
    const expired = report.findings.find((finding) => finding.ruleId === "AKS901");
    expect(expired?.resource).toBe(AUDIT_TENANT.assignments.devRestricted);
    expect(expired?.evidence).toMatchObject({ rule: "AKS102", stillOccurs: true });
    expect(report.findings.some((finding) => finding.ruleId === "AKS102")).toBe(true);
  });

  test("a bad --accepted file is a usage error naming the entry, before any request", async () => {
    const file = join(dir, "bad.yaml");
    writeFileSync(file, `accepted:\n  - rule: AKS202\n    resource: ${AUDIT_TENANT.assignments.devRestricted}\n    reason: no expiry\n`);
    await emu.hooks.resetRequests();
    const run = await audit(emu, [...strict, "--accepted", file]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("accepted[0]: 'expires' must be a date");
    expect(await emu.hooks.requests()).toEqual([]);
  });

  test("a subscription that cannot be read is reported and the audit goes on: exit 7 when the gate passed", async () => {
    const argv = ["--principal", "auditor", "audit", "--subscription", `${healthySubscriptions},${AUDIT_TENANT.subscriptions.broken.id}`, "--fail-on", "never", "-o", "json"];
    const { runCli } = await import("../helpers/cli.js");
    const run = await runCli(argv, { emulatorDir: emu.stateDir });
    expect(run.code).toBe(7);
    const report = JSON.parse(run.stdout) as AuditReport;
    expect(report.summary.incomplete).toBe(true);
    const failed = report.scopes.filter((scope) => scope.status === "failed");
    expect(failed).toHaveLength(1);
    expect(failed[0]?.scope).toBe(`/subscriptions/${AUDIT_TENANT.subscriptions.broken.id}`);
    expect(failed[0]?.error?.code).toBe("AuthorizationFailed");
    expect(report.clusters.length).toBe(9);
    // The frame's one report of scopes it could not read.
    expect(run.stderr).toContain(`/subscriptions/${AUDIT_TENANT.subscriptions.broken.id}: AuthorizationFailed`);
    // The gate still wins over incompleteness.
    const gated = await runCli(
      argv.map((arg) => (arg === "never" ? "high" : arg)),
      { emulatorDir: emu.stateDir },
    );
    expect(gated.code).toBe(6);
  });

  test("--management-group audits every subscription below it", async () => {
    const { report } = await jsonReport(["--management-group", "fabrikam-prod", "--fail-on", "never"]);
    expect(report.scopes.map((scope) => scope.label).sort()).toEqual(["fabrikam-prod-a", "fabrikam-prod-b"]);
    expect(report.clusters.every((view) => view.managementGroups.includes("fabrikam-prod"))).toBe(true);
  });

  test("--cluster reports one cluster and its findings", async () => {
    const { report } = await jsonReport(["--subscription", healthySubscriptions, "--cluster", "aks-pa-2", "--fail-on", "never"]);
    expect(report.clusters.map((view) => view.name)).toEqual(["aks-pa-2"]);
    expect(report.findings.every((finding) => finding.clusters.includes(AUDIT_TENANT.clusters.paAddonOff))).toBe(true);
    expect(report.findings.map((finding) => finding.ruleId)).toContain("AKS001");
  });
});
