// Generated Kubernetes workloads for bench/ and scale tests (not used by the CLI): every workload kind
// in turn, two containers each, some with an init container and a host path; about a third violate several policies.
const KINDS = ["Pod", "Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob", "ReplicaSet", "ReplicationController"];

function podSpec(index: number): string[] {
  const secure = index % 3 !== 0;
  return [
    "securityContext:",
    ...(secure ? ["  runAsNonRoot: true", "  seccompProfile: {type: RuntimeDefault}"] : ["  runAsUser: 0"]),
    `hostNetwork: ${index % 17 === 0}`,
    ...(index % 4 === 0 ? ["initContainers:", "- name: init", "  image: busybox:1.36", "  securityContext: {allowPrivilegeEscalation: false}"] : []),
    "containers:",
    "- name: app",
    `  image: registry.example/app-${index % 50}:1.${index % 7}`,
    `  ports: [{containerPort: 8080${index % 11 === 0 ? ", hostPort: 8080" : ""}}]`,
    "  securityContext:",
    `    allowPrivilegeEscalation: ${!secure}`,
    `    privileged: ${index % 13 === 0}`,
    `    capabilities: ${index % 5 === 0 ? "{add: [NET_ADMIN]}" : "{drop: [ALL]}"}`,
    "  volumeMounts:",
    "  - {name: data, mountPath: /data}",
    "- name: sidecar",
    "  image: registry.example/proxy:2",
    "  securityContext: {allowPrivilegeEscalation: false}",
    "volumes:",
    "- name: data",
    "  emptyDir: {}",
    ...(index % 9 === 0 ? ["- name: host", "  hostPath: {path: /var/log}"] : []),
  ];
}

const indent = (lines: string[], spaces: number) => lines.map((line) => `${" ".repeat(spaces)}${line}`);

/** One workload manifest (YAML text) for index `index`. */
export function workloadYaml(index: number): string {
  const kind = KINDS[index % KINDS.length]!;
  const head = [
    `apiVersion: ${kind === "Pod" ? "v1" : kind === "CronJob" || kind === "Job" ? "batch/v1" : "apps/v1"}`,
    `kind: ${kind}`,
    "metadata:",
    `  name: w-${index}`,
    `  namespace: team-${index % 20}`,
  ];
  const spec = podSpec(index);
  if (kind === "Pod") return [...head, "spec:", ...indent(spec, 2)].join("\n");
  const template = ["template:", "  metadata:", `    labels: {app: w-${index}}`, "  spec:", ...indent(spec, 4)];
  if (kind === "CronJob") return [...head, "spec:", "  schedule: '*/5 * * * *'", "  jobTemplate:", "    spec:", ...indent(template, 6)].join("\n");
  return [...head, "spec:", ...indent(template, 2)].join("\n");
}

/** `count` workloads as one multi-document YAML text. */
export function workloadsYaml(count: number): string {
  return Array.from({ length: count }, (_, index) => workloadYaml(index)).join("\n---\n") + "\n";
}

/** The same workloads as JSON documents (one per line of a YAML stream, each its own document). */
export function workloadsJson(count: number, parse: (yaml: string) => unknown): string {
  return Array.from({ length: count }, (_, index) => JSON.stringify(parse(workloadYaml(index)), null, 1)).join("\n---\n") + "\n";
}
