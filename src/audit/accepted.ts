// `--accepted FILE`: findings a team has accepted, by rule id and resource, each with a reason and an
// expiry. An accepted finding is left out of the report (and the gate); an expired acceptance is a
// finding of its own (AKS901) and its finding is reported again.
import { parse } from "yaml";
import { UsageError } from "../errors.js";
import { normalizeId } from "../azure/ids.js";
import { findingId, ruleById } from "./rules.js";
import type { Acceptance, Finding } from "./types.js";

/** Parses the YAML or JSON file text: `accepted: [{ rule, resource, reason, expires }]`. */
export function parseAcceptedFile(text: string, file: string): Acceptance[] {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (error) {
    throw new UsageError(`${file} is not valid YAML or JSON: ${(error as Error).message}`);
  }
  const list = (doc as { accepted?: unknown } | null)?.accepted;
  if (!Array.isArray(list)) {
    throw new UsageError(`${file} has no 'accepted' list.`, { suggestion: "Write: accepted:\n  - rule: AKS201\n    resource: <ARM id>\n    reason: <why>\n    expires: 2026-12-31" });
  }
  return list.map((entry, index) => {
    const where = `${file}: accepted[${index}]`;
    const item = (entry ?? {}) as Record<string, unknown>;
    const rule = String(item.rule ?? "").toUpperCase();
    if (!ruleById.has(rule)) throw new UsageError(`${where}: unknown rule '${String(item.rule ?? "")}'.`, { suggestion: `Use one of ${[...ruleById.keys()].join(", ")}.` });
    const resource = typeof item.resource === "string" ? item.resource.trim() : "";
    if (!resource.startsWith("/")) throw new UsageError(`${where}: 'resource' must be the ARM id the finding names.`, { suggestion: "Copy it from the report's 'resource' field (-o json)." });
    const reason = typeof item.reason === "string" ? item.reason.trim() : "";
    if (!reason) throw new UsageError(`${where}: 'reason' is required.`, { suggestion: "Say why the finding is accepted." });
    const expiresText = item.expires instanceof Date ? item.expires.toISOString() : String(item.expires ?? "");
    const expires = /^\d{4}-\d{2}-\d{2}$/.test(expiresText) ? `${expiresText}T23:59:59Z` : expiresText;
    if (!expiresText || Number.isNaN(new Date(expires).getTime())) {
      throw new UsageError(`${where}: 'expires' must be a date (YYYY-MM-DD or ISO date-time), got '${expiresText}'.`, { suggestion: "Every acceptance has an expiry, e.g. expires: 2026-12-31." });
    }
    return { ruleId: rule, resource, reason, expires: new Date(expires).toISOString() };
  });
}

export interface AcceptanceResult {
  findings: Finding[];
  accepted: Array<{ finding: string; reason: string; expires: string }>;
}

export function applyAcceptances(findings: Finding[], acceptances: Acceptance[], now: Date): AcceptanceResult {
  const active = new Map<string, Acceptance>();
  const expired: Acceptance[] = [];
  for (const acceptance of acceptances) {
    if (new Date(acceptance.expires).getTime() <= now.getTime()) expired.push(acceptance);
    else active.set(findingId(acceptance.ruleId, acceptance.resource), acceptance);
  }
  const kept: Finding[] = [];
  const accepted: AcceptanceResult["accepted"] = [];
  for (const finding of findings) {
    const acceptance = active.get(finding.id);
    if (acceptance) accepted.push({ finding: finding.id, reason: acceptance.reason, expires: acceptance.expires });
    else kept.push(finding);
  }
  for (const acceptance of expired) {
    const id = findingId(acceptance.ruleId, acceptance.resource);
    const still = findings.find((finding) => finding.id === id);
    const rule = ruleById.get("AKS901");
    kept.push({
      id: findingId("AKS901", `${normalizeId(acceptance.resource)}#${acceptance.ruleId}`),
      ruleId: "AKS901",
      severity: rule?.severity ?? "medium",
      title: rule?.title ?? "Acceptance expired",
      resource: acceptance.resource,
      clusters: still?.clusters ?? [],
      subscriptionId: still?.subscriptionId,
      message: `The acceptance of ${acceptance.ruleId} on ${acceptance.resource} expired ${acceptance.expires}${still ? "; the finding is reported again" : "; the finding no longer occurs, remove the entry"}.`,
      evidence: { rule: acceptance.ruleId, reason: acceptance.reason, expires: acceptance.expires, stillOccurs: !!still },
      recommendation: still ? "Fix the finding, or renew the acceptance with a new expiry and reason." : "Remove the entry from the accepted file.",
    });
  }
  return { findings: kept, accepted };
}
