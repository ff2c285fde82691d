import type { PolicyAssignment } from "@azure/arm-policy";
import { isResourceMissing } from "../azure/arm-errors.js";
import picomatch from "picomatch";
import type { AzureSession } from "../azure/session.js";
import { clusterId, managementGroupScope, normalizeId, parseScope, splitAuthorizationId, subscriptionScope } from "../azure/ids.js";
import { readScopes } from "../azure/scope-pool.js";
import { NotFoundError, UsageError } from "../errors.js";
import type { Prompter } from "../cli/prompter.js";
import { initiativeByDefinitionId, memberDefinitionIds, type InitiativeInfo } from "./catalog.js";
import { SetDefinitionCache, isPolicySetId } from "./definitions.js";
import { mapConcurrent } from "../azure/concurrency.js";

export const expandVersions = "LatestDefinitionVersion, EffectiveDefinitionVersion";

/** Where to look for assignments. */
export type ScopeTarget =
  | { kind: "subscription"; subscriptionId: string }
  | { kind: "resourceGroup"; subscriptionId: string; resourceGroup: string }
  | { kind: "managementGroup"; managementGroup: string }
  | { kind: "cluster"; subscriptionId: string; resourceGroup: string; name: string };

export type InitiativeFilter = "baseline" | "restricted" | "any";

/** An assignment of a pod-security initiative, built-in or a custom set containing its members. */
export interface PodSecurityAssignment {
  assignment: PolicyAssignment;
  kind: "baseline" | "restricted" | "custom";
  initiative?: InitiativeInfo;
  /** For custom sets: the set's display name and which of the nine members it contains. */
  custom?: { setDefinitionId: string; displayName: string; memberReferenceIds: string[] };
}

/** The ARM scope id of a list target (for reporting a scope that could not be read). */
export function targetScope(target: ScopeTarget): string {
  switch (target.kind) {
    case "managementGroup":
      return managementGroupScope(target.managementGroup);
    case "subscription":
      return subscriptionScope(target.subscriptionId);
    case "resourceGroup":
      return `${subscriptionScope(target.subscriptionId)}/resourceGroups/${target.resourceGroup}`;
    case "cluster":
      return clusterId(target.subscriptionId, target.resourceGroup, target.name);
  }
}

export function targetFromScope(scope: string): ScopeTarget {
  const info = parseScope(scope);
  switch (info.kind) {
    case "managementGroup":
      return { kind: "managementGroup", managementGroup: info.managementGroup as string };
    case "subscription":
      return { kind: "subscription", subscriptionId: info.subscriptionId as string };
    case "resourceGroup":
      return { kind: "resourceGroup", subscriptionId: info.subscriptionId as string, resourceGroup: info.resourceGroup as string };
    case "resource": {
      const parts = info.scope.split("/");
      return { kind: "cluster", subscriptionId: info.subscriptionId as string, resourceGroup: info.resourceGroup as string, name: parts[parts.length - 1] as string };
    }
  }
}

/**
 * One list call per target. A subscription or resource group is listed unfiltered, which ARM defines
 * as everything that applies there (inherited from management groups) plus everything assigned below
 * it; a management group or a cluster is listed with atScope() (itself and its ancestors).
 */
export async function listAssignmentsAt(session: AzureSession, target: ScopeTarget): Promise<PolicyAssignment[]> {
  const subscriptionId = "subscriptionId" in target ? target.subscriptionId : undefined;
  const client = await session.policyClient(subscriptionId);
  const results: PolicyAssignment[] = [];
  const options = { expand: expandVersions };
  let pages: AsyncIterable<PolicyAssignment>;
  switch (target.kind) {
    case "subscription":
      pages = client.policyAssignments.list(options);
      break;
    case "resourceGroup":
      pages = client.policyAssignments.listForResourceGroup(target.resourceGroup, options);
      break;
    case "managementGroup":
      pages = client.policyAssignments.listForManagementGroup(target.managementGroup, { ...options, filter: "atScope()" });
      break;
    case "cluster":
      pages = client.policyAssignments.listForResource(target.resourceGroup, "Microsoft.ContainerService", "", "managedClusters", target.name, {
        ...options,
        filter: "atScope()",
      });
      break;
  }
  for await (const assignment of pages) results.push(assignment);
  return results;
}

