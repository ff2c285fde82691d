import type { Override, PolicyAssignment } from "../azure/assignments.js";
import { UsageError } from "../errors.js";
import type { SetDefinition } from "./definitions.js";
import { effectiveEffect } from "./parameters.js";
import { checkNamespace, removalRefusal } from "./namespaces.js";
import { exclusionParameters, type DefinitionDocument, type MemberKey } from "../effective/index.js";
import { declaredParameterName, spellEffect, validateParameterValue } from "./parameter-values.js";
import { sameJson, writableCopy } from "./assignment-compare.js";
import { editedValue, perPolicyTargets, type PerPolicyEdit } from "./per-policy.js";

/**
 * An edit is an operation (add X, remove Y, set p=v, ...), not a target document: the write loop
 * re-applies it to whatever Azure holds just before each write, because assignments have no ETag
 * (docs/reference/arm-contract.md §8) and another writer may have changed other fields meanwhile.
 */
export interface EditOperation {
  addNamespaces?: string[];
  removeNamespaces?: string[];
  /** Parameter values already parsed by their declared type (see parseParameterValue). */
  set?: Record<string, unknown>;
  /** Parameters to remove from the assignment, so the initiative default applies again. */
  unset?: string[];
  /** The initiative-wide effect parameter, or per-policy policyEffect overrides when `policies` is given. */
  effect?: { value: string; policies?: string[] };
  enforcementMode?: "Default" | "DoNotEnforce";
  /** Restore exactly these overrides (undo); null removes them. */
  overrides?: Override[] | null;
  /** Allow removing the initiative's default namespaces. */
  force?: boolean;
  /**
   * The parameters add/removeNamespaces edit: the ones the selected members read their excluded
   * namespaces from (src/effective exclusionParameters). Default: the set's `excludedNamespaces`.
   */
  namespacesParameters?: string[];
  /** Per-policy exclusions by label selector, container or image (issue 17; per-policy.ts). */
  perPolicy?: PerPolicyEdit;
}

export const excludedNamespacesParameter = "excludedNamespaces";

export interface EditPlan {
  /** Touched keys: parameter names, "enforcementMode", "overrides". */
  touched: string[];
  /** Effective values of the touched keys before and after. */
  before: Record<string, unknown>;
  after: Record<string, unknown>;
  changed: boolean;
  /** The full assignment to PUT (every field carried over from the read). */
  body: PolicyAssignment;
  /** PATCH when only overrides change (ARM's PATCH carries overrides; parameters need a PUT, docs/reference/arm-contract.md §3.3). */
  method: "PUT" | "PATCH" | "none";
  warnings: string[];
  /** Parameters that were unset and now start from the initiative default (they stop following it). */
  startedFromDefault: string[];
  /** The namespace-list parameters the plan edits (shown as a diff). */
  namespaceParameters: string[];
}

function declaredName(definition: Pick<SetDefinition, "parameters">, name: string): string | undefined {
  return Object.keys(definition.parameters ?? {}).find((key) => key.toLowerCase() === name.toLowerCase());
}

function ownKey(parameters: Record<string, unknown>, name: string): string | undefined {
  return Object.keys(parameters).find((key) => key.toLowerCase() === name.toLowerCase());
}

function requireDeclared(definition: Pick<SetDefinition, "parameters">, name: string): string {
  return declaredParameterName(definition.parameters ?? {}, name);
}

function effectiveParameter(parameters: Record<string, { value?: unknown }>, definition: Pick<SetDefinition, "parameters">, name: string): unknown {
  const key = ownKey(parameters, name);
  if (key) return parameters[key]?.value;
  return definition.parameters?.[name]?.defaultValue;
}

/** Member reference ids of the set, in the set's spelling. */
export function memberReferenceIds(definition: Pick<SetDefinition, "policyDefinitions">): string[] {
  return (definition.policyDefinitions ?? []).map((member) => member.policyDefinitionReferenceId ?? "").filter(Boolean);
}

function referenceSelector(override: Override): string[] | undefined {
  const selectors = override.selectors ?? [];
  if (selectors.length !== 1) return undefined;
  const [selector] = selectors;
  if (selector?.kind?.toLowerCase() !== "policydefinitionreferenceid" || !selector.in || selector.notIn?.length) return undefined;
  return selector.in;
}

/**
 * Sets a per-policy policyEffect override for each reference id, touching only the refs whose
 * effective override value differs: refs move out of other `in` lists and into an override with the
 * wanted value (created when none exists). Overrides of other shapes are left alone.
 */
