// What one assignment enforces per member: effect (parameters, policyEffect overrides with their
// selectors, enforcementMode), excluded namespaces, include-list, label selector, excluded images
// and containers, template parameters, each traced through the set's parameter wiring to the
// parameter (the lever) that sets it. Pure: the reader passes in the documents read from Azure.
import { evaluateExpressions, ExpressionError, isObject, parameterReference, versionMatches, compareVersions } from "./expressions.js";
import { akspolCustomSource, familyOf, isSetDefinitionId, lastSegment, memberOfDefinition } from "./members.js";
import type { AssignmentEnforcement, Effect, MemberEnforcement, MemberField, ValueOrigin } from "./types.js";

// ---- Input shapes: ARM JSON (`properties` wrapper) and the SDK models (flattened) both fit.

export interface ParameterDeclaration {
  type?: string;
  defaultValue?: unknown;
  allowedValues?: unknown[];
  metadata?: { displayName?: string; description?: string };
}

export interface DefinitionReference {
  policyDefinitionId?: string;
  policyDefinitionReferenceId?: string;
  definitionVersion?: string;
  parameters?: Record<string, { value?: unknown }>;
}

interface DefinitionFields {
  displayName?: string;
  metadata?: unknown;
  version?: string;
  versions?: string[];
  parameters?: Record<string, ParameterDeclaration>;
  /** Sets only. */
  policyDefinitions?: DefinitionReference[];
  /** Definitions only. */
  policyRule?: unknown;
}

/** A policy set definition or a policy definition, as ARM or the SDK returns it. */
export interface DefinitionDocument extends DefinitionFields {
  id?: string;
  name?: string;
  properties?: DefinitionFields;
}

export interface OverrideInput {
  kind?: string;
  value?: string;
  selectors?: Array<{ kind?: string; in?: string[]; notIn?: string[] }>;
}

interface AssignmentFields {
  displayName?: string;
  scope?: string;
  policyDefinitionId?: string;
  definitionVersion?: string;
  enforcementMode?: string;
  parameters?: Record<string, { value?: unknown } | undefined>;
  overrides?: OverrideInput[];
  notScopes?: string[];
}

export interface AssignmentDocument extends AssignmentFields {
  id?: string;
  name?: string;
  properties?: AssignmentFields;
}

export interface EnforcementInput {
  assignment: AssignmentDocument;
  /** The definition the assignment assigns, at the version it uses. */
  definition: DefinitionDocument;
  /** Versions of member definitions available (read from Azure at the pins, or the embedded copies). */
  memberDefinitions: readonly DefinitionDocument[];
}

export function flattenDefinition(document: DefinitionDocument): DefinitionFields & { id: string; name: string } {
  const id = document.id ?? "";
  return { ...document, ...(document.properties ?? {}), id, name: document.name ?? lastSegment(id) };
}

export function flattenAssignment(document: AssignmentDocument): AssignmentFields & { id: string; name: string; scope: string } {
  const fields = { ...document, ...(document.properties ?? {}) };
  const id = document.id ?? "";
  const scope = fields.scope ?? id.replace(/\/providers\/Microsoft\.Authorization\/policyAssignments\/[^/]+$/i, "");
  return { ...fields, id, name: document.name ?? lastSegment(id), scope };
}

/** Every declared parameter with the value in force: the assignment's, else the declared default. */
export function parameterValues(
  declarations: Record<string, ParameterDeclaration>,
  assigned: Record<string, { value?: unknown } | undefined>,
): Record<string, { value: unknown; source: "assignment" | "default" }> {
  const result: Record<string, { value: unknown; source: "assignment" | "default" }> = {};
  for (const [name, declaration] of Object.entries(declarations)) {
    const key = Object.keys(assigned).find((candidate) => candidate.toLowerCase() === name.toLowerCase());
    const own = key === undefined ? undefined : assigned[key];
    result[name] = own && own.value !== undefined ? { value: own.value, source: "assignment" } : { value: declaration.defaultValue, source: "default" };
  }
  return result;
}

