import type { ClusterRecord } from "../azure/clusters.js";
import type { PolicyExemptionProperties } from "../azure/exemptions-client.js";
import type { PolicyAssignment } from "../azure/assignments.js";
import { lastSegment } from "../azure/ids.js";
import { UsageError } from "../errors.js";
import { checkExpiry, ExpiryError, formatExpiry } from "./expiry.js";
import { looksSecret, stampMetadata } from "./metadata.js";
import { defaultExemptionName, nameProblem } from "./names.js";
import { checkReferences, describeReferenceProblems, type SetMember } from "./references.js";
import type { ExemptionCategory } from "./category.js";

/**
 * The checks made before any exemption write (docs/issues/05.md "Checked before any write"), as pure functions
 * over what the caller read: a reason is given, the name follows ARM's rules, the expiry is allowed,
 * every reference id exists in the set definition version actually assigned. Which assignments apply
 * to the cluster, and that set, are read from Azure in applicable.ts.
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

export interface AssignedSet {
  members: SetMember[];
  label: string;
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
