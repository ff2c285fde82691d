// Throughput of `akspol check`'s evaluator: thousands of generated workloads (mixed kinds, some
// compliant, some not) against the restricted and baseline initiatives. Run after `npm run build`:
//   node bench/check.mjs [workloads]
import { performance } from "node:perf_hooks";
import os from "node:os";
import { stringify } from "yaml";
import { evaluateWorkloads, parseManifests, resolveBuiltinInitiative } from "../dist/src/check/index.js";

const count = Number(process.argv[2] ?? 5000);
const kinds = ["Pod", "Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob", "ReplicaSet", "ReplicationController"];

function podSpec(i) {
  const secure = i % 3 !== 0;
  return {
    securityContext: secure ? { runAsNonRoot: true, runAsGroup: 1000, supplementalGroups: [1000], fsGroup: 1000, seccompProfile: { type: "RuntimeDefault" } } : {},
    hostNetwork: i % 17 === 0,
    initContainers: i % 4 === 0 ? [{ name: "init", image: "busybox:1.36", securityContext: { allowPrivilegeEscalation: false } }] : [],
    containers: [
      {
        name: "app",
        image: `registry.example/app-${i % 50}:1.${i % 7}`,
        ports: [{ containerPort: 8080, ...(i % 11 === 0 ? { hostPort: 8080 } : {}) }],
        securityContext: { allowPrivilegeEscalation: !secure, privileged: i % 13 === 0, capabilities: i % 5 === 0 ? { add: ["NET_ADMIN"] } : { drop: ["ALL"] } },
        volumeMounts: [{ name: "data", mountPath: "/data" }, ...(i % 9 === 0 ? [{ name: "host", mountPath: "/host" }] : [])],
      },
      { name: "sidecar", image: "registry.example/proxy:2", securityContext: { allowPrivilegeEscalation: false } },
    ],
    volumes: [{ name: "data", emptyDir: {} }, { name: "host", hostPath: { path: "/var/log" } }],
  };
}

function manifest(i) {
  const kind = kinds[i % kinds.length];
  const metadata = { name: `w-${i}`, namespace: `team-${i % 20}` };
  const template = { metadata: { labels: { app: `w-${i}` } }, spec: podSpec(i) };
  if (kind === "Pod") return { apiVersion: "v1", kind, metadata, spec: template.spec };
  if (kind === "CronJob") return { apiVersion: "batch/v1", kind, metadata, spec: { schedule: "*/5 * * * *", jobTemplate: { spec: { template } } } };
  return { apiVersion: "apps/v1", kind, metadata, spec: { template } };
}

const text = Array.from({ length: count }, (_, i) => stringify(manifest(i))).join("---\n");
const sources = [{ file: "bench.yaml", text }];

function time(fn, rounds) {
  fn(); // warm-up
  const start = performance.now();
  let result;
  for (let r = 0; r < rounds; r++) result = fn();
  return { seconds: (performance.now() - start) / 1000 / rounds, result };
}

const parse = time(() => parseManifests(sources), 3);
const workloads = parse.result.workloads;
if (workloads.length !== count) throw new Error(`expected ${count} workloads, parsed ${workloads.length}`);
const rows = [];
for (const name of ["restricted", "baseline"]) {
  const initiative = resolveBuiltinInitiative(name, { effect: "Deny" });
  const evaluation = time(() => evaluateWorkloads(workloads, initiative), 5);
  const violations = evaluation.result.filter((r) => r.status === "violation").length;
  rows.push({ name, members: initiative.members.length, seconds: evaluation.seconds, violations });
}

const format = (n) => Math.round(n).toLocaleString("en-US");
console.log(`node ${process.version}, ${os.cpus()[0]?.model ?? "unknown CPU"} (${os.cpus().length} cores), ${count} workloads (${kinds.length} kinds)`);
console.log(`parse YAML → workloads:        ${format(count / parse.seconds)} workloads/s (${(parse.seconds * 1000).toFixed(0)} ms, ${(text.length / 1e6).toFixed(1)} MB)`);
for (const row of rows) {
  console.log(
    `evaluate ${row.name.padEnd(10)} (${row.members} policies): ${format(count / row.seconds)} pods/s (${(row.seconds * 1000).toFixed(0)} ms, ${row.violations} violating results)`,
  );
}
const restricted = rows[0];
console.log(`parse + evaluate restricted:    ${format(count / (parse.seconds + restricted.seconds))} pods/s`);
