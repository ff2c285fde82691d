// container-no-privilege-escalation/v3 (k8sazurev3noprivilegeescalation), behind NoPrivilegeEscalation 7.2.0.
import type { TemplateEvaluator, TemplateViolation } from "../types.js";
import { asObject, includedContainers, isPresent, isWindowsPod, securityContextOf } from "./common.js";

export const containerNoPrivilegeEscalationV3: TemplateEvaluator = {
  template: "container-no-privilege-escalation",
  version: "v3",
  evaluate(pod, parameters) {
    if (isWindowsPod(pod)) return [];
    const podRunAsUser = asObject(pod.spec.securityContext).runAsUser;
    const violations: TemplateViolation[] = [];
    for (const c of includedContainers(pod, parameters, { byName: true })) {
      const securityContext = securityContextOf(c.container);
      const allowPrivilegeEscalation = securityContext.allowPrivilegeEscalation;
      let reason: string | undefined;
      if (allowPrivilegeEscalation === true) {
        reason = "allow-privilege-escalation";
      } else if (allowPrivilegeEscalation !== false) {
        // A non-root user can escalate through setuid binaries unless escalation is explicitly off.
        if (isPresent(securityContext.runAsUser)) {
          if (securityContext.runAsUser !== 0) reason = "non-root-without-explicit-false";
        } else if (isPresent(podRunAsUser) && podRunAsUser !== 0) {
          reason = "non-root-without-explicit-false";
        }
      }
      if (!reason) continue;
      violations.push({
        code: reason,
        container: c.name,
        message: `Privilege escalation container is not allowed: ${c.name}`,
      });
    }
    return violations;
  },
};
