// What each member of an assigned initiative enforces: effective constraint parameters, match,
// effect and exemption, computed from the set definition, the assignment and the exemptions the
// way Azure Policy hands them to the Gatekeeper add-on. Pure: every input is passed in.
import { BUILTIN_DEFINITIONS } from "./builtins.js";
import { findEvaluator, templateKeyFromUrl } from "./policies/index.js";
import { isObject } from "./policies/common.js";
import type { ConstraintParameters, JsonObject, TemplateEvaluator } from "./types.js";

// ---- Input shapes: both the ARM JSON (`properties` wrapper) and the SDK models (flattened) fit.

export interface ParameterDeclaration {
  type?: string;
  defaultValue?: unknown;
  allowedValues?: unknown[];
}

export interface ParameterValue {
  value?: unknown;
}

export interface PolicyDefinitionReference {
  policyDefinitionId?: string;
  policyDefinitionReferenceId?: string;
  definitionVersion?: string;
  parameters?: Record<string, ParameterValue>;
}

interface SetDefinitionFields {
  displayName?: string;
  version?: string;
  parameters?: Record<string, ParameterDeclaration>;
  policyDefinitions?: PolicyDefinitionReference[];
}

export interface PolicySetDefinitionDocument extends SetDefinitionFields {
  id?: string;
  name?: string;
  properties?: SetDefinitionFields;
}

interface DefinitionFields {
  displayName?: string;
  version?: string;
  mode?: string;
  parameters?: Record<string, ParameterDeclaration>;
  policyRule?: unknown;
}

export interface PolicyDefinitionDocument extends DefinitionFields {
  id?: string;
  name?: string;
  properties?: DefinitionFields;
}

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
}

export class ExpressionError extends Error {}

/** Namespaces the add-on never reviews, whatever the assignment says. */
export const ALWAYS_EXCLUDED_NAMESPACES = ["kube-system", "gatekeeper-system", "azure-arc"] as const;

export function resolveInitiative(input: ResolveInitiativeInput): EffectiveInitiative {
  const set = flatten(input.setDefinition);
  const assignment = input.assignment;
  const setParameters = effectiveSetParameters(set.parameters ?? {}, assignment?.parameters ?? {});
  const definitions = [...(input.definitions ?? []), ...BUILTIN_DEFINITIONS].map(flattenDefinition);
  const members = (set.policyDefinitions ?? []).map((reference, index) =>
    resolveMember(reference, index, {
      setParameters,
      definitions,
      overrides: assignment?.overrides ?? [],
      exemptions: activeExemptions(input.exemptions ?? [], input.now),
    }),
  );
  return {
    id: input.setDefinition.id ?? "",
    name: input.setDefinition.name ?? lastSegment(input.setDefinition.id ?? ""),
    displayName: set.displayName ?? input.setDefinition.name ?? "",
    version: set.version,
    assignment: assignment
      ? { id: assignment.id, name: assignment.name, displayName: assignment.displayName, scope: assignment.scope }
      : undefined,
    enforcementMode: assignment?.enforcementMode ?? "Default",
    parameters: setParameters,
    members,
  };
}

export function isDoNotEnforce(initiative: EffectiveInitiative): boolean {
  return initiative.enforcementMode.toLowerCase() === "donotenforce";
}

/** The parameter declarations of an initiative (for validating `--param name=value`). */
export function initiativeParameters(setDefinition: PolicySetDefinitionDocument): Record<string, ParameterDeclaration> {
  return flatten(setDefinition).parameters ?? {};
}

/** Parameter names an initiative declares (for validating `--param name=value`). */
export function initiativeParameterNames(setDefinition: PolicySetDefinitionDocument): string[] {
  return Object.keys(flatten(setDefinition).parameters ?? {});
}

// ---- Members.

interface FlatDefinition extends DefinitionFields {
  id: string;
  guid: string;
}

interface MemberContext {
  setParameters: Record<string, unknown>;
  definitions: FlatDefinition[];
  overrides: OverrideInput[];
  exemptions: ExemptionInput[];
}

