// Worker threads that run batches of `check`'s documents (parse, evaluate, render: src/check/document-pass.ts)
// in parallel. The pool only runs batches; src/check/stream.ts decides when to start it and writes
// the outputs in input order. A worker that fails fails the run: its error is not a manifest's.
import { Worker } from "node:worker_threads";
import { portableSettings, type BatchDocument, type BatchOutput, type PassSettings } from "./document-pass.js";

/** What a worker posts back (src/check/worker.ts). */
export type WorkerMessage = { type: "ready" } | { type: "done"; output: BatchOutput } | { type: "failed"; message: string };

interface Job {
  batch: readonly BatchDocument[];
  resolve: (output: BatchOutput) => void;
  reject: (error: Error) => void;
}

interface Slot {
  worker: Worker;
  ready: boolean;
  job?: Job;
}

export class CheckPool {
  private readonly slots: Slot[] = [];
  private readonly waiting: Job[] = [];
  private failure?: Error;
  private closing = false;
  private readonly readyWaiters: Array<{ resolve: () => void; reject: (error: Error) => void }> = [];
  /** Documents the workers have run. */
  documentsRun = 0;

  constructor(
    readonly size: number,
    settings: PassSettings,
  ) {
    const workerData = portableSettings(settings);
    for (let index = 0; index < size; index += 1) {
      const slot: Slot = { worker: new Worker(workerUrl(), { workerData }), ready: false };
      slot.worker.on("message", (message: WorkerMessage) => this.received(slot, message));
      slot.worker.on("error", (error: unknown) => this.fail(new Error(`A check worker thread failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`)));
      slot.worker.on("exit", (code) => {
        if (!this.closing) this.fail(new Error(`A check worker thread stopped (exit code ${code}).`));
      });
      this.slots.push(slot);
    }
  }

  /** True once a worker has loaded and can take a batch. */
  get ready(): boolean {
    return this.slots.some((slot) => slot.ready);
  }

  /** Resolves when a worker can take a batch; rejects when the pool failed first. */
  whenReady(): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.ready) return Promise.resolve();
    return new Promise((resolve, reject) => this.readyWaiters.push({ resolve, reject }));
  }

  /** Batches posted or waiting, not yet done. */
  get pending(): number {
    return this.waiting.length + this.slots.filter((slot) => slot.job).length;
  }

  run(batch: readonly BatchDocument[]): Promise<BatchOutput> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.waiting.push({ batch, resolve, reject });
      this.dispatch();
    });
  }

  async close(): Promise<void> {
    this.closing = true;
    await Promise.all(this.slots.map((slot) => slot.worker.terminate()));
  }

  private dispatch(): void {
    for (const slot of this.slots) {
      if (this.waiting.length === 0) return;
      if (!slot.ready || slot.job) continue;
      slot.job = this.waiting.shift();
      slot.worker.postMessage(slot.job?.batch);
    }
  }

  private received(slot: Slot, message: WorkerMessage): void {
    if (message.type === "ready") {
      slot.ready = true;
      for (const waiter of this.readyWaiters.splice(0)) waiter.resolve();
    } else if (message.type === "failed") return this.fail(new Error(`A check worker thread failed: ${message.message}`));
    else {
      const job = slot.job;
      slot.job = undefined;
      this.documentsRun += message.output.documents;
      job?.resolve(message.output);
    }
    this.dispatch();
  }

  private fail(error: Error): void {
    if (this.failure) return;
    this.failure = error;
    for (const slot of this.slots) slot.job?.reject(error);
    for (const job of this.waiting.splice(0)) job.reject(error);
    for (const waiter of this.readyWaiters.splice(0)) waiter.reject(error);
  }
}

/**
 * The worker module beside this one in the build. Tests that import this module from its TypeScript
 * source (vitest) get the built worker: the tests run after `npm run build` (pretest).
 */
function workerUrl(): URL {
  return import.meta.url.endsWith(".ts") ? new URL("../../dist/src/check/worker.js", import.meta.url) : new URL("./worker.js", import.meta.url);
}
