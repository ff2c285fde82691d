import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startTestEmulator, type TestEmulator } from "../helpers/emulator.js";
import { runCli, type CliRun, type RunCliOptions } from "../helpers/cli.js";
import type { Clock } from "../../src/context.js";
import { Journal, type JournalEntry } from "../../src/journal/journal.js";

/** The instant the exemption tests start the emulator's clock at; akspol's clock follows it. */
export const testNow = new Date("2030-03-01T10:00:00Z");

export interface ExemptHarness {
  emulator: TestEmulator;
  clock: Clock;
  stateDir: string;
  run(argv: string[], options?: RunCliOptions): Promise<CliRun>;
  journal(): Promise<JournalEntry[]>;
  writeFile(name: string, text: string): string;
  exemptionWrites(): Promise<Array<{ method: string; path: string; status: number }>>;
  close(): Promise<void>;
}

/**
 * One emulator per test file (demo seed, clock at testNow) and akspol runs whose clock moves with
 * the emulator's (both are real time plus the same offset), sharing one state dir (journal).
 */
export async function startHarness(options: { seed?: NonNullable<Parameters<typeof startTestEmulator>[0]>["seed"] } = {}): Promise<ExemptHarness> {
  const emulator = await startTestEmulator({ seed: options.seed ?? "demo", now: testNow });
  const offset = (await emulator.hooks.getClock()).getTime() - Date.now();
  const clock: Clock = { now: () => new Date(Date.now() + offset) };
  const stateDir = mkdtempSync(join(tmpdir(), "akspol-exempt-state-"));
  const files = mkdtempSync(join(tmpdir(), "akspol-exempt-files-"));
  return {
    emulator,
    clock,
    stateDir,
    run: (argv, runOptions = {}) => runCli(argv, { emulatorDir: emulator.stateDir, stateDir, clock, ...runOptions }),
    journal: () => new Journal(stateDir).entries(),
    writeFile(name, text) {
      const path = join(files, name);
      writeFileSync(path, text);
      return path;
    },
    async exemptionWrites() {
      return (await emulator.hooks.writes()).filter((entry) => /policyexemptions/i.test(entry.path));
    },
    close: () => emulator.close(),
  };
}

export function json<T = any>(run: CliRun): T {
  try {
    return JSON.parse(run.stdout) as T;
  } catch {
    throw new Error(`stdout is not JSON (exit ${run.code}):\n${run.stdout}\nstderr:\n${run.stderr}`);
  }
}
