// block-host-namespace/v2 (k8sazurev2blockhostnamespace), behind BlockUsingHostProcessIDAndIPC 5.2.0.
import type { TemplateEvaluator } from "../types.js";
import { includedContainers, isTruthy, isWindowsPod } from "./common.js";

export const blockHostNamespaceV2: TemplateEvaluator = {
  template: "block-host-namespace",
  version: "v2",
  evaluate(pod, parameters) {
    if (isWindowsPod(pod)) return [];
    const shared = (["hostPID", "hostIPC"] as const).filter((field) => isTruthy(pod.spec[field]));
    if (shared.length === 0) return [];
    // There is no excludedContainers here; a pod made only of image-excluded containers passes.
    if (includedContainers(pod, parameters, { byName: false }).length === 0) return [];
    return [
      {
        code: "host-namespace",
        value: shared,
        message: `Sharing the host namespace is not allowed: ${pod.metadata.name}`,
      },
    ];
  },
};
