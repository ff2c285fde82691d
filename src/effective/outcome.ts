// The outcome per namespace and member on one cluster, across every carrier, the Deployment
// Safeguards setting and the exemptions: deny beats warn beats audit beats none. Pure.
import { ALWAYS_EXCLUDED_NAMESPACES, MEMBERS, memberByKey } from "./members.js";
import { namespaceMatches } from "./namespaces.js";
import { safeguardsMembers, safeguardsOutcome } from "./safeguards.js";
import {
  OUTCOME_ORDER,
  type AssignmentEnforcement,
  type ClusterSources,
  type ExemptionFact,
  type Lever,
  type MemberEnforcement,
  type MemberKey,
  type MemberOutcome,
  type Outcome,
  type SourceRef,
  type SourceVerdict,
  type ValueOrigin,
} from "./types.js";

export function strictness(outcome: Outcome): number {
  return OUTCOME_ORDER.length - OUTCOME_ORDER.indexOf(outcome);
}

/** The stricter of two outcomes. */
export function stricter(a: Outcome, b: Outcome): Outcome {
  return strictness(a) >= strictness(b) ? a : b;
}

export function isExemptionActive(exemption: Pick<ExemptionFact, "expiresOn">, now: Date): boolean {
  return !exemption.expiresOn || new Date(exemption.expiresOn).getTime() > now.getTime();
}

function sameId(a: string, b: string): boolean {
  return a.replace(/\/+$/, "").toLowerCase() === b.replace(/\/+$/, "").toLowerCase();
}

export function assignmentSource(enforcement: AssignmentEnforcement, member: MemberEnforcement): SourceRef {
  return {
    kind: "assignment",
    assignmentId: enforcement.assignment.id,
    name: enforcement.assignment.name,
    displayName: enforcement.assignment.displayName,
    family: enforcement.definition.family,
    referenceId: member.referenceId,
  };
}

/** The active exemption of the cluster that covers this assignment's member, if any. */
export function coveringExemption(exemptions: readonly ExemptionFact[], assignmentId: string, referenceId: string, now: Date): ExemptionFact | undefined {
  return exemptions.find(
    (exemption) =>
      sameId(exemption.policyAssignmentId, assignmentId) &&
      isExemptionActive(exemption, now) &&
      ((exemption.policyDefinitionReferenceIds ?? []).length === 0 || (exemption.policyDefinitionReferenceIds ?? []).some((id) => id.toLowerCase() === referenceId.toLowerCase())),
  );
}

function describeOrigin(origin: ValueOrigin, assignmentName: string): string {
  switch (origin.kind) {
    case "parameter":
      return `parameter ${origin.parameter} of ${assignmentName}${origin.source === "default" ? " (its default)" : ""}`;
    case "override":
      return `override #${origin.index + 1} of ${assignmentName}`;
    case "constant":
      return `a fixed value in the assigned set`;
    case "definition-default":
      return `the member definition's default (the set passes no parameter)`;
  }
}

/** The verdict of one assignment's member on a namespace of the cluster. */
export function assignmentVerdict(
  enforcement: AssignmentEnforcement,
  member: MemberEnforcement,
  namespace: string,
  cluster: Pick<ClusterSources, "clusterId" | "clusterName" | "exemptions">,
  now: Date,
): SourceVerdict {
  const source = assignmentSource(enforcement, member);
  const name = enforcement.assignment.name;
  const none = (reason: string, extra: Partial<SourceVerdict> = {}): SourceVerdict => ({ source, outcome: "none", reason, conditions: [], levers: [], ...extra });
  if (ALWAYS_EXCLUDED_NAMESPACES.includes(namespace)) return none("the Azure Policy add-on never reviews this system namespace");
  const excludedBy = member.excludedNamespaces.find((pattern) => namespaceMatches(pattern, namespace));
  if (excludedBy !== undefined) {
    return none(`excluded by ${describeOrigin(member.origins.excludedNamespaces, name)}${excludedBy === namespace ? "" : ` (pattern '${excludedBy}')`}`);
  }
  if (member.namespaces.length > 0 && !member.namespaces.some((pattern) => namespaceMatches(pattern, namespace))) {
    return none(`not in the include-list (${describeOrigin(member.origins.namespaces, name)})`);
  }
  if (member.effect === "disabled") return none(`effect Disabled, from ${describeOrigin(member.origins.effect, name)}`);
  const exemption = coveringExemption(cluster.exemptions, enforcement.assignment.id, member.referenceId, now);
  if (exemption) {
    return none(`exempted by ${exemption.name} (assumes the add-on honours exemptions for Kubernetes policies; see README)`, { exemptedBy: exemption.name });
  }
  let outcome: Outcome;
  let reason: string;
  if (enforcement.enforcementMode === "DoNotEnforce") {
    outcome = "audit";
    reason = `enforcement mode DoNotEnforce on ${name}: violations are only reported`;
  } else if (member.effect === "deny") {
    outcome = "deny";
    reason = `effect Deny, from ${describeOrigin(member.origins.effect, name)}`;
  } else if (member.warn) {
    outcome = "warn";
    reason = `effect Audit with warn, from ${describeOrigin(member.origins.effect, name)}`;
  } else {
    outcome = "audit";
    reason = `effect Audit, from ${describeOrigin(member.origins.effect, name)}`;
  }
  if (member.status === "unknown") reason += ` (uncertain: ${member.unknownReason})`;
  return { source, outcome, reason, conditions: conditionsOf(member), levers: assignmentLevers(enforcement, member, namespace, cluster) };
}

