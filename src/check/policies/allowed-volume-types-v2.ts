// allowed-volume-types/v2 (k8sazurev2volumetypes), behind AllowedVolumeTypes 5.2.0.
import type { TemplateEvaluator, TemplateViolation } from "../types.js";
import { asArray, asStringArray, formatParameter, includedContainers, isObject } from "./common.js";

export const allowedVolumeTypesV2: TemplateEvaluator = {
  template: "allowed-volume-types",
  version: "v2",
  // No Windows skip in this template, and no excludedContainers.
  evaluate(pod, parameters) {
    const allowed = asStringArray(parameters.volumes);
    if (allowed.includes("*")) return [];
    const mountedBy = new Map<string, string>();
    for (const c of includedContainers(pod, parameters, { byName: false })) {
      for (const mount of asArray(c.container.volumeMounts).filter(isObject)) {
        if (typeof mount.name === "string" && !mountedBy.has(mount.name)) mountedBy.set(mount.name, c.name);
      }
    }
    const violations: TemplateViolation[] = [];
    for (const volume of asArray(pod.spec.volumes).filter(isObject)) {
      const name = typeof volume.name === "string" ? volume.name : "";
      const container = mountedBy.get(name);
      if (container === undefined) continue;
      for (const type of Object.keys(volume)) {
        if (type === "name" || allowed.includes(type)) continue;
        violations.push({
          code: "volume-type",
          volume: name,
          container,
          value: type,
          message: `The volume type ${type} is not allowed, pod: ${pod.metadata.name}. Allowed volume types: ${formatParameter(parameters.volumes ?? [])}`,
        });
      }
    }
    return violations;
  },
};
