// The workloads a change to an assignment affects, from the pod results Azure holds: pods that would
// stop being checked (a namespace newly excluded, a member disabled or exempted) and pods that would
// be refused at their next restart (a member newly denying and enforced). Pods in a namespace that is
// excluded have no results in Azure, so re-including one can only point to `akspol check`.
// The diff is pure (diffImpact); workloadImpact reads what it needs and never fails.
import type { PolicyAssignment } from "../azure/assignments.js";
import type { AzureSession } from "../azure/session.js";
import { normalizeId, subscriptionOfScope } from "../azure/ids.js";
import { readClusterPodStates, readSubscriptionPodStates, type PodState, type PodStatesResult } from "../azure/policy-insights.js";
import { assignmentVerdict, namespaceMatches, type AssignmentEnforcement, type ExemptionFact } from "../effective/index.js";
import { enforcementFor } from "./verdicts.js";
import { exemptionFactsAt } from "./load.js";
import { noDataNote } from "./findings.js";

export interface ImpactPod {
  namespace: string;
  pod: string;
  /** The member policies (reference ids) it fails that the change concerns. */
  fails: string[];
}

export interface ClusterImpact {
  clusterId: string;
  clusterName: string;
  /** Non-compliant pods the change would stop checking. */
  noLongerChecked: ImpactPod[];
  /** Pods reported compliant in namespaces the change newly excludes: they stop being checked too. */
  otherPodsUnchecked: number;
  /** Non-compliant pods that would be refused the next time they are created. */
  deniedOnRestart: ImpactPod[];
  /** Set when this cluster's results could not be read or it has none. */
  note?: string;
}

export interface WorkloadImpact {
  clusters: ClusterImpact[];
  /** Namespaces the change stops excluding: Azure holds no results for their pods. */
  noResultsFor: string[];
  /** Replaces the whole section when nothing can be said (clusters unknown). */
  note?: string;
}

function addPod(list: Map<string, ImpactPod>, state: PodState): void {
  const key = `${state.namespace}/${state.pod}`;
  const entry = list.get(key) ?? { namespace: state.namespace, pod: state.pod, fails: [] };
  if (!entry.fails.includes(state.referenceId)) entry.fails.push(state.referenceId);
  list.set(key, entry);
}

function sorted(list: Map<string, ImpactPod>): ImpactPod[] {
  return [...list.values()].sort((a, b) => a.namespace.localeCompare(b.namespace) || a.pod.localeCompare(b.pod));
}

/** One side of a change: the assignment's enforcement and the exemptions in force on the cluster. */
export interface ImpactSide {
  enforcement: AssignmentEnforcement;
  exemptions: ExemptionFact[];
}

function excludes(side: ImpactSide, referenceId: string, namespace: string): boolean {
  const member = side.enforcement.members.find((candidate) => candidate.referenceId.toLowerCase() === referenceId.toLowerCase());
  return member?.excludedNamespaces.some((pattern) => namespaceMatches(pattern, namespace)) ?? false;
}

/** Compares the model's verdicts before and after a change over one cluster's pod results for the assignment. */
export function diffImpact(cluster: { id: string; name: string }, states: PodState[], before: ImpactSide, after: ImpactSide, now: Date): ClusterImpact {
  const verdict = (side: ImpactSide, state: PodState) => {
    const member = side.enforcement.members.find((candidate) => candidate.referenceId.toLowerCase() === state.referenceId.toLowerCase());
    return member ? assignmentVerdict(side.enforcement, member, state.namespace, { clusterId: cluster.id, clusterName: cluster.name, exemptions: side.exemptions }, now) : undefined;
  };
  const hidden = new Map<string, ImpactPod>();
  const refused = new Map<string, ImpactPod>();
  const failing = new Set(states.filter((state) => !state.compliant).map((state) => `${state.namespace}/${state.pod}`));
  const otherPods = new Set<string>();
  for (const state of states) {
    const then = verdict(before, state);
    const later = verdict(after, state);
    if (!then || !later) continue;
    const stopsChecking = then.outcome !== "none" && later.outcome === "none";
    if (state.compliant) {
      const newlyExcluded = excludes(after, state.referenceId, state.namespace) && !excludes(before, state.referenceId, state.namespace);
      if (stopsChecking && newlyExcluded && !failing.has(`${state.namespace}/${state.pod}`)) otherPods.add(`${state.namespace}/${state.pod}`);
      continue;
    }
    if (stopsChecking) addPod(hidden, state);
    else if (then.outcome !== "deny" && later.outcome === "deny") addPod(refused, state);
  }
  return { clusterId: cluster.id, clusterName: cluster.name, noLongerChecked: sorted(hidden), otherPodsUnchecked: otherPods.size, deniedOnRestart: sorted(refused) };
}

export interface ImpactRequest {
  session: AzureSession;
  /** The assignment as read, and as it would be after the change. */
  before: PolicyAssignment;
  after: PolicyAssignment;
  /** The definition the assignment assigns, at the version it uses (the change keeps the version). */
  setDefinition: unknown;
  /** The clusters the assignment reaches; null when they could not be listed. */
  clusters: Array<{ id: string; name: string; azurePolicyEnabled: boolean }> | null;
  now: Date;
  /** An exemption the change creates (exempt create), applied to the "after" side on its cluster. */
  addedExemption?: ExemptionFact & { clusterId: string };
}

function namespacesOf(enforcement: AssignmentEnforcement): Set<string> {
  return new Set(enforcement.members.flatMap((member) => member.excludedNamespaces));
}

/**
 * Reads the pod results of the clusters the assignment reaches (one query per cluster, or one per
 * subscription holding several of them) and the exemptions of the clusters with results, then diffs.
 */