function conditionsOf(member: MemberEnforcement): string[] {
  const conditions: string[] = [];
  if (Object.keys(member.labelSelector).length > 0) conditions.push(`only pods matching the label selector ${JSON.stringify(member.labelSelector)}`);
  if (member.excludedImages.length > 0) conditions.push(`except images ${member.excludedImages.join(", ")}`);
  if (member.excludedContainers.length > 0) conditions.push(`except containers ${member.excludedContainers.join(", ")}`);
  return conditions;
}

/** What would lift this assignment's verdict for the namespace, most targeted first. */
export function assignmentLevers(enforcement: AssignmentEnforcement, member: MemberEnforcement, namespace: string, cluster: Pick<ClusterSources, "clusterName">): Lever[] {
  const { id: assignmentId, name } = enforcement.assignment;
  const levers: Lever[] = [];
  const excluded = member.origins.excludedNamespaces;
  if (excluded.kind === "parameter") {
    const perPolicy = excluded.parameter !== "excludedNamespaces";
    levers.push({
      kind: "parameter",
      description: `add ${namespace} to parameter ${excluded.parameter} of ${name}${perPolicy ? ` (read by ${member.referenceId} only)` : ""}`,
      command: `akspol exclude add ${name} ${namespace}${perPolicy ? ` --policies ${member.member}` : ""}`,
      assignmentId,
      parameter: excluded.parameter,
      referenceId: member.referenceId,
    });
  } else {
    levers.push({
      kind: "not-a-parameter",
      description: `${name} does not expose the excluded namespaces of ${member.referenceId} as a parameter (${describeOrigin(excluded, name)}); exempt the cluster or override the effect instead`,
      assignmentId,
      referenceId: member.referenceId,
    });
  }
  levers.push({
    kind: "exemption",
    description: `exempt cluster ${cluster.clusterName} from ${member.referenceId} of ${name}`,
    command: `akspol exempt create --cluster ${cluster.clusterName} --assignment ${name} --policies ${member.referenceId}`,
    assignmentId,
    referenceId: member.referenceId,
  });
  const effect = member.origins.effect;
  levers.push({
    kind: effect.kind === "override" ? "override" : "parameter",
    description:
      effect.kind === "parameter" && effect.parameter.toLowerCase() !== "effect"
        ? `set parameter ${effect.parameter} of ${name} to Audit or Disabled`
        : `set a policyEffect override for ${member.referenceId} on ${name} (Audit or Disabled)`,
    command: `akspol params set ${name} --effect audit --policies ${member.member}`,
    assignmentId,
    parameter: effect.kind === "parameter" ? effect.parameter : undefined,
    referenceId: member.referenceId,
  });
  return levers;
}

/** Every namespace any source names (exclusions, include-lists), sorted, plus `extra`. */
export function namespacesNamed(sources: ClusterSources, extra: readonly string[] = []): string[] {
  const names = new Set<string>(extra);
  for (const enforcement of sources.assignments) {
    for (const member of enforcement.members) {
      for (const namespace of [...member.excludedNamespaces, ...member.namespaces]) names.add(namespace);
    }
  }
  if (sources.safeguards) for (const namespace of [...sources.safeguards.excludedNamespaces, ...sources.safeguards.systemExcludedNamespaces]) names.add(namespace);
  return [...names].filter((name) => !name.includes("*")).sort();
}

/** A namespace no source names: what every other namespace gets. */
export const ANY_OTHER_NAMESPACE = "*";

/**
 * The outcome of one member in one namespace: every source's verdict, strictest first; the first
 * decides. `*` stands for any namespace no source names.
 */
