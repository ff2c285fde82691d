// One batch of manifest documents to what `check` writes for them: the text of each output format,
// the counts, the parse errors and the records a format keeps for its end. The same code runs in the
// main thread and in worker threads (src/check/worker.ts); src/check/stream.ts writes the batches in
// input order, so the output does not depend on where a batch ran. Pure: nothing is written here.
import { evaluateWorkloads, type CheckResult, type EvaluateOptions } from "./evaluate.js";
import { attachEvaluators, portableInitiative, type EffectiveInitiative } from "./initiative.js";
import { parseDocument, type ManifestDocument, type ManifestError, type NotEvaluatedRecord, type WorkloadRecord } from "./manifests.js";
import { renderFinding, type CheckSummary } from "./report.js";

export type StreamFormat = "table" | "json" | "json-lines" | "sarif";

export interface PassSettings {
  format: StreamFormat;
  /** List passing results too (by default they are only counted). */
  showPasses: boolean;
  /** `--namespace`: for objects without metadata.namespace. */
  namespace?: string;
  initiative: EffectiveInitiative;
  evaluateOptions: EvaluateOptions;
  /**
   * check --cluster: each workload is evaluated against every carrier on the cluster (src/check/cluster.ts),
   * the strictest outcome winning, instead of `initiative` alone.
   */
  cluster?: { name: string; initiatives: Array<{ carrier: { kind: "assignment" | "safeguards"; name: string; family: string }; initiative: EffectiveInitiative }> };
}

/** A document and whether its text was proven terminal-safe on input (its output then skips the scan). */
export interface BatchDocument {
  document: ManifestDocument;
  checked: boolean;
}

/** What a batch adds to the summary (its parse errors are listed in `errors`). */
export type BatchCounts = Omit<CheckSummary, "errors">;

export interface BatchOutput {
  /**
   * Output in order, cut where the terminal-safety proof changes: `checked[i]` is `texts[i]`'s. A
   * worker thread sends checked text as UTF-8 bytes (moved, not copied, to the main thread, which
   * writes them as they are); text still to be made safe stays a string.
   */
  texts: Array<string | Uint8Array>;
  checked: boolean[];
  counts: BatchCounts;
  errors: ManifestError[];
  /** Objects not evaluated, for the formats that list them at the end (json, sarif). */
  notEvaluated: NotEvaluatedRecord[];
  /** Violations and unknowns, for SARIF (one document of findings, written at the end). */
  findings: CheckResult[];
  /** Documents in the batch. */
  documents: number;
}

export function emptyCounts(): BatchCounts {
  return { workloads: 0, notEvaluated: 0, pass: 0, violation: 0, unknown: 0, notApplicable: 0, deny: 0, audit: 0, none: 0 };
}

/** Settings as a worker thread receives them (structured clone): the evaluator functions left out. */
export function portableSettings(settings: PassSettings): PassSettings {
  return withInitiatives(settings, portableInitiative);
}

/** Settings received by a worker thread, with the evaluators found again. */
export function restoreSettings(settings: PassSettings): PassSettings {
  return withInitiatives(settings, attachEvaluators);
}

/** The settings with `change` applied to every initiative in them (the one checked, and each carrier's with --cluster). */
function withInitiatives(settings: PassSettings, change: (initiative: EffectiveInitiative) => EffectiveInitiative): PassSettings {
  return {
    ...settings,
    initiative: change(settings.initiative),
    cluster: settings.cluster && { ...settings.cluster, initiatives: settings.cluster.initiatives.map((entry) => ({ ...entry, initiative: change(entry.initiative) })) },
  };
}

/**
 * The function that runs a batch. check --cluster loads the cluster evaluation on demand (it reads
 * the built-in initiatives for Deployment Safeguards), so a plain check never loads it.
 * `join`: each run of text with the same proof made one string (a worker encodes and posts it); without,
 * every piece is its own entry, as the main thread's sink concatenates them anyway (joining first would copy the output twice).
 */
export async function createDocumentPass(settings: PassSettings, { join }: { join: boolean }): Promise<(batch: readonly BatchDocument[]) => BatchOutput> {
  let evaluate: (workload: WorkloadRecord) => CheckResult[];
  if (settings.cluster) {
    const { evaluateOnCluster } = await import("./cluster.js");
    const { name, initiatives } = settings.cluster;
    evaluate = (workload) => evaluateOnCluster(workload, initiatives, name);
  } else {
    const { initiative, evaluateOptions } = settings;
    evaluate = (workload) => evaluateWorkloads([workload], initiative, evaluateOptions);
  }
  const render = renderers(settings.format, settings.showPasses);
  const parseOptions = { namespace: settings.namespace };
  return (batch) => {
    const output = new OutputBuilder(join);
    const counts = output.counts;
    for (const { document, checked } of batch) {
      const parsed = parseDocument(document, parseOptions);
      for (const error of parsed.errors) {
        output.errors.push(error);
        render.error(error, output);
      }
      for (const item of parsed.notEvaluated) {
        counts.notEvaluated += 1;
        render.notEvaluated(item, checked, output);
      }
      for (const workload of parsed.workloads) {
        counts.workloads += 1;
        for (const result of evaluate(workload)) {
          if (result.status === "not-applicable") counts.notApplicable += 1;
          else counts[result.status] += 1;
          if (result.status === "violation") counts[result.outcome] += 1;
          render.result(result, checked, output);
        }
      }
    }
    return output.finish(batch.length);
  };
}