/** What the assignment enforces for each member it carries. */
export function enforcementOf(input: EnforcementInput): AssignmentEnforcement {
  const assignment = flattenAssignment(input.assignment);
  const definition = flattenDefinition(input.definition);
  const definitionId = assignment.policyDefinitionId ?? definition.id;
  // The id says which; a document without one (an offline or test set) by its shape.
  const kind = isSetDefinitionId(definitionId) || (!definitionId.includes("/") && Array.isArray(definition.policyDefinitions)) ? "set" : "definition";
  const parameters = parameterValues(definition.parameters ?? {}, assignment.parameters ?? {});
  const overrides = assignment.overrides ?? [];
  const candidates = input.memberDefinitions.map(flattenDefinition);
  const members: MemberEnforcement[] = [];
  if (kind === "set") {
    (definition.policyDefinitions ?? []).forEach((reference) => {
      const member = memberOfDefinition(reference.policyDefinitionId);
      if (!member) return;
      const referenceId = reference.policyDefinitionReferenceId ?? member.key;
      const wiring = wiringOf(reference.parameters ?? {});
      members.push(resolveMember({ member: member.key, referenceId, reference, wiring, parameters, overrides, candidates }));
    });
  } else {
    const member = memberOfDefinition(definitionId);
    if (member) {
      // A single definition: each of its parameters is the assignment's own parameter.
      const wiring: Wiring = {};
      for (const name of Object.keys(definition.parameters ?? {})) wiring[name] = { parameter: name };
      members.push(
        resolveMember({
          member: member.key,
          referenceId: member.key,
          reference: { policyDefinitionId: definitionId, definitionVersion: assignment.definitionVersion ?? definition.version },
          wiring,
          parameters,
          overrides,
          candidates: [definition, ...candidates],
        }),
      );
    }
  }
  return {
    assignment: { id: assignment.id, name: assignment.name, displayName: assignment.displayName, scope: assignment.scope },
    definition: (() => {
      const madeFrom = kind === "set" ? akspolCustomSource(definition.metadata) : undefined;
      return { id: definitionId, kind, family: familyOf(definitionId, kind), displayName: definition.displayName, version: definition.version, ...(madeFrom ? { madeFrom } : {}) };
    })(),
    enforcementMode: (assignment.enforcementMode ?? "Default").toLowerCase() === "donotenforce" ? "DoNotEnforce" : "Default",
    parameters,
    members,
  };
}

/** How a member definition's parameter is fed: from a parameter of the assignment, or a literal. */
type Wiring = Record<string, { parameter: string } | { constant: unknown }>;

function wiringOf(passed: Record<string, { value?: unknown }>): Wiring {
  const wiring: Wiring = {};
  for (const [name, { value }] of Object.entries(passed)) {
    const parameter = parameterReference(value);
    wiring[name] = parameter === undefined ? { constant: value } : { parameter };
  }
  return wiring;
}

interface MemberContext {
  member: MemberEnforcement["member"];
  referenceId: string;
  reference: DefinitionReference;
  wiring: Wiring;
  parameters: Record<string, { value: unknown; source: "assignment" | "default" }>;
  overrides: OverrideInput[];
  candidates: Array<DefinitionFields & { id: string; name: string }>;
}

const FIELD_DEFAULTS: Record<MemberField, unknown> = {
  effect: "audit",
  warn: false,
  excludedNamespaces: [],
  namespaces: [],
  labelSelector: {},
  excludedImages: [],
  excludedContainers: [],
};

