// A worker thread of `check` (src/check/pool.ts): runs the batches it is posted with the settings it
// was started with, and posts each batch's output back.
import { parentPort, workerData } from "node:worker_threads";
import { createDocumentPass, forTransfer, restoreSettings, type BatchDocument, type PassSettings } from "./document-pass.js";
import type { WorkerMessage } from "./pool.js";

const port = parentPort;
if (!port) throw new Error("src/check/worker.ts runs only as a worker thread (src/check/pool.ts starts it).");
const post = (message: WorkerMessage, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);
const run = await createDocumentPass(restoreSettings(workerData as PassSettings), { join: true });
port.on("message", (batch: BatchDocument[]) => {
  let done;
  try {
    done = forTransfer(run(batch));
  } catch (error) {
    post({ type: "failed", message: (error as Error).stack ?? String(error) });
    return;
  }
  post({ type: "done", output: done.output }, done.transfer);
});
post({ type: "ready" });
