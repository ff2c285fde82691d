// The check's result as data (`-o json`), as text for a terminal, and the exit-code rule.
import type { CheckResult } from "./evaluate.js";
import type { EffectiveInitiative } from "./initiative.js";
import type { ManifestError, NotEvaluatedRecord } from "./manifests.js";

export type FailOn = "deny" | "audit" | "never";

export interface MemberSummary {
  referenceId: string;
  displayName: string;
  definitionId: string;
  definitionVersion?: string;
  template?: string;
  status: "ok" | "unknown";
  unknownReason?: string;
  approximation?: string;
  effect: string;
  effectSource: string;
  exemptedBy?: string;
  parameters: Record<string, unknown>;
  match: { excludedNamespaces: string[]; namespaces: string[]; labelSelector: Record<string, unknown> };
}

export interface CheckSummary {
  workloads: number;
  notEvaluated: number;
  errors: number;
  pass: number;
  violation: number;
  unknown: number;
  notApplicable: number;
  /** Violations by what the cluster does. */
  deny: number;
  audit: number;
  none: number;
}

export interface CheckReport {
  schemaVersion: 1;
  initiative: {
    id: string;
    name: string;
    displayName: string;
    version?: string;
    enforcementMode: string;
    parameters: Record<string, unknown>;
    members: MemberSummary[];
  };
  assignment?: { id?: string; name?: string; displayName?: string; scope?: string };
  /** check --cluster: every carrier evaluated on the cluster. */
  cluster?: { name: string; carriers: Array<{ kind: string; name: string; family: string }> };
  results: CheckResult[];
  notEvaluated: NotEvaluatedRecord[];
  errors: ManifestError[];
  summary: CheckSummary;
}

export function buildReport(input: {
  initiative: EffectiveInitiative;
  results: CheckResult[];
  notEvaluated: NotEvaluatedRecord[];
  errors?: ManifestError[];
  workloads: number;
  cluster?: CheckReport["cluster"];
}): CheckReport {
  const { initiative, results } = input;
  const count = (predicate: (r: CheckResult) => boolean) => results.filter(predicate).length;
  return {
    schemaVersion: 1,
    initiative: {
      id: initiative.id,
      name: initiative.name,
      displayName: initiative.displayName,
      version: initiative.version,
      enforcementMode: initiative.enforcementMode,
      parameters: initiative.parameters,
      members: initiative.members.map((m) => ({
        referenceId: m.referenceId,
        displayName: m.displayName,
        definitionId: m.definitionId,
        definitionVersion: m.definitionVersion,
        template: m.template,
        status: m.status,
        unknownReason: m.unknownReason,
        approximation: m.approximation,
        effect: m.effect,
        effectSource: m.effectSource,
        exemptedBy: m.exemptedBy,
        parameters: m.parameters,
        match: m.match,
      })),
    },
    assignment: initiative.assignment?.id || initiative.assignment?.name ? initiative.assignment : undefined,
    ...(input.cluster ? { cluster: input.cluster } : {}),
    results,
    notEvaluated: input.notEvaluated,
    errors: input.errors ?? [],
    summary: {
      workloads: input.workloads,
      notEvaluated: input.notEvaluated.length,
      errors: (input.errors ?? []).length,
      pass: count((r) => r.status === "pass"),
      violation: count((r) => r.status === "violation"),
      unknown: count((r) => r.status === "unknown"),
      notApplicable: count((r) => r.status === "not-applicable"),
      deny: count((r) => r.status === "violation" && r.outcome === "deny"),
      audit: count((r) => r.status === "violation" && r.outcome === "audit"),
      none: count((r) => r.status === "violation" && r.outcome === "none"),
    },
  };
}

/** True when a violation at or above `failOn` exists (the command then exits 6). */
export function hasFailingViolation(report: CheckReport, failOn: FailOn): boolean {
  if (failOn === "never") return false;
  return report.results.some((r) => r.status === "violation" && (r.outcome === "deny" || (failOn === "audit" && r.outcome === "audit")));
}

const OUTCOME_LABEL = { deny: "DENY", audit: "AUDIT", none: "NO EFFECT" } as const;

