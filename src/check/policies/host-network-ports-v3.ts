// host-network-ports/v3 (k8sazurev3hostnetworkingports), behind BlockUsingHostNetwork 6.2.0.
import type { TemplateEvaluator, TemplateViolation } from "../types.js";
import { asArray, asObject, formatParameter, includedContainers, isTruthy, isWindowsPod } from "./common.js";

export interface HostNetworkFinding {
  hostNetwork: boolean;
  hostPorts: number[];
}

export const hostNetworkPortsV3: TemplateEvaluator = {
  template: "host-network-ports",
  version: "v3",
  evaluate(pod, parameters) {
    if (isWindowsPod(pod)) return [];
    const violations: TemplateViolation[] = [];
    // Pod-level, but only reported through a container that is not excluded.
    const sharesHostNetwork = !isTruthy(parameters.allowHostNetwork) && isTruthy(pod.spec.hostNetwork);
    for (const c of includedContainers(pod, parameters, { byName: true })) {
      const hostPorts = asArray(c.container.ports)
        .map((port) => asObject(port).hostPort)
        .filter((hostPort): hostPort is number => typeof hostPort === "number");
      // A comparison with an undefined parameter is undefined in Rego: the rule does not fire.
      const outOfRange = hostPorts.filter(
        (hostPort) => (typeof parameters.minPort === "number" && hostPort < parameters.minPort) || (typeof parameters.maxPort === "number" && hostPort > parameters.maxPort),
      );
      if (!sharesHostNetwork && outOfRange.length === 0) continue;
      // The message names only pod and container, so the rules collapse into one set entry.
      const finding: HostNetworkFinding = { hostNetwork: sharesHostNetwork, hostPorts: outOfRange };
      violations.push({
        code: sharesHostNetwork ? "host-network" : "host-port",
        container: c.name,
        value: finding,
        message: `The specified hostNetwork and hostPort are not allowed, pod: ${pod.metadata.name}, container: ${c.name}. Allowed values: ${formatParameter(parameters)}`,
      });
    }
    return violations;
  },
};
