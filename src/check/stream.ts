// `check` as a stream: documents in, results out as they are produced, counts kept, nothing else.
// Memory stays flat with the input: a batch's results are written and dropped before more documents
// are read than the workers can take (only parse errors, objects not evaluated and, for SARIF,
// findings are kept). Large inputs are parsed and evaluated on worker threads (src/check/pool.ts);
// the output is written in input order and is the same wherever a batch ran.
import { availableParallelism, loadavg } from "node:os";
import { createDocumentPass, emptyCounts, portableSettings, type BatchCounts, type BatchDocument, type BatchOutput, type PassSettings, type StreamFormat } from "./document-pass.js";
import type { CheckResult, EvaluateOptions } from "./evaluate.js";
import type { EffectiveInitiative } from "./initiative.js";
import type { ManifestDocument, ManifestError, NotEvaluatedRecord } from "./manifests.js";
import { CheckPool } from "./pool.js";
import { buildReport, renderHeader, renderSummary, type CheckReport, type CheckSummary, type FailOn } from "./report.js";
import { toSarif } from "./sarif.js";

export type { StreamFormat } from "./document-pass.js";

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
   * check --cluster: evaluates each workload against every carrier on the cluster (src/check/cluster.ts)
   * instead of `initiative` alone; `clusterReport` names them in the report's head.
   */
  clusterEvaluation?: PassSettings["cluster"];
  clusterReport?: CheckReport["cluster"];
  /**
   * The output's terminal-safety test (the IO object's). With it, and a sink that accepts checked
   * text, results of a document that passes it (and holds no backslash, the only way YAML and JSON
   * spell a control character) are written without scanning the output again: the output of a
   * workload is about ten times its source.
   */
  isTerminalSafe?: (text: string) => boolean;
  /** Worker threads: how many, and after how much input text they start (see checkWorkers). */
  workers?: WorkerPlan;
  /** `--debug` lines (where the documents ran). */
  debug?: (text: string) => void;
}

export interface WorkerPlan {
  /** Worker threads besides the main thread, which runs batches too; 0: everything in the main thread. */
  count: number;
  /** Characters of input read before the workers start: small inputs never pay for starting them. */
  startAfter: number;
  /** Wait for the workers to start (`--jobs`) instead of running batches in the main thread meanwhile. */
  wait?: boolean;
}

/**
 * The default: one worker beside the main thread on a machine with a core idle (the 1-minute load
 * average below cores - 1, as `make -l` holds back jobs) when the input is large: from 8 MiB (about
 * 10,000 workloads) on 4 cores or more, from 32 MiB (about 40,000) on 2. A worker costs CPU the main
 * thread alone does not spend (about 75 ms to start, its own JIT warm-up, and the posting: about 0.5 s
 * of CPU at 10,000 workloads) and 50 to 70 MB of memory (its own heap). On 2 cores it was measured
 * slower at 10,000 workloads, and at 100,000 faster on an idle machine and slower on a busy one
 * (bench/RESULTS.md); one worker keeps
 * 100,000 workloads under 200 MB resident. `--jobs N` gives the count and starts them at once.
 */
export function checkWorkers(
  jobs: number | undefined,
  inputBytes: number | undefined,
  machine: { cores: number; load: number } = { cores: availableParallelism(), load: loadavg()[0] ?? 0 },
): WorkerPlan {
  if (jobs !== undefined) return { count: jobs, startAfter: 0, wait: true };
  const spare = machine.cores > 1 && machine.load < machine.cores - 1;
  const large = (machine.cores >= 4 ? 8 : 32) * 1024 * 1024;
  // Files whose size is known start the worker with the first document (it loads while the main
  // thread reads); stdin starts it once that much has been read.
  return { count: spare ? 1 : 0, startAfter: inputBytes !== undefined && inputBytes >= large ? 0 : large };
}

export interface StreamCheckResult {
  summary: CheckSummary;
  errors: ManifestError[];
}

