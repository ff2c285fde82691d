// Markdown for pull-request comments and $GITHUB_STEP_SUMMARY: summary, a findings table, failed scopes.
import { ruleById } from "../rules.js";
import { summaryLine } from "./text.js";
import type { AuditReport } from "../types.js";
import { lastSegment } from "../../azure/ids.js";

function cell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\r?\n/g, " ");
}

const icon = { high: "🔴", medium: "🟠", low: "🔵", info: "⚪" } as const;

export function renderMarkdown(report: AuditReport): string {
  const out = ["## akspol audit", "", summaryLine(report), ""];
  const failed = report.scopes.filter((scope) => scope.status === "failed");
  if (failed.length > 0) {
    out.push("**Not read (coverage incomplete):**", "");
    for (const scope of failed) out.push(`- \`${scope.label}\`: ${cell(scope.error?.message ?? "error")}`);
    out.push("");
  }
  if (report.findings.length === 0) {
    out.push("No findings.");
    return `${out.join("\n")}\n`;
  }
  out.push("| Severity | Rule | Resource | Finding | Fix |", "|---|---|---|---|---|");
  for (const finding of report.findings) {
    const name = lastSegment(finding.resource);
    out.push(
      `| ${icon[finding.severity]} ${finding.severity} | ${finding.ruleId} ${cell(ruleById.get(finding.ruleId)?.title ?? "")} | \`${cell(name)}\` | ${cell(finding.message)} | ${finding.command ? `\`${cell(finding.command)}\`` : cell(finding.recommendation)} |`,
    );
  }
  if (report.accepted.length > 0) out.push("", `${report.accepted.length} accepted finding(s) not shown.`);
  return `${out.join("\n")}\n`;
}
