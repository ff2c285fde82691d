// container-allowed-capabilities/v3 (k8sazurev3allowedcapabilities), behind ContainerCapabilities 6.2.0.
import type { ConstraintParameters, TemplateEvaluator, TemplateViolation } from "../types.js";
import { asObject, asStringArray, formatParameter, includedContainers, isWindowsPod, securityContextOf } from "./common.js";

/** The capability parameters lower-cased, once per parameters object (they do not change during a run). */
const capabilityRules = new WeakMap<ConstraintParameters, { allowed: Set<string>; requiredDrop: string[] }>();
function capabilityRulesOf(parameters: ConstraintParameters): { allowed: Set<string>; requiredDrop: string[] } {
  let rules = capabilityRules.get(parameters);
  if (rules === undefined) {
    rules = {
      allowed: new Set(asStringArray(parameters.allowedCapabilities).map((c) => c.toLowerCase())),
      requiredDrop: asStringArray(parameters.requiredDropCapabilities).map((c) => c.toLowerCase()),
    };
    capabilityRules.set(parameters, rules);
  }
  return rules;
}

export const containerAllowedCapabilitiesV3: TemplateEvaluator = {
  template: "container-allowed-capabilities",
  version: "v3",
  evaluate(pod, parameters) {
    if (isWindowsPod(pod)) return [];
    const { allowed, requiredDrop } = capabilityRulesOf(parameters);
    const violations: TemplateViolation[] = [];
    for (const c of includedContainers(pod, parameters, { byName: true })) {
      const capabilities = asObject(securityContextOf(c.container).capabilities);
      if (!allowed.has("*")) {
        const disallowed = asStringArray(capabilities.add).filter((cap) => !allowed.has(cap.toLowerCase()));
        if (disallowed.length > 0) {
          violations.push({
            code: "capability-add",
            container: c.name,
            value: disallowed,
            message: `container ${c.name} has a disallowed capability. Allowed capabilities are ${formatParameter(parameters.allowedCapabilities ?? [])}`,
          });
        }
      }
      const dropped = new Set(asStringArray(capabilities.drop).map((cap) => cap.toLowerCase()));
      const missing = requiredDrop.filter((cap) => !dropped.has(cap));
      if (missing.length > 0 && !dropped.has("all")) {
        violations.push({
          code: "capability-drop",
          container: c.name,
          value: missing,
          message: `container ${c.name} is not dropping all required capabilities. Container must drop all of ${formatParameter(parameters.requiredDropCapabilities)} or "ALL"`,
        });
      }
    }
    return violations;
  },
};
