import picomatch from "picomatch";
import { isForbidden, isNotFound } from "../azure/arm-errors.js";
import { listAssignmentsAt, readAssignment, type PolicyAssignment } from "../azure/assignments.js";
import type { AzureSession } from "../azure/session.js";
import { normalizeId, subscriptionOfScope, targetScope, type ScopeTarget } from "../azure/ids.js";
import { isPolicySetId } from "../azure/set-definitions.js";
import { readScopes } from "../azure/scope-pool.js";
import { NotFoundError, UsageError } from "../errors.js";
import { initiativeByDefinitionId, initiativeByKey, type InitiativeInfo } from "./catalog.js";
import { akspolCustomLabel, akspolCustomSource, builtInSetCarriesMembers, familyOf, isBuiltInId, memberOfDefinition, type MemberKey } from "../effective/index.js";
import type { SetDefinitionCache } from "./definitions.js";
import { mapConcurrent } from "../azure/concurrency.js";

export type InitiativeFilter = "baseline" | "restricted" | "any";

/**
 * An assignment that carries at least one of the nine pod-security members: the baseline or
 * restricted initiative, another built-in set (Deployment Safeguards, the cloud security benchmark,
 * regulatory sets), a custom set, or a member definition assigned on its own.
 */
export interface PodSecurityAssignment {
  assignment: PolicyAssignment;
  kind: "baseline" | "restricted" | "builtin" | "custom" | "definition";
  initiative?: InitiativeInfo;
  /** For custom sets: the set's display name and which of the nine members it contains. */
  custom?: { setDefinitionId: string; displayName: string; memberReferenceIds: string[] };
  /** Every carrier: what it assigns and which of the nine members it carries. */
  carrier: { definitionId: string; displayName: string; memberReferenceIds: string[]; members: MemberKey[]; madeFrom?: { id: string; version: string } };
}

/** How a carrier is labelled in lists: "baseline", "benchmark: Microsoft cloud security benchmark", ... */
export function carrierLabel(entry: PodSecurityAssignment): string {
  if (entry.kind === "baseline" || entry.kind === "restricted") return entry.kind;
  const family = familyOf(entry.carrier.definitionId, entry.kind === "definition" ? "definition" : "set");
  const kind = family === "builtin-set" ? "built-in" : family === "custom-set" ? "custom" : family === "definition" ? "single definition" : family;
  if (entry.carrier.madeFrom) return `${kind}: ${akspolCustomLabel(entry.carrier.madeFrom)}`;
  return `${kind}: ${entry.carrier.displayName}`;
}

/**
 * Keeps the assignments that carry at least one member: the two initiatives by id; every other set
 * (built-in ones in the carriers catalogue or unknown to it, custom ones) read once per run and
 * kept when it contains a member; single definitions that are a member.
 */
