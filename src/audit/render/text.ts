// The terminal report: summary first, then findings grouped by cluster (and the ones about no single
// cluster), coloured by severity when a painter is given, wrapped to the terminal's width.
import type { AuditReport, Finding, Severity } from "../types.js";

export interface Painter {
  bold(text: string): string;
  dim(text: string): string;
  red(text: string): string;
  yellow(text: string): string;
  cyan(text: string): string;
}

const plain: Painter = { bold: (t) => t, dim: (t) => t, red: (t) => t, yellow: (t) => t, cyan: (t) => t };

function wrap(text: string, width: number, indent: string): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/)) {
    if (line && indent.length + line.length + 1 + word.length > width) {
      lines.push(indent + line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(indent + line);
  return lines;
}

export function summaryLine(report: AuditReport): string {
  const { summary } = report;
  const counts = (["high", "medium", "low", "info"] as Severity[]).map((severity) => `${summary.findings[severity]} ${severity}`).join(", ");
  const { coverage } = summary;
  return `${summary.clusters} clusters in ${summary.subscriptions} subscriptions, ${summary.carriers} assignments; findings: ${counts}${summary.accepted ? ` (${summary.accepted} accepted)` : ""}; coverage: ${coverage.protected} protected, ${coverage.partial} partial, ${coverage.unprotected} unprotected, ${coverage.noAddOn} without add-on`;
}

export function renderText(report: AuditReport, options: { width?: number; painter?: Painter } = {}): string {
  const width = Math.max(60, options.width ?? 100);
  const paint = options.painter ?? plain;
  const colour = (severity: Severity, text: string) => (severity === "high" ? paint.red(text) : severity === "medium" ? paint.yellow(text) : severity === "low" ? paint.cyan(text) : paint.dim(text));
  const out: string[] = [paint.bold("akspol audit"), ...wrap(summaryLine(report), width, "")];
  for (const scope of report.scopes.filter((entry) => entry.status === "failed")) {
    out.push(...wrap(`${paint.red("not read:")} ${scope.label} (${scope.error?.code ?? scope.error?.status ?? "error"}: ${scope.error?.message ?? ""})`, width, ""));
  }
  const byCluster = new Map<string, Finding[]>();
  const other: Finding[] = [];
  for (const finding of report.findings) {
    const key = finding.resource.toLowerCase();
    const cluster = report.clusters.find((view) => view.id.toLowerCase() === key) ?? (finding.clusters.length === 1 ? report.clusters.find((view) => view.id === finding.clusters[0]) : undefined);
    if (!cluster) {
      other.push(finding);
      continue;
    }
    const list = byCluster.get(cluster.id) ?? [];
    list.push(finding);
    byCluster.set(cluster.id, list);
  }
  const line = (finding: Finding) => {
    const head = `${colour(finding.severity, finding.severity.toUpperCase().padEnd(6))} ${finding.ruleId} ${finding.message}`;
    const lines = wrap(head, width, "  ");
    // The command stays on one line so it can be copied.
    if (finding.command) lines.push(`    ${paint.dim(`→ ${finding.command}`)}`);
    return lines;
  };
  for (const view of report.clusters) {
    const findings = byCluster.get(view.id);
    if (!findings) continue;
    out.push("", paint.bold(`${view.name}`) + paint.dim(`  ${view.subscriptionName}/${view.resourceGroup}`));
    for (const finding of findings) out.push(...line(finding));
  }
  if (other.length > 0) {
    out.push("", paint.bold("Assignments, exemptions and versions"));
    for (const finding of other) out.push(...line(finding));
  }
  if (report.findings.length === 0) out.push("", "No findings.");
  return out.join("\n");
}
