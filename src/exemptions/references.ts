/**
 * Policy definition reference ids, checked against the set definition at the version the assignment
 * actually uses, as read from Azure (peers.md pain point D: every other tool lets ARM answer
 * InvalidPolicyDefinitionReference after the fact).
 */
import { didYouMean } from "../did-you-mean.js";
export interface SetMember {
  referenceId: string;
  definitionId: string;
}

export interface ReferenceProblem {
  given: string;
  suggestion?: string;
}

export interface ReferenceCheck {
  /** The given ids in the set definition's own spelling, sorted, without duplicates. */
  resolved: string[];
  problems: ReferenceProblem[];
}

export function membersOf(definition: { policyDefinitions?: Array<{ policyDefinitionReferenceId?: string; policyDefinitionId: string }> }): SetMember[] {
  return (definition.policyDefinitions ?? []).map((member) => ({
    referenceId: member.policyDefinitionReferenceId ?? member.policyDefinitionId,
    definitionId: member.policyDefinitionId,
  }));
}

/** ARM compares reference ids case-insensitively; akspol writes them as the set definition spells them. */
export function checkReferences(given: readonly string[], members: readonly SetMember[]): ReferenceCheck {
  const byLower = new Map(members.map((member) => [member.referenceId.toLowerCase(), member.referenceId]));
  const resolved = new Set<string>();
  const problems: ReferenceProblem[] = [];
  for (const id of given) {
    const match = byLower.get(id.toLowerCase());
    if (match) resolved.add(match);
    else
      problems.push({
        given: id,
        suggestion: didYouMean(
          id,
          members.map((member) => member.referenceId),
        ),
      });
  }
  return { resolved: [...resolved].sort((a, b) => a.localeCompare(b)), problems };
}

/** One message for all the unknown ids, with "did you mean" and the valid list. */
export function describeReferenceProblems(problems: readonly ReferenceProblem[], members: readonly SetMember[], setLabel: string): string {
  const lines = problems.map((problem) =>
    problem.suggestion ? `'${problem.given}' is not a policy reference id in ${setLabel}; did you mean '${problem.suggestion}'?` : `'${problem.given}' is not a policy reference id in ${setLabel}.`,
  );
  return `${lines.join("\n")}\nValid reference ids: ${members.map((member) => member.referenceId).join(", ")}.`;
}
