// `akspol emulator` handles SIGTERM and SIGINT from the moment akspol's code starts, before its ready
// line (docs/issues/09.md): real signals to real processes, 20 times in a row, at successive moments of start-up
// and after the ready line. Every run must stop cleanly (exit 0, "stopped"), never die by the signal.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, test } from "vitest";
import { binary } from "../exclude/binary.js";

const preload = fileURLToPath(new URL("../helpers/signal-during-startup.mjs", import.meta.url));

interface Outcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function runEmulator(stateDir: string, signal: "SIGTERM" | "SIGINT", moment: { turns: number } | "after-ready"): Promise<Outcome> {
  const during = moment !== "after-ready";
  const child = spawn(process.execPath, [...(during ? ["--import", preload] : []), binary, "emulator", "--seed", "empty", "--state-dir", stateDir], {
    env: {
      PATH: process.env.PATH,
      HOME: stateDir,
      ...(during ? { AKSPOL_TEST_SIGNAL: signal, AKSPOL_TEST_SIGNAL_TURNS: String(moment.turns) } : {}),
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
    if (!during && stdout.includes("\n")) child.kill(signal);
  });
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code, killedBy) => resolve({ code, signal: killedBy, stdout, stderr }));
  });
}

describe("akspol emulator and stop signals (real processes)", () => {
  test("20 starts in a row, each stopped by SIGTERM or SIGINT at a different moment: every one exits 0 and says it stopped", async () => {
    const moments: Array<{ turns: number } | "after-ready"> = [...Array.from({ length: 16 }, (_, index) => ({ turns: index * 3 })), "after-ready", "after-ready", "after-ready", "after-ready"];
    for (const [index, moment] of moments.entries()) {
      const stateDir = mkdtempSync(join(tmpdir(), "akspol-emulator-signal-"));
      const signal = index % 2 === 0 ? "SIGTERM" : "SIGINT";
      try {
        const outcome = await runEmulator(stateDir, signal, moment);
        const label = `run ${index + 1} (${signal}, ${moment === "after-ready" ? "after the ready line" : `${moment.turns} turns into start-up`}): ${outcome.stderr}`;
        expect(outcome.signal, label).toBeNull();
        expect(outcome.code, label).toBe(0);
        expect(outcome.stderr, label).toContain("ARM emulator stopped; state saved.");
      } finally {
        rmSync(stateDir, { recursive: true, force: true });
      }
    }
  });
});
