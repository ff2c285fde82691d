// Manifest parsing: multi-document YAML, JSON, List kinds, every workload kind, namespaces, errors.
import { describe, expect, it } from "vitest";
import { parseManifest, parseManifests } from "../../src/check/manifests.js";

const parse = (text: string, namespace?: string) => parseManifest({ file: "in.yaml", text }, { namespace });

describe("parseManifest", () => {
  it("reads a multi-document file with Helm comments and empty documents, with each object's line", () => {
    const text = [
      "---",
      "# Source: chart/templates/configmap.yaml",
      "apiVersion: v1",
      "kind: ConfigMap",
      "metadata:",
      "  name: settings",
      "---",
      "# Source: chart/templates/empty.yaml",
      "---",
      "# Source: chart/templates/pod.yaml",
      "apiVersion: v1",
      "kind: Pod",
      "metadata:",
      "  name: web",
      "  namespace: prod",
      "spec:",
      "  containers:",
      "  - name: app",
      "    image: nginx",
      "",
    ].join("\n");
    const parsed = parse(text);
    expect(parsed.errors).toEqual([]);
    expect(parsed.notEvaluated).toMatchObject([{ kind: "ConfigMap", name: "settings", line: 3 }]);
    expect(parsed.workloads).toMatchObject([{ kind: "Pod", name: "web", namespace: "prod", namespaceSource: "manifest", line: 11, containerLines: { app: 18 } }]);
  });

  it.each([
    ["Deployment", "spec:\n  template:\n    metadata:\n      labels: {app: x}\n    spec:\n      containers: [{name: app, image: i}]"],
    ["ReplicaSet", "spec:\n  template:\n    spec:\n      containers: [{name: app, image: i}]"],
    ["StatefulSet", "spec:\n  template:\n    spec:\n      containers: [{name: app, image: i}]"],
    ["DaemonSet", "spec:\n  template:\n    spec:\n      containers: [{name: app, image: i}]"],
    ["Job", "spec:\n  template:\n    spec:\n      containers: [{name: app, image: i}]"],
    ["ReplicationController", "spec:\n  template:\n    spec:\n      containers: [{name: app, image: i}]"],
    ["CronJob", "spec:\n  schedule: '* * * * *'\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          containers: [{name: app, image: i}]"],
  ])("takes the pod template of a %s", (kind, body) => {
    const parsed = parse(`apiVersion: x\nkind: ${kind}\nmetadata:\n  name: w\n${body}\n`);
    expect(parsed.errors).toEqual([]);
    expect(parsed.workloads).toHaveLength(1);
    expect(parsed.workloads[0]).toMatchObject({ kind, workloadKind: "controller", podSpec: { containers: [{ name: "app", image: "i" }] } });
  });

  it("keeps the pod template's labels and annotations", () => {
    const parsed = parse(
      "kind: Deployment\nmetadata: {name: w, labels: {outer: o}}\nspec:\n  template:\n    metadata:\n      labels: {app: web}\n      annotations: {a: b}\n    spec: {containers: []}\n",
    );
    expect(parsed.workloads[0]?.podMetadata).toEqual({ labels: { app: "web" }, annotations: { a: "b" } });
  });

  it("puts an object without metadata.namespace in --namespace, else default, and says which", () => {
    const pod = "kind: Pod\nmetadata: {name: p}\nspec: {containers: []}\n";
    expect(parse(pod).workloads[0]).toMatchObject({ namespace: "default", namespaceSource: "default" });
    expect(parse(pod, "team").workloads[0]).toMatchObject({ namespace: "team", namespaceSource: "flag" });
    expect(parse("kind: Pod\nmetadata: {name: p, namespace: own}\nspec: {containers: []}\n", "team").workloads[0]).toMatchObject({ namespace: "own", namespaceSource: "manifest" });
  });

  it("expands List kinds, each item at its own line", () => {
    const text = [
      "apiVersion: v1",
      "kind: List",
      "items:",
      "- apiVersion: v1",
      "  kind: Pod",
      "  metadata: {name: a}",
      "  spec: {containers: [{name: c, image: i}]}",
      "- apiVersion: v1",
      "  kind: Service",
      "  metadata: {name: s}",
    ].join("\n");
    const parsed = parse(text);
    expect(parsed.workloads.map((w) => [w.name, w.line])).toEqual([["a", 4]]);
    expect(parsed.notEvaluated.map((w) => [w.kind, w.line])).toEqual([["Service", 8]]);
  });

  it("reads JSON, including a kubectl-style List", () => {
    const json = JSON.stringify({ apiVersion: "v1", kind: "List", items: [{ kind: "Pod", metadata: { name: "j" }, spec: { containers: [] } }] }, null, "\t");
    const parsed = parseManifest({ file: "in.json", text: json });
    expect(parsed.errors).toEqual([]);
    expect(parsed.workloads.map((w) => [w.name, w.line])).toEqual([["j", 5]]);
  });

  it("reports malformed YAML with file, line and column and keeps the documents before it", () => {
    const parsed = parse("kind: Pod\nmetadata: {name: ok}\nspec: {containers: []}\n---\nkind: Pod\nmetadata:\n  name: [broken\n");
    expect(parsed.workloads.map((w) => w.name)).toEqual(["ok"]);
    expect(parsed.errors).toHaveLength(1);
    expect(parsed.errors[0]).toMatchObject({ file: "in.yaml" });
    expect(parsed.errors[0]!.line).toBeGreaterThanOrEqual(7);
  });

  it("reports a document that is not an object, an object without kind, and a workload without a pod spec", () => {
    expect(parse("just a string\n").errors[0]).toMatchObject({ line: 1, message: expect.stringMatching(/Kubernetes object/) });
    expect(parse("---\napiVersion: v1\nmetadata: {name: x}\n").errors[0]).toMatchObject({ line: 2, message: "the object has no kind" });
    expect(parse("kind: Deployment\nmetadata: {name: d}\nspec: {replicas: 1}\n").errors[0]?.message).toBe("Deployment d has no spec.template.spec object");
  });

  it("treats an empty or comment-only input as nothing to check, not an error", () => {
    expect(parse("")).toEqual({ workloads: [], notEvaluated: [], errors: [] });
    expect(parse("# nothing rendered\n---\n")).toEqual({ workloads: [], notEvaluated: [], errors: [] });
  });

  it("combines several sources, keeping each file name (stdin included)", () => {
    const parsed = parseManifests([
      { file: "a.yaml", text: "kind: Pod\nmetadata: {name: a}\nspec: {containers: []}\n" },
      { file: "<stdin>", text: "kind: Pod\nmetadata: {name: b}\nspec: {containers: []}\n" },
    ]);
    expect(parsed.workloads.map((w) => `${w.file}:${w.name}`)).toEqual(["a.yaml:a", "<stdin>:b"]);
  });

  it("records the line of each container and volume for file:line output", () => {
    const text =
      "kind: Pod\nmetadata: {name: p}\nspec:\n  initContainers:\n  - name: init\n    image: i\n  containers:\n  - name: app\n    image: i\n  volumes:\n  - name: data\n    hostPath: {path: /}\n";
    const [w] = parse(text).workloads;
    expect(w?.containerLines).toEqual({ init: 5, app: 8 });
    expect(w?.volumeLines).toEqual({ data: 11 });
  });
});
