// What an assignment of a set with per-policy parameters (the cloud security benchmark, akspol's
// custom initiatives, issue 17) excludes, member by member: the namespaces each member's own
// parameter holds (`exclude list`), and the label, container and image exclusions `exclude add`
// made (what the interactive `exclude remove` offers). Pure.
import type { PolicyAssignment } from "../azure/assignments.js";
import type { SetDefinition } from "./definitions.js";
import { effectiveParameters, type EffectiveParameter } from "./parameters.js";
import { protectionOf, type ProtectionKind } from "./namespaces.js";
import { memberFieldParameters, type DefinitionDocument, type MemberKey } from "../effective/index.js";
import type { ExclusionField, LabelExclusion } from "./per-policy.js";

/** One member's excluded namespaces, read from its own parameter. */
export interface MemberNamespaces {
  referenceId: string;
  member: MemberKey;
  parameter: string;
  source: EffectiveParameter["source"];
  excludedNamespaces: string[];
  defaults: string[];
}

/** One exclusion an assignment holds, with the members whose parameter holds it. */
export interface HeldExclusion {
  field: ExclusionField;
  /** The namespace, container or image; for a label, `key=value` or the bare key (every pod that has it). */
  value: string;
  /** labelSelector only: the exclusion as `--label-selector` takes it. */
  label?: LabelExclusion;
  /** Reference ids of the members whose parameter holds it. */
  policies: string[];
  /** excludedNamespaces only: in the default of every member that holds it. */
  inDefault?: boolean;
  protection?: ProtectionKind;
}

type Assignment = Pick<PolicyAssignment, "parameters" | "policyDefinitionId">;

function wiredValues(assignment: Assignment, definition: SetDefinition, field: ExclusionField, parameters: EffectiveParameter[]) {
  return memberFieldParameters(definition as DefinitionDocument, field, assignment.policyDefinitionId).flatMap((entry) => {
    const own = parameters.find((parameter) => parameter.name.toLowerCase() === entry.parameter?.toLowerCase());
    return own ? [{ ...entry, own }] : [];
  });
}

/** The members that read their excluded namespaces from a parameter of their own, with its value in force. */
export function memberNamespaces(assignment: Assignment, definition: SetDefinition): MemberNamespaces[] {
  return wiredValues(assignment, definition, "excludedNamespaces", effectiveParameters(assignment, definition)).map(({ referenceId, member, own }) => ({
    referenceId,
    member,
    parameter: own.name,
    source: own.source,
    excludedNamespaces: (own.value as string[] | undefined) ?? [],
    defaults: (own.defaultValue as string[] | undefined) ?? [],
  }));
}

/** Each namespace any member excludes, with the members that exclude it; a default only when it is one for every such member. */
export function heldNamespaces(members: readonly MemberNamespaces[]): HeldExclusion[] {
  return [...new Set(members.flatMap((entry) => entry.excludedNamespaces))].map((namespace) => {
    const holders = members.filter((entry) => entry.excludedNamespaces.includes(namespace));
    const inDefault = holders.every((entry) => entry.defaults.includes(namespace));
    const protection = protectionOf(namespace, inDefault ? (holders[0]?.defaults ?? []) : []);
    return { field: "excludedNamespaces", value: namespace, policies: holders.map((entry) => entry.referenceId), inDefault, ...(protection ? { protection } : {}) };
  });
}

/** The pods a label selector excludes: its `NotIn` values and `DoesNotExist` keys (what `exclude add --label-selector` writes). */
function labelExclusions(selector: unknown): LabelExclusion[] {
  const expressions = (selector as { matchExpressions?: unknown } | undefined)?.matchExpressions;
  if (!Array.isArray(expressions)) return [];
  return expressions.flatMap((expression: { key?: unknown; operator?: unknown; values?: unknown }) => {
    if (typeof expression?.key !== "string") return [];
    if (expression.operator === "DoesNotExist") return [{ key: expression.key }];
    if (expression.operator !== "NotIn" || !Array.isArray(expression.values)) return [];
    return expression.values.filter((value): value is string => typeof value === "string").map((value) => ({ key: expression.key as string, value }));
  });
}

/** The label, container and image exclusions the members' own parameters hold, each with the members that hold it. */
export function heldPodExclusions(assignment: Assignment, definition: SetDefinition): HeldExclusion[] {
  const parameters = effectiveParameters(assignment, definition);
  const held = new Map<string, HeldExclusion>();
  const hold = (field: ExclusionField, value: string, referenceId: string, label?: LabelExclusion) => {
    const key = `${field}\u0000${value}`;
    const entry = held.get(key) ?? { field, value, ...(label ? { label } : {}), policies: [] };
    if (!entry.policies.includes(referenceId)) entry.policies.push(referenceId);
    held.set(key, entry);
  };
  for (const { referenceId, own } of wiredValues(assignment, definition, "labelSelector", parameters)) {
    for (const label of labelExclusions(own.value)) hold("labelSelector", label.value === undefined ? label.key : `${label.key}=${label.value}`, referenceId, label);
  }
  for (const field of ["excludedContainers", "excludedImages"] as const) {
    for (const { referenceId, own } of wiredValues(assignment, definition, field, parameters)) {
      for (const value of Array.isArray(own.value) ? own.value : []) if (typeof value === "string") hold(field, value, referenceId);
    }
  }
  return [...held.values()];
}
