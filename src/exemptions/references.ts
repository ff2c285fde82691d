/**
 * Policy definition reference ids, checked against the set definition at the version the assignment
 * actually uses, as read from Azure (peers.md pain point D: every other tool lets ARM answer
 * InvalidPolicyDefinitionReference after the fact).
 */
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

/** Levenshtein distance, case-insensitive. */
export function editDistance(a: string, b: string): number {
  const left = a.toLowerCase();
  const right = b.toLowerCase();
  let previous = Array.from({ length: right.length + 1 }, (_, index) => index);
  for (let i = 1; i <= left.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= right.length; j += 1) {
      const cost = left[i - 1] === right[j - 1] ? 0 : 1;
      current[j] = Math.min((previous[j] as number) + 1, (current[j - 1] as number) + 1, (previous[j - 1] as number) + cost);
    }
    previous = current;
  }
  return previous[right.length] as number;
}

/**
 * The closest candidate when it is near enough to be a typo: within a third of the length (at least
 * 2 edits), or when one contains the other (`HostNetwork` for `BlockUsingHostNetwork`).
 */
export function closest(given: string, candidates: readonly string[]): string | undefined {
  const lower = given.toLowerCase();
  let best: { candidate: string; distance: number } | undefined;
  for (const candidate of candidates) {
    const distance = editDistance(given, candidate);
    if (!best || distance < best.distance) best = { candidate, distance };
  }
  if (!best) return undefined;
  if (best.distance <= Math.max(2, Math.floor(given.length / 3))) return best.candidate;
  const containing = candidates.filter((candidate) => candidate.toLowerCase().includes(lower) || (lower.length >= 6 && lower.includes(candidate.toLowerCase())));
  return containing.length === 1 ? containing[0] : undefined;
}

/** ARM compares reference ids case-insensitively; akspol writes them as the set definition spells them. */
export function checkReferences(given: readonly string[], members: readonly SetMember[]): ReferenceCheck {
  const byLower = new Map(members.map((member) => [member.referenceId.toLowerCase(), member.referenceId]));
  const resolved = new Set<string>();
  const problems: ReferenceProblem[] = [];
  for (const id of given) {
    const match = byLower.get(id.toLowerCase());
    if (match) resolved.add(match);
    else problems.push({ given: id, suggestion: closest(id, members.map((member) => member.referenceId)) });
  }
  return { resolved: [...resolved].sort((a, b) => a.localeCompare(b)), problems };
}

/** One message for all the unknown ids, with "did you mean" and the valid list. */
export function describeReferenceProblems(problems: readonly ReferenceProblem[], members: readonly SetMember[], setLabel: string): string {
  const lines = problems.map((problem) =>
    problem.suggestion
      ? `'${problem.given}' is not a policy reference id in ${setLabel}; did you mean '${problem.suggestion}'?`
      : `'${problem.given}' is not a policy reference id in ${setLabel}.`,
  );
  return `${lines.join("\n")}\nValid reference ids: ${members.map((member) => member.referenceId).join(", ")}.`;
}
