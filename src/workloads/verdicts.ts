// What each member policy of an assignment does to a pod on one cluster: its effect, whether the
// assignment enforces it, whether an exemption covers the cluster. Read from the resolved initiative
// (src/check/initiative.ts resolveInitiative), the same model `check` evaluates manifests with. Pure.
import type { Effect, EffectiveInitiative } from "../check/initiative.js";
import { isDoNotEnforce } from "../check/initiative.js";
import { normalizeId } from "../azure/ids.js";

export interface MemberVerdict {
  assignmentId: string;
  assignmentName: string;
  referenceId: string;
  effect: Effect;
  enforcementMode: string;
  exemptedBy?: string;
  /** The namespaces this member does not review (its excludedNamespaces in force). */
  excludedNamespaces: string[];
  /** Deny, enforced and not exempt: a pod failing it is refused the next time it is created. */
  deniesOnRestart: boolean;
}

export function verdictKey(assignmentId: string, referenceId: string): string {
  return `${normalizeId(assignmentId)}|${referenceId.toLowerCase()}`;
}

export function verdictsOf(initiative: EffectiveInitiative): MemberVerdict[] {
  const doNotEnforce = isDoNotEnforce(initiative);
  return initiative.members.map((member) => ({
    assignmentId: initiative.assignment?.id ?? "",
    assignmentName: initiative.assignment?.name ?? "",
    referenceId: member.referenceId,
    effect: member.effect,
    enforcementMode: initiative.enforcementMode,
    exemptedBy: member.exemptedBy,
    excludedNamespaces: member.match.excludedNamespaces,
    deniesOnRestart: member.effect === "deny" && !doNotEnforce && !member.exemptedBy,
  }));
}

/** What happens to a pod failing this member when it is next created, in a few words. */
export function onRestart(verdict: MemberVerdict | undefined): string {
  if (!verdict) return "unknown";
  if (verdict.exemptedBy) return `admitted (exempt: ${verdict.exemptedBy})`;
  if (verdict.effect === "disabled") return "admitted (disabled)";
  if (verdict.effect === "audit") return "admitted (audit)";
  if (verdict.enforcementMode.toLowerCase() === "donotenforce") return "admitted (DoNotEnforce)";
  return "denied";
}