/** Plain text for a terminal or a CI log: violations and unknowns in full, the rest counted. */
export function renderText(report: CheckReport): string {
  const lines = [renderHeader(report)];
  for (const result of report.results) if (result.status === "violation") lines.push(renderFinding(result));
  for (const result of report.results) if (result.status === "unknown") lines.push(renderFinding(result));
  for (const item of report.notEvaluated) lines.push(`${item.file}:${item.line}  ${item.kind} ${item.name}: not evaluated (${item.reason})\n\n`);
  lines.push(renderSummary(report.summary));
  return lines.join("");
}

/** The text report's first lines: which initiative, and what about it the reader must know. */
export function renderHeader(report: Pick<CheckReport, "initiative" | "assignment" | "cluster">): string {
  const lines: string[] = [];
  const { initiative } = report;
  const source = report.assignment ? `assignment ${report.assignment.name ?? report.assignment.id}` : "initiative defaults and --param values";
  if (report.cluster) {
    lines.push(`Cluster ${report.cluster.name}: every carrier that applies, strictest outcome first: ${report.cluster.carriers.map((carrier) => carrier.name).join(", ") || "none"}`);
  } else lines.push(`Initiative: ${initiative.displayName}${initiative.version ? ` ${initiative.version}` : ""} (${source})`);
  if (initiative.enforcementMode.toLowerCase() === "donotenforce") {
    lines.push("Enforcement mode DoNotEnforce: the cluster denies and flags nothing from this assignment.");
  }
  for (const member of initiative.members) {
    if (member.approximation) lines.push(`Note: ${member.referenceId} ${member.approximation}.`);
    if (member.status === "unknown") lines.push(`Unknown: ${member.referenceId} cannot be evaluated: ${member.unknownReason}.`);
  }
  return `${lines.join("\n")}\n\n`;
}

/** One result as text: a violation in full with its fixes, an unknown, or (with --show-passes) a pass. */
export function renderFinding(result: CheckResult): string {
  if (result.status === "violation") {
    // Built by concatenation: this runs for every violation of every workload.
    const head = `  ${OUTCOME_LABEL[result.outcome]}  ${result.policy.referenceId}: ${result.policy.displayName}${result.decidedBy ? `  (decided by ${result.decidedBy.name})` : ""}\n  ${result.outcomeText}\n`;
    const where = `  ${result.kind} ${result.name}  ${namespaceText(result)}`;
    let text = "";
    for (const violation of result.violations) {
      const container = violation.container !== undefined ? `  container ${violation.container}` : "";
      text +=
        `${result.file}:${violation.line}${where}${container}\n${head}  ${violation.message}\n` +
        `  fix: ${violation.hint.change}\n   or: ${violation.hint.excludeNamespace}\n   or: ${violation.hint.exempt}\n\n`;
    }
    return text;
  }
  const label = result.status === "unknown" ? "UNKNOWN" : result.status === "pass" ? "PASS" : "NOT REVIEWED";
  const detail = result.status === "unknown" ? (result.unknownReason ?? "not evaluated") : result.outcomeText;
  return `${result.file}:${result.line}  ${result.kind} ${result.name}  ${namespaceText(result)}\n  ${label}  ${result.policy.referenceId}: ${detail}\n\n`;
}

/** The last line: every count, and how to see the passes that were only counted. */
export function renderSummary(s: CheckSummary, passesListed = false): string {
  const listPasses = !passesListed && s.pass > 0 ? " Passes are counted, not listed (--show-passes lists them)." : "";
  return (
    `${s.workloads} workload${s.workloads === 1 ? "" : "s"} checked: ` +
    `${s.violation} violation${s.violation === 1 ? "" : "s"} (${s.deny} denied, ${s.audit} audited, ${s.none} without effect), ` +
    `${s.unknown} unknown, ${s.pass} passed, ${s.notApplicable} not applicable; ${s.notEvaluated} object${s.notEvaluated === 1 ? "" : "s"} not evaluated.` +
    `${s.errors > 0 ? ` ${s.errors} document${s.errors === 1 ? "" : "s"} could not be read.` : ""}${listPasses}\n`
  );
}

const NAMESPACE_SOURCE = { manifest: "from the manifest", flag: "from --namespace", default: "no namespace given: default" } as const;

function namespaceText(result: CheckResult): string {
  return `namespace ${result.namespace} (${NAMESPACE_SOURCE[result.namespaceSource]})`;
}
