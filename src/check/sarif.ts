// SARIF 2.1.0 for code-scanning uploads: one rule per policy reference id, one result per violation.
import type { CheckReport } from "./report.js";
import { sarifLog } from "../sarif.js";

const LEVEL = { deny: "error", audit: "warning", none: "note" } as const;

export function toSarif(report: CheckReport): Record<string, unknown> {
  const rules = report.initiative.members.map((member) => ({
    id: member.referenceId,
    name: member.referenceId,
    shortDescription: { text: member.displayName },
    properties: {
      definitionId: member.definitionId,
      ...(member.definitionVersion ? { definitionVersion: member.definitionVersion } : {}),
      ...(member.template ? { template: member.template } : {}),
      effect: member.effect,
    },
  }));
  const ruleIndex = new Map(rules.map((rule, index) => [rule.id, index]));
  const results: Record<string, unknown>[] = [];
  for (const result of report.results) {
    const location = (line: number) => [
      {
        physicalLocation: {
          artifactLocation: { uri: toUri(result.file) },
          region: { startLine: line },
        },
      },
    ];
    if (result.status === "unknown") {
      results.push({
        ruleId: result.policy.referenceId,
        ruleIndex: ruleIndex.get(result.policy.referenceId),
        kind: "open",
        level: "none",
        message: { text: `${result.kind} ${result.name} was not evaluated: ${result.unknownReason ?? "unknown policy"}` },
        locations: location(result.line),
      });
      continue;
    }
    if (result.status !== "violation") continue;
    for (const violation of result.violations) {
      results.push({
        ruleId: result.policy.referenceId,
        ruleIndex: ruleIndex.get(result.policy.referenceId),
        level: LEVEL[result.outcome],
        message: { text: `${violation.message} (${result.outcomeText}). Fix: ${violation.hint.change}` },
        locations: location(violation.line),
        properties: {
          kind: result.kind,
          name: result.name,
          namespace: result.namespace,
          ...(violation.container !== undefined ? { container: violation.container } : {}),
          outcome: result.outcome,
        },
      });
    }
  }
  return sarifLog({ rules, results });
}

/** SARIF wants URIs: forward slashes, percent-encoded, relative paths kept relative. */
function toUri(file: string): string {
  return file
    .replace(/\\/g, "/")
    .split("/")
    .map((segment) => encodeURIComponent(segment))
    .join("/");
}
