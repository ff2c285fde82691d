import type { AzureSession } from "../azure/session.js";
import type { ClusterRecord } from "../azure/clusters.js";
import { listAssignmentsAt, readAssignment, type PolicyAssignment } from "../azure/assignments.js";
import { lastSegment, sameId } from "../azure/ids.js";
import { UsageError } from "../errors.js";
import { assignmentAppliesToCluster } from "../policy/applicability.js";
import { clusterManagementGroups } from "../policy/affected-clusters.js";
import { classifyAssignments, findPodSecurityAssignments, type PodSecurityAssignment } from "../policy/assignments.js";
import type { SetDefinitionCache } from "../policy/definitions.js";
import { membersOf } from "./references.js";
import type { AssignedSet } from "./validate.js";

/**
 * The Azure lookups made before an exemption write (docs/issues/05.md "Checked before any write"): the
 * pod-security assignments that apply to the cluster by the CLI's rule (the cluster itself was
 * resolved through src/azure/clusters.ts), the one a reference names, and the members of the set
 * definition at the version that assignment actually uses. The pure checks are in validate.ts.
 */

export interface ApplicableAssignment extends PodSecurityAssignment {
  reason: string;
}

/**
 * The pod-security assignments that apply to the cluster: atScope() list, then notScopes and selectors.
 * `listed` is the cluster's subscription's assignment list when the caller has it (exempt apply reads
 * one list per subscription for all its clusters, docs/issues/13.md): then no request is made for the list.
 */
export async function applicableAssignments(
  session: AzureSession,
  definitions: SetDefinitionCache,
  cluster: ClusterRecord,
  listedInSubscription?: PolicyAssignment[],
  /** Classify only these (the set definitions of other carriers are then not read). */
  only: (assignment: PolicyAssignment) => boolean = () => true,
): Promise<{ applicable: ApplicableAssignment[]; notApplicable: Array<ApplicableAssignment> }> {
  const listed = listedInSubscription ?? (await listAssignmentsAt(session, { kind: "cluster", subscriptionId: cluster.subscriptionId, resourceGroup: cluster.resourceGroup, name: cluster.name }));
  const classified = await classifyAssignments(definitions, listed.filter(only));
  // Management-group scopes and notScopes need the cluster's management-group ancestry.
  cluster.managementGroups ??= await clusterManagementGroups(session, cluster, listed);
  const applicable: ApplicableAssignment[] = [];
  const notApplicable: ApplicableAssignment[] = [];
  for (const entry of classified) {
    const verdict = assignmentAppliesToCluster(entry.assignment, cluster);
    (verdict.applies ? applicable : notApplicable).push({ ...entry, reason: verdict.reason });
  }
  return { applicable, notApplicable };
}

function matches(assignment: PolicyAssignment, reference: string): boolean {
  if (reference.includes("/")) return !!assignment.id && sameId(assignment.id, reference);
  const lower = reference.toLowerCase();
  return assignment.name?.toLowerCase() === lower || assignment.displayName?.toLowerCase() === lower;
}

/**
 * Finds `reference` among the assignments that apply to the cluster. When it is not there, looks it
 * up (by id, or in the cluster's subscription) only to say why it does not apply: exit 2.
 */
export async function resolveApplicableAssignment(
  session: AzureSession,
  definitions: SetDefinitionCache,
  cluster: ClusterRecord,
  reference: string,
  known?: { applicable: ApplicableAssignment[]; notApplicable: ApplicableAssignment[] },
): Promise<PolicyAssignment> {
  const { applicable, notApplicable } = known ?? (await applicableAssignments(session, definitions, cluster, undefined, (assignment) => matches(assignment, reference)));
  const found = applicable.filter((entry) => matches(entry.assignment, reference));
  if (found.length === 1) return (found[0] as ApplicableAssignment).assignment;
  const every = known ?? (await applicableAssignments(session, definitions, cluster));
  const names = every.applicable.map((entry) => entry.assignment.name).join(", ") || "none";
  if (found.length > 1) {
    throw new UsageError(`'${reference}' matches ${found.length} assignments that apply to ${cluster.name}:\n${found.map((entry) => `  ${entry.assignment.id}`).join("\n")}`, {
      suggestion: "Pass the assignment's full id with --assignment.",
    });
  }
  let elsewhere: { assignment: PolicyAssignment; reason: string } | undefined;
  const excluded = notApplicable.find((entry) => matches(entry.assignment, reference));
  if (excluded) elsewhere = excluded;
  else if (reference.includes("/")) {
    const assignment = await readAssignment(session, reference);
    if (assignment) elsewhere = { assignment, reason: assignmentAppliesToCluster(assignment, cluster).reason };
  } else {
    const inSubscription = await findPodSecurityAssignments({ session, definitions, targets: [{ kind: "subscription", subscriptionId: cluster.subscriptionId }] });
    const match = inSubscription.find((entry) => matches(entry.assignment, reference));
    if (match) elsewhere = { assignment: match.assignment, reason: assignmentAppliesToCluster(match.assignment, cluster).reason };
  }
  if (elsewhere) {
    throw new UsageError(`Assignment '${elsewhere.assignment.name}' does not apply to cluster ${cluster.name}: ${elsewhere.reason}. An exemption for it would exempt nothing.`, {
      suggestion: `Assignments that apply to ${cluster.name}: ${names}.`,
    });
  }
  throw new UsageError(`No pod-security assignment '${reference}' applies to cluster ${cluster.name}.`, {
    suggestion: `Assignments that apply to ${cluster.name}: ${names}. List them with 'akspol find --cluster ${cluster.name}'.`,
  });
}

/** The members of the set definition at the version the assignment actually uses, read from Azure. */
export async function assignedSet(definitions: SetDefinitionCache, assignment: PolicyAssignment, subscriptionHint?: string): Promise<AssignedSet> {
  const definition = await definitions.forAssignment(assignment, subscriptionHint);
  const label = `'${definition.displayName ?? lastSegment(assignment.policyDefinitionId ?? "")}'${definition.version ? ` version ${definition.version}` : ""} (assigned by ${assignment.name})`;
  return { members: membersOf(definition), label };
}