export function withEffectOverrides(overrides: readonly Override[], references: string[], value: string): Override[] {
  const result = structuredClone([...overrides]) as Override[];
  const needing = references.filter((reference) => {
    const holder = result.find((override) => override.kind?.toLowerCase() === "policyeffect" && referenceSelector(override)?.some((r) => r.toLowerCase() === reference.toLowerCase()));
    return holder?.value !== value;
  });
  if (needing.length === 0) return result;
  const lowered = new Set(needing.map((reference) => reference.toLowerCase()));
  for (const override of result) {
    const refs = override.kind?.toLowerCase() === "policyeffect" ? referenceSelector(override) : undefined;
    if (refs && override.selectors?.[0]) override.selectors[0].in = refs.filter((reference) => !lowered.has(reference.toLowerCase()));
  }
  const kept = result.filter((override) => {
    const refs = override.kind?.toLowerCase() === "policyeffect" ? referenceSelector(override) : undefined;
    return refs === undefined || refs.length > 0;
  });
  const target = kept.find((override) => override.kind?.toLowerCase() === "policyeffect" && override.value === value && referenceSelector(override));
  if (target?.selectors?.[0]) target.selectors[0].in = [...(target.selectors[0].in ?? []), ...needing];
  else kept.push({ kind: "policyEffect", value, selectors: [{ kind: "policyDefinitionReferenceId", in: needing }] });
  return kept;
}

function checkValueAgainstDeclaration(definition: Pick<SetDefinition, "parameters">, name: string, value: unknown): void {
  validateParameterValue(definition.parameters ?? {}, name, value);
}

