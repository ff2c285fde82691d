// `check` as a stream: documents in, results out as they are produced, counts kept, nothing else.
// Memory stays flat with the input: a workload's results are written and dropped before the next
// document is read (only parse errors, objects not evaluated and, for SARIF, findings are kept).
import { evaluateWorkloads, type CheckResult, type EvaluateOptions } from "./evaluate.js";
import type { EffectiveInitiative } from "./initiative.js";
import { parseDocument, type ManifestDocument, type ManifestError, type NotEvaluatedRecord, type WorkloadRecord } from "./manifests.js";
import { buildReport, renderFinding, renderHeader, renderSummary, type CheckReport, type CheckSummary, type FailOn } from "./report.js";
import { toSarif } from "./sarif.js";

export type StreamFormat = "table" | "json" | "json-lines" | "sarif";

export interface StreamCheckInput extends EvaluateOptions {
  documents: AsyncIterable<ManifestDocument> | Iterable<ManifestDocument>;
  initiative: EffectiveInitiative;
  /** `--namespace`: for objects without metadata.namespace. */
  namespace?: string;
  format: StreamFormat;
  /** List passing results too (by default they are only counted). */
  showPasses: boolean;
  out: OutputSink;
  /**
   * check --cluster: evaluates one workload against every carrier on the cluster (src/check/cluster.ts)
   * instead of `initiative` alone; `clusterReport` names them in the report's head.
   */
  evaluate?: (workload: WorkloadRecord) => CheckResult[];
  clusterReport?: CheckReport["cluster"];
  /**
   * The output's terminal-safety test (the IO object's). With it, and a sink that accepts checked
   * text, results of a document that passes it (and holds no backslash, the only way YAML and JSON
   * spell a control character) are written without scanning the output again: the output of a
   * workload is about ten times its source.
   */
  isTerminalSafe?: (text: string) => boolean;
}

export interface StreamCheckResult {
  summary: CheckSummary;
  errors: ManifestError[];
}

/** Reads, evaluates and writes document by document; returns the counts and the parse errors. */
export async function streamCheck(input: StreamCheckInput): Promise<StreamCheckResult> {
  const tally = new CheckTally();
  const writer = createWriter(input.format, input.initiative, input.showPasses, input.out, input.clusterReport);
  await writer.begin();
  const evaluateOptions: EvaluateOptions = { assignmentReference: input.assignmentReference, cluster: input.cluster };
  const safe = input.isTerminalSafe;
  // Everything a result's text holds besides the document's own strings: the initiative (names,
  // parameters, exemptions read from Azure) and the options. check --cluster adds carriers: always scanned.
  const runChecked = safe !== undefined && input.out.acceptsChecked && !input.evaluate && stringsOf([input.initiative, input.namespace, input.assignmentReference, input.cluster]).every(safe);
  for await (const document of input.documents) {
    const parsed = parseDocument(document, { namespace: input.namespace });
    const checked = runChecked && safe(document.file) && safe(document.text) && !document.text.includes("\\");
    for (const error of parsed.errors) {
      tally.errors.push(error);
      await writer.error(error);
    }
    for (const item of parsed.notEvaluated) {
      tally.notEvaluated += 1;
      await writer.notEvaluated(item, checked);
    }
    for (const workload of parsed.workloads) {
      tally.workloads += 1;
      for (const result of input.evaluate ? input.evaluate(workload) : evaluateWorkloads([workload], input.initiative, evaluateOptions)) {
        tally.add(result);
        // A promise only when the output had to wait (a flush): no await per result otherwise.
        const pending = writer.result(result, checked);
        if (pending) await pending;
      }
    }
  }
  const summary = tally.summary();
  await writer.end(summary, tally.errors);
  await input.out.flush();
  return { summary, errors: tally.errors };
}

/** Every string in a value (objects and arrays walked), for one safety test of run-wide text. */
function stringsOf(value: unknown, into: string[] = [], seen = new Set<object>()): string[] {
  if (typeof value === "string") into.push(value);
  else if (value !== null && typeof value === "object" && !seen.has(value)) {
    seen.add(value);
    for (const [key, item] of Object.entries(value)) {
      into.push(key);
      stringsOf(item, into, seen);
    }
  }
  return into;
}

/** True when a violation at or above `failOn` was counted (the command then exits 6). */
export function summaryFails(summary: CheckSummary, failOn: FailOn): boolean {
  if (failOn === "never") return false;
  return summary.deny > 0 || (failOn === "audit" && summary.audit > 0);
}

export class CheckTally {
  workloads = 0;
  notEvaluated = 0;
  readonly errors: ManifestError[] = [];
  private readonly counts = { pass: 0, violation: 0, unknown: 0, notApplicable: 0, deny: 0, audit: 0, none: 0 };

  add(result: CheckResult): void {
    if (result.status === "not-applicable") this.counts.notApplicable += 1;
    else this.counts[result.status] += 1;
    if (result.status === "violation") this.counts[result.outcome] += 1;
  }

  summary(): CheckSummary {
    return { workloads: this.workloads, notEvaluated: this.notEvaluated, errors: this.errors.length, ...this.counts };
  }
}

/**
 * Buffered writes to stdout that wait for the stream to drain, so a slow reader (a pipe to `head`,
 * a CI log) holds back evaluation instead of letting output pile up in memory.
 */
export class OutputSink {
  private buffer = "";
  /** Whether everything in the buffer was written as checked (terminal-safe already). */
  private bufferChecked = true;