/** Documents a batch for a worker holds at most, and its text at most: a few milliseconds of work. */
const BATCH_DOCUMENTS = 64;
const BATCH_CHARACTERS = 128 * 1024;

/** Reads, evaluates and writes document by document; returns the counts and the parse errors. */
export async function streamCheck(input: StreamCheckInput): Promise<StreamCheckResult> {
  const tally = new CheckTally();
  const writer = createWriter(input.format, input.initiative, input.showPasses, input.out, input.clusterReport);
  await writer.begin();
  const settings: PassSettings = {
    format: input.format,
    showPasses: input.showPasses,
    namespace: input.namespace,
    initiative: input.initiative,
    evaluateOptions: { assignmentReference: input.assignmentReference, cluster: input.cluster },
    cluster: input.clusterEvaluation,
  };
  const runHere = await createDocumentPass(settings, { join: false });
  const safe = input.isTerminalSafe;
  // Everything a result's text holds besides the document's own strings: the initiative (names,
  // parameters, exemptions read from Azure), the cluster's carriers and the options.
  const runChecked = safe !== undefined && input.out.acceptsChecked && stringsOf([portableSettings(settings), input.clusterReport]).every(safe);
  const plan = input.workers ?? { count: 0, startAfter: 0 };

  let pool: CheckPool | undefined;
  let read = 0;
  let batch: BatchDocument[] = [];
  let batchCharacters = 0;
  let inMainThread = 0;
  // A promise only when the output had to wait for the reader (a flush): no await per document otherwise.
  const write = (output: BatchOutput): Promise<void> | undefined => {
    tally.add(output);
    return writer.batch(output);
  };
  // With workers: outputs in input order; a batch on a worker has its output once it is done.
  const queue: Array<{ output?: BatchOutput; done: Promise<unknown> }> = [];
  // Writes the outputs at the head of the queue that are done, one writer at a time (a batch that
  // waits for a slow reader is finished before the next starts). Runs whenever a worker's batch
  // arrives, so results are written as soon as they are in order, not when more input comes.
  let writing: Promise<void> = Promise.resolve();
  const writeDone = (): Promise<void> =>
    (writing = writing.then(async () => {
      while (queue[0]?.output) {
        const pending = write((queue.shift() as { output: BatchOutput }).output);
        if (pending) await pending;
      }
    }));
  // Waits (for the head, in order) until at most `keep` batches are queued: memory stays bounded.
  const room = async (keep: number) => {
    while (queue.length > keep) {
      await queue[0]?.done;
      await writeDone();
    }
  };
  const submit = async () => {
    if (batch.length === 0 || !pool) return;
    const documents = batch;
    batch = [];
    batchCharacters = 0;
    // The workers' messages (ready, done) arrive through the event loop, which input already in
    // memory (stdin in a test, a fast pipe) may never let turn: let it turn once a batch.
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (plan.wait) await pool.whenReady();
    if (pool.ready && pool.pending < pool.size * 2) {
      const entry: { output?: BatchOutput; done: Promise<unknown> } = { done: Promise.resolve() };
      entry.done = pool.run(documents).then((output) => {
        entry.output = output;
        void writeDone();
      });
      // Awaited in turn by room(); a failure before then is not an unhandled rejection.
      entry.done.catch(() => undefined);
      queue.push(entry);
    } else {
      inMainThread += documents.length;
      queue.push({ output: runHere(documents), done: Promise.resolve() });
      void writeDone();
    }
    // Two batches a worker in flight keep each busy (the main thread runs the next one itself); more would only hold memory.
    await room(pool.size * 2);
  };

  // The documents one at a time. An input that cannot be read ends the reading, not the run's
  // output: what was read before it is still written, then the error is raised.
  const documents =
    Symbol.asyncIterator in input.documents
      ? input.documents[Symbol.asyncIterator]()
      : (async function* () {
          yield* input.documents;
        })();
  let readFailed = false;
  let readError: unknown;
  // One promise per turn of the event loop, shared by every document read in that turn.
  let turn: Promise<boolean> | undefined;
  const nextTurn = () =>
    (turn ??= new Promise<boolean>((resolve) =>
      setImmediate(() => {
        turn = undefined;
        resolve(true);
      }),
    ));
  const notWaiting = () => false;
  try {
    for (;;) {
      const next = documents.next();
      // With workers, a part batch is run as soon as the input pauses (the next document is not
      // there by the next turn of the event loop): a slow producer sees its results at once.
      if (pool && batch.length > 0 && (await Promise.race([next.then(notWaiting, notWaiting), nextTurn()]))) await submit();
      let step: IteratorResult<ManifestDocument>;
      try {
        step = await next;
      } catch (error) {
        readFailed = true;
        readError = error;
        break;
      }
      if (step.done) break;
      const document = step.value;
      const checked = runChecked && safe(document.file) && safe(document.text) && !document.text.includes("\\");
      read += document.text.length;
      if (!pool && plan.count > 0 && read >= plan.startAfter) {
        pool = new CheckPool(plan.count, settings);
        input.debug?.(`check: starting ${plan.count} worker thread${plan.count === 1 ? "" : "s"} after ${Math.round(read / 1024)} KiB of input`);
      }
      if (!pool) {
        // Without workers every document is run as it comes (a slow stdin sees its results at once).
        inMainThread += 1;
        const pending = write(runHere([{ document, checked }]));
        if (pending) await pending;
        continue;
      }
      batch.push({ document, checked });
      batchCharacters += document.text.length;
      if (batch.length >= BATCH_DOCUMENTS || batchCharacters >= BATCH_CHARACTERS) await submit();
    }
    await submit();
    await room(0);
    await writeDone();
  } finally {
    // A run that stopped early (a worker failed) closes the input as `for await` would.
    documents.return?.(undefined)?.catch(() => undefined);
    await pool?.close();
  }
  if (readFailed) {
    // The results of every document read before the failure, buffered ones included, then the error.
    await input.out.flush();
    throw readError;
  }
  if (pool) input.debug?.(`check: ${pool.documentsRun} documents on worker threads, ${inMainThread} in the main thread`);
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
  readonly errors: ManifestError[] = [];
  private readonly counts = emptyCounts();

  add(output: BatchOutput): void {
    for (const key of Object.keys(this.counts) as Array<keyof BatchCounts>) this.counts[key] += output.counts[key];
    for (const error of output.errors) this.errors.push(error);
  }

  summary(): CheckSummary {
    const { workloads, notEvaluated, ...counts } = this.counts;
    return { workloads, notEvaluated, errors: this.errors.length, ...counts };
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
   * when given, sends a chunk proven safe already (text, or its UTF-8 bytes from a worker thread);
   * `stream` is watched for backpressure.
   */
  constructor(
    private readonly stream: NodeJS.WritableStream & { writableNeedDrain?: boolean; destroyed?: boolean },
    private readonly send: (text: string) => unknown = (text) => stream.write(text),
    private readonly chunkSize = 64 * 1024,
    private readonly sendChecked?: (chunk: string | Uint8Array) => unknown,
  ) {}

  get acceptsChecked(): boolean {
    return this.sendChecked !== undefined;
  }

  /**
   * `checked`: the text passed the IO object's terminal-safety test (see StreamCheckInput.isTerminalSafe);
   * bytes are always checked text. Returns a promise only when the buffer was flushed (await it: the
   * reader may be slow).
   */
  write(text: string | Uint8Array, checked = false): Promise<void> | undefined {
    if (typeof text !== "string") return this.flush(text);
    this.buffer += text;
    if (!checked) this.bufferChecked = false;
    return this.buffer.length >= this.chunkSize ? this.flush() : undefined;
  }

  /** Sends the buffer, then `bytes` when given, and waits while the stream needs to drain. */
  async flush(bytes?: Uint8Array): Promise<void> {
    if (this.buffer !== "") {
      const chunk = this.buffer;
      const checked = this.bufferChecked;
      this.buffer = "";
      this.bufferChecked = true;
      if (checked && this.sendChecked) this.sendChecked(chunk);
      else this.send(chunk);
    }
    if (bytes !== undefined) {
      if (!this.sendChecked) throw new Error("OutputSink: bytes need a sink that accepts checked output");
      this.sendChecked(bytes);
    }
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
  /** A batch's output (src/check/document-pass.ts), in input order; a promise only when it waits for the reader. */
  batch(output: BatchOutput): Promise<void> | undefined;
  end(summary: CheckSummary, errors: ManifestError[]): Promise<void> | undefined;
}

/** The head and end of each format, and what joins the batches' texts; the texts are made in document-pass.ts. */
function createWriter(format: StreamFormat, initiative: EffectiveInitiative, showPasses: boolean, out: OutputSink, cluster?: CheckReport["cluster"]): StreamWriter {
  // The report's head (initiative, members, assignment) as `-o json` has always shown it.
  const head = (): Omit<CheckReport, "results" | "notEvaluated" | "errors" | "summary"> => {
    const { results: _results, notEvaluated: _notEvaluated, errors: _errors, summary: _summary, ...rest } = buildReport({ initiative, results: [], notEvaluated: [], workloads: 0, cluster });
    return rest;
  };
  const notEvaluated: NotEvaluatedRecord[] = [];
  const findings: CheckResult[] = [];
  // `-o json`: each result's text starts with the comma that separates it from the one before.
  let first = true;
  const batch = (output: BatchOutput): Promise<void> | undefined => {
    for (const item of output.notEvaluated) notEvaluated.push(item);
    for (const finding of output.findings) findings.push(finding);
    for (let index = 0; index < output.texts.length; index += 1) {
      let text = output.texts[index] as string | Uint8Array;
      if (format === "json" && first) text = typeof text === "string" ? text.slice(1) : text.subarray(1);
      first = false;
      const pending = out.write(text, output.checked[index]);
      // The reader is slow: the rest waits for it.
      if (pending) return pending.then(() => batch({ ...output, texts: output.texts.slice(index + 1), checked: output.checked.slice(index + 1), notEvaluated: [], findings: [] }));
    }
    return undefined;
  };
  switch (format) {
    case "table":
      return { begin: () => out.write(renderHeader(head())), batch, end: (summary) => out.write(renderSummary(summary, showPasses)) };
    case "json":
      // One JSON document (the CheckReport shape), written incrementally.
      return {
        begin: async () => {
          const text = JSON.stringify(head(), null, 2);
          await out.write(`${text.slice(0, text.lastIndexOf("}")).trimEnd()},\n  "results": [`);
        },
        batch,
        end: async (summary, errors) => {
          await out.write(`${first ? "" : "\n  "}],\n  "notEvaluated": ${JSON.stringify(notEvaluated)},\n  "errors": ${JSON.stringify(errors)},\n  "summary": ${JSON.stringify(summary)}\n}\n`);
        },
      };
    case "json-lines":
      // One JSON object a line, each with a `type`: initiative first, summary last.
      return {
        begin: () => out.write(`${JSON.stringify({ type: "initiative", ...head() })}\n`),
        batch,
        end: (summary) => out.write(`${JSON.stringify({ type: "summary", ...summary })}\n`),
      };
    case "sarif":
      // SARIF is one document of findings: violations and unknowns are kept (passes never are).
      return {
        begin: async () => undefined,
        batch,
        end: async (summary, errors) => {
          const report: CheckReport = { ...head(), results: findings, notEvaluated, errors, summary };
          await out.write(`${JSON.stringify(toSarif(report), null, 2)}\n`);
        },
      };
  }
}
