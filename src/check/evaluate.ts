// Every member of an effective initiative against every workload: what the cluster would do.
import { changeFor, remediesFor, type ViolationHint } from "./hints.js";
import { ALWAYS_EXCLUDED_NAMESPACES, isDoNotEnforce, type ConstraintMatch, type Effect, type EffectiveInitiative, type MemberPolicy } from "./initiative.js";
import type { WorkloadRecord } from "./manifests.js";
import { asArray, asStringArray, isObject } from "./policies/common.js";
import type { PodReview, TemplateViolation } from "./types.js";

export type ResultStatus = "pass" | "violation" | "unknown" | "not-applicable";
export type Outcome = "deny" | "audit" | "none";
export type NotApplicableReason = "system-namespace" | "excluded-namespace" | "namespace-not-included" | "label-selector";
export type NoOutcomeReason = "effect-disabled" | "do-not-enforce" | "exempted";

export interface CheckViolation extends TemplateViolation {
  /** Line of the container or volume concerned, else of the object. */
  line: number;
  hint: ViolationHint;
}

export interface CheckResult {
  file: string;
  line: number;
  column: number;
  kind: string;
  name: string;
  namespace: string;
  namespaceSource: WorkloadRecord["namespaceSource"];
  policy: {
    referenceId: string;
    displayName: string;
    definitionId: string;
    definitionVersion?: string;
    template?: string;
    approximation?: string;
  };
  status: ResultStatus;
  /** Why the status is `not-applicable`. */
  notApplicableReason?: NotApplicableReason;
  /** Why the status is `unknown`. */
  unknownReason?: string;
  effect: Effect;
  /** What the cluster does about a violation (`none` for any other status). */
  outcome: Outcome;
  noOutcomeReason?: NoOutcomeReason;
  outcomeText: string;
  violations: CheckViolation[];
  /** check --cluster: the carrier whose outcome this is (the strictest among those that carry the policy). */
  decidedBy?: { kind: "assignment" | "safeguards"; name: string; family: string };
}

export interface EvaluateOptions {
  /** How the user named the assignment, for `akspol exclude add` / `exempt create` hints. */
  assignmentReference?: string;
  cluster?: string;
}

export function evaluateWorkloads(workloads: readonly WorkloadRecord[], initiative: EffectiveInitiative, options: EvaluateOptions = {}): CheckResult[] {
  const results: CheckResult[] = [];
  for (const workload of workloads) {
    const pod = podReviewOf(workload);
    for (const member of initiative.members) results.push(evaluateMember(workload, pod, member, initiative, options));
  }
  return results;
}

/** The Pod the add-on would review for a workload: its own spec, or its template's. */
export function podReviewOf(workload: WorkloadRecord): PodReview {
  return {
    kind: "Pod",
    metadata: {
      name: workload.name,
      namespace: workload.namespace,
      labels: workload.podMetadata.labels,
      annotations: workload.podMetadata.annotations,
    },
    spec: workload.podSpec,
  };
}

/** Each member's `policy` block, made once and shared by its results (nothing writes to a result). */
const policyBlocks = new WeakMap<MemberPolicy, CheckResult["policy"]>();
function policyBlock(member: MemberPolicy): CheckResult["policy"] {
  let block = policyBlocks.get(member);
  if (block === undefined) {
    block = {
      referenceId: member.referenceId,
      displayName: member.displayName,
      definitionId: member.definitionId,
      definitionVersion: member.definitionVersion,
      template: member.template,
      approximation: member.approximation,
    };
    policyBlocks.set(member, block);
  }
  return block;
}

const NO_VIOLATIONS = Object.freeze([]) as unknown as CheckViolation[];

function evaluateMember(workload: WorkloadRecord, pod: PodReview, member: MemberPolicy, initiative: EffectiveInitiative, options: EvaluateOptions): CheckResult {
  // One object per result, its fields always in this order (the -o json shape); a reason is added last.
  const result: CheckResult = {
    file: workload.file,
    line: workload.line,
    column: workload.column,
    kind: workload.kind,
    name: workload.name,
    namespace: workload.namespace,
    namespaceSource: workload.namespaceSource,
    policy: policyBlock(member),
    status: "pass",
    effect: member.effect,
    outcome: "none",
    outcomeText: "passes",
    violations: NO_VIOLATIONS,
  };
  const notApplicable = notApplicableReason(pod, member.match);
  if (notApplicable) {
    result.status = "not-applicable";
    result.outcomeText = NOT_APPLICABLE_TEXT[notApplicable];
    result.notApplicableReason = notApplicable;
    return result;
  }
  if (member.status === "unknown" || !member.evaluator) {
    result.status = "unknown";
    result.outcomeText = `not evaluated: ${member.unknownReason ?? "unknown policy"}`;
    result.unknownReason = member.unknownReason;
    return result;
  }
  const found = member.evaluator.evaluate(pod, member.parameters);
  if (found.length === 0) return result;
  const noOutcome: NoOutcomeReason | undefined = member.effect === "disabled" ? "effect-disabled" : isDoNotEnforce(initiative) ? "do-not-enforce" : member.exemptedBy ? "exempted" : undefined;
  const outcome: Outcome = noOutcome ? "none" : member.effect === "deny" ? "deny" : "audit";
  result.status = "violation";
  result.outcome = outcome;
  result.outcomeText = outcomeText(workload, outcome, noOutcome, member);
  // The evaluator's violations are new objects: each gets its line and hint in place (the -o json
  // shape: the violation's own fields, then line, then hint); the commands that lift them are the result's.
  const { excludeNamespace, exempt } = remediesFor({ workload, member, initiative, assignmentReference: options.assignmentReference, cluster: options.cluster });
  const violations = found as CheckViolation[];
  for (const violation of violations) {
    violation.line = lineOf(workload, violation);
    violation.hint = { change: changeFor(violation, workload.kind, member.parameters), excludeNamespace, exempt };
  }
  result.violations = violations;
  result.noOutcomeReason = noOutcome;
  return result;
}