export async function classifyAssignments(definitions: SetDefinitionCache, assignments: PolicyAssignment[], concurrency = 8): Promise<PodSecurityAssignment[]> {
  const setIds = new Map<string, string | undefined>();
  for (const assignment of assignments) {
    const id = assignment.policyDefinitionId;
    if (!id || initiativeByDefinitionId(id) || !isPolicySetId(id)) continue;
    if (builtInSetCarriesMembers(id) === false) continue;
    const subscription = subscriptionOfScope(assignment.scope);
    setIds.set(id.toLowerCase(), subscription);
  }
  const sets = new Map<string, PodSecurityAssignment["carrier"] | undefined>();
  await mapConcurrent([...setIds.entries()], concurrency, async ([id, subscription]) => {
    try {
      const set = await definitions.latest(id, subscription);
      const members = (set.policyDefinitions ?? []).filter((member) => memberOfDefinition(member.policyDefinitionId));
      sets.set(
        id,
        members.length > 0
          ? {
              definitionId: set.id ?? id,
              displayName: set.displayName ?? id,
              memberReferenceIds: members.map((m) => m.policyDefinitionReferenceId ?? m.policyDefinitionId),
              members: [...new Set(members.map((m) => memberOfDefinition(m.policyDefinitionId)?.key as MemberKey))],
              ...(akspolCustomSource(set.metadata) ? { madeFrom: akspolCustomSource(set.metadata) } : {}),
            }
          : undefined,
      );
    } catch (error) {
      // A set we may not read is not ours to show; a real failure surfaces on the built-ins.
      if (!isNotFound(error) && !isForbidden(error)) throw error;
      sets.set(id, undefined);
    }
  });
  const results: PodSecurityAssignment[] = [];
  for (const assignment of assignments) {
    const id = assignment.policyDefinitionId ?? "";
    const initiative = initiativeByDefinitionId(id);
    if (initiative) {
      const memberReferenceIds = initiative.members.map((member) => member.referenceId);
      results.push({
        assignment,
        kind: initiative.key,
        initiative,
        carrier: { definitionId: initiative.id, displayName: initiative.displayName, memberReferenceIds, members: memberReferenceIds as MemberKey[] },
      });
      continue;
    }
    const single = isPolicySetId(id) ? undefined : memberOfDefinition(id);
    if (single) {
      results.push({ assignment, kind: "definition", carrier: { definitionId: id, displayName: single.key, memberReferenceIds: [single.key], members: [single.key] } });
      continue;
    }
    const carrier = sets.get(id.toLowerCase());
    if (!carrier) continue;
    if (isBuiltInId(id)) results.push({ assignment, kind: "builtin", carrier });
    else {
      results.push({
        assignment,
        kind: "custom",
        custom: { setDefinitionId: carrier.definitionId, displayName: carrier.displayName, memberReferenceIds: carrier.memberReferenceIds },
        carrier,
      });
    }
  }
  return results;
}

/**
 * `--initiative baseline|restricted`: that initiative and custom copies of it (custom sets that carry
 * every one of its members); `any`: every carrier.
 */
export function matchesInitiativeFilter(entry: PodSecurityAssignment, filter: InitiativeFilter | undefined): boolean {
  if (!filter || filter === "any") return true;
  if (entry.kind === filter) return true;
  if (entry.kind !== "custom") return false;
  const wanted = initiativeByKey(filter)?.members.map((member) => member.referenceId) ?? [];
  return wanted.length > 0 && wanted.every((key) => entry.carrier.members.includes(key as MemberKey));
}

export interface FindRequest {
  session: AzureSession;
  definitions: SetDefinitionCache;
  targets: ScopeTarget[];
  initiative?: InitiativeFilter;
  /** Glob on name or display name, case-insensitive. */
  name?: string;
  concurrency?: number;
  /** Reads the targets' assignments (deduplicated); default one ARM list call per target. --engine swaps it. */
  list?: (targets: ScopeTarget[]) => Promise<PolicyAssignment[]>;
}

/**
 * Every assignment at the targets, deduplicated by id (an assignment on a management group appears
 * once). A scope that cannot be read is recorded in the session's scope failures (exit 7), not fatal.
 */
async function listUnique(session: AzureSession, targets: ScopeTarget[], concurrency = 8): Promise<PolicyAssignment[]> {
  const lists = await readScopes(session.scopeFailures, targets, targetScope, concurrency, (target) => listAssignmentsAt(session, target));
  const unique = new Map<string, PolicyAssignment>();
  for (const assignment of lists.flatMap((entry) => entry.value)) {
    if (assignment.id) unique.set(normalizeId(assignment.id), assignment);
  }
  return [...unique.values()];
}

/** Lists, deduplicates by id, classifies and filters. */
export async function findPodSecurityAssignments(request: FindRequest): Promise<PodSecurityAssignment[]> {
  const listed = request.list ? await request.list(request.targets) : await listUnique(request.session, request.targets, request.concurrency);
  let classified = await classifyAssignments(request.definitions, listed, request.concurrency);
  classified = classified.filter((entry) => matchesInitiativeFilter(entry, request.initiative));
  if (request.name) {
    const matcher = picomatch(request.name, { nocase: true, dot: true });
    classified = classified.filter((entry) => matcher(entry.assignment.name ?? "") || matcher(entry.assignment.displayName ?? ""));
  }
  return classified.sort((a, b) => (a.assignment.scope ?? "").localeCompare(b.assignment.scope ?? "") || (a.assignment.name ?? "").localeCompare(b.assignment.name ?? ""));
}

