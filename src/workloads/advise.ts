// `akspol advise`: the levers that would let one workload through, ranked by how much protection each
// removes, narrowest first (the order of docs/issues/15.md):
//   1. a cluster exemption of the failing reference ids of one assignment (those policies, this cluster)
//   2. a per-member exclusion, where the carrier reads the member's excluded namespaces from a
//      parameter of its own (those policies, this namespace, every cluster the assignment reaches)
//      (or, on the baseline and restricted initiatives, the conversion to akspol's per-policy custom
//      initiative, issue 17, when the shared parameter would switch off more than the failing policies)
//   3. a namespace exclusion (every policy reading the shared parameter, this namespace, every cluster)
//   4. an Audit override for one member (that policy, every namespace, every cluster; still reported)
// The levers themselves (and their commands) come from the effective model's verdicts; this module
// groups them and measures each one's blast radius from the compliance data. Pure.
import type { AssignmentEnforcement, Lever, Outcome } from "../effective/index.js";
import type { PodState } from "../azure/policy-insights.js";
import { normalizeId } from "../azure/ids.js";

export interface WorkloadFailure {
  assignmentId: string;
  assignmentName: string;
  referenceId: string;
  /** What the assignment does to the workload for this member (deny, warn, audit, none). */
  outcome: Outcome;
  reason: string;
  levers: Lever[];
}

export type LeverKind = "exemption" | "member-exclusion" | "namespace-exclusion" | "effect-override";

export interface OtherPod {
  namespace: string;
  pod: string;
  /** Members (of the lever's scope) it fails; empty when Azure reports it compliant. */
  fails: string[];
}

export interface RankedLever {
  rank: number;
  kind: LeverKind;
  description: string;
  command: string;
  assignmentName: string;
  /** Reference ids the lever stops enforcing. */
  policies: string[];
  /** "all" or the namespaces it stops checking. */
  namespaces: "all" | string[];
  /** Names of the clusters it reaches (the assignment's, or the one cluster for an exemption). */
  clusters: string[];
  /** Other pods on this cluster the lever also lets through or stops checking, from Azure's results. */
  otherPods: OtherPod[];
}

export interface AdviceInput {
  cluster: { id: string; name: string };
  namespace: string;
  pod: string;
  failures: WorkloadFailure[];
  /** The cluster's pod results (every assignment). */
  states: PodState[];
  enforcements: AssignmentEnforcement[];
  /** Cluster names each assignment reaches, by normalized assignment id. */
  reach: Map<string, string[]>;
}

const KIND_ORDER: LeverKind[] = ["exemption", "member-exclusion", "namespace-exclusion", "effect-override"];

/** The failures a lever has to lift: those that deny (or warn); else every one reported. */
function targetFailures(failures: WorkloadFailure[]): WorkloadFailure[] {
  const blocking = failures.filter((failure) => failure.outcome === "deny" || failure.outcome === "warn");
  return blocking.length > 0 ? blocking : failures.filter((failure) => failure.outcome !== "none");
}

function otherPods(input: AdviceInput, assignmentId: string, match: (state: PodState) => boolean, includeCompliant: boolean): OtherPod[] {
  const pods = new Map<string, OtherPod>();
  const id = normalizeId(assignmentId);
  for (const state of input.states) {
    if (normalizeId(state.assignmentId) !== id || !match(state)) continue;
    if (state.namespace === input.namespace && state.pod === input.pod) continue;
    const key = `${state.namespace}/${state.pod}`;
    const entry = pods.get(key) ?? { namespace: state.namespace, pod: state.pod, fails: [] };
    if (!state.compliant && !entry.fails.includes(state.referenceId)) entry.fails.push(state.referenceId);
    pods.set(key, entry);
  }
  return [...pods.values()].filter((pod) => includeCompliant || pod.fails.length > 0).sort((a, b) => a.namespace.localeCompare(b.namespace) || a.pod.localeCompare(b.pod));
}

const isExclusion = (lever: Lever) => lever.kind === "parameter" && (lever.command ?? "").startsWith("akspol exclude add");
const isEffect = (lever: Lever) => (lever.kind === "parameter" || lever.kind === "override") && (lever.command ?? "").startsWith("akspol params set");