const NOT_APPLICABLE_TEXT: Record<NotApplicableReason, string> = {
  "system-namespace": "not reviewed: the add-on always excludes this system namespace",
  "excluded-namespace": "not reviewed: the namespace is in the assignment's excludedNamespaces",
  "namespace-not-included": "not reviewed: the assignment's namespaces list does not include this namespace",
  "label-selector": "not reviewed: the pod labels do not match the policy's labelSelector",
};

function outcomeText(workload: WorkloadRecord, outcome: Outcome, reason: NoOutcomeReason | undefined, member: MemberPolicy): string {
  if (outcome === "none") {
    if (reason === "effect-disabled") return "nothing: the policy's effect is Disabled";
    if (reason === "do-not-enforce") return "nothing: the assignment's enforcement mode is DoNotEnforce";
    return `nothing: exempted by ${member.exemptedBy}`;
  }
  if (workload.workloadKind === "Pod") {
    return outcome === "deny" ? "the Pod is refused" : "the Pod is admitted and flagged as non-compliant";
  }
  // One string per kind and outcome, not one per result.
  const texts = CONTROLLER_OUTCOME_TEXTS[outcome];
  let text = texts.get(workload.kind);
  if (text === undefined) {
    text = outcome === "deny" ? `the ${workload.kind} is admitted; its pods are refused` : `the ${workload.kind} is admitted; its pods are flagged as non-compliant`;
    texts.set(workload.kind, text);
  }
  return text;
}

/** Only the workload kinds (POD_TEMPLATE_PATHS in manifests.ts) reach here: a few entries each. */
const CONTROLLER_OUTCOME_TEXTS = { deny: new Map<string, string>(), audit: new Map<string, string>() };

function lineOf(workload: WorkloadRecord, violation: TemplateViolation): number {
  if (violation.volume !== undefined) return workload.volumeLines[violation.volume] ?? workload.line;
  if (violation.container !== undefined) return workload.containerLines[violation.container] ?? workload.line;
  return workload.line;
}

// ---- Constraint match (Gatekeeper `match`), plus the add-on's own exclusions.

export function notApplicableReason(pod: PodReview, match: ConstraintMatch): NotApplicableReason | undefined {
  const namespace = pod.metadata.namespace;
  if (ALWAYS_EXCLUDED_NAMESPACES.includes(namespace)) return "system-namespace";
  if (anyNamespaceMatches(match.excludedNamespaces, namespace)) return "excluded-namespace";
  if (match.namespaces.length > 0 && !anyNamespaceMatches(match.namespaces, namespace)) return "namespace-not-included";
  if (!labelSelectorMatches(match.labelSelector, pod.metadata.labels)) return "label-selector";
  return undefined;
}

function anyNamespaceMatches(patterns: readonly string[], namespace: string): boolean {
  for (const pattern of patterns) if (namespaceMatches(pattern, namespace)) return true;
  return false;
}

/** Gatekeeper namespace patterns allow one `*` at the start or the end (`kube-*`, `*-system`). */
export function namespaceMatches(pattern: string, namespace: string): boolean {
  if (pattern.endsWith("*")) return namespace.startsWith(pattern.slice(0, -1));
  if (pattern.startsWith("*")) return namespace.endsWith(pattern.slice(1));
  return pattern === namespace;
}

export function labelSelectorMatches(selector: Record<string, unknown>, labels: Record<string, string>): boolean {
  // The usual selector is empty (`{}`): it matches every pod.
  if (selector.matchLabels === undefined && selector.matchExpressions === undefined) return true;
  const matchLabels = isObject(selector.matchLabels) ? selector.matchLabels : {};
  for (const [key, value] of Object.entries(matchLabels)) if (labels[key] !== value) return false;
  for (const expression of asArray(selector.matchExpressions).filter(isObject)) {
    const key = typeof expression.key === "string" ? expression.key : "";
    const values = asStringArray(expression.values);
    const has = Object.hasOwn(labels, key);
    switch (expression.operator) {
      case "In":
        if (!has || !values.includes(labels[key] as string)) return false;
        break;
      case "NotIn":
        if (has && values.includes(labels[key] as string)) return false;
        break;
      case "Exists":
        if (!has) return false;
        break;
      case "DoesNotExist":
        if (has) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}
