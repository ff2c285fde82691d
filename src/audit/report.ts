// Builds the report every output renders: matrix, findings (acceptances applied), summary; and the gate.
import { applyAcceptances } from "./accepted.js";
import { buildMatrix, coverageOf, expectedMembers, memberOrder } from "./matrix.js";
import { evaluate } from "./rules.js";
import { version } from "../version.js";
import { severities, type Acceptance, type AuditData, type AuditOptions, type AuditReport, type Finding, type Severity } from "./types.js";

const severityRank: Record<Severity, number> = { high: 3, medium: 2, low: 1, info: 0 };

export function compareFindings(a: Finding, b: Finding): number {
  return severityRank[b.severity] - severityRank[a.severity] || a.ruleId.localeCompare(b.ruleId) || a.resource.localeCompare(b.resource);
}

export function buildReport(data: AuditData, options: AuditOptions, acceptances: Acceptance[], now: Date): AuditReport {
  const clusters = buildMatrix(data, now).sort((a, b) => a.subscriptionName.localeCompare(b.subscriptionName) || a.name.localeCompare(b.name));
  const { findings, accepted } = applyAcceptances(evaluate(data, clusters, options, now), acceptances, now);
  findings.sort(compareFindings);
  const counts = Object.fromEntries(severities.map((severity) => [severity, findings.filter((finding) => finding.severity === severity).length])) as Record<Severity, number>;
  const expected = options.expect ? expectedMembers(options.expect) : memberOrder;
  const coverage = { protected: 0, partial: 0, unprotected: 0, noAddOn: 0 };
  for (const view of clusters) coverage[coverageOf(view, expected)] += 1;
  return {
    schemaVersion: 1,
    generatedAt: now.toISOString(),
    tool: { name: "akspol", version },
    options,
    summary: {
      clusters: clusters.length,
      subscriptions: new Set(clusters.map((view) => view.subscriptionId.toLowerCase())).size,
      carriers: data.carriers.length,
      findings: counts,
      accepted: accepted.length,
      coverage,
      incomplete: data.scopes.some((scope) => scope.status === "failed"),
    },
    scopes: data.scopes,
    members: [...memberOrder],
    clusters,
    carriers: data.carriers,
    findings,
    accepted,
  };
}

export type FailOn = Severity | "never";

/** Whether a finding at or above --fail-on remains (info never fails the gate). */
export function gateFails(report: AuditReport, failOn: FailOn): boolean {
  if (failOn === "never") return false;
  return report.findings.some((finding) => finding.severity !== "info" && severityRank[finding.severity] >= severityRank[failOn]);
}
