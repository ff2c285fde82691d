// Kubernetes manifests (YAML or JSON, multi-document, `List` kinds, Helm output) → the pod specs
// the policy add-on would review. Pure: the command reads the files and passes their text in.
import { LineCounter, isMap, isSeq, parseAllDocuments, type Document, type Node } from "yaml";
import { isObject } from "./policies/common.js";
import type { JsonObject } from "./types.js";

export interface SourceText {
  /** Path as the user gave it (`<stdin>` for `-`). */
  file: string;
  text: string;
}

export interface SourceLocation {
  file: string;
  /** 1-based. */
  line: number;
  /** 1-based. */
  column: number;
}

export type NamespaceSource = "manifest" | "flag" | "default";

export interface WorkloadRecord extends SourceLocation {
  kind: string;
  apiVersion?: string;
  name: string;
  namespace: string;
  namespaceSource: NamespaceSource;
  /** `Pod` for a Pod, `controller` for a kind that creates pods from a template. */
  workloadKind: "Pod" | "controller";
  podSpec: JsonObject;
  /** Labels and annotations of the pods (the template's metadata, or the Pod's own). */
  podMetadata: { labels: Record<string, string>; annotations: Record<string, string> };
  /** Line of each container (containers, initContainers, ephemeralContainers) by name. */
  containerLines: Record<string, number>;
  /** Line of each pod volume by name. */
  volumeLines: Record<string, number>;
}

export interface NotEvaluatedRecord extends SourceLocation {
  kind: string;
  apiVersion?: string;
  name: string;
  namespace?: string;
  reason: string;
}

export interface ManifestError extends SourceLocation {
  message: string;
}

export interface ParsedManifests {
  workloads: WorkloadRecord[];
  notEvaluated: NotEvaluatedRecord[];
  errors: ManifestError[];
}

export interface ParseOptions {
  /** `--namespace`: where objects without `metadata.namespace` go. */
  namespace?: string;
}

/** Where each workload kind keeps its pod template, relative to the object. */
const POD_TEMPLATE_PATHS: Record<string, readonly string[]> = {
  Deployment: ["spec", "template"],
  ReplicaSet: ["spec", "template"],
  StatefulSet: ["spec", "template"],
  DaemonSet: ["spec", "template"],
  Job: ["spec", "template"],
  ReplicationController: ["spec", "template"],
  CronJob: ["spec", "jobTemplate", "spec", "template"],
};

export const WORKLOAD_KINDS = ["Pod", ...Object.keys(POD_TEMPLATE_PATHS)] as const;

export function parseManifests(sources: SourceText[], options: ParseOptions = {}): ParsedManifests {
  const result: ParsedManifests = { workloads: [], notEvaluated: [], errors: [] };
  for (const source of sources) {
    const parsed = parseManifest(source, options);
    result.workloads.push(...parsed.workloads);
    result.notEvaluated.push(...parsed.notEvaluated);
    result.errors.push(...parsed.errors);
  }
  return result;
}

export function parseManifest(source: SourceText, options: ParseOptions = {}): ParsedManifests {
  const result: ParsedManifests = { workloads: [], notEvaluated: [], errors: [] };
  const lineCounter = new LineCounter();
  const documents = parseAllDocuments(source.text, { lineCounter });
  const at = (offset: number | undefined): SourceLocation => {
    const position = lineCounter.linePos(offset ?? 0);
    return { file: source.file, line: position.line, column: position.col };
  };
  // parseAllDocuments returns an EmptyStream (no documents) for an empty or comment-only input.
  for (const document of documents as Document.Parsed[]) {
    const firstError = document.errors[0];
    if (firstError) {
      result.errors.push({ ...at(firstError.pos[0]), message: firstError.message.split("\n")[0] ?? "invalid YAML" });
      continue;
    }
    const contents = document.contents;
    // A document holding only comments or a bare `---` (common in Helm output) is not an object.
    if (contents === null || (isScalarNull(contents))) continue;
    let value: unknown;
    try {
      value = document.toJS({ maxAliasCount: 1000 });
    } catch (error) {
      result.errors.push({ ...at(contents.range?.[0]), message: (error as Error).message });
      continue;
    }
    collectObject(value, contents, at, options, result);
  }
  return result;
}

