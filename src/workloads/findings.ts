// The non-compliant pods of a cluster, per member policy and namespace, with what each assignment
// would do to them at their next restart, and the members whose results Azure truncates. Pure.
import { REPORTED_NON_COMPLIANT_CAP, type PodState, type PodStatesResult } from "../azure/policy-insights.js";
import { lastSegment, normalizeId } from "../azure/ids.js";
import { onRestart, verdictKey, type ClusterVerdicts } from "./verdicts.js";

export interface PodFinding {
  namespace: string;
  pod: string;
  referenceId: string;
  assignmentId: string;
  assignmentName: string;
  effect: string;
  /** "denied", "admitted (audit)", ... (see onRestart). */
  onRestart: string;
  deniedOnRestart: boolean;
  evaluatedAt: string;
}

export interface TruncatedMember {
  assignmentName: string;
  referenceId: string;
  /** Azure reports at most 500 non-compliant pods per policy per cluster; more may exist. */
  reported: number;
}

export interface ClusterWorkloads {
  clusterId: string;
  clusterName: string;
  /** The newest evaluation time among the pods Azure reported; null without data. */
  lastEvaluated: string | null;
  findings: PodFinding[];
  /** Pods Azure reported (in the filter) that fail nothing. */
  compliantPods: number;
  truncated: TruncatedMember[];
  /** One line replacing the results when they cannot be shown (no permission, no data yet, add-on off). */
  note?: string;
}

export interface WorkloadFilter {
  namespace?: string;
  /** Member reference ids. */
  policies?: string[];
  /** Assignment names or ids. */
  assignments?: string[];
}

function inFilter(state: PodState, filter: WorkloadFilter): boolean {
  if (filter.namespace && state.namespace !== filter.namespace) return false;
  if (filter.policies?.length && !filter.policies.some((reference) => reference.toLowerCase() === state.referenceId.toLowerCase())) return false;
  if (filter.assignments?.length) {
    const id = normalizeId(state.assignmentId);
    const name = lastSegment(state.assignmentId).toLowerCase();
    if (!filter.assignments.some((wanted) => (wanted.includes("/") ? normalizeId(wanted) === id : wanted.toLowerCase() === name))) return false;
  }
  return true;
}

/** Members (per assignment) with at least the add-on's cap of non-compliant pods reported. */
function truncatedMembers(states: PodState[]): TruncatedMember[] {
  const counts = new Map<string, TruncatedMember>();
  for (const state of states) {
    if (state.compliant) continue;
    const key = verdictKey(state.assignmentId, state.referenceId);
    const entry = counts.get(key) ?? { assignmentName: lastSegment(state.assignmentId), referenceId: state.referenceId, reported: 0 };
    entry.reported++;
    counts.set(key, entry);
  }
  return [...counts.values()].filter((entry) => entry.reported >= REPORTED_NON_COMPLIANT_CAP);
}

export function noDataNote(clusterName: string, azurePolicyEnabled: boolean): string {
  if (!azurePolicyEnabled) return `no pod results for ${clusterName}: the Azure Policy add-on is disabled there, so nothing reports or enforces.`;
  return `no pod results for ${clusterName} yet: the Azure Policy add-on reports about 30 minutes after it starts, and Azure lists only pods that fail a policy.`;
}

export function clusterWorkloads(
  cluster: { id: string; name: string; azurePolicyEnabled?: boolean },
  result: PodStatesResult,
  verdicts: ClusterVerdicts | undefined,
  filter: WorkloadFilter = {},
): ClusterWorkloads {
  const base: ClusterWorkloads = { clusterId: cluster.id, clusterName: cluster.name, lastEvaluated: null, findings: [], compliantPods: 0, truncated: [] };
  if (result.status !== "ok") return { ...base, note: result.note };
  const states = result.states.filter((state) => normalizeId(state.clusterId) === normalizeId(cluster.id));
  if (states.length === 0) return { ...base, note: noDataNote(cluster.name, cluster.azurePolicyEnabled !== false) };
  const lastEvaluated = states.reduce((latest, state) => (state.evaluatedAt > latest ? state.evaluatedAt : latest), "");
  const wanted = states.filter((state) => inFilter(state, filter));
  const findings = wanted
    .filter((state) => !state.compliant)
    .map((state) => {
      const found = verdicts?.member(state.assignmentId, state.referenceId);
      const verdict = verdicts?.verdict(state.assignmentId, state.referenceId, state.namespace);
      return {
        namespace: state.namespace,
        pod: state.pod,
        referenceId: state.referenceId,
        assignmentId: state.assignmentId,
        assignmentName: found?.enforcement.assignment.name || lastSegment(state.assignmentId),
        effect: found?.member.effect ?? "unknown",
        onRestart: onRestart(verdict, found?.enforcement, found?.member),
        deniedOnRestart: verdict?.outcome === "deny",
        evaluatedAt: state.evaluatedAt,
      };
    })
    .sort((a, b) => a.referenceId.localeCompare(b.referenceId) || a.namespace.localeCompare(b.namespace) || a.pod.localeCompare(b.pod) || a.assignmentName.localeCompare(b.assignmentName));
  const failing = new Set(findings.map((finding) => `${finding.namespace}/${finding.pod}`));
  const compliantPods = new Set(wanted.filter((state) => !failing.has(`${state.namespace}/${state.pod}`)).map((state) => `${state.namespace}/${state.pod}`)).size;
  return { ...base, lastEvaluated, findings, compliantPods, truncated: truncatedMembers(states.filter((state) => inFilter(state, { ...filter, namespace: undefined }))) };
}
