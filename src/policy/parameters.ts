import type { PolicyAssignment } from "../azure/assignments.js";
import type { SetDefinition } from "./definitions.js";

export type ParameterSource = "assignment" | "default";

export interface EffectiveParameter {
  name: string;
  type: string;
  value: unknown;
  source: ParameterSource;
  defaultValue: unknown;
  allowedValues?: unknown[];
  displayName?: string;
  description?: string;
}

/** Every parameter the initiative declares, with the value in force and where it comes from. */
export function effectiveParameters(assignment: Pick<PolicyAssignment, "parameters">, definition: Pick<SetDefinition, "parameters">): EffectiveParameter[] {
  const declared = definition.parameters ?? {};
  const set = assignment.parameters ?? {};
  return Object.entries(declared).map(([name, spec]) => {
    const own = Object.entries(set).find(([key]) => key.toLowerCase() === name.toLowerCase());
    return {
      name,
      type: String(spec.type ?? "String"),
      value: own ? own[1]?.value : spec.defaultValue,
      source: own ? "assignment" : "default",
      defaultValue: spec.defaultValue,
      allowedValues: spec.allowedValues,
      displayName: spec.metadata?.displayName,
      description: spec.metadata?.description,
    };
  });
}

export function effectiveValue(assignment: Pick<PolicyAssignment, "parameters">, definition: Pick<SetDefinition, "parameters">, name: string): unknown {
  return effectiveParameters(assignment, definition).find((parameter) => parameter.name.toLowerCase() === name.toLowerCase())?.value;
}

/** The effect of one member policy: a policyEffect override selecting it wins over the parameter. */
export function effectiveEffect(assignment: Pick<PolicyAssignment, "parameters" | "overrides">, definition: Pick<SetDefinition, "parameters">, referenceId?: string): string | undefined {
  for (const override of assignment.overrides ?? []) {
    if (override.kind?.toLowerCase() !== "policyeffect") continue;
    const selectors = override.selectors ?? [];
    if (selectors.length === 0) return String(override.value);
    if (!referenceId) continue;
    const matches = selectors.every((selector) => {
      if (selector.kind?.toLowerCase() !== "policydefinitionreferenceid") return true;
      const inList = selector.in?.map((v) => v.toLowerCase());
      const notIn = selector.notIn?.map((v) => v.toLowerCase());
      const id = referenceId.toLowerCase();
      return (!inList || inList.includes(id)) && (!notIn || !notIn.includes(id));
    });
    if (matches) return String(override.value);
  }
  const value = effectiveValue(assignment, definition, "effect");
  return value === undefined ? undefined : String(value);
}
