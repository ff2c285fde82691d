// Kubernetes manifests (YAML or JSON, multi-document, `List` kinds, Helm output) → the pod specs
// the policy add-on would review. Pure: the command reads the files and passes their text in.
import { CORE_SCHEMA, load as loadYaml } from "js-yaml";
import { parseJsonWithPositions } from "./json-document.js";
import { NodePositions } from "./node-positions.js";
import { ALL_CONTAINER_LISTS, isObject } from "./policies/common.js";
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
  const splitter = new DocumentSplitter(source.file);
  const take = (document: ManifestDocument) => {
    const parsed = parseDocument(document, options);
    result.workloads.push(...parsed.workloads);
    result.notEvaluated.push(...parsed.notEvaluated);
    result.errors.push(...parsed.errors);
  };
  // Every line of the text is a line of a document, the empty one after a last line break included.
  for (const document of splitter.write(`${source.text}\n`)) take(document);
  for (const document of splitter.end()) take(document);
  return result;
}

/** One YAML document of a file (JSON is one document), with the line it starts on. */
export interface ManifestDocument {
  file: string;
  /** 1-based line of the document's first line in its file. */
  line: number;
  text: string;
}

/**
 * Cuts text into YAML documents at `---` (and after `...`), chunk by chunk, so `check` reads a file
 * or stdin document by document and never holds more than one document's text. A `---` can only
 * start a line at column 0 as a document marker (block scalar content is always indented). Lines are
 * found with indexOf and a document's text is one slice of its chunk (not a line at a time): only a
 * line that starts with `-`, `.` or `%` is looked at. A line break is LF or CRLF (the CR is dropped);
 * a byte-order mark before the first line is dropped.
 */
export class DocumentSplitter {
  /** The current document's text before the chunk being read: whole lines, each with its line break. */
  private pieces: string[] = [];
  /** The start of a line whose end has not come yet (a chunk without a line break adds a piece). */
  private rest: string[] = [];
  private firstLine = 1;
  private lineNumber = 0;
  /** Whether the current document so far is only directives (`%YAML 1.2`): a `---` then starts its body. */
  private directivesOnly = true;
  /** Where the current document starts in the chunk being read, and its documents found so far. */
  private start = 0;
  private done: ManifestDocument[] = [];

  constructor(readonly file: string) {}

