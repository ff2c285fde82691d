// Public API of the manifest check: parse manifests, resolve what an initiative enforces, evaluate.
import { BUILTIN_INITIATIVES, type BuiltinInitiativeName } from "./builtins.js";
import { resolveInitiative, type EffectiveInitiative, type ExemptionInput } from "./initiative.js";

export { BUILTIN_INITIATIVES, type BuiltinInitiativeName } from "./builtins.js";
export * from "./evaluate.js";
export * from "./initiative.js";
export * from "./manifests.js";
export * from "./report.js";
export { toSarif } from "./sarif.js";
export { hintFor, type ViolationHint } from "./hints.js";
export type { PodReview, TemplateViolation, TemplateEvaluator } from "./types.js";

/**
 * A built-in initiative as if assigned with these parameter values (absent ones take the
 * initiative's defaults), no overrides, enforcement Default. Works offline.
 */
export function resolveBuiltinInitiative(name: BuiltinInitiativeName, parameters: Record<string, unknown> = {}, options: { exemptions?: ExemptionInput[] } = {}): EffectiveInitiative {
  return resolveInitiative({
    setDefinition: BUILTIN_INITIATIVES[name],
    assignment: {
      parameters: Object.fromEntries(Object.entries(parameters).map(([k, value]) => [k, { value }])),
    },
    exemptions: options.exemptions,
  });
}
