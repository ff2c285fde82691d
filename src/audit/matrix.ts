// The cluster x member matrix: for every cluster and each of the nine member policies, which carriers
// apply, which one wins and what the cluster gets (deny, warn, audit, excluded, exempt, ...).
// Applicability is the project's one rule (src/policy/applicability.ts), not re-derived here.
import { initiatives } from "../policy/catalog.js";
import { assignmentAppliesToCluster, scopeContainsCluster } from "../policy/applicability.js";
import { normalizeId } from "../azure/ids.js";
import type { AuditCluster, AuditData, AuditExemption, Carrier, CellState, ClusterView, MemberOutcome } from "./types.js";

/** The nine members: the restricted initiative's eight, then what baseline adds (NoHostPathVolume). */
export const memberOrder: readonly string[] = [
  ...new Set([...initiatives.restricted.members, ...initiatives.baseline.members].map((member) => member.referenceId)),
];

/** The reference ids of a built-in initiative (for --expect). */
export function expectedMembers(expect: "baseline" | "restricted"): string[] {
  return initiatives[expect].members.map((member) => member.referenceId);
}

const memberByDefinition = new Map(
  [...initiatives.restricted.members, ...initiatives.baseline.members].map((member) => [member.definitionId.toLowerCase(), member.referenceId]),
);

/** The canonical member name (built-in reference id) of a carrier's member, whatever the custom set calls it. */
export function canonicalMember(member: { referenceId: string; definitionId: string }): string {
  return memberByDefinition.get(member.definitionId.toLowerCase()) ?? member.referenceId;
}

export type CarrierOutcome = "deny" | "audit" | "disabled";

/** What a carrier does to a member: Deny under DoNotEnforce only audits. */
export function carrierOutcome(effect: string, enforcementMode: string): CarrierOutcome {
  const lower = effect.toLowerCase();
  if (lower === "disabled") return "disabled";
  if (lower === "deny" && enforcementMode.toLowerCase() !== "donotenforce") return "deny";
  return "audit";
}

const strength: Record<CarrierOutcome, number> = { deny: 3, audit: 2, disabled: 1 };

export function isExpired(exemption: Pick<AuditExemption, "expiresOn">, now: Date): boolean {
  return !!exemption.expiresOn && new Date(exemption.expiresOn).getTime() <= now.getTime();
}

/** The exemptions of a carrier that cover a cluster and a member (an empty reference list covers every member). */
export function exemptionsFor(data: AuditData, carrier: Carrier, cluster: AuditCluster, referenceId: string): AuditExemption[] {
  const carrierId = normalizeId(carrier.id);
  return data.exemptions.filter(
    (exemption) =>
      normalizeId(exemption.policyAssignmentId) === carrierId &&
      scopeContainsCluster(exemption.scope, cluster) &&
      (exemption.policyDefinitionReferenceIds.length === 0 || exemption.policyDefinitionReferenceIds.some((id) => id.toLowerCase() === referenceId.toLowerCase())),
  );
}

/** The carrier's own reference id for a canonical member, when it carries it. */
export function carrierMember(carrier: Carrier, member: string) {
  return carrier.members.find((candidate) => canonicalMember(candidate) === member);
}

export function buildMatrix(data: AuditData, now: Date): ClusterView[] {
  return data.clusters.map((cluster) => {
    const applying: Carrier[] = [];
    const removedBy: ClusterView["removedBy"] = [];
    for (const carrier of data.carriers) {
      const applicability = assignmentAppliesToCluster(carrier, cluster);
      if (applicability.applies) applying.push(carrier);
      else if (scopeContainsCluster(carrier.scope, cluster)) removedBy.push({ carrier: carrier.id, reason: applicability.reason });
    }
    const members = memberOrder.map((referenceId): MemberOutcome => {
      const outcome: MemberOutcome = { referenceId, state: "none", carriers: [] };
      let best: { carrier: Carrier; outcome: CarrierOutcome } | undefined;
      let exempt: AuditExemption | undefined;
      let expired = false;
      for (const carrier of applying) {
        const member = carrierMember(carrier, referenceId);
        if (!member) continue;
        outcome.carriers.push({ id: carrier.id, effect: member.effect, enforcementMode: carrier.enforcementMode });
        const exemptions = exemptionsFor(data, carrier, cluster, member.referenceId);
        const active = exemptions.find((exemption) => !isExpired(exemption, now));
        if (exemptions.some((exemption) => isExpired(exemption, now))) expired = true;
        if (active) {
          exempt ??= active;
          continue;
        }
        const result = carrierOutcome(member.effect, carrier.enforcementMode);
        if (!best || strength[result] > strength[best.outcome]) best = { carrier, outcome: result };
      }
      if (best) {
        outcome.winner = best.carrier.id;
        outcome.state = best.outcome;
      } else if (exempt) {
        outcome.state = "exempt";
        outcome.exemption = exempt.id;
      } else if (removedBy.some((entry) => data.carriers.some((carrier) => carrier.id === entry.carrier && carrierMember(carrier, referenceId)))) {
        outcome.state = "excluded";
      }
      if (expired && (outcome.state === "deny" || outcome.state === "audit")) outcome.state = "exemption-expired";
      // Unverified: which Deployment Safeguards checks overlap the nine members; Safeguards is taken
      // to warn on each of them where no carrier denies or audits.
      if (cluster.safeguards && cluster.safeguards.level !== "Off" && (outcome.state === "none" || outcome.state === "disabled" || outcome.state === "excluded")) {
        outcome.state = cluster.safeguards.level === "Enforce" ? "deny" : "warn";
      }
      if (!cluster.azurePolicyEnabled) outcome.state = "no-addon";
      return outcome;
    });
    return {
      ...cluster,
      subscriptionName: data.subscriptionNames[cluster.subscriptionId.toLowerCase()] ?? cluster.subscriptionId,
      members,
      carriers: applying.map((carrier) => carrier.id),
      removedBy,
    };
  });
}

/** Protected: every expected member denied or warned; partial: some; unprotected: none. */
export function coverageOf(view: ClusterView, expected: readonly string[]): "protected" | "partial" | "unprotected" | "noAddOn" {
  if (!view.azurePolicyEnabled) return "noAddOn";
  const wanted = view.members.filter((member) => expected.includes(member.referenceId));
  const enforced = wanted.filter((member) => member.state === "deny" || member.state === "warn").length;
  if (enforced === wanted.length && wanted.length > 0) return "protected";
  return enforced > 0 ? "partial" : "unprotected";
}

export const cellStates: readonly CellState[] = ["deny", "warn", "audit", "disabled", "excluded", "exempt", "exemption-expired", "no-addon", "none"];