/**
 * Keeps the pod-security assignments: built-ins matched by id, each custom set definition fetched
 * once and kept when it contains one of the nine member policies.
 */
export async function classifyAssignments(
  definitions: SetDefinitionCache,
  assignments: PolicyAssignment[],
  concurrency = 8,
): Promise<PodSecurityAssignment[]> {
  const customSetIds = new Map<string, string | undefined>();
  for (const assignment of assignments) {
    const id = assignment.policyDefinitionId;
    if (!id || initiativeByDefinitionId(id) || !isPolicySetId(id)) continue;
    // Built-in sets live at tenant level (/providers/...); only custom sets can hold our members.
    if (/^\/?providers\/microsoft\.authorization\//i.test(id)) continue;
    const subscription = assignment.scope ? parseScopeSafe(assignment.scope)?.subscriptionId : undefined;
    customSetIds.set(id.toLowerCase(), subscription);
  }
  const customSets = new Map<string, PodSecurityAssignment["custom"] | undefined>();
  await mapConcurrent([...customSetIds.entries()], concurrency, async ([id, subscription]) => {
    try {
      const set = await definitions.latest(id, subscription);
      const members = (set.policyDefinitions ?? []).filter((member) => memberDefinitionIds.has(member.policyDefinitionId.toLowerCase()));
      customSets.set(
        id,
        members.length > 0
          ? { setDefinitionId: set.id ?? id, displayName: set.displayName ?? id, memberReferenceIds: members.map((m) => m.policyDefinitionReferenceId ?? m.policyDefinitionId) }
          : undefined,
      );
    } catch (error) {
      // A set we may not read is not ours to show; a real failure surfaces on the built-ins.
      if (!isResourceMissing(error) && (error as { statusCode?: number }).statusCode !== 403) throw error;
      customSets.set(id, undefined);
    }
  });
  const results: PodSecurityAssignment[] = [];
  for (const assignment of assignments) {
    const initiative = initiativeByDefinitionId(assignment.policyDefinitionId);
    if (initiative) {
      results.push({ assignment, kind: initiative.key, initiative });
      continue;
    }
    const custom = customSets.get(assignment.policyDefinitionId?.toLowerCase() ?? "");
    if (custom) results.push({ assignment, kind: "custom", custom });
  }
  return results;
}

function parseScopeSafe(scope: string) {
  try {
    return parseScope(scope);
  } catch {
    return undefined;
  }
}

export interface FindRequest {
  session: AzureSession;
  definitions: SetDefinitionCache;
  targets: ScopeTarget[];
  initiative?: InitiativeFilter;
  /** Glob on name or display name, case-insensitive. */
  name?: string;
  concurrency?: number;
}

/** Lists, deduplicates by id (an assignment on a management group appears once), classifies and filters. */
export async function findPodSecurityAssignments(request: FindRequest): Promise<PodSecurityAssignment[]> {
  const lists = await readScopes(request.session.scopeFailures, request.targets, targetScope, request.concurrency ?? 8, (target) => listAssignmentsAt(request.session, target));
  const unique = new Map<string, PolicyAssignment>();
  for (const assignment of lists.flatMap((entry) => entry.value)) {
    if (assignment.id) unique.set(normalizeId(assignment.id), assignment);
  }
  let classified = await classifyAssignments(request.definitions, [...unique.values()], request.concurrency);
  if (request.initiative && request.initiative !== "any") classified = classified.filter((entry) => entry.kind === request.initiative);
  if (request.name) {
    const matcher = picomatch(request.name, { nocase: true, dot: true });
    classified = classified.filter((entry) => matcher(entry.assignment.name ?? "") || matcher(entry.assignment.displayName ?? ""));
  }
  return classified.sort((a, b) => (a.assignment.scope ?? "").localeCompare(b.assignment.scope ?? "") || (a.assignment.name ?? "").localeCompare(b.assignment.name ?? ""));
}

/** Reads one assignment by full id; undefined when it does not exist. */
export async function getAssignmentById(session: AzureSession, id: string): Promise<PolicyAssignment | undefined> {
  const parts = splitAuthorizationId(id, "policyAssignments");
  if (!parts) throw new UsageError(`'${id}' is not a policy assignment id.`);
  const subscription = parseScopeSafe(parts.scope)?.subscriptionId;
  const client = await session.policyClient(subscription);
  try {
    return await client.policyAssignments.get(parts.scope, parts.name, { expand: expandVersions });
  } catch (error) {
    if (isResourceMissing(error)) return undefined;
    throw error;
  }
}

export interface ResolveAssignmentRequest {
  session: AzureSession;
  definitions: SetDefinitionCache;
  /** A full id, a name, or a display name. */
  reference: string;
  /** Where to look when the reference is not a full id. */
  targets: () => Promise<ScopeTarget[]>;
  prompter: Prompter;
  canPrompt: boolean;
}

/**
 * Resolves `<assignment>`: a full id is read directly (one GET); a name or display name is matched
 * (case-insensitively) among the pod-security assignments in the chosen scopes. Several matches
 * are listed and refused (exit 2), or offered as a choice on a terminal.
 */
export async function resolveAssignment(request: ResolveAssignmentRequest): Promise<PodSecurityAssignment> {
  if (request.reference.includes("/")) {
    const assignment = await getAssignmentById(request.session, request.reference);
    if (!assignment) {
      throw new NotFoundError(`Policy assignment '${request.reference}' does not exist.`, {
        suggestion: "List the pod-security assignments with 'akspol find'.",
      });
    }
    const [classified] = await classifyAssignments(request.definitions, [assignment]);
    if (!classified) {
      throw new UsageError(`'${assignment.displayName ?? assignment.name}' does not assign a pod-security initiative (${assignment.policyDefinitionId}).`, {
        suggestion: "akspol manages the baseline and restricted initiatives and custom sets that contain their policies.",
      });
    }
    return classified;
  }
  const all = await findPodSecurityAssignments({ session: request.session, definitions: request.definitions, targets: await request.targets() });
  const wanted = request.reference.toLowerCase();
  let matches = all.filter((entry) => entry.assignment.name?.toLowerCase() === wanted);
  if (matches.length === 0) matches = all.filter((entry) => entry.assignment.displayName?.toLowerCase() === wanted);
  if (matches.length === 1) {
    request.session.scopeFailures.settle();
    return matches[0] as PodSecurityAssignment;
  }
  if (matches.length === 0 && request.session.scopeFailures.size > 0) {
    throw request.session.scopeFailures.unreachable(`No pod-security assignment named '${request.reference}' in the scopes that could be read`);
  }
  if (matches.length === 0) {
    throw new NotFoundError(`No pod-security assignment named '${request.reference}' in the chosen scope.`, {
      suggestion: all.length
        ? `Assignments there: ${all.map((entry) => entry.assignment.name).join(", ")}. Or pass --subscription/--scope, or the full id.`
        : "Look in another subscription with --subscription or --all-subscriptions, or pass the full assignment id.",
    });
  }
  if (request.canPrompt) {
    return request.prompter.select(
      `'${request.reference}' matches ${matches.length} assignments. Which one?`,
      matches.map((entry) => ({ name: `${entry.assignment.name}  ${entry.assignment.scope}`, value: entry })),
    );
  }
  throw new UsageError(
    `'${request.reference}' is ambiguous; it matches ${matches.length} assignments:\n${matches.map((entry) => `  ${entry.assignment.id}`).join("\n")}`,
    { suggestion: "Pass the full assignment id, or narrow with --scope / --subscription." },
  );
}