/** Applies an operation to an assignment as read, against the set definition at the assigned version. Pure. */
export function applyEdit(assignment: PolicyAssignment, definition: SetDefinition, operation: EditOperation): EditPlan {
  const body = writableCopy(assignment);
  const parameters = structuredClone(assignment.parameters ?? {}) as Record<string, { value?: unknown }>;
  const touched: string[] = [];
  const before: Record<string, unknown> = {};
  const after: Record<string, unknown> = {};
  const warnings: string[] = [];
  const startedFromDefault: string[] = [];
  let parametersChanged = false;
  let overridesChanged = false;
  let otherChanged = false;

  const touch = (key: string, value: unknown) => {
    if (!touched.includes(key)) {
      touched.push(key);
      before[key] = structuredClone(value);
    }
  };
  const setParameter = (name: string, value: unknown) => {
    const current = effectiveParameter(parameters, definition, name);
    touch(name, current);
    const key = ownKey(parameters, name);
    if (key && sameJson(parameters[key]?.value, value)) return;
    if (key) delete parameters[key];
    parameters[name] = { value: structuredClone(value) };
    parametersChanged = true;
  };

  const namespacesName = declaredName(definition, excludedNamespacesParameter);
  const defaultsOf = (name: string | undefined): string[] => (name && Array.isArray(definition.parameters?.[name]?.defaultValue) ? (definition.parameters?.[name]?.defaultValue as string[]) : []);
  const defaults = defaultsOf(namespacesName);
  const namespaceParameters: string[] = [];

  if (operation.addNamespaces?.length || operation.removeNamespaces?.length) {
    const names = operation.namespacesParameters?.length ? operation.namespacesParameters.map((name) => requireDeclared(definition, name)) : namespacesName ? [namespacesName] : [];
    if (names.length === 0) {
      throw new UsageError("This initiative has no excludedNamespaces parameter.", {
        suggestion: "Its policies read their excluded namespaces from other parameters: pass --policies to choose them, or see 'akspol params get'.",
      });
    }
    for (const name of names) {
      namespaceParameters.push(name);
      const ownDefaults = defaultsOf(name);
      const explicit = ownKey(parameters, name);
      const current = (explicit ? (parameters[explicit]?.value as string[] | undefined) : ownDefaults) ?? [];
      let next = [...current];
      for (const namespace of operation.addNamespaces ?? []) {
        const check = checkNamespace(namespace);
        if (!check.ok) throw new UsageError(`Cannot exclude: ${check.error}.`);
        if (!next.includes(check.name)) next.push(check.name);
      }
      for (const namespace of operation.removeNamespaces ?? []) {
        if (!current.includes(namespace)) {
          warnings.push(`'${namespace}' is not excluded${names.length > 1 ? ` in ${name}` : ""}; nothing to remove.`);
          continue;
        }
        const refusal = removalRefusal(namespace, ownDefaults);
        if (refusal && !operation.force) throw new UsageError(`Refusing to remove '${namespace}': ${refusal}`, { suggestion: "Pass --force if you mean it." });
        if (refusal) warnings.push(refusal);
        next = next.filter((item) => item !== namespace);
      }
      if (sameJson(next, current)) touch(name, current);
      else {
        if (!explicit) startedFromDefault.push(name);
        setParameter(name, next);
      }
    }
  }

  if (operation.perPolicy) {
    const { targets, warnings: sharing } = perPolicyTargets(definition as DefinitionDocument, assignment.policyDefinitionId, operation.perPolicy);
    warnings.push(...sharing);
    for (const target of targets) {
      for (const rawName of target.parameters) {
        const name = requireDeclared(definition, rawName);
        const current = effectiveParameter(parameters, definition, name);
        const next = editedValue(target.field, current, operation.perPolicy, name, target.readers[rawName] ?? []);
        checkValueAgainstDeclaration(definition, name, next);
        if (sameJson(next, current)) touch(name, current);
        else setParameter(name, next);
      }
    }
  }

  for (const [rawName, value] of Object.entries(operation.set ?? {})) {
    const name = requireDeclared(definition, rawName);
    checkValueAgainstDeclaration(definition, name, value);
    if (name === namespacesName) {
      const current = (effectiveParameter(parameters, definition, name) as string[] | undefined) ?? [];
      for (const namespace of value as unknown[]) {
        const check = typeof namespace === "string" ? checkNamespace(namespace) : { ok: false as const, error: `${JSON.stringify(namespace)} is not a string` };
        if (!check.ok) throw new UsageError(`Invalid excludedNamespaces: ${check.error}.`);
      }
      for (const removed of current.filter((namespace) => !(value as string[]).includes(namespace))) {
        const refusal = removalRefusal(removed, defaults);
        if (refusal && !operation.force) throw new UsageError(`Refusing to remove '${removed}': ${refusal}`, { suggestion: "Pass --force if you mean it." });
        if (refusal) warnings.push(refusal);
      }
      if (!ownKey(parameters, name)) startedFromDefault.push(name);
    }
    if (name.toLowerCase() === "namespaces" && Array.isArray(value) && value.length > 0) {
      warnings.push(`namespaces is an include-list: the initiative will check only ${value.join(", ")}; every namespace not listed stops being checked (a coverage change).`);
    }
    setParameter(name, value);
  }

  for (const rawName of operation.unset ?? []) {
    const name = requireDeclared(definition, rawName);
    if (definition.parameters?.[name]?.defaultValue === undefined) {
      throw new UsageError(`Parameter '${name}' has no default in the initiative, so it cannot be unset.`, { suggestion: "Set a value with 'akspol params set' instead." });
    }
    touch(name, effectiveParameter(parameters, definition, name));
    const key = ownKey(parameters, name);
    if (key) {
      delete parameters[key];
      parametersChanged = true;
    }
  }

  if (operation.effect && !operation.effect.policies?.length) {
    const name = requireDeclared(definition, "effect");
    const current = effectiveParameter(parameters, definition, name);
    const spelled = spellEffect(definition, operation.effect.value, typeof current === "string" ? current : undefined);
    checkValueAgainstDeclaration(definition, name, spelled);
    setParameter(name, spelled);
    const overridden = (body.overrides ?? []).filter((override) => override.kind?.toLowerCase() === "policyeffect");
    if (overridden.length > 0) {
      warnings.push(`Per-policy effect overrides on this assignment still win over the initiative effect for the policies they select (see 'akspol params get').`);
    }
  }

  let overrides = structuredClone(body.overrides ?? []) as Override[];
  if (operation.effect?.policies?.length) {
    const members = memberReferenceIds(definition);
    const references = operation.effect.policies.map((wanted) => {
      const match = members.find((member) => member.toLowerCase() === wanted.toLowerCase());
      if (!match) throw new UsageError(`The initiative has no policy with reference id '${wanted}'.`, { suggestion: `Its policies: ${members.join(", ")}.` });
      return match;
    });
    const spelled = spellEffect(definition, operation.effect.value, effectiveEffect(assignment, definition, references[0]));
    touch("overrides", overrides);
    const next = withEffectOverrides(overrides, references, spelled);
    if (!sameJson(next, overrides)) {
      overrides = next;
      overridesChanged = true;
    }
  }
  if (operation.overrides !== undefined) {
    touch("overrides", overrides);
    const next = operation.overrides ?? [];
    if (!sameJson(next, overrides)) {
      overrides = structuredClone(next);
      overridesChanged = true;
    }
  }

  if (operation.enforcementMode) {
    const current = assignment.enforcementMode ?? "Default";
    touch("enforcementMode", current);
    if (current.toLowerCase() !== operation.enforcementMode.toLowerCase()) {
      body.enforcementMode = operation.enforcementMode;
      otherChanged = true;
    }
  }

  body.parameters = parameters;
  if (overridesChanged) body.overrides = overrides;
  const resulting = { ...assignment, parameters, overrides: overridesChanged ? overrides : assignment.overrides, enforcementMode: body.enforcementMode };
  for (const key of touched) {
    if (key === "enforcementMode") after[key] = resulting.enforcementMode ?? "Default";
    else if (key === "overrides") after[key] = structuredClone(resulting.overrides ?? []);
    else after[key] = structuredClone(effectiveParameter(parameters, definition, key));
  }
  for (const name of parametersChanged ? startedFromDefault : []) {
    if (name !== namespacesName && !namespaceParameters.includes(name)) continue;
    warnings.push(
      `The assignment did not set ${name}, so this edit starts from the initiative's default list (${defaultsOf(name).join(", ")}). From now on the assignment no longer follows changes to that default list.`,
    );
  }
  const changed = parametersChanged || overridesChanged || otherChanged;
  const method = !changed ? "none" : overridesChanged && !parametersChanged && !otherChanged ? "PATCH" : "PUT";
  return { touched, before, after, changed, body, method, warnings, startedFromDefault: parametersChanged ? startedFromDefault : [], namespaceParameters };
}

