// The SARIF 2.1.0 log that `check -o sarif` and `audit -o sarif` print: one run, akspol as the tool at
// its version (src/version.ts), the caller's rules and results.
import { version } from "./version.js";

export interface SarifRun {
  rules: unknown[];
  results: unknown[];
  /** How the run went (audit: whether every scope was read). */
  invocations?: unknown[];
}

export function sarifLog(run: SarifRun): Record<string, unknown> {
  return {
    $schema: "https://json.schemastore.org/sarif-2.1.0.json",
    version: "2.1.0",
    runs: [
      {
        tool: { driver: { name: "akspol", version, rules: run.rules } },
        ...(run.invocations ? { invocations: run.invocations } : {}),
        results: run.results,
      },
    ],
  };
}
