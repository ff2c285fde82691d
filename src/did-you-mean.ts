// "Did you mean ...?": the one way akspol suggests a name for a mistyped one (parameter names and
// values, policy reference ids, keys of a desired-state file).

/** Levenshtein distance (case-sensitive; callers lower-case when case does not count). */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min((previous[j] as number) + 1, (current[j - 1] as number) + 1, (previous[j - 1] as number) + cost);
    }
    previous = current;
  }
  return previous[b.length] as number;
}

/**
 * The candidate the user most likely meant, or undefined when none is close: within a third of the
 * length (at least 2 edits, case ignored; a tie goes to the spelling closest in case, so 'Deney'
 * suggests 'Deny', not 'deny'), or else the one candidate that contains what was typed
 * (`HostNetwork` for `BlockUsingHostNetwork`) or is contained in it.
 */
export function didYouMean(given: string, candidates: readonly string[]): string | undefined {
  const lower = given.toLowerCase();
  let best: { candidate: string; score: number; exact: number } | undefined;
  for (const candidate of candidates) {
    const score = editDistance(lower, candidate.toLowerCase());
    const exact = editDistance(given, candidate);
    if (!best || score < best.score || (score === best.score && exact < best.exact)) best = { candidate, score, exact };
  }
  if (!best) return undefined;
  if (best.score <= Math.max(2, Math.floor(given.length / 3))) return best.candidate;
  const containing = candidates.filter((candidate) => candidate.toLowerCase().includes(lower) || (lower.length >= 6 && lower.includes(candidate.toLowerCase())));
  return containing.length === 1 ? containing[0] : undefined;
}