  /** Feeds the next piece of text; returns the documents it completed (in order). */
  write(chunk: string): readonly ManifestDocument[] {
    if (chunk.indexOf("\n") === -1) {
      if (chunk !== "") this.rest.push(chunk);
      return NO_DOCUMENTS;
    }
    let text = this.rest.length === 0 ? chunk : this.rest.join("") + chunk;
    this.rest = [];
    if (this.lineNumber === 0 && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    this.start = 0;
    let lineStart = 0;
    for (let lineEnd = text.indexOf("\n"); lineEnd !== -1; lineEnd = text.indexOf("\n", lineStart)) {
      this.line(text, lineStart, lineEnd);
      lineStart = lineEnd + 1;
    }
    if (lineStart > this.start) this.pieces.push(text.slice(this.start, lineStart));
    if (lineStart < text.length) this.rest.push(text.slice(lineStart));
    return this.take();
  }

  /** The documents the end of the text completes: the last line (without a line break) and the last document. */
  end(): readonly ManifestDocument[] {
    if (this.rest.length > 0) {
      let text = this.rest.join("");
      this.rest = [];
      if (this.lineNumber === 0 && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      this.start = 0;
      this.line(text, 0, text.length);
      this.flush(text, text.length);
    } else this.flush("", 0);
    return this.take();
  }

  private take(): readonly ManifestDocument[] {
    if (this.done.length === 0) return NO_DOCUMENTS;
    const done = this.done;
    this.done = [];
    return done;
  }

  /** One line, `text` from `from` to `to` (its line break, or the end of the text). */
  private line(text: string, from: number, to: number): void {
    this.lineNumber += 1;
    const first = text.charCodeAt(from);
    if (first === 0x2d /* - */ && isMarker(text, from, to, "---")) {
      // Directives before `---` belong to the document that `---` opens.
      if (this.directivesOnly && (this.pieces.length > 0 || from > this.start)) {
        this.directivesOnly = false;
        return;
      }
      this.flush(text, from);
      this.firstLine = this.lineNumber;
      this.start = from;
      this.directivesOnly = false;
      return;
    }
    if (first === 0x2e /* . */ && isMarker(text, from, to, "...")) {
      this.flush(text, from);
      this.firstLine = this.lineNumber + 1;
      this.start = to + 1;
      return;
    }
    if (first !== 0x25 /* % */) this.directivesOnly = false;
  }

  /** Ends the current document before `text[end]`. */
  private flush(text: string, end: number): void {
    this.directivesOnly = true;
    let raw: string;
    if (this.pieces.length === 0) raw = end > this.start ? text.slice(this.start, end) : "";
    else {
      if (end > this.start) this.pieces.push(text.slice(this.start, end));
      raw = this.pieces.join("");
      this.pieces = [];
    }
    this.start = end;
    if (raw === "") return;
    // The document is its lines joined by LF: no line break after the last, and no CR before any.
    if (raw.charCodeAt(raw.length - 1) === 0x0a) raw = raw.slice(0, -1);
    if (raw.indexOf("\r") !== -1) raw = raw.replace(CR_AT_LINE_END, "");
    this.done.push({ file: this.file, line: this.firstLine, text: raw });
  }
}

const NO_DOCUMENTS: readonly ManifestDocument[] = Object.freeze([]);
const CR_AT_LINE_END = /\r(?=\n)|\r$/g;

/** Whether the line from `from` to `to` is `marker` alone or followed by white space (`--- # comment`, `--- {a: 1}`). */
function isMarker(text: string, from: number, to: number, marker: string): boolean {
  if (!text.startsWith(marker, from)) return false;
  const after = from + marker.length;
  // A marker line can end the text, its own line, or continue after white space (\s, as YAML allows).
  return after >= to || /\s/.test(text.charAt(after));
}

const DOCUMENT_START = /^---(\s|$)/;

/**
 * One document to the workloads in it, with the line and column each mapping and sequence starts at,
 * so every workload carries its source positions at the cost of one parse: plain JSON through
 * json-document.ts, the rest through js-yaml (YAML 1.2 core schema) with a listener (the `yaml`
 * package's syntax tree cost about 8 times more per document).
 */
export function parseDocument(document: ManifestDocument, options: ParseOptions = {}): ParsedManifests {
  const result: ParsedManifests = { workloads: [], notEvaluated: [], errors: [] };
  const offset = document.line - 1;
  // Plain JSON (kubectl -o json) the fast way; anything else, or JSON with an error, through js-yaml.
  const json = parseJsonWithPositions(document.text, DOCUMENT_START.test(document.text) ? 3 : 0);
  // 0-based line and column, within the document, where each mapping and sequence starts.
  const positions = json?.positions ?? new NodePositions();
  let value: unknown = json?.value;
  if (json === undefined) {
    const error = loadWithPositions(document, positions, (loaded) => (value = loaded));
    if (error) {
      result.errors.push(error);
      return result;
    }
  }
  // A document holding only comments or a bare `---` (common in Helm output) is not an object.
  if (value === null || value === undefined) return result;
  const at = (node: unknown): SourceLocation => {
    const line = node !== null && typeof node === "object" ? positions.lineOf(node) : undefined;
    if (line === undefined) return { file: document.file, line: firstContentLine(document), column: 1 };
    return { file: document.file, line: line + 1 + offset, column: (positions.columnOf(node as object) ?? 0) + 1 };
  };
  collectObject(value, at, options, result);
  return result;
}

/**
 * js-yaml with a listener that records where each mapping and sequence starts. The listener runs for
 * every node, scalars included: starts go on a stack of numbers, and only collections get an entry.
 */
function loadWithPositions(document: ManifestDocument, positions: NodePositions, loaded: (value: unknown) => void): ManifestError | undefined {
  let depth = 0;
  const offset = document.line - 1;
  try {
    const value = loadYaml(document.text, {
      schema: CORE_SCHEMA,
      filename: document.file,
      listener(event, state) {
        if (event === "open") {
          if (depth === openLines.length) growStacks();
          openLines[depth] = state.line;
          openColumns[depth] = state.position - state.lineStart;
          depth += 1;
          return;
        }
        depth -= 1;
        const node = state.result;
        if (node !== null && typeof node === "object") positions.add(node as object, openLines[depth] as number, openColumns[depth] as number);
      },
    });
    loaded(value);
    return undefined;
  } catch (error) {
    const mark = (error as { mark?: { line: number; column: number } }).mark;
    const reason = (error as { reason?: string }).reason ?? (error as Error).message;
    return { file: document.file, line: (mark?.line ?? 0) + 1 + offset, column: (mark?.column ?? 0) + 1, message: reason.split("\n")[0] ?? "invalid YAML" };
  }
}

/** Where each open node started (0-based line, column), by nesting depth; shared, as parsing is synchronous. */
let openLines = new Int32Array(64);
let openColumns = new Int32Array(64);
function growStacks(): void {
  const lines = new Int32Array(openLines.length * 2);
  const columns = new Int32Array(openColumns.length * 2);
  lines.set(openLines);
  columns.set(openColumns);
  openLines = lines;
  openColumns = columns;
}

/** The first line of a document that is not blank, a comment or a marker (where a scalar document sits). */
function firstContentLine(document: ManifestDocument): number {
  const lines = document.text.split("\n");
  const index = lines.findIndex((line) => line.trim() !== "" && !line.startsWith("#") && !DOCUMENT_START.test(line) && !line.startsWith("%"));
  return document.line + Math.max(0, index);
}

function collectObject(value: unknown, at: (node: unknown) => SourceLocation, options: ParseOptions, result: ParsedManifests): void {
  const location = at(value);
  if (!isObject(value)) {
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
    // An item that is not an object has no position of its own: report it at the list.
    for (const item of value.items) collectObject(item, isObject(item) ? at : () => location, options, result);
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
    containerLines: namedItemLines(podSpec, ALL_CONTAINER_LISTS, at),
    volumeLines: namedItemLines(podSpec, VOLUME_LISTS, at),
  });
}

/** Line of each `- name: x` item of the given sequences of a pod spec. */
const VOLUME_LISTS = ["volumes"] as const;

function namedItemLines(podSpec: JsonObject, keys: readonly string[], at: (node: unknown) => SourceLocation): Record<string, number> {
  const lines: Record<string, number> = {};
  for (const key of keys) {
    const sequence = podSpec[key];
    if (!Array.isArray(sequence)) continue;
    for (const item of sequence) {
      if (!isObject(item)) continue;
      const name = item.name;
      if (typeof name === "string" && !(name in lines)) lines[name] = at(item).line;
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