function resolveMember(context: MemberContext): MemberEnforcement {
  const { referenceId, reference, wiring, parameters, overrides } = context;
  const setValues = Object.fromEntries(Object.entries(parameters).map(([name, entry]) => [name, entry.value]));
  const versionOverride = overrideFor(overrides, "definitionversion", referenceId);
  const pin = versionOverride?.value ?? reference.definitionVersion;
  const definitionName = lastSegment(reference.policyDefinitionId ?? "").toLowerCase();
  const definition = pickVersion(
    context.candidates.filter((candidate) => candidate.name.toLowerCase() === definitionName && candidate.policyRule !== undefined),
    pin,
  );
  const enforcement: MemberEnforcement = {
    member: context.member,
    referenceId,
    definitionId: reference.policyDefinitionId ?? "",
    definitionVersionPin: pin,
    displayName: referenceId,
    effect: "audit",
    warn: false,
    excludedNamespaces: [],
    namespaces: [],
    labelSelector: {},
    excludedImages: [],
    excludedContainers: [],
    templateParameters: {},
    origins: {
      effect: { kind: "definition-default" },
      warn: { kind: "definition-default" },
      excludedNamespaces: { kind: "definition-default" },
      namespaces: { kind: "definition-default" },
      labelSelector: { kind: "definition-default" },
      excludedImages: { kind: "definition-default" },
      excludedContainers: { kind: "definition-default" },
    },
    status: "ok",
  };

  // The member definition's parameter values: wired from the set (or the assignment), else its defaults.
  let definitionValues: Record<string, unknown>;
  const declared: Record<string, ParameterDeclaration> = definition?.parameters ?? Object.fromEntries(Object.keys(wiring).map((name) => [name, {}]));
  try {
    definitionValues = {};
    for (const [name, declaration] of Object.entries(declared)) {
      const wire = wiring[name] ?? wiring[Object.keys(wiring).find((key) => key.toLowerCase() === name.toLowerCase()) ?? ""];
      if (wire && "parameter" in wire) definitionValues[name] = evaluateExpressions(`[parameters('${wire.parameter}')]`, setValues);
      else if (wire) definitionValues[name] = evaluateExpressions(wire.constant, setValues);
      else definitionValues[name] = declaration.defaultValue;
    }
  } catch (error) {
    return { ...enforcement, status: "unknown", unknownReason: `the set passes a value akspol cannot evaluate: ${(error as Error).message}` };
  }

  const originOfDefinitionParameter = (name: string | undefined): ValueOrigin => {
    if (name === undefined) return { kind: "constant" };
    const key = Object.keys(wiring).find((candidate) => candidate.toLowerCase() === name.toLowerCase());
    const wire = key === undefined ? undefined : wiring[key];
    if (!wire) return { kind: "definition-default" };
    if ("constant" in wire) return { kind: "constant" };
    const parameter = Object.keys(parameters).find((candidate) => candidate.toLowerCase() === wire.parameter.toLowerCase()) ?? wire.parameter;
    return { kind: "parameter", parameter, source: parameters[parameter]?.source ?? "default" };
  };

  if (!definition) {
    // Without the definition, follow the usual wiring (effect, excludedNamespaces, ...) by name.
    for (const field of Object.keys(FIELD_DEFAULTS) as MemberField[]) {
      if (!(field in definitionValues)) continue;
      enforcement.origins[field] = originOfDefinitionParameter(field);
      assignField(enforcement, field, definitionValues[field]);
    }
    applyEffectOverride(enforcement, overrides);
    return {
      ...enforcement,
      status: "unknown",
      unknownReason: `definition ${reference.policyDefinitionId} at version ${pin ?? "latest"} is not available`,
    };
  }

  enforcement.displayName = definition.displayName ?? referenceId;
  enforcement.definitionVersion = definition.version;
  const rule = isObject(definition.policyRule) ? definition.policyRule : {};
  const then = isObject(rule.then) ? rule.then : {};
  const details = isObject(then.details) ? then.details : {};
  const values = isObject(details.values) ? details.values : {};
  const expressions: Record<MemberField, unknown> = {
    effect: then.effect,
    warn: details.warn,
    excludedNamespaces: details.excludedNamespaces,
    namespaces: details.namespaces,
    labelSelector: details.labelSelector,
    excludedImages: values.excludedImages,
    excludedContainers: values.excludedContainers,
  };
  try {
    for (const field of Object.keys(expressions) as MemberField[]) {
      const expression = expressions[field];
      if (expression === undefined) continue;
      enforcement.origins[field] = originOfDefinitionParameter(parameterReference(expression));
      assignField(enforcement, field, evaluateExpressions(expression, definitionValues));
    }
    enforcement.templateParameters = asRecord(evaluateExpressions(values, definitionValues));
  } catch (error) {
    const reason = error instanceof ExpressionError ? error.message : String(error);
    return { ...enforcement, status: "unknown", unknownReason: `the definition uses an expression akspol cannot evaluate: ${reason}` };
  }
  const templateInfo = isObject(details.templateInfo) ? details.templateInfo : {};
  if (typeof templateInfo.url === "string") {
    const match = /\/kubernetes\/([^/]+)\/(v\d+)\/template\.yaml$/i.exec(templateInfo.url);
    if (match) enforcement.template = `${match[1]}/${match[2]}`;
  }
  applyEffectOverride(enforcement, overrides);
  return enforcement;
}

function assignField(enforcement: MemberEnforcement, field: MemberField, value: unknown): void {
  switch (field) {
    case "effect":
      enforcement.effect = normalizeEffect(value);
      break;
    case "warn":
      enforcement.warn = value === true || (typeof value === "string" && value.toLowerCase() === "true");
      break;
    case "labelSelector":
      enforcement.labelSelector = asRecord(value);
      break;
    default:
      enforcement[field] = stringList(value);
  }
}