/** An assignment read by id, as akspol manages it; a usage error when it carries no pod-security policy. */
export async function classifyAssignment(definitions: SetDefinitionCache, assignment: PolicyAssignment): Promise<PodSecurityAssignment> {
  const [classified] = await classifyAssignments(definitions, [assignment]);
  if (!classified) {
    throw new UsageError(`'${assignment.displayName ?? assignment.name}' does not assign a pod-security initiative (${assignment.policyDefinitionId}).`, {
      suggestion:
        "akspol manages assignments that carry the nine pod-security policies: the baseline and restricted initiatives, other built-in or custom sets containing them, and the policies assigned on their own.",
    });
  }
  return classified;
}

export interface ResolveAssignmentRequest {
  session: AzureSession;
  definitions: SetDefinitionCache;
  /** A full id, a name, or a display name. */
  reference: string;
  /** Where to look when the reference is not a full id. */
  targets: () => Promise<ScopeTarget[]>;
  /** Picks one of several matches (a prompt, on a terminal); absent, several matches are refused. */
  choose?: ChooseOne;
}

/** The caller's answer to "which one?": the commands pass the prompter's select when they may prompt. */
export type ChooseOne = <T>(question: string, choices: Array<{ name: string; value: T }>) => Promise<T>;

/**
 * Resolves `<assignment>`: a full id is read directly (one GET); a name or display name is matched
 * (case-insensitively) among the pod-security assignments in the chosen scopes. Several matches
 * are listed and refused (exit 2), or offered as a choice on a terminal.
 */
export async function resolveAssignment(request: ResolveAssignmentRequest): Promise<PodSecurityAssignment> {
  if (request.reference.includes("/")) {
    const assignment = await readAssignment(request.session, request.reference);
    if (!assignment) {
      throw new NotFoundError(`Policy assignment '${request.reference}' does not exist.`, {
        suggestion: "List the pod-security assignments with 'akspol find'.",
      });
    }
    return classifyAssignment(request.definitions, assignment);
  }
  const listed = await listUnique(request.session, await request.targets());
  const wanted = request.reference.toLowerCase();
  // Classify only the assignments of that name (then display name): sets of others are not read.
  let named = listed.filter((assignment) => assignment.name?.toLowerCase() === wanted);
  if (named.length === 0) named = listed.filter((assignment) => assignment.displayName?.toLowerCase() === wanted);
  const matches = await classifyAssignments(request.definitions, named);
  if (matches.length === 1) {
    request.session.scopeFailures.settle();
    return matches[0] as PodSecurityAssignment;
  }
  if (matches.length === 0 && request.session.scopeFailures.size > 0) {
    throw request.session.scopeFailures.unreachable(`No pod-security assignment named '${request.reference}' in the scopes that could be read`);
  }
  if (matches.length === 0) {
    const all = await classifyAssignments(request.definitions, listed);
    throw new NotFoundError(`No pod-security assignment named '${request.reference}' in the chosen scope.`, {
      suggestion: all.length
        ? `Assignments there: ${all.map((entry) => entry.assignment.name).join(", ")}. Or pass --subscription/--scope, or the full id.`
        : "Look in another subscription with --subscription or --all-subscriptions, or pass the full assignment id.",
    });
  }
  if (request.choose) {
    return request.choose(
      `'${request.reference}' matches ${matches.length} assignments. Which one?`,
      matches.map((entry) => ({ name: `${entry.assignment.name}  ${entry.assignment.scope}`, value: entry })),
    );
  }
  throw new UsageError(`'${request.reference}' is ambiguous; it matches ${matches.length} assignments:\n${matches.map((entry) => `  ${entry.assignment.id}`).join("\n")}`, {
    suggestion: "Pass the full assignment id, or narrow with --scope / --subscription.",
  });
}