class OutputBuilder {
  readonly counts = emptyCounts();
  readonly errors: ManifestError[] = [];
  readonly notEvaluated: NotEvaluatedRecord[] = [];
  readonly findings: CheckResult[] = [];
  private readonly texts: string[] = [];
  private readonly checked: boolean[] = [];
  /** The pieces of the current run, joined once when it is cut (a long chain of `+=` costs more to flatten). */
  private current: string[] = [];
  private currentChecked = true;

  constructor(private readonly join: boolean) {}

  write(text: string, checked: boolean): void {
    if (!this.join) {
      this.texts.push(text);
      this.checked.push(checked);
      return;
    }
    if (this.current.length > 0 && checked !== this.currentChecked) this.cut();
    if (this.current.length === 0) this.currentChecked = checked;
    this.current.push(text);
  }

  finish(documents: number): BatchOutput {
    this.cut();
    return { texts: this.texts, checked: this.checked, counts: this.counts, errors: this.errors, notEvaluated: this.notEvaluated, findings: this.findings, documents };
  }

  private cut(): void {
    if (this.current.length === 0) return;
    this.texts.push(this.current.length === 1 ? (this.current[0] as string) : this.current.join(""));
    this.checked.push(this.currentChecked);
    this.current = [];
  }
}

interface Renderer {
  result(result: CheckResult, checked: boolean, output: OutputBuilder): void;
  notEvaluated(item: NotEvaluatedRecord, checked: boolean, output: OutputBuilder): void;
  error(error: ManifestError, output: OutputBuilder): void;
}

/** `-o json` lists passes only with --show-passes; not-applicable results are listed (the table counts them). */
const listed = (result: CheckResult, showPasses: boolean) => showPasses || result.status !== "pass";

/**
 * What each format writes for a result, an object not evaluated and a parse error. The report's head
 * and end, and what joins the pieces, belong to the writer in src/check/stream.ts.
 */
function renderers(format: StreamFormat, showPasses: boolean): Renderer {
  switch (format) {
    case "table":
      return {
        result: (result, checked, output) => {
          if (result.status === "violation" || result.status === "unknown" || showPasses) output.write(renderFinding(result), checked);
        },
        notEvaluated: (item, checked, output) => output.write(`${item.file}:${item.line}  ${item.kind} ${item.name}: not evaluated (${item.reason})\n\n`, checked),
        error: (error, output) => output.write(`${error.file}:${error.line}:${error.column}: cannot read: ${error.message}\n\n`, false),
      };
    case "json":
      // Each listed result as an element of the report's `results` array, after a comma: the writer
      // drops the comma before the first one.
      return {
        result: (result, checked, output) => {
          if (listed(result, showPasses)) output.write(`,\n    ${JSON.stringify(result)}`, checked);
        },
        notEvaluated: (item, _checked, output) => void output.notEvaluated.push(item),
        error: () => undefined,
      };
    case "json-lines":
      return {
        result: (result, checked, output) => {
          if (listed(result, showPasses)) output.write(`${JSON.stringify({ type: "result", ...result })}\n`, checked);
        },
        notEvaluated: (item, checked, output) => output.write(`${JSON.stringify({ type: "notEvaluated", ...item })}\n`, checked),
        error: (error, output) => output.write(`${JSON.stringify({ type: "error", ...error })}\n`, false),
      };
    case "sarif":
      return {
        result: (result, _checked, output) => {
          if (result.status === "violation" || result.status === "unknown") output.findings.push(result);
        },
        notEvaluated: (item, _checked, output) => void output.notEvaluated.push(item),
        error: () => undefined,
      };
  }
}

const encoder = new TextEncoder();

/**
 * A batch's output as a worker thread posts it: checked text as UTF-8 bytes, each in its own buffer,
 * listed in `transfer` so the post moves them instead of copying (the table output of a workload is
 * about ten times its source, and encoding it here spares the main thread, which only writes).
 */
export function forTransfer(output: BatchOutput): { output: BatchOutput; transfer: ArrayBuffer[] } {
  const transfer: ArrayBuffer[] = [];
  const texts = output.texts.map((text, index) => {
    if (typeof text !== "string" || !output.checked[index]) return text;
    const bytes = encoder.encode(text);
    transfer.push(bytes.buffer as ArrayBuffer);
    return bytes;
  });
  return { output: { ...output, texts }, transfer };
}
