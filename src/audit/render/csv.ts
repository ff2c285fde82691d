// One row per finding, RFC 4180 quoting (csv-stringify).
import { stringify } from "csv-stringify/sync";
import type { AuditReport } from "../types.js";

export const csvColumns = ["id", "ruleId", "severity", "title", "resource", "subscriptionId", "clusters", "message", "recommendation", "command", "evidence"] as const;

export function renderCsv(report: AuditReport): string {
  const rows = report.findings.map((finding) => [
    finding.id,
    finding.ruleId,
    finding.severity,
    finding.title,
    finding.resource,
    finding.subscriptionId ?? "",
    finding.clusters.join(" "),
    finding.message,
    finding.recommendation,
    finding.command ?? "",
    JSON.stringify(finding.evidence),
  ]);
  return stringify([[...csvColumns], ...rows]);
}
