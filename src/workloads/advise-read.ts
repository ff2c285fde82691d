// Reads what `advise` needs for a running pod: the cluster, its pod results (one Policy Insights
// query), the verdicts of the assignments that flag the pod (effective model) and the clusters each
// of those assignments reaches.
import type { PolicyAssignment } from "../azure/assignments.js";
import type { Context } from "../context.js";
import { resolveClusterIn } from "../azure/clusters.js";
import { readClusterPodStates } from "../azure/policy-insights.js";
import { lastSegment, normalizeId } from "../azure/ids.js";
import { NotFoundError } from "../errors.js";
import { clustersUnderAssignment } from "../policy/affected-clusters.js";
import { SetDefinitionCache } from "../policy/definitions.js";
import { rankLevers, type RankedLever, type WorkloadFailure } from "./advise.js";
import { VerdictLoader } from "./load.js";

/** The slice of the context these functions use (main passes the whole context; a test may build just this). */
export type AdviseReadDeps = Pick<Context, "azure" | "clock" | "io" | "prompter" | "subscriptions">;

export interface AdviceRequest {
  cluster: string;
  resourceGroup?: string;
  namespace: string;
  pod: string;
}

export interface AdviceOutput {
  schemaVersion: 1;
  clusterId: string;
  clusterName: string;
  namespace: string;
  pod: string;
  /** Where the failures come from: Azure's results for a running pod, or `check` on a manifest. */
  source: { kind: "pod" } | { kind: "manifest"; file: string; workloadKind: string };
  /** Set when the cluster's pod results could not be read (the blast radius then names no other pod). */
  note?: string;
  failures: WorkloadFailure[];
  levers: RankedLever[];
}

/** The cluster names each failing assignment reaches (one cluster list per subscription it covers). */
export async function reachOf(
  ctx: AdviseReadDeps,
  failures: WorkloadFailure[],
  assignmentOf: (normalizedId: string) => Promise<PolicyAssignment | undefined> | PolicyAssignment | undefined,
): Promise<Map<string, string[]>> {
  const reach = new Map<string, string[]>();
  await Promise.all(
    [...new Set(failures.map((failure) => normalizeId(failure.assignmentId)))].map(async (id) => {
      const assignment = await assignmentOf(id);
      if (!assignment) return;
      try {
        const clusters = await clustersUnderAssignment(ctx.azure, assignment);
        reach.set(
          id,
          clusters
            .filter((candidate) => candidate.applicability.applies)
            .map((candidate) => candidate.name)
            .sort(),
        );
      } catch {
        // Unknown reach: the lever is shown for this cluster only.
      }
    }),
  );
  return reach;
}

export async function adviseForPod(ctx: AdviseReadDeps, request: AdviceRequest): Promise<AdviceOutput> {
  const cluster = await resolveClusterIn(ctx, request.cluster, { resourceGroup: request.resourceGroup });
  const result = await readClusterPodStates(ctx.azure, cluster.id);
  if (result.status !== "ok") {
    throw new NotFoundError(`Cannot advise on ${request.namespace}/${request.pod}: ${result.note}`, {
      suggestion: `Advise on its manifest instead: akspol advise --cluster ${cluster.name} --manifest <file>`,
    });
  }
  const states = result.states.filter((state) => normalizeId(state.clusterId) === normalizeId(cluster.id));
  const own = states.filter((state) => state.namespace === request.namespace && state.pod === request.pod);
  if (own.length === 0) {
    throw new NotFoundError(`Azure reports no pod ${request.namespace}/${request.pod} on ${cluster.name}.`, {
      suggestion: `Azure lists only pods that fail a policy, after the add-on's next evaluation. See what it reports with 'akspol workloads --cluster ${cluster.name} --namespace ${request.namespace}', or advise on its manifest: akspol advise --cluster ${cluster.name} --manifest <file>`,
    });
  }
  const loader = new VerdictLoader(ctx.azure, new SetDefinitionCache(ctx.azure), ctx.clock.now());
  const verdicts = await loader.verdicts(
    own.map((state) => state.assignmentId),
    cluster,
  );
  const failures: WorkloadFailure[] = own
    .filter((state) => !state.compliant)
    .map((state) => {
      const found = verdicts?.member(state.assignmentId, state.referenceId);
      const verdict = verdicts?.verdict(state.assignmentId, state.referenceId, state.namespace);
      return {
        assignmentId: state.assignmentId,
        assignmentName: found?.enforcement.assignment.name ?? lastSegment(state.assignmentId),
        referenceId: state.referenceId,
        outcome: verdict?.outcome ?? "none",
        reason: verdict?.reason ?? "the assignment could not be read",
        levers: verdict?.levers ?? [],
      };
    })
    .sort((a, b) => a.assignmentName.localeCompare(b.assignmentName) || a.referenceId.localeCompare(b.referenceId));
  const reach = await reachOf(ctx, failures, (id) => loader.assignment(id));
  const levers = rankLevers({ cluster, namespace: request.namespace, pod: request.pod, failures, states, enforcements: verdicts?.enforcements ?? [], reach });
  return { schemaVersion: 1, clusterId: cluster.id, clusterName: cluster.name, namespace: request.namespace, pod: request.pod, source: { kind: "pod" }, failures, levers };
}
