#!/usr/bin/env node
// Held from the first moment, before anything heavy loads (see src/cli/signals.ts).
import { holdStartupSignals } from "./cli/signals.js";

holdStartupSignals();

// A closed pipe (akspol ... | head -1) must not end the process: a write that was started or decided
// on still finishes, is journaled and earns its exit code (docs/issues/09.md). The IO object stops writing to
// a stream once it is broken; any other stream error is a real failure.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE" || error.code === "ERR_STREAM_DESTROYED") return;
    throw error;
  });
}

// The entry point only runs main and sets the exit code; everything else is testable in-process.
const { main } = await import("./main.js");
process.exitCode = await main(process.argv.slice(2));
