// allowed-host-paths/v3 (k8sazurev3hostfilesystem), behind NoHostPathVolume 6.2.0. Definition 6.3.0
// points at v4, which is not published; the registry evaluates it with this one and says so.
import type { JsonObject, TemplateEvaluator, TemplateViolation } from "../types.js";
import { REGULAR_AND_INIT_CONTAINER_LISTS, asArray, formatParameter, includedContainers, isObject, isWindowsPod } from "./common.js";

/** `/foo` matches `/foo`, `/foo/` and `/foo/bar` but not `/fool`; `/` matches everything. */
export function hostPathMatches(prefix: string, path: string): boolean {
  const prefixSegments = splitPath(prefix);
  const pathSegments = splitPath(path);
  if (prefixSegments.length > pathSegments.length) return false;
  return prefixSegments.every((segment, index) => pathSegments[index] === segment);
}

function splitPath(path: string): string[] {
  const trimmed = path.replace(/^\/+|\/+$/g, "");
  return trimmed === "" ? [] : trimmed.split("/");
}

export const allowedHostPathsV3: TemplateEvaluator = {
  template: "allowed-host-paths",
  version: "v3",
  evaluate(pod, parameters) {
    if (isWindowsPod(pod)) return [];
    const allowedPaths = asArray(parameters.allowedHostPaths).filter(isObject);
    // Ephemeral containers are not part of v3's container set.
    const containers = includedContainers(pod, parameters, {
      byName: true,
      lists: REGULAR_AND_INIT_CONTAINER_LISTS,
    });
    const mountsByVolume = new Map<string, { container: string; mount: JsonObject }[]>();
    for (const c of containers) {
      for (const mount of asArray(c.container.volumeMounts).filter(isObject)) {
        if (typeof mount.name !== "string") continue;
        const list = mountsByVolume.get(mount.name) ?? [];
        list.push({ container: c.name, mount });
        mountsByVolume.set(mount.name, list);
      }
    }
    const violations: TemplateViolation[] = [];
    for (const volume of asArray(pod.spec.volumes).filter(isObject)) {
      const name = typeof volume.name === "string" ? volume.name : "";
      const mounts = mountsByVolume.get(name);
      const hostPath = volume.hostPath;
      // Declared but not mounted by a reviewed container: not a violation.
      if (!mounts || !isObject(hostPath)) continue;
      const path = typeof hostPath.path === "string" ? hostPath.path : "";
      const matching = allowedPaths.filter((entry) => typeof entry.pathPrefix === "string" && hostPathMatches(entry.pathPrefix, path));
      if (matching.length === 0) {
        violations.push({
          code: "host-path",
          volume: name,
          container: mounts[0]?.container,
          value: path,
          message: `HostPath volume ${name} is not allowed, pod: ${pod.metadata.name}. Allowed path: ${formatParameter(parameters.allowedHostPaths ?? [])}`,
        });
        continue;
      }
      if (!matching.some((entry) => entry.readOnly === true)) continue;
      for (const { container, mount } of mounts) {
        if (mount.readOnly === true) continue;
        violations.push({
          code: "host-path-read-only",
          volume: name,
          container,
          value: path,
          message: `HostPath volume ${name} does not meet the readonly requirement, pod: ${pod.metadata.name}. Allowed path: ${formatParameter(parameters.allowedHostPaths)}`,
        });
        break; // one message per volume (a Rego set keyed by volume and pod)
      }
    }
    return violations;
  },
};
