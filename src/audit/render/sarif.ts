// SARIF 2.1.0: one rule per audit rule, one result per finding, the ARM id as its logical location.
// ruleId is the rule; the finding's stable id is also in partialFingerprints for deduplication.
import { rules } from "../rules.js";
import type { AuditReport } from "../types.js";
import { lastSegment } from "../../azure/ids.js";
import { sarifLog } from "../../sarif.js";

const level = { high: "error", medium: "warning", low: "note", info: "note" } as const;

export function renderSarif(report: AuditReport): Record<string, unknown> {
  const index = new Map(rules.map((rule, position) => [rule.id, position]));
  return sarifLog({
    rules: rules.map((rule) => ({
      id: rule.id,
      name: rule.title
        .replace(/[^A-Za-z0-9]+/g, " ")
        .trim()
        .replace(/ (\w)/g, (_, c: string) => c.toUpperCase())
        .replace(/^\w/, (c) => c.toUpperCase()),
      shortDescription: { text: rule.title },
      fullDescription: { text: rule.description },
      defaultConfiguration: { level: level[rule.severity] },
      properties: { category: rule.category, severity: rule.severity },
    })),
    invocations: [{ executionSuccessful: !report.summary.incomplete, endTimeUtc: report.generatedAt }],
    results: report.findings.map((finding) => ({
      ruleId: finding.ruleId,
      ruleIndex: index.get(finding.ruleId),
      level: level[finding.severity],
      message: { text: `${finding.message} Fix: ${finding.command ?? finding.recommendation}` },
      locations: [
        {
          logicalLocations: [{ fullyQualifiedName: finding.resource, name: lastSegment(finding.resource), kind: "resource" }],
        },
      ],
      partialFingerprints: { akspolFindingId: finding.id },
      properties: { severity: finding.severity, clusters: finding.clusters, evidence: finding.evidence, recommendation: finding.recommendation },
    })),
  });
}
