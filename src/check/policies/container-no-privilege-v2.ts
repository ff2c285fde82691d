// container-no-privilege/v2 (k8sazurev2noprivilege), behind NoPrivilegedContainers 9.2.0.
import type { TemplateEvaluator, TemplateViolation } from "../types.js";
import { formatRego, includedContainers, isTruthy, isWindowsPod, securityContextOf } from "./common.js";

export const containerNoPrivilegeV2: TemplateEvaluator = {
  template: "container-no-privilege",
  version: "v2",
  evaluate(pod, parameters) {
    if (isWindowsPod(pod)) return [];
    const violations: TemplateViolation[] = [];
    for (const c of includedContainers(pod, parameters, { byName: true })) {
      const securityContext = securityContextOf(c.container);
      if (!isTruthy(securityContext.privileged)) continue;
      violations.push({
        code: "privileged",
        container: c.name,
        message: `Privileged container is not allowed: ${c.name}, securityContext: ${formatRego(c.container.securityContext)}`,
      });
    }
    return violations;
  },
};