function applyEffectOverride(enforcement: MemberEnforcement, overrides: OverrideInput[]): void {
  const override = overrideFor(overrides, "policyeffect", enforcement.referenceId);
  if (!override) return;
  enforcement.effect = normalizeEffect(override.value);
  enforcement.origins.effect = { kind: "override", index: override.index };
}

/** Effects other than the three Kubernetes ones (a typo, `Mutate`) are shown as audit, the safe guess. */
export function normalizeEffect(value: unknown): Effect {
  const effect = typeof value === "string" ? value.toLowerCase() : "";
  return effect === "deny" || effect === "disabled" ? effect : "audit";
}

/**
 * The first override of `kind` whose selectors all select the reference id (`in` lists it,
 * `notIn` does not; reference ids compare case-insensitively as in ARM). No selector selects all.
 */
export function overrideFor(overrides: readonly OverrideInput[], kind: string, referenceId: string): { value: string; index: number } | undefined {
  const id = referenceId.toLowerCase();
  for (const [index, override] of overrides.entries()) {
    if ((override.kind ?? "").toLowerCase() !== kind || override.value === undefined) continue;
    const selected = (override.selectors ?? []).every((selector) => {
      if ((selector.kind ?? "").toLowerCase() !== "policydefinitionreferenceid") return true;
      if (selector.in && !selector.in.some((x) => x.toLowerCase() === id)) return false;
      if (selector.notIn && selector.notIn.some((x) => x.toLowerCase() === id)) return false;
      return true;
    });
    if (selected) return { value: override.value, index };
  }
  return undefined;
}

/** Newest candidate matching the pin (`9.*.*`), or the newest of all without a pin. */
function pickVersion<T extends { version?: string }>(candidates: T[], pin: string | undefined): T | undefined {
  const sorted = [...candidates].sort((a, b) => compareVersions(b.version ?? "0", a.version ?? "0"));
  if (!pin) return sorted[0];
  return sorted.find((candidate) => versionMatches(pin, candidate.version ?? ""));
}

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((x): x is string => typeof x === "string") : [];
}

function asRecord(value: unknown): Record<string, unknown> {
  return isObject(value) ? value : {};
}

/**
 * The parameter each member's excluded namespaces come from, by the set's wiring (a single
 * definition: its own `excludedNamespaces`). Every version of the nine definitions reads
 * details.excludedNamespaces from its parameter `excludedNamespaces`, so the set's wiring of that
 * parameter is the lever. `parameter` is undefined when the set passes a constant or nothing.
 */
export function exclusionParameters(definition: DefinitionDocument, policyDefinitionId?: string): Array<{ member: MemberEnforcement["member"]; referenceId: string; parameter?: string }> {
  return memberFieldParameters(definition, "excludedNamespaces", policyDefinitionId);
}

/**
 * The set parameter each member's definition parameter `field` (excludedNamespaces, labelSelector,
 * excludedImages, excludedContainers, ...) reads, by the set's wiring; a single definition reads its
 * own parameter of that name. `parameter` is undefined when the set passes a constant or nothing.
 */
export function memberFieldParameters(
  definition: DefinitionDocument,
  field: string,
  policyDefinitionId?: string,
): Array<{ member: MemberEnforcement["member"]; referenceId: string; parameter?: string }> {
  const flat = flattenDefinition(definition);
  const id = policyDefinitionId ?? flat.id;
  if (!isSetDefinitionId(id) && !Array.isArray(flat.policyDefinitions)) {
    const member = memberOfDefinition(id);
    return member ? [{ member: member.key, referenceId: member.key, parameter: field }] : [];
  }
  const declared = Object.keys(flat.parameters ?? {});
  return (flat.policyDefinitions ?? []).flatMap((reference) => {
    const member = memberOfDefinition(reference.policyDefinitionId);
    if (!member) return [];
    const passed = Object.entries(reference.parameters ?? {}).find(([name]) => name.toLowerCase() === field.toLowerCase())?.[1]?.value;
    const wired = parameterReference(passed);
    const parameter = wired === undefined ? undefined : (declared.find((name) => name.toLowerCase() === wired.toLowerCase()) ?? wired);
    return [{ member: member.key, referenceId: reference.policyDefinitionReferenceId ?? member.key, parameter }];
  });
}
