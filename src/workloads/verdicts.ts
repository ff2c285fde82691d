// What each member policy of each assignment does to a pod of one cluster, read from the effective
// pod-security model (src/effective): the assignment's enforcement of the member (effect, excluded
// namespaces, overrides, enforcement mode) and the cluster's exemptions decide the outcome in the
// pod's namespace. Pure.
import type { PolicyAssignment } from "../azure/assignments.js";
import { BUILTIN_DEFINITIONS } from "../check/builtins.js";
import { normalizeId } from "../azure/ids.js";
import {
  assignmentVerdict,
  enforcementOf,
  type AssignmentDocument,
  type AssignmentEnforcement,
  type DefinitionDocument,
  type ExemptionFact,
  type MemberEnforcement,
  type SourceVerdict,
} from "../effective/index.js";

/** The model's view of one assignment, with the embedded member definitions at their pins. */
export function enforcementFor(assignment: PolicyAssignment, definition: unknown): AssignmentEnforcement {
  return enforcementOf({
    assignment: assignment as unknown as AssignmentDocument,
    definition: definition as DefinitionDocument,
    memberDefinitions: BUILTIN_DEFINITIONS as unknown as DefinitionDocument[],
  });
}

export interface ClusterFacts {
  clusterId: string;
  clusterName: string;
  /** Exemptions at the cluster or above. */
  exemptions: ExemptionFact[];
}

export function verdictKey(assignmentId: string, referenceId: string): string {
  return `${normalizeId(assignmentId)}|${referenceId.toLowerCase()}`;
}

/** The verdicts of every assignment that flags pods on one cluster. */
export class ClusterVerdicts {
  private readonly members = new Map<string, { enforcement: AssignmentEnforcement; member: MemberEnforcement }>();

  constructor(
    readonly enforcements: AssignmentEnforcement[],
    readonly cluster: ClusterFacts,
    readonly now: Date,
  ) {
    for (const enforcement of enforcements) {
      for (const member of enforcement.members) this.members.set(verdictKey(enforcement.assignment.id, member.referenceId), { enforcement, member });
    }
  }

  member(assignmentId: string, referenceId: string): { enforcement: AssignmentEnforcement; member: MemberEnforcement } | undefined {
    return this.members.get(verdictKey(assignmentId, referenceId));
  }

  verdict(assignmentId: string, referenceId: string, namespace: string): SourceVerdict | undefined {
    const found = this.member(assignmentId, referenceId);
    return found ? assignmentVerdict(found.enforcement, found.member, namespace, this.cluster, this.now) : undefined;
  }
}

/** What happens to a pod failing this member when it is next created, in a few words. */
export function onRestart(verdict: SourceVerdict | undefined, enforcement?: AssignmentEnforcement, member?: MemberEnforcement): string {
  if (!verdict) return "unknown";
  switch (verdict.outcome) {
    case "deny":
      return "denied";
    case "warn":
      return "admitted (warn)";
    case "audit":
      return enforcement?.enforcementMode === "DoNotEnforce" ? "admitted (DoNotEnforce)" : "admitted (audit)";
    default:
      if (verdict.exemptedBy) return `admitted (exempt: ${verdict.exemptedBy})`;
      if (member?.effect === "disabled") return "admitted (disabled)";
      return "not checked";
  }
}
