import type { PolicyExemption, PolicyExemptionProperties } from "../azure/exemptions-client.js";
import { isAtOrBelow, lastSegment, normalizeId, sameId, splitAuthorizationId } from "../azure/ids.js";
import { sameExpiry } from "./expiry.js";
import { metadataKeys, ownerOf, isManagedByAkspol } from "./metadata.js";

/**
 * Desired versus actual exemptions: what `apply` would do, with field diffs. Pure.
 * Identity is the exemption id (cluster scope + name). ARM cannot change an exemption's assignment
 * (InvalidPolicyAssignmentIdUpdate), so a new assignment is a replace.
 */
export interface DesiredState {
  /** The exemption id: `<cluster id>/providers/Microsoft.Authorization/policyExemptions/<name>`. */
  id: string;
  scope: string;
  name: string;
  /** A label for people (the cluster name). */
  cluster: string;
  properties: PolicyExemptionProperties;
  /** Index of the entry in the file, for messages. */
  index?: number;
}

export interface FieldDiff {
  field: string;
  before: unknown;
  after: unknown;
}

export type PlanAction =
  | { action: "create"; id: string; scope: string; name: string; cluster: string; desired: PolicyExemptionProperties }
  | { action: "update"; id: string; scope: string; name: string; cluster: string; desired: PolicyExemptionProperties; actual: PolicyExemption; diffs: FieldDiff[] }
  | { action: "replace"; id: string; scope: string; name: string; cluster: string; desired: PolicyExemptionProperties; actual: PolicyExemption; diffs: FieldDiff[] }
  | { action: "unchanged"; id: string; scope: string; name: string; cluster: string; actual: PolicyExemption }
  | { action: "delete"; id: string; scope: string; name: string; cluster: string; actual: PolicyExemption };

export interface OwnershipConflict {
  id: string;
  name: string;
  cluster: string;
  /** The other owner, or undefined when the exemption was not made by akspol. */
  owner?: string;
  index?: number;
}

export interface Plan {
  owner: string;
  actions: PlanAction[];
  /** Owned exemptions no longer in the file, left alone because --prune was not given. */
  prunable: PlanAction[];
  /** File entries whose name is taken by an exemption this owner does not own. */
  conflicts: OwnershipConflict[];
}

export interface PlanInput {
  owner: string;
  desired: DesiredState[];
  /** Every exemption at or below the covered scopes (each listed once). */
  actual: PolicyExemption[];
  /** The scopes the file covers: its clusters and its `scopes:`. Prune looks only here. */
  coveredScopes: string[];
  prune: boolean;
}

/** The scope an exemption lives at, from its id (the id itself when it is not an exemption id). */
export function exemptionScope(id: string): string {
  return splitAuthorizationId(id, "policyExemptions")?.scope ?? id;
}

function referenceSet(ids: string[] | undefined): string {
  return [...new Set((ids ?? []).map((id) => id.toLowerCase()))].sort().join(",");
}

const text = (value: unknown) => (typeof value === "string" && value !== "" ? value : undefined);

/** The fields akspol owns on an exemption, compared between desired and actual. */
export function diffExemption(actual: PolicyExemptionProperties, desired: PolicyExemptionProperties): FieldDiff[] {
  const diffs: FieldDiff[] = [];
  if (!sameId(actual.policyAssignmentId, desired.policyAssignmentId)) {
    diffs.push({ field: "policyAssignmentId", before: actual.policyAssignmentId, after: desired.policyAssignmentId });
  }
  if (referenceSet(actual.policyDefinitionReferenceIds) !== referenceSet(desired.policyDefinitionReferenceIds)) {
    diffs.push({ field: "policyDefinitionReferenceIds", before: actual.policyDefinitionReferenceIds ?? "(all)", after: desired.policyDefinitionReferenceIds ?? "(all)" });
  }
  if (String(actual.exemptionCategory).toLowerCase() !== String(desired.exemptionCategory).toLowerCase()) {
    diffs.push({ field: "exemptionCategory", before: actual.exemptionCategory, after: desired.exemptionCategory });
  }
  if (!sameExpiry(actual.expiresOn, desired.expiresOn)) {
    diffs.push({ field: "expiresOn", before: actual.expiresOn ?? "(never)", after: desired.expiresOn ?? "(never)" });
  }
  for (const field of ["displayName", "description"] as const) {
    if (text(actual[field]) !== text(desired[field])) diffs.push({ field, before: actual[field] ?? null, after: desired[field] ?? null });
  }
  // Who ran akspol and which version are not part of the desired state; owner, ticket and reason are.
  for (const key of [metadataKeys.owner, metadataKeys.ticket, metadataKeys.reason]) {
    const before = text(actual.metadata?.[key]);
    const after = text(desired.metadata?.[key]);
    if (before !== after) diffs.push({ field: `metadata.${key}`, before: before ?? null, after: after ?? null });
  }
  return diffs;
}

