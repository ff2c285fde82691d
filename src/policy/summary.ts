import type { PolicyExemption } from "../azure/exemptions-client.js";
import { isForbidden, isNotFound } from "../azure/arm-errors.js";
import { normalizeId } from "../azure/ids.js";
import { carrierLabel, type PodSecurityAssignment } from "./assignments.js";
import type { SetDefinitionCache, SetDefinition } from "./definitions.js";
import { effectiveParameters, effectiveEffect, type EffectiveParameter } from "./parameters.js";
import type { AssignmentEnforcement } from "../effective/index.js";

export type ExemptionStatus = "active" | "expiring" | "expired";

/** Expiring means within 14 days, the window EPAC and AzGovViz users asked for. */
export const expiringWithinDays = 14;

export function exemptionStatus(expiresOn: string | null | undefined, now: Date): { status: ExemptionStatus; daysLeft: number | null } {
  if (!expiresOn) return { status: "active", daysLeft: null };
  const ms = new Date(expiresOn).getTime() - now.getTime();
  const daysLeft = Math.floor(ms / 86_400_000);
  if (ms <= 0) return { status: "expired", daysLeft };
  return { status: daysLeft < expiringWithinDays ? "expiring" : "active", daysLeft };
}

/** One row of `find` and the head of `show`: what people need to judge an assignment at a glance. */
export interface AssignmentSummary {
  id: string;
  name: string;
  displayName?: string;
  initiative: string;
  initiativeVersion?: string;
  definitionVersion?: string;
  scope: string;
  effect?: string;
  enforcementMode: string;
  excludedNamespaces: string[] | null;
  /** per-policy: the members read different exclusion lists (the benchmark's per-policy parameters). */
  excludedNamespacesSource: "assignment" | "default" | "unknown" | "per-policy";
  /** Which of the nine pod-security policies it carries ("5 of 9"). */
  policies: string;
  exemptions: number;
  parameters: EffectiveParameter[];
}

/**
 * Exemptions by the assignment they exempt, each id normalised once: joining A assignments with E
 * exemptions costs A + E normalisations, not A x E (docs/issues/13.md).
 */
export class ExemptionsByAssignment {
  private readonly byAssignment = new Map<string, PolicyExemption[]>();

  constructor(exemptions: readonly PolicyExemption[]) {
    for (const exemption of exemptions) {
      const key = normalizeId(exemption.properties.policyAssignmentId);
      const list = this.byAssignment.get(key);
      if (list) list.push(exemption);
      else this.byAssignment.set(key, [exemption]);
    }
  }

  of(assignmentId: string): PolicyExemption[] {
    return this.byAssignment.get(normalizeId(assignmentId)) ?? [];
  }
}

/**
 * The summary of one carrier. With the model's enforcement (src/effective), the effect and the
 * excluded namespaces are what its members actually get (per-policy parameters, overrides); without
 * it, the set's own effect and excludedNamespaces parameters.
 */
export async function summarize(
  entry: PodSecurityAssignment,
  definitions: SetDefinitionCache,
  exemptions: PolicyExemption[] | ExemptionsByAssignment,
  enforcement?: AssignmentEnforcement,
): Promise<AssignmentSummary> {
  const { assignment } = entry;
  let definition: SetDefinition | undefined;
  try {
    definition = await definitions.forAssignment(assignment);
  } catch (error) {
    if (!isNotFound(error) && !isForbidden(error)) throw error;
  }
  const parameters = definition ? effectiveParameters(assignment, definition) : [];
  const excluded = parameters.find((parameter) => parameter.name === "excludedNamespaces");
  const index = exemptions instanceof ExemptionsByAssignment ? exemptions : new ExemptionsByAssignment(exemptions);
  let effect = definition ? effectiveEffect(assignment, definition) : (assignment.parameters?.effect?.value as string | undefined);
  let excludedNamespaces: string[] | null = excluded ? ((excluded.value as string[] | undefined) ?? []) : null;
  let excludedNamespacesSource: AssignmentSummary["excludedNamespacesSource"] = excluded ? excluded.source : "unknown";
  if (enforcement && enforcement.members.length > 0) {
    const effects = [...new Set(enforcement.members.map((member) => member.effect))];
    effect = effects.length === 1 ? capitalize(effects[0] as string) : `mixed (${effects.map(capitalize).join(", ")})`;
    const lists = [...new Set(enforcement.members.map((member) => JSON.stringify(member.excludedNamespaces)))];
    const first = enforcement.members[0]?.origins.excludedNamespaces;
    if (lists.length === 1) {
      excludedNamespaces = enforcement.members[0]?.excludedNamespaces ?? [];
      excludedNamespacesSource = first?.kind === "parameter" ? first.source : "unknown";
    } else {
      excludedNamespaces = null;
      excludedNamespacesSource = "per-policy";
    }
  }
  return {
    id: assignment.id ?? "",
    name: assignment.name ?? "",
    displayName: assignment.displayName,
    initiative: carrierLabel(entry),
    initiativeVersion: definition?.version ?? assignment.effectiveDefinitionVersion,
    definitionVersion: assignment.definitionVersion,
    scope: assignment.scope ?? "",
    effect,
    enforcementMode: assignment.enforcementMode ?? "Default",
    excludedNamespaces,
    excludedNamespacesSource,
    policies: `${entry.carrier.members.length} of 9`,
    exemptions: index.of(assignment.id ?? "").length,
    parameters,
  };
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
