// What each member of an assigned initiative enforces, for the manifest check: the effective model
// (src/effective: parameters through the set's wiring, overrides, pinned versions) plus the template
// evaluator of each member and the exemptions that cover it. Pure: every input is passed in.
import { BUILTIN_DEFINITIONS } from "./builtins.js";
import { findEvaluator } from "./policies/index.js";
import type { ConstraintParameters, JsonObject, TemplateEvaluator } from "./types.js";
import {
  ALWAYS_EXCLUDED_NAMESPACES as MODEL_ALWAYS_EXCLUDED,
  enforcementOf,
  flattenDefinition,
  isExemptionActive,
  lastSegment,
  memberOfDefinition,
  type AssignmentEnforcement,
  type DefinitionDocument,
  type MemberEnforcement,
} from "../effective/index.js";

export { ExpressionError, evaluateExpressions } from "../effective/index.js";

// The input shapes (ARM JSON and SDK models) live in ./types.ts, beside the evaluator types.
import type { ParameterDeclaration, ParameterValue, PolicyDefinitionDocument, PolicySetDefinitionDocument } from "./types.js";

export interface OverrideInput {
  kind?: string;
  value?: string;
  selectors?: { kind?: string; in?: string[]; notIn?: string[] }[];
}

export interface AssignmentInput {
  id?: string;
  name?: string;
  displayName?: string;
  scope?: string;
  policyDefinitionId?: string;
  enforcementMode?: string;
  parameters?: Record<string, ParameterValue>;
  overrides?: OverrideInput[];
}

export interface ExemptionInput {
  id?: string;
  name?: string;
  exemptionCategory?: string;
  /** Empty or absent: the exemption covers every member. */
  policyDefinitionReferenceIds?: string[];
  expiresOn?: Date | string;
}

// ---- Output.

export type Effect = "audit" | "deny" | "disabled";

export interface ConstraintMatch {
  excludedNamespaces: string[];
  namespaces: string[];
  labelSelector: JsonObject;
}

export interface MemberPolicy {
  referenceId: string;
  definitionId: string;
  displayName: string;
  /** Version of the member definition used; undefined when it is not known. */
  definitionVersion?: string;
  /** `<template>/<vN>` from the definition's templateInfo URL. */
  template?: string;
  /** `ok`: evaluable; `unknown`: the member cannot be evaluated (see unknownReason). */
  status: "ok" | "unknown";
  unknownReason?: string;
  evaluator?: TemplateEvaluator;
  /** Set when the evaluator implements a nearby template version, not the exact one. */
  approximation?: string;
  parameters: ConstraintParameters;
  match: ConstraintMatch;
  effect: Effect;
  effectSource: "initiative" | "override";
  /** Name (or id) of the exemption that covers this member. */
  exemptedBy?: string;
}

export interface EffectiveInitiative {
  id: string;
  name: string;
  displayName: string;
  version?: string;
  assignment?: { id?: string; name?: string; displayName?: string; scope?: string };
  enforcementMode: string;
  /** Set-level parameter values in effect (assignment value, else the set default). */
  parameters: Record<string, unknown>;
  members: MemberPolicy[];
}

export interface ResolveInitiativeInput {
  setDefinition: PolicySetDefinitionDocument;
  assignment?: AssignmentInput;
  /** Exemptions already known to cover the cluster and this assignment. */
  exemptions?: ExemptionInput[];
  /** Member definitions besides the embedded built-ins (e.g. custom ones read from Azure). */
  definitions?: PolicyDefinitionDocument[];
  /** Exemptions that expired before this instant are ignored. */
  now?: Date;
  /** false: use only `definitions` (read from Azure at the pinned versions), never the embedded copies. */
  embedded?: boolean;
}

/** Namespaces the add-on never reviews, whatever the assignment says. */
export const ALWAYS_EXCLUDED_NAMESPACES: readonly string[] = MODEL_ALWAYS_EXCLUDED;

export function resolveInitiative(input: ResolveInitiativeInput): EffectiveInitiative {
  const set = flattenDefinition(input.setDefinition as DefinitionDocument);
  const assignment = input.assignment;
  const setId = input.setDefinition.id ?? "";
  const enforcement = enforcementOf({
    assignment: { ...(assignment ?? {}), policyDefinitionId: assignment?.policyDefinitionId ?? setId } as never,
    definition: input.setDefinition as DefinitionDocument,
    memberDefinitions: [...(input.definitions ?? []), ...(input.embedded === false ? [] : BUILTIN_DEFINITIONS)] as DefinitionDocument[],
  });
  const exemptions = (input.exemptions ?? []).filter(
    (exemption) =>
      !input.now ||
      isExemptionActive(
        { expiresOn: exemption.expiresOn === undefined ? undefined : String(exemption.expiresOn instanceof Date ? exemption.expiresOn.toISOString() : exemption.expiresOn) },
        input.now,
      ),
  );
  let modelIndex = 0;
  const members = (set.policyDefinitions ?? []).map((reference, index): MemberPolicy => {
    const referenceId = reference.policyDefinitionReferenceId ?? `member-${index}`;
    const exemption = exemptions.find((e) => exemptionCovers(e, referenceId));
    const exemptedBy = exemption ? (exemption.name ?? exemption.id ?? "an exemption") : undefined;
    if (!memberOfDefinition(reference.policyDefinitionId)) {
      return {
        referenceId,
        definitionId: reference.policyDefinitionId ?? "",
        displayName: referenceId,
        status: "unknown",
        unknownReason: `definition ${reference.policyDefinitionId} is not one akspol knows how to evaluate`,
        parameters: {},
        match: { excludedNamespaces: [], namespaces: [], labelSelector: {} },
        effect: "audit",
        effectSource: "initiative",
        exemptedBy,
      };
    }
    const member = enforcement.members[modelIndex++] as MemberEnforcement;
    return toMemberPolicy(member, exemptedBy);
  });
  const parameters = Object.fromEntries(Object.entries(enforcement.parameters).map(([name, entry]) => [name, entry.value]));
  return {
    id: setId,
    name: input.setDefinition.name ?? lastSegment(setId),
    displayName: set.displayName ?? input.setDefinition.name ?? "",
    version: set.version,
    assignment: assignment ? { id: assignment.id, name: assignment.name, displayName: assignment.displayName, scope: assignment.scope } : undefined,
    enforcementMode: assignment?.enforcementMode ?? "Default",
    parameters,
    members,
  };
}

