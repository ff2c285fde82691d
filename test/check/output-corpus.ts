// The inputs and flags of test/check/output-digests.test.ts: generated workloads (YAML and JSON) and
// documents that take the edge paths of reading and parsing, given to `akspol check -` on stdin (so
// the file name in the output is `<stdin>` wherever the test runs).
import { load } from "js-yaml";
import { workloadsJson, workloadsYaml } from "../../src/check/synthetic-workloads.js";

const pod = (name: string, extra = "") =>
  `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${name}\nspec:\n  containers:\n  - name: app\n    image: nginx\n    securityContext: {privileged: true${extra}}\n  volumes:\n  - name: h\n    hostPath: {path: /etc}\n`;

/** Markers, directives, lists, aliases, JSON with and without the fast path, errors, scalars. */
const EDGES = [
  `%YAML 1.2\n---\n${pod("directive")}`,
  "...\n%YAML 1.2\n--- {kind: Pod, metadata: {name: inline}, spec: {containers: [{name: a, image: b, securityContext: {privileged: true}}]}}\n",
  "...\n# comment\n\n",
  `--- # comment after marker\n${pod("after-marker")}`,
  `---\n${pod("dots")}...\n`,
  "---x: not a marker\n",
  '---\n{"kind":"Pod","metadata":{"name":"dup","name":"dup2"},"spec":{"containers":[{"name":"a","securityContext":{"privileged":true}}]}}\n',
  '---\n{"kind":"Pod","__proto__":{"x":1},"metadata":{"name":"proto"},"spec":{"containers":[{"name":"a","securityContext":{"privileged":true}}]}}\n',
  '---\n{"kind":"List","items":[{"kind":"Pod","metadata":{"name":"l1"},"spec":{"containers":[{"name":"a","image":"x","securityContext":{"privileged":true}}],"volumes":[{"name":"v","hostPath":{"path":"/"}}]}}, 3]}\n',
  '---\n{"kind":"Pod","metadata":{"name":"num","labels":{"1":"a"}},"spec":{"1":{"a":1},"containers":[{"name":"a","ports":[{"hostPort":80}],"securityContext":{"privileged":true}}]}}\n',
  '---\n  {"kind": "Pod", "metadata": {"name": "esc\\u0041\\"q"}, "spec": {"hostPID": true, "containers": [{"name": "a\\nb", "securityContext": {"capabilities": {"add": ["SYS_ADMIN"]}}}]}}\n',
  '---\n{"kind":"Pod","metadata":{"name":"bad"},"spec":{"containers":[1,2}\n',
  "---\nkind: Pod\nmetadata: {name: badyaml\nspec: {}\n",
  "---\n- 1\n- 2\n",
  "---\nkind: Deployment\nmetadata: {name: notemplate}\nspec: {}\n",
  "---\napiVersion: v1\nkind: PodList\nitems:\n- kind: Pod\n  metadata: {name: i1, namespace: 'weird ns'}\n  spec:\n    hostNetwork: true\n    containers:\n    - {name: c1, image: x, ports: [{containerPort: 1, hostPort: 9}]}\n- 5\n- kind: CronJob\n  metadata: {name: cj}\n  spec: {jobTemplate: {spec: {template: {spec: {securityContext: {runAsUser: 0}, containers: [{name: x, image: y, securityContext: {runAsUser: 0, seccompProfile: {type: Unconfined}}}]}}}}}\n",
  `---\n${pod("it's quoted", ", allowPrivilegeEscalation: true")}`,
  "---\nkind: Pod\nmetadata: {name: alias}\nspec:\n  x-defs:\n    c: &c {name: app, image: i, securityContext: {privileged: true}}\n  containers:\n  - *c\n  volumes:\n  - &v {name: h, hostPath: {path: /}}\n  initContainers:\n  - {name: init, image: i, volumeMounts: [{name: h, mountPath: /h}]}\n",
  `---\nkind: PodList\nitems:\n${Array.from({ length: 30 }, (_, index) => `- kind: Pod\n  metadata: {name: big-${index}, namespace: kube-system}\n  spec:\n    containers:\n    - {name: c, image: i, securityContext: {privileged: ${index % 2 === 0}}}\n`).join("")}`,
  "--- >\n  folded\n...\n---\n",
  pod("last"),
].join("");

export const OUTPUT_CORPUS: ReadonlyArray<{ name: string; text: string }> = [
  { name: "yaml", text: workloadsYaml(240) },
  { name: "json", text: workloadsJson(120, load) },
  { name: "edges", text: EDGES },
  { name: "edges-crlf-bom", text: `\uFEFF${EDGES.replace(/\n/g, "\r\n")}` },
];

export const OUTPUT_RUNS: ReadonlyArray<readonly string[]> = [
  ["--initiative", "restricted", "--fail-on", "never"],
  ["--initiative", "restricted", "--fail-on", "never", "-o", "json"],
  ["--initiative", "restricted", "--fail-on", "never", "-o", "json", "--stream", "--show-passes"],
  ["--initiative", "restricted", "-o", "sarif"],
  ["--initiative", "baseline", "--param", "effect=Deny", "--namespace", "web", "--show-passes"],
];
