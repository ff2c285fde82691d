// JUnit XML for CI test tabs: one test case per rule and resource; a finding at or above --fail-on is a failure,
// one below it a skipped case with its message, so the gate and the XML agree.
import { XMLBuilder } from "fast-xml-parser";
import { rules } from "../rules.js";
import type { AuditReport, Severity } from "../types.js";
import type { FailOn } from "../report.js";

const rank: Record<Severity, number> = { high: 3, medium: 2, low: 1, info: 0 };

export function renderJunit(report: AuditReport, failOn: FailOn): string {
  const fails = (severity: Severity) => failOn !== "never" && severity !== "info" && rank[severity] >= rank[failOn];
  const suites = rules.map((rule) => {
    const findings = report.findings.filter((finding) => finding.ruleId === rule.id);
    const cases = findings.map((finding) => ({
      "@_name": finding.resource,
      "@_classname": `akspol.audit.${rule.id}`,
      ...(fails(finding.severity)
        ? { failure: { "@_message": finding.message, "@_type": finding.severity, "#text": `${finding.recommendation}\n${finding.command ?? ""}`.trim() } }
        : { skipped: { "@_message": `${finding.severity}: ${finding.message}` } }),
    }));
    if (cases.length === 0) cases.push({ "@_name": "no findings", "@_classname": `akspol.audit.${rule.id}` } as never);
    return {
      "@_name": `${rule.id} ${rule.title}`,
      "@_tests": cases.length,
      "@_failures": findings.filter((finding) => fails(finding.severity)).length,
      "@_skipped": findings.filter((finding) => !fails(finding.severity)).length,
      "@_errors": 0,
      testcase: cases,
    };
  });
  const total = suites.reduce((sum, suite) => sum + suite["@_tests"], 0);
  const failures = suites.reduce((sum, suite) => sum + suite["@_failures"], 0);
  const builder = new XMLBuilder({ ignoreAttributes: false, format: true, suppressEmptyNode: true });
  return `<?xml version="1.0" encoding="UTF-8"?>\n${builder.build({ testsuites: { "@_name": "akspol audit", "@_tests": total, "@_failures": failures, "@_errors": 0, testsuite: suites } })}`;
}