  /**
   * `send` sends a chunk (the IO object's stdout writer, which makes it terminal-safe); `sendChecked`,
   * when given, sends a chunk of text proven safe already; `stream` is watched for backpressure.
   */
  constructor(
    private readonly stream: NodeJS.WritableStream & { writableNeedDrain?: boolean; destroyed?: boolean },
    private readonly send: (text: string) => unknown = (text) => stream.write(text),
    private readonly chunkSize = 64 * 1024,
    private readonly sendChecked?: (text: string) => unknown,
  ) {}

  get acceptsChecked(): boolean {
    return this.sendChecked !== undefined;
  }

  /**
   * `checked`: the text passed the IO object's terminal-safety test (see StreamCheckInput.isTerminalSafe).
   * Returns a promise only when the buffer was flushed (await it: the reader may be slow).
   */
  write(text: string, checked = false): Promise<void> | undefined {
    this.buffer += text;
    if (!checked) this.bufferChecked = false;
    return this.buffer.length >= this.chunkSize ? this.flush() : undefined;
  }

  async flush(): Promise<void> {
    if (this.buffer === "") return;
    const chunk = this.buffer;
    const checked = this.bufferChecked;
    this.buffer = "";
    this.bufferChecked = true;
    if (checked && this.sendChecked) this.sendChecked(chunk);
    else this.send(chunk);
    if (this.stream.writableNeedDrain && !this.stream.destroyed) await drained(this.stream);
  }
}

/** Resolves on 'drain', or when the stream closes or fails (a reader that went away is not waited for). */
function drained(stream: NodeJS.WritableStream): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      stream.off("drain", done);
      stream.off("close", done);
      stream.off("error", done);
      resolve();
    };
    stream.on("drain", done);
    stream.on("close", done);
    stream.on("error", done);
  });
}

interface StreamWriter {
  begin(): Promise<void> | undefined;
  /** `checked`: every string in it is terminal-safe already (see StreamCheckInput.isTerminalSafe). */
  result(result: CheckResult, checked: boolean): Promise<void> | undefined;
  notEvaluated(item: NotEvaluatedRecord, checked: boolean): Promise<void> | undefined;
  error(error: ManifestError): Promise<void> | undefined;
  end(summary: CheckSummary, errors: ManifestError[]): Promise<void> | undefined;
}

const listed = (result: CheckResult, showPasses: boolean) => showPasses || result.status !== "pass";

function createWriter(format: StreamFormat, initiative: EffectiveInitiative, showPasses: boolean, out: OutputSink, cluster?: CheckReport["cluster"]): StreamWriter {
  // The report's head (initiative, members, assignment) as `-o json` has always shown it.
  const head = (): Omit<CheckReport, "results" | "notEvaluated" | "errors" | "summary"> => {
    const { results: _results, notEvaluated: _notEvaluated, errors: _errors, summary: _summary, ...rest } = buildReport({ initiative, results: [], notEvaluated: [], workloads: 0, cluster });
    return rest;
  };
  const notEvaluated: NotEvaluatedRecord[] = [];
  switch (format) {
    case "table":
      return {
        begin: () => out.write(renderHeader(head())),
        result: (result, checked) => (result.status === "violation" || result.status === "unknown" || showPasses ? out.write(renderFinding(result), checked) : undefined),
        notEvaluated: (item, checked) => out.write(`${item.file}:${item.line}  ${item.kind} ${item.name}: not evaluated (${item.reason})\n\n`, checked),
        error: (error) => out.write(`${error.file}:${error.line}:${error.column}: cannot read: ${error.message}\n\n`),
        end: (summary) => out.write(renderSummary(summary, showPasses)),
      };
    case "json": {
      // One JSON document (the CheckReport shape), written incrementally.
      let first = true;
      return {
        begin: async () => {
          const text = JSON.stringify(head(), null, 2);
          await out.write(`${text.slice(0, text.lastIndexOf("}")).trimEnd()},\n  "results": [`);
        },
        result: (result, checked) => {
          if (!listed(result, showPasses)) return undefined;
          const pending = out.write(`${first ? "\n    " : ",\n    "}${JSON.stringify(result)}`, checked);
          first = false;
          return pending;
        },
        notEvaluated: async (item) => void notEvaluated.push(item),
        error: async () => undefined,
        end: async (summary, errors) => {
          await out.write(`${first ? "" : "\n  "}],\n  "notEvaluated": ${JSON.stringify(notEvaluated)},\n  "errors": ${JSON.stringify(errors)},\n  "summary": ${JSON.stringify(summary)}\n}\n`);
        },
      };
    }
    case "json-lines":
      // One JSON object a line, each with a `type`: initiative first, summary last.
      return {
        begin: () => out.write(`${JSON.stringify({ type: "initiative", ...head() })}\n`),
        result: (result, checked) => (listed(result, showPasses) ? out.write(`${JSON.stringify({ type: "result", ...result })}\n`, checked) : undefined),
        notEvaluated: (item, checked) => out.write(`${JSON.stringify({ type: "notEvaluated", ...item })}\n`, checked),
        error: (error) => out.write(`${JSON.stringify({ type: "error", ...error })}\n`),
        end: (summary) => out.write(`${JSON.stringify({ type: "summary", ...summary })}\n`),
      };
    case "sarif": {
      // SARIF is one document of findings: violations and unknowns are kept (passes never are).
      const findings: CheckResult[] = [];
      return {
        begin: async () => undefined,
        result: (result) => {
          if (result.status === "violation" || result.status === "unknown") findings.push(result);
          return undefined;
        },
        notEvaluated: async (item) => void notEvaluated.push(item),
        error: async () => undefined,
        end: async (summary, errors) => {
          const report: CheckReport = { ...head(), results: findings, notEvaluated, errors, summary };
          await out.write(`${JSON.stringify(toSarif(report), null, 2)}\n`);
        },
      };
    }
  }
}