export function memberOutcome(sources: ClusterSources, namespace: string, member: MemberKey, now: Date): MemberOutcome {
  const probe = namespace === ANY_OTHER_NAMESPACE ? "\u0000any-other-namespace" : namespace;
  const verdicts: SourceVerdict[] = [];
  for (const enforcement of sources.assignments) {
    for (const carried of enforcement.members) {
      if (carried.member !== member) continue;
      const verdict = assignmentVerdict(enforcement, carried, probe, sources, now);
      verdicts.push(namespace === ANY_OTHER_NAMESPACE ? withNamespace(verdict, probe, "<namespace>") : verdict);
    }
  }
  if (sources.safeguards && safeguardsMembers(sources.safeguards).members.includes(member)) {
    const verdict = safeguardsOutcome(sources.safeguards, probe, sources.clusterName);
    verdicts.push(namespace === ANY_OTHER_NAMESPACE ? withNamespace(verdict, probe, "<namespace>") : verdict);
  }
  verdicts.sort((a, b) => strictness(b.outcome) - strictness(a.outcome));
  const winner = verdicts[0];
  if (!sources.azurePolicyEnabled) {
    return {
      namespace,
      member,
      outcome: "none",
      reason: "the cluster's Azure Policy add-on is disabled: nothing is enforced",
      verdicts,
      levers: [],
    };
  }
  if (!winner || winner.outcome === "none") {
    return {
      namespace,
      member,
      outcome: "none",
      reason: winner ? verdicts.map((verdict) => verdict.reason).join("; ") : "no assignment or setting carries this policy",
      verdicts,
      levers: [],
    };
  }
  // Lifting the outcome needs a lever on every source that acts, not only on the deciding one.
  const levers = verdicts.filter((verdict) => verdict.outcome !== "none").flatMap((verdict) => verdict.levers);
  return { namespace, member, outcome: winner.outcome, decidedBy: winner.source, reason: winner.reason, verdicts, levers };
}

function withNamespace(verdict: SourceVerdict, probe: string, shown: string): SourceVerdict {
  const swap = (text: string) => (text.includes(probe) ? text.replaceAll(probe, shown) : text);
  return {
    ...verdict,
    reason: swap(verdict.reason),
    levers: verdict.levers.map((lever) => ({ ...lever, description: swap(lever.description), command: lever.command && swap(lever.command) })),
  };
}

export interface OutcomeQuery {
  /** Namespaces to report besides those any source names, and `*` (every other namespace). */
  namespaces?: readonly string[];
  members?: readonly MemberKey[];
  now: Date;
}

/** The outcome per namespace and member on the cluster. */
export function effectiveOutcomes(sources: ClusterSources, query: OutcomeQuery): MemberOutcome[] {
  const members = query.members ?? carriedMembers(sources);
  const namespaces = [...namespacesNamed(sources, query.namespaces ?? []), ANY_OTHER_NAMESPACE];
  return namespaces.flatMap((namespace) => members.map((member) => memberOutcome(sources, namespace, member, query.now)));
}

/** The members any source on the cluster carries, in catalogue order. */
export function carriedMembers(sources: ClusterSources): MemberKey[] {
  const carried = new Set<MemberKey>();
  for (const enforcement of sources.assignments) for (const member of enforcement.members) carried.add(member.member);
  if (sources.safeguards) for (const member of safeguardsMembers(sources.safeguards).members) carried.add(member);
  return MEMBERS.map((member) => member.key).filter((key) => carried.has(key));
}

/** Parses `--policies` values into member keys; unknown names are returned separately. */
export function parseMemberKeys(values: readonly string[]): { members: MemberKey[]; unknown: string[] } {
  const members: MemberKey[] = [];
  const unknown: string[] = [];
  for (const value of values
    .flatMap((item) => item.split(","))
    .map((item) => item.trim())
    .filter(Boolean)) {
    const member = memberByKey(value);
    if (member) {
      if (!members.includes(member.key)) members.push(member.key);
    } else unknown.push(value);
  }
  return { members, unknown };
}

/**
 * What still acts in `namespace` once `assignmentId` excludes it for `members` (all it carries when
 * undefined): the outcomes, other than none, that another carrier (or Safeguards) still decides.
 * This is the warning `exclude add` prints when an edit is not enough.
 */
export function outcomesAfterExclusion(sources: ClusterSources, assignmentId: string, namespace: string, members: readonly MemberKey[] | undefined, now: Date): MemberOutcome[] {
  const target = sources.assignments.find((enforcement) => sameId(enforcement.assignment.id, assignmentId));
  const edited = (target?.members ?? []).map((member) => member.member).filter((key) => !members || members.includes(key));
  const after: ClusterSources = {
    ...sources,
    assignments: sources.assignments.map((enforcement) =>
      enforcement !== target
        ? enforcement
        : {
            ...enforcement,
            members: enforcement.members.map((member) => (edited.includes(member.member) ? { ...member, excludedNamespaces: [...member.excludedNamespaces, namespace] } : member)),
          },
    ),
  };
  return [...new Set(edited)].map((member) => memberOutcome(after, namespace, member, now)).filter((outcome) => outcome.outcome !== "none");
}