export async function workloadImpact(request: ImpactRequest): Promise<WorkloadImpact> {
  try {
    return await readImpact(request);
  } catch (error) {
    // The impact informs a plan; it never stops one.
    return { clusters: [], noResultsFor: [], note: `workloads not shown: ${((error as Error).message ?? String(error)).split("\n")[0]}` };
  }
}

async function readImpact(request: ImpactRequest): Promise<WorkloadImpact> {
  const { session } = request;
  const assignmentId = normalizeId(request.before.id ?? "");
  const before = enforcementFor(request.before, request.setDefinition);
  const after = enforcementFor(request.after, request.setDefinition);
  const excludedAfter = namespacesOf(after);
  const noResultsFor = [...namespacesOf(before)].filter((namespace) => !excludedAfter.has(namespace)).sort();
  if (request.clusters === null) return { clusters: [], noResultsFor, note: "workloads not shown: the clusters the assignment reaches could not be listed." };
  const enabled = request.clusters.filter((cluster) => cluster.azurePolicyEnabled);
  const bySubscription = new Map<string, typeof enabled>();
  for (const cluster of enabled) {
    const subscription = subscriptionOfScope(normalizeId(cluster.id)) ?? "";
    bySubscription.set(subscription, [...(bySubscription.get(subscription) ?? []), cluster]);
  }
  const results = new Map<string, PodStatesResult>();
  await Promise.all(
    [...bySubscription.entries()].map(async ([subscription, clusters]) => {
      if (clusters.length > 1) {
        const result = await readSubscriptionPodStates(session, subscription);
        for (const cluster of clusters) results.set(cluster.id, result);
      } else {
        for (const cluster of clusters) results.set(cluster.id, await readClusterPodStates(session, cluster.id));
      }
    }),
  );
  const clusters = await Promise.all(
    request.clusters.map(async (cluster): Promise<ClusterImpact> => {
      const empty = { clusterId: cluster.id, clusterName: cluster.name, noLongerChecked: [], otherPodsUnchecked: 0, deniedOnRestart: [] };
      const result = results.get(cluster.id);
      if (!cluster.azurePolicyEnabled || result === undefined) return { ...empty, note: noDataNote(cluster.name, false) };
      if (result.status !== "ok") return { ...empty, note: result.note };
      const onCluster = result.states.filter((state) => normalizeId(state.clusterId) === normalizeId(cluster.id));
      if (onCluster.length === 0) return { ...empty, note: noDataNote(cluster.name, true) };
      const states = onCluster.filter((state) => normalizeId(state.assignmentId) === assignmentId);
      if (states.length === 0) return empty;
      const exemptions = await exemptionFactsAt(session, cluster.id);
      const added = request.addedExemption && normalizeId(request.addedExemption.clusterId) === normalizeId(cluster.id) ? [request.addedExemption] : [];
      return diffImpact(cluster, states, { enforcement: before, exemptions }, { enforcement: after, exemptions: [...exemptions, ...added] }, request.now);
    }),
  );
  // One line when nothing could be read at all (no permission, service unavailable).
  const unread = [...results.values()].flatMap((result) => (result.status === "ok" ? [] : [result.note]));
  if (unread.length > 0 && unread.length === results.size) {
    const notes = new Set(unread.map((note) => note.replace(/ for (subscription )?\S+ \(/, " (")));
    if (notes.size === 1) return { clusters, noResultsFor, note: [...notes][0] };
  }
  return { clusters, noResultsFor };
}

/** The impact section of a plan, as people read it. */
export function renderImpact(impact: WorkloadImpact, hints: { assignmentName: string }): string {
  if (impact.note) return `  workloads: ${impact.note}`;
  const lines = ["  workloads (pod results Azure Policy reports):"];
  const describe = (pods: ImpactPod[]) => {
    const width = Math.max(...pods.map((pod) => pod.namespace.length + pod.pod.length + 1));
    return pods.map((pod) => `      ${`${pod.namespace}/${pod.pod}`.padEnd(width)}  fails ${pod.fails.join(", ")}`);
  };
  for (const cluster of impact.clusters) {
    if (cluster.note) {
      lines.push(`    ${cluster.clusterName}: ${cluster.note.replace(new RegExp(`^(no pod results) for ${cluster.clusterName.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`), "$1")}`);
      continue;
    }
    if (cluster.noLongerChecked.length === 0 && cluster.deniedOnRestart.length === 0 && cluster.otherPodsUnchecked === 0) {
      lines.push(`    ${cluster.clusterName}: no reported pod is affected`);
      continue;
    }
    if (cluster.noLongerChecked.length > 0) {
      lines.push(`    ${cluster.clusterName}: ${cluster.noLongerChecked.length} non-compliant pod${cluster.noLongerChecked.length === 1 ? "" : "s"} would no longer be checked:`);
      lines.push(...describe(cluster.noLongerChecked));
    }
    if (cluster.otherPodsUnchecked > 0) {
      lines.push(
        `    ${cluster.clusterName}: ${cluster.otherPodsUnchecked} other pod${cluster.otherPodsUnchecked === 1 ? "" : "s"} in the newly excluded namespaces would stop being checked against every policy`,
      );
    }
    if (cluster.deniedOnRestart.length > 0) {
      lines.push(`    ${cluster.clusterName}: ${cluster.deniedOnRestart.length} running pod${cluster.deniedOnRestart.length === 1 ? "" : "s"} would be denied at the next restart:`);
      lines.push(...describe(cluster.deniedOnRestart));
    }
  }
  for (const namespace of impact.noResultsFor) {
    lines.push(
      `    ${namespace}: Azure holds no results for pods in an excluded namespace; check their manifests before this applies: akspol check <manifests> --assignment ${hints.assignmentName} --namespace ${namespace}`,
    );
  }
  return lines.join("\n");
}
