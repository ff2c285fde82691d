// Public API of the manifest check: parse manifests, resolve what an initiative enforces, evaluate.
import { BUILTIN_INITIATIVES, type BuiltinInitiativeName } from "./builtins.js";
import { evaluateWorkloads, type EvaluateOptions } from "./evaluate.js";
import { resolveInitiative, type EffectiveInitiative, type ExemptionInput } from "./initiative.js";
import { parseManifests, type SourceText } from "./manifests.js";
import { buildReport, type CheckReport } from "./report.js";

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
export function resolveBuiltinInitiative(
  name: BuiltinInitiativeName,
  parameters: Record<string, unknown> = {},
  options: { exemptions?: ExemptionInput[] } = {},
): EffectiveInitiative {
  return resolveInitiative({
    setDefinition: BUILTIN_INITIATIVES[name],
    assignment: {
      parameters: Object.fromEntries(Object.entries(parameters).map(([k, value]) => [k, { value }])),
    },
    exemptions: options.exemptions,
  });
}

export interface CheckManifestsInput extends EvaluateOptions {
  sources: SourceText[];
  initiative: EffectiveInitiative;
  /** `--namespace`: for objects without metadata.namespace. */
  namespace?: string;
}

/** Parse, evaluate and report in one call. Parse errors are in `report.errors`. */
export function checkManifests(input: CheckManifestsInput): CheckReport {
  const parsed = parseManifests(input.sources, { namespace: input.namespace });
  const results = evaluateWorkloads(parsed.workloads, input.initiative, {
    assignmentReference: input.assignmentReference,
    cluster: input.cluster,
  });
  return buildReport({ initiative: input.initiative, results, notEvaluated: parsed.notEvaluated, errors: parsed.errors, workloads: parsed.workloads.length });
}