function resolveMember(reference: PolicyDefinitionReference, index: number, context: MemberContext): MemberPolicy {
  const definitionId = reference.policyDefinitionId ?? "";
  const referenceId = reference.policyDefinitionReferenceId ?? `member-${index}`;
  const versionPin =
    overrideValue(context.overrides, "definitionversion", referenceId) ?? reference.definitionVersion;
  const exemption = context.exemptions.find((e) => exemptionCovers(e, referenceId));
  const member: MemberPolicy = {
    referenceId,
    definitionId,
    displayName: referenceId,
    status: "unknown",
    parameters: {},
    match: { excludedNamespaces: [], namespaces: [], labelSelector: {} },
    effect: "audit",
    effectSource: "initiative",
    exemptedBy: exemption ? (exemption.name ?? exemption.id ?? "an exemption") : undefined,
  };

  // Values the set passes this member, evaluated against the set's parameters.
  let passed: Record<string, unknown>;
  try {
    passed = Object.fromEntries(
      Object.entries(reference.parameters ?? {}).map(([name, p]) => [name, evaluateExpressions(p.value, context.setParameters)]),
    );
  } catch (error) {
    return { ...member, unknownReason: `the initiative passes a value akspol cannot evaluate: ${(error as Error).message}` };
  }
  const passedEffect = typeof passed.effect === "string" ? passed.effect : undefined;
  applyEffect(member, passedEffect, context.overrides);

  const candidates = context.definitions.filter(
    (d) => d.id.toLowerCase() === definitionId.toLowerCase() || (d.guid !== "" && d.guid === lastSegment(definitionId).toLowerCase()),
  );
  if (candidates.length === 0) {
    return { ...member, unknownReason: `definition ${definitionId} is not one akspol knows how to evaluate` };
  }
  const definition = pickVersion(candidates, versionPin);
  if (!definition) {
    const available = candidates.map((c) => c.version).join(", ");
    return { ...member, unknownReason: `definition version ${versionPin} is not available (akspol has ${available})` };
  }
  member.displayName = definition.displayName ?? referenceId;
  member.definitionVersion = definition.version;

  const definitionParameters: Record<string, unknown> = {};
  for (const [name, declaration] of Object.entries(definition.parameters ?? {})) {
    definitionParameters[name] = name in passed ? passed[name] : declaration.defaultValue;
  }
  const then = isObject(definition.policyRule) && isObject(definition.policyRule.then) ? definition.policyRule.then : {};
  const details = isObject(then.details) ? then.details : {};
  try {
    applyEffect(member, stringOrUndefined(evaluateExpressions(then.effect, definitionParameters)), context.overrides);
    member.parameters = asRecord(evaluateExpressions(details.values ?? {}, definitionParameters));
    member.match = {
      excludedNamespaces: stringList(evaluateExpressions(details.excludedNamespaces, definitionParameters)),
      namespaces: stringList(evaluateExpressions(details.namespaces, definitionParameters)),
      labelSelector: asRecord(evaluateExpressions(details.labelSelector, definitionParameters)),
    };
  } catch (error) {
    return { ...member, unknownReason: `the definition uses an expression akspol cannot evaluate: ${(error as Error).message}` };
  }

  const templateInfo = isObject(details.templateInfo) ? details.templateInfo : {};
  const templateKey = typeof templateInfo.url === "string" ? templateKeyFromUrl(templateInfo.url) : undefined;
  if (!templateKey) {
    return { ...member, unknownReason: "the definition has no Gatekeeper template akspol recognises" };
  }
  member.template = templateKey;
  const lookup = findEvaluator(templateKey);
  if (!lookup) {
    return { ...member, unknownReason: `the Gatekeeper template ${templateKey} is not published, so akspol cannot evaluate it` };
  }
  return { ...member, status: "ok", evaluator: lookup.evaluator, approximation: lookup.approximation };
}

function applyEffect(member: MemberPolicy, value: string | undefined, overrides: OverrideInput[]): void {
  const overridden = overrideValue(overrides, "policyeffect", member.referenceId);
  const effect = (overridden ?? value)?.toLowerCase();
  if (effect === "audit" || effect === "deny" || effect === "disabled") member.effect = effect;
  member.effectSource = overridden !== undefined ? "override" : "initiative";
}

/**
 * The value of the first override of `kind` whose selectors all select `referenceId`
 * (`in` lists it, `notIn` does not; reference ids compare case-insensitively as in ARM).
 */