/** The check's view of one member of the model: its template evaluator added. */
function toMemberPolicy(member: MemberEnforcement, exemptedBy: string | undefined): MemberPolicy {
  const policy: MemberPolicy = {
    referenceId: member.referenceId,
    definitionId: member.definitionId,
    displayName: member.displayName,
    definitionVersion: member.definitionVersion,
    template: member.template,
    status: "unknown",
    parameters: member.templateParameters,
    match: { excludedNamespaces: member.excludedNamespaces, namespaces: member.namespaces, labelSelector: member.labelSelector },
    effect: member.effect,
    effectSource: member.origins.effect.kind === "override" ? "override" : "initiative",
    exemptedBy,
  };
  if (member.status === "unknown") return { ...policy, unknownReason: member.unknownReason };
  if (!member.template) return { ...policy, unknownReason: "the definition has no Gatekeeper template akspol recognises" };
  const lookup = findEvaluator(member.template);
  if (!lookup) return { ...policy, unknownReason: `the Gatekeeper template ${member.template} is not published, so akspol cannot evaluate it` };
  return { ...policy, status: "ok", evaluator: lookup.evaluator, approximation: lookup.approximation };
}

/**
 * The initiative without its evaluator functions, to post to a worker thread (a structured clone
 * cannot carry functions); attachEvaluators finds them again there.
 */
export function portableInitiative(initiative: EffectiveInitiative): EffectiveInitiative {
  return { ...initiative, members: initiative.members.map(({ evaluator: _evaluator, ...member }) => member) };
}

/** A posted initiative with each evaluable member's evaluator found again by its template, as toMemberPolicy found it. */
export function attachEvaluators(initiative: EffectiveInitiative): EffectiveInitiative {
  return {
    ...initiative,
    members: initiative.members.map((member) => (member.status === "ok" && member.template ? { ...member, evaluator: findEvaluator(member.template)?.evaluator } : member)),
  };
}

export function isDoNotEnforce(initiative: EffectiveInitiative): boolean {
  return initiative.enforcementMode.toLowerCase() === "donotenforce";
}

/** The parameter declarations of an initiative (for validating `--param name=value`). */
export function initiativeParameters(setDefinition: PolicySetDefinitionDocument): Record<string, ParameterDeclaration> {
  return (flattenDefinition(setDefinition as DefinitionDocument).parameters ?? {}) as Record<string, ParameterDeclaration>;
}

/** Parameter names an initiative declares (for validating `--param name=value`). */
export function initiativeParameterNames(setDefinition: PolicySetDefinitionDocument): string[] {
  return Object.keys(flattenDefinition(setDefinition as DefinitionDocument).parameters ?? {});
}

function exemptionCovers(exemption: ExemptionInput, referenceId: string): boolean {
  const ids = exemption.policyDefinitionReferenceIds ?? [];
  return ids.length === 0 || ids.some((id) => id.toLowerCase() === referenceId.toLowerCase());
}

/**
 * One carrier of the model as the check evaluates it: only the members it carries, with the
 * exemptions that cover them. `source` names the carrier in results (check --cluster).
 */
export function initiativeFromEnforcement(enforcement: AssignmentEnforcement, exemptions: readonly ExemptionInput[]): EffectiveInitiative {
  return {
    id: enforcement.definition.id,
    name: lastSegment(enforcement.definition.id),
    displayName: enforcement.definition.displayName ?? enforcement.definition.id,
    version: enforcement.definition.version,
    assignment: { ...enforcement.assignment },
    enforcementMode: enforcement.enforcementMode,
    parameters: Object.fromEntries(Object.entries(enforcement.parameters).map(([name, entry]) => [name, entry.value])),
    members: enforcement.members.map((member) => {
      const exemption = exemptions.find((e) => exemptionCovers(e, member.referenceId));
      return toMemberPolicy(member, exemption ? (exemption.name ?? exemption.id ?? "an exemption") : undefined);
    }),
  };
}
