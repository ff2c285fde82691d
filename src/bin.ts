#!/usr/bin/env node
import { main } from "./main.js";

// A closed pipe (akspol find | head) is not an error worth a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE") process.exit(process.exitCode ?? 0);
    throw error;
  });
}

// The entry point only runs main and sets the exit code; everything else is testable in-process.
process.exitCode = await main(process.argv.slice(2));
