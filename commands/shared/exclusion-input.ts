import { listOption, stringOption } from "../../src/cli/command.js";
import { UsageError } from "../../src/cli/errors.js";
import type { ParsedInput } from "../../src/cli/option-spec.js";
import { parsePlanReads, type PlanReads } from "../../src/cli/plan-read-options.js";
import { parseScopeSelection, type ScopeSelection } from "../../src/cli/scope-options.js";
import { parsePodExclusions, type PodExclusions } from "../../src/cli/shared-options.js";
import { parseNamespaces } from "../../src/policy/namespaces.js";

/** What `exclude add` and `exclude remove` both take: the assignment, namespaces, member policies, pod-level exclusions and journal notes. */
export interface ExclusionInput extends ScopeSelection, PodExclusions {
  assignment?: string;
  namespaces: string[];
  /** Member policies whose exclusion parameter to edit (sets with per-policy parameters). */
  policies: string[];
  reason?: string;
  ticket?: string;
  /** The plan's extra sections to read (--no-clusters, --no-other-carriers, --no-impact). */
  planReads: PlanReads;
}

export function parseExclusionInput(input: ParsedInput): ExclusionInput {
  const parsed = parseNamespaces((input.args.namespace as string[] | undefined) ?? []);
  if (parsed.errors.length > 0) throw new UsageError(`Invalid namespace: ${parsed.errors.join("; ")}.`);
  return {
    ...parseScopeSelection(input),
    assignment: input.args.assignment as string | undefined,
    namespaces: parsed.names,
    policies: listOption(input, "policies"),
    ...parsePodExclusions(input),
    reason: stringOption(input, "reason"),
    ticket: stringOption(input, "ticket"),
    planReads: parsePlanReads(input),
  };
}

/** Whether the edit names pods (by label), containers or images rather than only namespaces. */
export function excludesPods(exclusions: PodExclusions): boolean {
  return exclusions.labels.length > 0 || exclusions.containers.length > 0 || exclusions.images.length > 0;
}
