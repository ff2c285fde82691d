// Small builders for check tests.
import type { PodReview } from "../../src/check/types.js";

export function pod(spec: Record<string, unknown>, metadata: { name?: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> } = {}): PodReview {
  return {
    kind: "Pod",
    metadata: {
      name: metadata.name ?? "web",
      namespace: metadata.namespace ?? "apps",
      labels: metadata.labels ?? {},
      annotations: metadata.annotations ?? {},
    },
    spec,
  };
}

export function container(name: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { name, image: `registry.example/${name}:1`, ...extra };
}

export const WINDOWS = { nodeSelector: { "kubernetes.io/os": "windows" } };

import type { WorkloadRecord } from "../../src/check/manifests.js";

export function workload(
  podSpec: Record<string, unknown>,
  options: { kind?: string; name?: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> } = {},
): WorkloadRecord {
  const kind = options.kind ?? "Pod";
  return {
    file: "test.yaml",
    line: 1,
    column: 1,
    kind,
    name: options.name ?? "web",
    namespace: options.namespace ?? "apps",
    namespaceSource: "manifest",
    workloadKind: kind === "Pod" ? "Pod" : "controller",
    podSpec,
    podMetadata: { labels: options.labels ?? {}, annotations: options.annotations ?? {} },
    containerLines: {},
    volumeLines: {},
  };
}

/** Passes every member of both built-in initiatives with their default parameters. */
export function compliantSpec(): Record<string, unknown> {
  return {
    securityContext: { runAsNonRoot: true, runAsGroup: 1000, supplementalGroups: [1000], fsGroup: 1000, seccompProfile: { type: "RuntimeDefault" } },
    containers: [
      {
        name: "app",
        image: "registry.example/app:1",
        securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } },
        volumeMounts: [{ name: "cache", mountPath: "/cache" }],
      },
    ],
    volumes: [{ name: "cache", emptyDir: {} }],
  };
}

/** One defect per member: the spec violates exactly that policy of the built-ins. */
export const VIOLATING: Record<string, (spec: any) => void> = {
  NoPrivilegedContainers: (spec) => (spec.containers[0].securityContext.privileged = true),
  NoPrivilegeEscalation: (spec) => (spec.containers[0].securityContext.allowPrivilegeEscalation = true),
  BlockUsingHostNetwork: (spec) => (spec.hostNetwork = true),
  BlockUsingHostProcessIDAndIPC: (spec) => (spec.hostPID = true),
  ContainerCapabilities: (spec) => (spec.containers[0].securityContext.capabilities.add = ["SYS_ADMIN"]),
  NoHostPathVolume: (spec) => {
    spec.volumes.push({ name: "host", hostPath: { path: "/var/log" } });
    spec.containers[0].volumeMounts.push({ name: "host", mountPath: "/host" });
  },
  AllowedVolumeTypes: (spec) => {
    spec.volumes.push({ name: "share", nfs: { server: "nfs.example", path: "/" } });
    spec.containers[0].volumeMounts.push({ name: "share", mountPath: "/share" });
  },
  AllowedUsersGroups: (spec) => (spec.securityContext.runAsNonRoot = false),
  AllowedSeccompProfiles: (spec) => (spec.securityContext.seccompProfile = { type: "Unconfined" }),
};

export function violating(referenceId: string): Record<string, unknown> {
  const spec = compliantSpec();
  VIOLATING[referenceId]!(spec);
  return spec;
}

/** argv flags from an options object: { failOn: "never", param: ["a", "b"], showPasses: true }. */
export function flagsOf(options: Record<string, unknown>): string[] {
  return Object.entries(options).flatMap(([name, value]) => {
    const flag = `--${name.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)}`;
    if (value === true) return [flag];
    if (Array.isArray(value)) return value.flatMap((item) => [flag, String(item)]);
    return [flag, String(value)];
  });
}
