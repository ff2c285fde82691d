// `akspol advise --manifest FILE`: a workload not deployed yet. Which members it would fail is what
// `check` finds (the manifest evaluated against each pod-security assignment that applies to the
// cluster, as configured in Azure); what each assignment does about it and the levers come from the
// effective model, as for a running pod; the blast radius from the cluster's pod results.
import { readFile } from "node:fs/promises";
import type { Context } from "../context.js";
import { resolveClusterIn } from "../azure/clusters.js";
import { readClusterPodStates } from "../azure/policy-insights.js";
import { lastSegment, normalizeId } from "../azure/ids.js";
import { UsageError } from "../errors.js";
import { evaluateWorkloads } from "../check/evaluate.js";
import { resolveInitiative } from "../check/initiative.js";
import type { PolicySetDefinitionDocument } from "../check/types.js";
import { parseManifests } from "../check/manifests.js";
import { applicableAssignments } from "../exemptions/applicable.js";
import { SetDefinitionCache } from "../policy/definitions.js";
import { rankLevers, type WorkloadFailure } from "./advise.js";
import { reachOf, type AdviceOutput } from "./advise-read.js";
import { exemptionFactsAt } from "./load.js";
import { ClusterVerdicts, enforcementFor } from "./verdicts.js";

/** The slice of the context these functions use (main passes the whole context; a test may build just this). */
export type AdviseManifestDeps = Pick<Context, "azure" | "clock" | "io" | "prompter" | "subscriptions">;

export interface ManifestAdviceRequest {
  cluster: string;
  resourceGroup?: string;
  manifest: string;
  /** For a workload without metadata.namespace. */
  namespace?: string;
  /** The workload's name, when the file holds several. */
  workload?: string;
}

export async function adviseForManifest(ctx: AdviseManifestDeps, request: ManifestAdviceRequest): Promise<AdviceOutput> {
  let text: string;
  try {
    text = await readFile(request.manifest, "utf8");
  } catch (error) {
    throw new UsageError(`Cannot read ${request.manifest}: ${(error as Error).message}`);
  }
  const parsed = parseManifests([{ file: request.manifest, text }], { namespace: request.namespace });
  if (parsed.errors.length > 0) throw new UsageError(`${request.manifest} could not be read: ${parsed.errors.map((error) => `${error.line}:${error.column}: ${error.message}`).join("; ")}`);
  const candidates = request.workload ? parsed.workloads.filter((candidate) => candidate.name === request.workload) : parsed.workloads;
  if (candidates.length !== 1) {
    const names = parsed.workloads.map((candidate) => `${candidate.kind}/${candidate.name}`).join(", ") || "none";
    throw new UsageError(
      `${request.manifest} holds ${candidates.length === 0 ? "no" : candidates.length} workload${candidates.length === 1 ? "" : "s"}${request.workload ? ` named '${request.workload}'` : " with a pod template"} (${names}); advise takes one.`,
      {
        suggestion: "Name it with --pod <workload name>; 'akspol check' evaluates many at once.",
      },
    );
  }
  const workload = candidates[0]!;
  const cluster = await resolveClusterIn(ctx, request.cluster, { resourceGroup: request.resourceGroup });
  const definitions = new SetDefinitionCache(ctx.azure);
  const now = ctx.clock.now();
  const [{ applicable }, exemptions, states] = await Promise.all([
    applicableAssignments(ctx.azure, definitions, cluster),
    exemptionFactsAt(ctx.azure, cluster.id),
    readClusterPodStates(ctx.azure, cluster.id),
  ]);
  const failing: Array<{ assignmentId: string; referenceId: string }> = [];
  const enforcements = await Promise.all(
    applicable.map(async ({ assignment }) => {
      const definition = await definitions.forAssignment(assignment, cluster.subscriptionId);
      // Which members the pod would fail: the check engine, with the exemptions ignored (the model
      // says below whether one covers the member).
      const initiative = resolveInitiative({ setDefinition: { ...(definition as unknown as PolicySetDefinitionDocument), id: definition.id ?? assignment.policyDefinitionId }, assignment, now });
      for (const result of evaluateWorkloads([workload], initiative)) {
        if (result.status === "violation") failing.push({ assignmentId: assignment.id ?? "", referenceId: result.policy.referenceId });
      }
      return enforcementFor(assignment, definition);
    }),
  );
  const verdicts = new ClusterVerdicts(enforcements, { clusterId: cluster.id, clusterName: cluster.name, exemptions }, now);
  const failures: WorkloadFailure[] = failing
    .map(({ assignmentId, referenceId }) => {
      const found = verdicts.member(assignmentId, referenceId);
      const verdict = verdicts.verdict(assignmentId, referenceId, workload.namespace);
      return {
        assignmentId,
        assignmentName: found?.enforcement.assignment.name ?? lastSegment(assignmentId),
        referenceId,
        outcome: verdict?.outcome ?? "none",
        reason: verdict?.reason ?? "the assignment could not be read",
        levers: verdict?.levers ?? [],
      };
    })
    .sort((a, b) => a.assignmentName.localeCompare(b.assignmentName) || a.referenceId.localeCompare(b.referenceId));
  const clusterStates = states.status === "ok" ? states.states.filter((state) => normalizeId(state.clusterId) === normalizeId(cluster.id)) : [];
  const reach = await reachOf(ctx, failures, (id) => applicable.find((entry) => normalizeId(entry.assignment.id ?? "") === id)?.assignment);
  const levers = rankLevers({ cluster, namespace: workload.namespace, pod: workload.name, failures, states: clusterStates, enforcements, reach });
  return {
    schemaVersion: 1,
    clusterId: cluster.id,
    clusterName: cluster.name,
    namespace: workload.namespace,
    pod: workload.name,
    source: { kind: "manifest", file: request.manifest, workloadKind: workload.kind },
    ...(states.status === "ok" ? {} : { note: states.note }),
    failures,
    levers,
  };
}