function isScalarNull(node: Node): boolean {
  return !isMap(node) && !isSeq(node) && (node as { value?: unknown }).value === null;
}

function collectObject(
  value: unknown,
  node: Node,
  at: (offset: number | undefined) => SourceLocation,
  options: ParseOptions,
  result: ParsedManifests,
): void {
  const location = at(node.range?.[0]);
  if (!isObject(value) || !isMap(node)) {
    result.errors.push({ ...location, message: "expected a Kubernetes object (a mapping with apiVersion and kind)" });
    return;
  }
  const kind = value.kind;
  if (typeof kind !== "string" || kind === "") {
    result.errors.push({ ...location, message: "the object has no kind" });
    return;
  }
  const apiVersion = typeof value.apiVersion === "string" ? value.apiVersion : undefined;
  const metadata = isObject(value.metadata) ? value.metadata : {};
  const name = stringField(metadata.name) ?? stringField(metadata.generateName) ?? "(unnamed)";

  // `List`, `PodList`, `DeploymentList` … hold objects in `items`.
  if (kind.endsWith("List") && Array.isArray(value.items)) {
    const itemsNode = node.get("items", true);
    value.items.forEach((item, index) => {
      const itemNode = isSeq(itemsNode) ? (itemsNode.items[index] as Node | undefined) : undefined;
      collectObject(item, itemNode ?? node, at, options, result);
    });
    return;
  }

  const manifestNamespace = stringField(metadata.namespace);
  const namespace = manifestNamespace ?? options.namespace ?? "default";
  const namespaceSource: NamespaceSource = manifestNamespace ? "manifest" : options.namespace ? "flag" : "default";

  const templatePath = kind === "Pod" ? [] : POD_TEMPLATE_PATHS[kind];
  if (!templatePath) {
    result.notEvaluated.push({
      ...location,
      kind,
      apiVersion,
      name,
      namespace: manifestNamespace,
      reason: "not a workload kind; the pod-security policies review Pods only",
    });
    return;
  }
  const template = kind === "Pod" ? value : getPath(value, templatePath);
  const podSpec = isObject(template) ? template.spec : undefined;
  if (!isObject(podSpec)) {
    const where = kind === "Pod" ? "spec" : [...templatePath, "spec"].join(".");
    result.errors.push({ ...location, message: `${kind} ${name} has no ${where} object` });
    return;
  }
  const podMetadata = isObject(template) && isObject(template.metadata) ? template.metadata : {};
  const specNode = node.getIn([...templatePath, "spec"], true) as Node | undefined;
  result.workloads.push({
    ...location,
    kind,
    apiVersion,
    name,
    namespace,
    namespaceSource,
    workloadKind: kind === "Pod" ? "Pod" : "controller",
    podSpec,
    podMetadata: { labels: stringMap(podMetadata.labels), annotations: stringMap(podMetadata.annotations) },
    containerLines: namedItemLines(specNode, ["containers", "initContainers", "ephemeralContainers"], at),
    volumeLines: namedItemLines(specNode, ["volumes"], at),
  });
}

/** Line of each `- name: x` item of the given sequences of a pod spec node. */
function namedItemLines(
  specNode: Node | undefined,
  keys: string[],
  at: (offset: number | undefined) => SourceLocation,
): Record<string, number> {
  const lines: Record<string, number> = {};
  if (!isMap(specNode)) return lines;
  for (const key of keys) {
    const sequence = specNode.get(key, true);
    if (!isSeq(sequence)) continue;
    for (const item of sequence.items) {
      if (!isMap(item)) continue;
      const name = item.get("name");
      if (typeof name === "string" && !(name in lines)) lines[name] = at(item.range?.[0]).line;
    }
  }
  return lines;
}

function getPath(value: unknown, path: readonly string[]): unknown {
  let current = value;
  for (const key of path) current = isObject(current) ? current[key] : undefined;
  return current;
}

function stringField(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}

function stringMap(value: unknown): Record<string, string> {
  if (!isObject(value)) return {};
  const result: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) if (typeof v === "string") result[k] = v;
  return result;
}
