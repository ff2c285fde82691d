// Losing stdout and stderr (the reader closed the pipe: `akspol ... 2>&1 | head -1`) never ends the
// process before a write it started or decided on (docs/issues/09.md): for every registered writer, as a real
// process, the exit code, the emulator's write log and the journal agree.
import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { commands } from "../../commands/index.js";
import { Journal } from "../../src/journal/journal.js";
import { startTestEmulator, type TestEmulator } from "../helpers/emulator.js";
import { runCli } from "../helpers/cli.js";
import { writerScenarios } from "../helpers/writers.js";
import { binary } from "../exclude/binary.js";

const writers = commands.filter((spec) => spec.writes).map((spec) => spec.path.join(" "));

function throughHead(argv: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; firstLine: string }> {
  // The pipeline's status is akspol's own (PIPESTATUS[0]), not head's.
  const script = `"${process.execPath}" "${binary}" "$@" 2>&1 | head -1; exit "\${PIPESTATUS[0]}"`;
  const child = spawn("bash", ["-c", script, "akspol", ...argv], { env, stdio: ["ignore", "pipe", "pipe"] });
  let firstLine = "";
  child.stdout.on("data", (chunk: Buffer) => (firstLine += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? -1, firstLine }));
  });
}

describe.each(writers)("akspol %s --yes 2>&1 | head -1", (path) => {
  let emu: TestEmulator;
  let stateDir: string;
  beforeEach(async () => {
    emu = await startTestEmulator({ seed: "demo" });
    stateDir = mkdtempSync(join(tmpdir(), "akspol-pipe-"));
  });
  afterEach(async () => emu.close());

  test("finishes the write, journals it, and exits with the code the write earned", async () => {
    const argv = await writerScenarios[path]!({
      stateDir,
      prepare: async (prepareArgv) => {
        const prepared = await runCli(prepareArgv, { emulatorDir: emu.stateDir, stateDir });
        if (prepared.code !== 0) throw new Error(`preparing ${path}: ${prepared.stderr}`);
      },
      seed: (document) => emu.hooks.seed(document),
    });
    const journaledBefore = (await new Journal(stateDir).entries()).length;
    await emu.hooks.resetRequests();
    // Slow answers: head has long closed the pipe by the time akspol decides to write.
    await emu.hooks.setLatency(150);
    const home = mkdtempSync(join(tmpdir(), "akspol-pipe-home-"));
    const result = await throughHead([...argv, "--yes"], { PATH: process.env.PATH, HOME: home, AKSPOL_EMULATOR: emu.stateDir, AKSPOL_STATE_DIR: stateDir, NO_COLOR: "1" });
    await emu.hooks.setLatency(0);
    expect(result.firstLine.split("\n").filter(Boolean)).toHaveLength(1);
    expect(result.code, result.firstLine).toBe(0);
    const writes = (await emu.hooks.writes()).filter((entry) => entry.status < 300);
    expect(writes.length).toBeGreaterThan(0);
    const entries = (await new Journal(stateDir).entries()).slice(journaledBefore);
    expect(entries.length).toBeGreaterThan(0);
    expect(entries.every((entry) => entry.status === "applied")).toBe(true);
  });
});
