// Preload (node --import) that records every module URL the process resolves, written as JSON to
// the file named by TRACE_IMPORTS_FILE at exit. Used to prove --help never loads the Azure SDK.
import { registerHooks } from "node:module";
import { writeFileSync } from "node:fs";

const seen = new Set();
registerHooks({
  resolve(specifier, context, nextResolve) {
    const result = nextResolve(specifier, context);
    seen.add(result.url);
    return result;
  },
});
process.on("exit", () => {
  if (process.env.TRACE_IMPORTS_FILE) writeFileSync(process.env.TRACE_IMPORTS_FILE, JSON.stringify([...seen]));
});