/** True when the operation is already in force on this assignment (applying it again changes nothing). */
export function operationPresent(assignment: PolicyAssignment, definition: SetDefinition, operation: EditOperation): boolean {
  try {
    return !applyEdit(assignment, definition, { ...operation, force: true, ...(operation.perPolicy ? { perPolicy: { ...operation.perPolicy, ignoreMissing: true } } : {}) }).changed;
  } catch {
    return false;
  }
}

/**
 * Whether `exclude add` (every member) on this assignment starts from the set's default list: some
 * parameter it edits is not set on the assignment, so applyEdit starts that one from its default.
 * An assignment whose wiring cannot be edited says yes (the set definition read from Azure decides).
 */
export function namespaceAddNeedsDefaults(assignment: PolicyAssignment, declaration: SetDefinition): boolean {
  let names: string[];
  try {
    names = namespaceParametersFor(declaration, assignment.policyDefinitionId ?? "", []).parameters ?? [declaredName(declaration, excludedNamespacesParameter) ?? excludedNamespacesParameter];
  } catch {
    return true;
  }
  const parameters = assignment.parameters ?? {};
  return names.some((name) => ownKey(parameters, name) === undefined);
}

/**
 * Which parameters `exclude add|remove` edits on this assignment, from the model's wiring: the set's
 * shared `excludedNamespaces` when every selected member reads it (undefined: the default), else the
 * per-policy parameters the selected members read (the benchmark's privilegedContainerNamespaceExclusion,
 * ...). `policies` are member keys or the set's reference ids; none selects every member.
 */
export function namespaceParametersFor(
  definition: SetDefinition,
  policyDefinitionId: string,
  policies: readonly string[],
  /** What the edit does to the namespace: the shared-parameter warning says it of the other members too. */
  change: "exclude" | "include" = "exclude",
): { parameters?: string[]; members: MemberKey[]; warnings: string[] } {
  const wiring = exclusionParameters(definition as DefinitionDocument, policyDefinitionId);
  const selected =
    policies.length === 0
      ? wiring
      : policies.map((wanted) => {
          const match = wiring.find((entry) => entry.member.toLowerCase() === wanted.toLowerCase() || entry.referenceId.toLowerCase() === wanted.toLowerCase());
          if (!match) {
            throw new UsageError(`The assignment carries no policy '${wanted}'.`, {
              suggestion: `Its pod-security policies: ${wiring.map((entry) => `${entry.member} (${entry.referenceId})`).join(", ")}.`,
            });
          }
          return match;
        });
  const fixed = selected.filter((entry) => entry.parameter === undefined);
  if (fixed.length > 0) {
    throw new UsageError(`The assigned definition fixes the excluded namespaces of ${fixed.map((entry) => entry.referenceId).join(", ")}: no parameter of the assignment changes them.`, {
      suggestion: "Exempt the cluster from those policies (akspol exempt create), or narrow --policies to the others.",
    });
  }
  const parameters = [...new Set(selected.map((entry) => entry.parameter as string))];
  const warnings: string[] = [];
  const sharers = wiring.filter((entry) => parameters.includes(entry.parameter ?? "") && !selected.includes(entry));
  if (policies.length > 0 && sharers.length > 0) {
    warnings.push(
      change === "exclude"
        ? `${parameters.join(", ")} is read by ${sharers.map((entry) => entry.referenceId).join(", ")} too: they are excluded as well. To lift one policy only, exempt the cluster from it instead.`
        : `${parameters.join(", ")} is read by ${sharers.map((entry) => entry.referenceId).join(", ")} too: they check the namespace again as well.`,
    );
  }
  const isDefault = parameters.length === 1 && parameters[0]?.toLowerCase() === excludedNamespacesParameter.toLowerCase();
  return { parameters: isDefault ? undefined : parameters, members: [...new Set(selected.map((entry) => entry.member))], warnings };
}
