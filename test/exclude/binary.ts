import { spawn } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** The built entry point (npm run build); the process tests run the real binary. */
export const binary = fileURLToPath(new URL("../../dist/src/bin.js", import.meta.url));
export const binaryBuilt = existsSync(binary);
// The process tests need the build; fail loudly instead of skipping (npm ci builds through `prepare`).
if (!binaryBuilt) throw new Error(`${binary} is missing: run 'npm run build' before the process tests.`);

export interface ProcessResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `node dist/src/bin.js ...` with an isolated HOME and the emulator and state dirs in the environment. */
export function runBinary(argv: string[], env: { emulatorDir: string; stateDir: string; extra?: NodeJS.ProcessEnv }): Promise<ProcessResult> {
  const home = mkdtempSync(join(tmpdir(), "akspol-home-"));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [binary, ...argv], {
      env: { PATH: process.env.PATH, HOME: home, AKSPOL_EMULATOR: env.emulatorDir, AKSPOL_STATE_DIR: env.stateDir, NO_COLOR: "1", ...env.extra },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}
