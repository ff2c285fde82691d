import type { PolicyAssignment } from "@azure/arm-policy";
import type { AzureSession } from "../azure/session.js";
import type { ClusterRecord } from "../azure/clusters.js";
import type { PolicyExemptionProperties } from "../azure/exemptions-client.js";
import { lastSegment, sameId } from "../azure/ids.js";
import { UsageError } from "../cli/errors.js";
import { assignmentAppliesToCluster } from "../policy/applicability.js";
import { clusterManagementGroups } from "../policy/affected-clusters.js";
import { classifyAssignments, findPodSecurityAssignments, getAssignmentById, listAssignmentsAt, type PodSecurityAssignment } from "../policy/assignments.js";
import type { SetDefinitionCache } from "../policy/definitions.js";
import { checkExpiry, ExpiryError, formatExpiry } from "./expiry.js";
import { looksSecret, stampMetadata } from "./metadata.js";
import { defaultExemptionName, nameProblem } from "./names.js";
import { checkReferences, describeReferenceProblems, membersOf, type SetMember } from "./references.js";
import type { ExemptionCategory } from "./category.js";

/**
 * The checks made before any exemption write (docs/issues/05.md "Checked before any write"): the cluster
 * exists (the caller resolved it through @azure/arm-containerservice), the assignment applies to it
 * by the CLI's rule, every reference id exists in the set definition version actually assigned
 * (read from Azure), a reason is given, the name follows ARM's rules, the expiry is allowed.
 */

export function expiryToUsage(error: unknown): never {
  if (error instanceof ExpiryError) throw new UsageError(error.message, { suggestion: error.suggestion });
  throw error;
}

/**
 * ARM's limits on an exemption's text, checked before any write. Unverified: the 2022-07-01-preview
 * REST spec declares no maxLength; 128 and 512 are the limits docs/issues/09.md gives as ARM's (the portal's).
 */
export const exemptionTextLimits = { displayName: 128, description: 512 } as const;

export function checkDisplayName(displayName: string | undefined, flag = "--display-name"): string | undefined {
  if (displayName !== undefined && displayName.length > exemptionTextLimits.displayName) {
    throw new UsageError(`${flag} is ${displayName.length} characters long; an exemption's display name has at most ${exemptionTextLimits.displayName}.`, {
      suggestion: `Shorten it ('${displayName.slice(0, 40)}...'); put details in --reason (up to ${exemptionTextLimits.description} characters).`,
    });
  }
  return displayName;
}

export function checkReason(reason: string | undefined, flag = "--reason"): string {
  const value = reason?.trim();
  if (!value) {
    throw new UsageError("A reason is required: exemptions without one are the ones nobody can explain a year later.", {
      suggestion: `Pass ${flag} "why the cluster is exempted" (it becomes the exemption's description).`,
    });
  }
  if (value.length > exemptionTextLimits.description) {
    throw new UsageError(`${flag} is ${value.length} characters long; it becomes the exemption's description, which has at most ${exemptionTextLimits.description}.`, {
      suggestion: "Shorten it, and link the details with --ticket.",
    });
  }
  if (looksSecret(value)) {
    throw new UsageError("The reason looks like it contains a secret; exemptions are readable by anyone with Reader on the cluster.", {
      suggestion: "Describe the reason without credentials.",
    });
  }
  return value;
}

export function checkTicket(ticket: string | undefined): string | undefined {
  const value = ticket?.trim();
  if (value && looksSecret(value)) throw new UsageError("The ticket looks like it contains a secret.", { suggestion: "Pass only the ticket id, e.g. --ticket CHG-1234." });
  return value || undefined;
}

export function checkName(name: string): string {
  const problem = nameProblem(name);
  if (problem) {
    throw new UsageError(`Invalid exemption name '${name}': ${problem}.`, {
      suggestion: "Choose another --name, or leave it out for a name derived from the cluster, assignment and policies.",
    });
  }
  return name;
}

export function checkExpiryRule(category: ExemptionCategory, expiresOn: Date | undefined, now: Date, maxDays?: number): void {
  try {
    checkExpiry({ category, expiresOn, now, maxDays });
  } catch (error) {
    expiryToUsage(error);
  }
}

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
    const assignment = await getAssignmentById(session, reference);
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

export interface AssignedSet {
  members: SetMember[];
  label: string;
}

/** The members of the set definition at the version the assignment actually uses, read from Azure. */
export async function assignedSet(definitions: SetDefinitionCache, assignment: PolicyAssignment, subscriptionHint?: string): Promise<AssignedSet> {
  const definition = await definitions.forAssignment(assignment, subscriptionHint);
  const label = `'${definition.displayName ?? lastSegment(assignment.policyDefinitionId ?? "")}'${definition.version ? ` version ${definition.version}` : ""} (assigned by ${assignment.name})`;
  return { members: membersOf(definition), label };
}

/** Reference ids in the set's spelling; a wrong one is exit 2 with "did you mean". */
export function resolveReferences(given: readonly string[], set: AssignedSet): string[] {
  const check = checkReferences(given, set.members);
  if (check.problems.length > 0) {
    throw new UsageError(describeReferenceProblems(check.problems, set.members, set.label), {
      suggestion: "Pass reference ids from the list with --policies, or --all-policies to exempt the whole initiative.",
    });
  }
  return check.resolved;
}

export interface ExemptionBodyInput {
  cluster: ClusterRecord;
  assignment: PolicyAssignment;
  /** undefined exempts every policy of the assignment. */
  referenceIds?: string[];
  category: ExemptionCategory;
  expiresOn?: Date;
  reason: string;
  ticket?: string;
  owner?: string;
  displayName?: string;
  principal: { id: string; name: string };
  existingMetadata?: Record<string, unknown>;
}

export function defaultDisplayName(clusterName: string, assignmentName: string, referenceIds: string[] | undefined): string {
  const what = referenceIds && referenceIds.length > 0 ? referenceIds.join(", ") : "all policies";
  const text = `${clusterName}: ${what} (${assignmentName})`;
  return text.length <= 128 ? text : `${text.slice(0, 125)}...`;
}

/** The properties akspol PUTs for an exemption at the cluster's resource scope. */
export function exemptionProperties(input: ExemptionBodyInput): PolicyExemptionProperties {
  const assignmentName = input.assignment.name ?? lastSegment(input.assignment.id ?? "");
  const properties: PolicyExemptionProperties = {
    policyAssignmentId: input.assignment.id as string,
    exemptionCategory: input.category,
    displayName: input.displayName ?? defaultDisplayName(input.cluster.name, assignmentName, input.referenceIds),
    description: input.reason,
    metadata: stampMetadata(input.existingMetadata, { owner: input.owner, ticket: input.ticket, reason: input.reason, principal: input.principal }),
  };
  if (input.referenceIds && input.referenceIds.length > 0) properties.policyDefinitionReferenceIds = input.referenceIds;
  if (input.expiresOn) properties.expiresOn = formatExpiry(input.expiresOn);
  return properties;
}

export function nameFor(given: string | undefined, cluster: ClusterRecord, assignment: PolicyAssignment, referenceIds: string[] | undefined): string {
  return checkName(given ?? defaultExemptionName(cluster.name, assignment.name ?? lastSegment(assignment.id ?? ""), referenceIds));
}