function overrideValue(overrides: OverrideInput[], kind: string, referenceId: string): string | undefined {
  const id = referenceId.toLowerCase();
  for (const override of overrides) {
    if ((override.kind ?? "").toLowerCase() !== kind || override.value === undefined) continue;
    const selected = (override.selectors ?? []).every((selector) => {
      if ((selector.kind ?? "").toLowerCase() !== "policydefinitionreferenceid") return true;
      if (selector.in && !selector.in.some((x) => x.toLowerCase() === id)) return false;
      if (selector.notIn && selector.notIn.some((x) => x.toLowerCase() === id)) return false;
      return true;
    });
    if (selected) return override.value;
  }
  return undefined;
}

function exemptionCovers(exemption: ExemptionInput, referenceId: string): boolean {
  const ids = exemption.policyDefinitionReferenceIds ?? [];
  return ids.length === 0 || ids.some((id) => id.toLowerCase() === referenceId.toLowerCase());
}

function activeExemptions(exemptions: ExemptionInput[], now: Date | undefined): ExemptionInput[] {
  if (!now) return exemptions;
  return exemptions.filter((e) => e.expiresOn === undefined || new Date(e.expiresOn).getTime() > now.getTime());
}

/** Newest candidate within the pinned major (`9.*.*`), or the newest of all without a pin. */
function pickVersion(candidates: FlatDefinition[], pin: string | undefined): FlatDefinition | undefined {
  const sorted = [...candidates].sort((a, b) => compareVersions(b.version ?? "0", a.version ?? "0"));
  if (!pin) return sorted[0];
  const pinParts = pin.split(".");
  return sorted.find((candidate) => {
    const parts = (candidate.version ?? "").split(".");
    return pinParts.every((part, i) => part === "*" || part === parts[i]);
  });
}

function compareVersions(a: string, b: string): number {
  const pa = a.split(".").map((x) => Number.parseInt(x, 10) || 0);
  const pb = b.split(".").map((x) => Number.parseInt(x, 10) || 0);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const diff = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (diff !== 0) return diff;
  }
  return 0;
}

function effectiveSetParameters(
  declarations: Record<string, ParameterDeclaration>,
  values: Record<string, ParameterValue>,
): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const [name, declaration] of Object.entries(declarations)) {
    const assigned = values[name];
    result[name] = assigned && assigned.value !== undefined ? assigned.value : declaration.defaultValue;
  }
  return result;
}

// ---- ARM template expressions, the subset policy definitions use.

const PARAMETER_EXPRESSION = /^\[parameters\('([^']+)'\)((?:\.[A-Za-z_$][\w$]*|\['[^']*'\])*)\]$/;

/**
 * Replaces every `[parameters('name')]` (optionally followed by `.property` or `['property']`)
 * in a JSON value. `[[…` is an escaped literal `[…`. Any other expression throws.
 */
export function evaluateExpressions(value: unknown, parameters: Record<string, unknown>): unknown {
  if (typeof value === "string") return evaluateString(value, parameters);
  if (Array.isArray(value)) return value.map((item) => evaluateExpressions(item, parameters));
  if (isObject(value)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, evaluateExpressions(v, parameters)]));
  }
  return value;
}

function evaluateString(value: string, parameters: Record<string, unknown>): unknown {
  if (value.startsWith("[[")) return value.slice(1);
  if (!(value.startsWith("[") && value.endsWith("]"))) return value;
  const match = PARAMETER_EXPRESSION.exec(value);
  if (!match) throw new ExpressionError(value);
  const [, name, path] = match as unknown as [string, string, string];
  if (!(name in parameters)) throw new ExpressionError(`${value} (no parameter ${name})`);
  let result: unknown = parameters[name];
  for (const step of path.matchAll(/\.([A-Za-z_$][\w$]*)|\['([^']*)'\]/g)) {
    const key = step[1] ?? step[2] ?? "";
    result = isObject(result) ? result[key] : undefined;
  }
  return result;
}

// ---- Helpers.

function flatten(set: PolicySetDefinitionDocument): SetDefinitionFields {
  return { ...set, ...(set.properties ?? {}) };
}

function flattenDefinition(definition: PolicyDefinitionDocument): FlatDefinition {
  const fields = { ...definition, ...(definition.properties ?? {}) };
  const id = definition.id ?? "";
  return { ...fields, id, guid: (definition.name ?? lastSegment(id)).toLowerCase() };
}

function lastSegment(id: string): string {
  return id.split("/").filter(Boolean).pop() ?? "";
}

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((x): x is string => typeof x === "string") : [];
}

function asRecord(value: unknown): JsonObject {
  return isObject(value) ? value : {};
}

function stringOrUndefined(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}