export function rankLevers(input: AdviceInput): RankedLever[] {
  const targets = targetFailures(input.failures);
  const levers: Array<Omit<RankedLever, "rank">> = [];
  const byAssignment = new Map<string, WorkloadFailure[]>();
  for (const failure of targets) byAssignment.set(normalizeId(failure.assignmentId), [...(byAssignment.get(normalizeId(failure.assignmentId)) ?? []), failure]);
  for (const [id, failures] of byAssignment) {
    const name = failures[0]?.assignmentName ?? "";
    const reach = input.reach.get(id) ?? [input.cluster.name];
    const references = failures.map((failure) => failure.referenceId);
    const inReferences = (state: PodState) => references.some((reference) => reference.toLowerCase() === state.referenceId.toLowerCase());
    // 1. One exemption of this cluster from the failing members.
    const exemption = failures.flatMap((failure) => failure.levers).find((lever) => lever.kind === "exemption" && lever.command);
    if (exemption?.command) {
      levers.push({
        kind: "exemption",
        description: `exempt cluster ${input.cluster.name} from ${references.join(", ")} of ${name}`,
        command: `${exemption.command.replace(/--policies \S+$/, `--policies ${references.join(",")}`)} --category waiver --expires +30d --reason '...'`,
        assignmentName: name,
        policies: references,
        namespaces: "all",
        clusters: [input.cluster.name],
        otherPods: otherPods(input, id, (state) => inReferences(state), false),
      });
    }
    // 2 and 3. Exclusions, grouped by the parameter they write.
    const enforcement = input.enforcements.find((candidate) => normalizeId(candidate.assignment.id) === id);
    const exclusions = new Map<string, Lever>();
    for (const lever of failures.flatMap((failure) => failure.levers).filter(isExclusion)) exclusions.set(lever.parameter ?? "", lever);
    for (const [parameter, lever] of exclusions) {
      const readers = (enforcement?.members ?? [])
        .filter((member) => member.origins.excludedNamespaces.kind === "parameter" && (member.origins.excludedNamespaces as { parameter: string }).parameter === parameter)
        .map((member) => member.referenceId);
      const shared = readers.length > 1 || parameter.toLowerCase() === "excludednamespaces";
      const policies = readers.length > 0 ? readers : [lever.referenceId ?? ""];
      const inPolicies = (state: PodState) => policies.some((reference) => reference.toLowerCase() === state.referenceId.toLowerCase());
      levers.push({
        kind: shared ? "namespace-exclusion" : "member-exclusion",
        description: shared
          ? `exclude namespace ${input.namespace} from ${name} (parameter ${parameter}: ${policies.length} polic${policies.length === 1 ? "y" : "ies"}, every cluster it reaches)`
          : `exclude namespace ${input.namespace} from ${lever.referenceId} of ${name} only (parameter ${parameter})`,
        command: lever.command ?? "",
        assignmentName: name,
        policies,
        namespaces: [input.namespace],
        clusters: reach,
        otherPods: otherPods(input, id, (state) => state.namespace === input.namespace && inPolicies(state), shared),
      });
      // Issue 17: where the shared parameter would switch off more policies than the failing ones, the
      // baseline and restricted initiatives can be converted to akspol's per-policy custom initiative.
      const family = enforcement?.definition.family;
      const failing = references.filter((reference) => policies.some((policy) => policy.toLowerCase() === reference.toLowerCase()));
      if (shared && (family === "baseline" || family === "restricted") && lever.command && failing.length > 0 && failing.length < policies.length) {
        const inFailing = (state: PodState) => failing.some((reference) => reference.toLowerCase() === state.referenceId.toLowerCase());
        levers.push({
          kind: "member-exclusion",
          description: `exclude namespace ${input.namespace} from ${failing.join(", ")} of ${name} only (converts ${name} to akspol's per-policy custom initiative ${name}-pp; the other ${policies.length - failing.length} polic${policies.length - failing.length === 1 ? "y keeps" : "ies keep"} checking ${input.namespace})`,
          command: `${lever.command} --policies ${failing.join(",")}`,
          assignmentName: name,
          policies: failing,
          namespaces: [input.namespace],
          clusters: reach,
          otherPods: otherPods(input, id, (state) => state.namespace === input.namespace && inFailing(state), false),
        });
      }
    }
    // 4. An Audit override per failing member.
    for (const failure of failures.filter((candidate) => candidate.outcome === "deny" || candidate.outcome === "warn")) {
      const lever = failure.levers.find(isEffect);
      if (!lever?.command) continue;
      levers.push({
        kind: "effect-override",
        description: `audit ${failure.referenceId} of ${name} instead of denying it (still reported)`,
        command: lever.command,
        assignmentName: name,
        policies: [failure.referenceId],
        namespaces: "all",
        clusters: reach,
        otherPods: otherPods(input, id, (state) => state.referenceId.toLowerCase() === failure.referenceId.toLowerCase(), false),
      });
    }
  }
  return levers
    .sort((a, b) => KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind) || a.policies.length - b.policies.length || a.clusters.length - b.clusters.length)
    .map((lever, index) => ({ rank: index + 1, ...lever }));
}

/** The advice as people read it. */
export function renderAdvice(input: { cluster: string; namespace: string; pod: string; failures: WorkloadFailure[]; levers: RankedLever[] }): string {
  const lines = [`${input.namespace}/${input.pod} on ${input.cluster}:`];
  for (const failure of input.failures)
    lines.push(
      `  fails ${failure.referenceId} of ${failure.assignmentName}: ${failure.outcome === "deny" ? "denied at the next restart" : failure.outcome === "none" ? "not enforced" : failure.outcome} (${failure.reason})`,
    );
  if (input.levers.length === 0) {
    lines.push("  nothing to lift: no assignment denies or reports it.");
    return lines.join("\n");
  }
  lines.push("Levers, narrowest first:");
  for (const lever of input.levers) {
    lines.push(`  ${lever.rank}. ${lever.description}`);
    const namespaces = lever.namespaces === "all" ? "every namespace" : lever.namespaces.join(", ");
    lines.push(`     stops: ${lever.policies.join(", ")} in ${namespaces} on ${lever.clusters.length === 1 ? lever.clusters[0] : `${lever.clusters.length} clusters (${lever.clusters.join(", ")})`}`);
    if (lever.otherPods.length > 0) {
      const described = lever.otherPods.map((pod) => `${pod.namespace}/${pod.pod}${pod.fails.length ? ` (fails ${pod.fails.join(", ")})` : " (compliant)"}`);
      lines.push(`     also affects on ${input.cluster}: ${described.join("; ")}`);
    } else {
      lines.push(`     also affects on ${input.cluster}: no other reported pod`);
    }
    lines.push(`     $ ${lever.command}`);
  }
  return lines.join("\n");
}
