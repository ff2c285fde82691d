import type { ScopeFailures } from "../azure/scope-pool.js";
import type { IO } from "./io.js";
import type { OutputFormat } from "./output.js";

/**
 * The frame's one rule for reads that could not reach every scope (README "Exit codes"): list the
 * scopes that failed (a footer under a table, stderr otherwise; `-o json` carries them as "errors"),
 * and turn a successful run into 7 (partial) or 4 (every scope refused for permission) unless the
 * command settled them by finding its answer elsewhere.
 */
export function finishReads(io: IO, format: OutputFormat, failures: ScopeFailures, code: number): number {
  if (failures.size === 0) return code;
  const lines = failures.list().map((failure) => `  ${failure.scope}: ${failure.code}: ${failure.message}`);
  const heading = `Could not read ${failures.size} scope(s); the result above leaves them out:`;
  if (format === "table") io.out(["", heading, ...lines].join("\n"));
  else io.warn([heading, ...lines].join("\n"));
  return code === 0 ? failures.exitCode() : code;
}