/**
 * The body of a full PUT that updates `actual` to `desired`: akspol's fields from desired, everything
 * else (resourceSelectors, assignmentScopeValidation, metadata keys written by others) kept.
 */
export function mergeForUpdate(actual: PolicyExemptionProperties, desired: PolicyExemptionProperties): PolicyExemptionProperties {
  const merged: PolicyExemptionProperties = { ...actual, ...desired, metadata: { ...(actual.metadata ?? {}), ...(desired.metadata ?? {}) } };
  if (!desired.policyDefinitionReferenceIds) delete merged.policyDefinitionReferenceIds;
  if (!desired.expiresOn) delete merged.expiresOn;
  if (desired.metadata && !(metadataKeys.ticket in desired.metadata)) delete merged.metadata?.[metadataKeys.ticket];
  // The requester stays; whoever changes it now is recorded as lastChangedBy.
  const requester = actual.metadata?.[metadataKeys.requestedBy];
  const desiredRequester = desired.metadata?.[metadataKeys.requestedBy];
  if (merged.metadata && requester !== undefined && desiredRequester !== undefined && desiredRequester !== requester) {
    merged.metadata[metadataKeys.requestedBy] = requester;
    merged.metadata[metadataKeys.requestedByObjectId] = actual.metadata?.[metadataKeys.requestedByObjectId];
    if (merged.metadata[metadataKeys.requestedByObjectId] === undefined) delete merged.metadata[metadataKeys.requestedByObjectId];
    merged.metadata[metadataKeys.lastChangedBy] = desiredRequester;
    merged.metadata[metadataKeys.lastChangedByObjectId] = desired.metadata?.[metadataKeys.requestedByObjectId];
  }
  for (const field of ["displayName", "description"] as const) if (desired[field] === undefined) delete merged[field];
  return merged;
}

export function buildPlan(input: PlanInput): Plan {
  const actions: PlanAction[] = [];
  const prunable: PlanAction[] = [];
  const conflicts: OwnershipConflict[] = [];
  const actualById = new Map(input.actual.map((exemption) => [normalizeId(exemption.id), exemption]));
  const desiredIds = new Set<string>();
  for (const desired of input.desired) {
    const key = normalizeId(desired.id);
    desiredIds.add(key);
    const actual = actualById.get(key);
    const base = { id: desired.id, scope: desired.scope, name: desired.name, cluster: desired.cluster };
    if (!actual) {
      actions.push({ action: "create", ...base, desired: desired.properties });
      continue;
    }
    const owner = ownerOf(actual.properties.metadata);
    if (owner !== input.owner) {
      conflicts.push({ id: desired.id, name: desired.name, cluster: desired.cluster, owner, index: desired.index });
      continue;
    }
    const diffs = diffExemption(actual.properties, desired.properties);
    if (diffs.length === 0) actions.push({ action: "unchanged", ...base, actual });
    else if (diffs.some((diff) => diff.field === "policyAssignmentId")) actions.push({ action: "replace", ...base, desired: desired.properties, actual, diffs });
    else actions.push({ action: "update", ...base, desired: desired.properties, actual, diffs });
  }
  for (const actual of input.actual) {
    const key = normalizeId(actual.id);
    if (desiredIds.has(key)) continue;
    // Only this owner's stamp, only within the covered scopes: never hand-made ones or another owner's.
    if (!isManagedByAkspol(actual.properties.metadata) || ownerOf(actual.properties.metadata) !== input.owner) continue;
    const scope = exemptionScope(actual.id);
    if (!input.coveredScopes.some((covered) => isAtOrBelow(scope, covered))) continue;
    const action: PlanAction = { action: "delete", id: actual.id, scope, name: actual.name, cluster: lastSegment(scope), actual };
    (input.prune ? actions : prunable).push(action);
  }
  return { owner: input.owner, actions, prunable, conflicts };
}

export function planCounts(plan: Plan): Record<PlanAction["action"], number> {
  const counts = { create: 0, update: 0, replace: 0, unchanged: 0, delete: 0 };
  for (const action of plan.actions) counts[action.action] += 1;
  return counts;
}

export function hasChanges(plan: Plan): boolean {
  return plan.actions.some((action) => action.action !== "unchanged");
}
