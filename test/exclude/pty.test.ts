import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { startTestEmulator, type TestEmulator } from "../helpers/emulator.js";
import { Journal } from "../../src/journal/journal.js";
import { baselineId, storedAssignment } from "./fixtures.js";
import { binary } from "./binary.js";

let emu: TestEmulator;
beforeEach(async () => {
  emu = await startTestEmulator({ seed: "demo" });
});
afterEach(async () => emu.close());

const stripAnsi = (text: string) => text.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, "").replace(/\u001b[()][A-Z0-9]/g, "");
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("interactive exclude add through a pseudo-terminal (the real binary)", () => {
  test("a person picks the subscription and assignment, types a namespace (a bad one first), confirms; the emulator has it", async () => {
    const { spawn } = await import("@lydell/node-pty");
    const stateDir = mkdtempSync(join(tmpdir(), "akspol-state-"));
    const home = mkdtempSync(join(tmpdir(), "akspol-home-"));
    const terminal = spawn(process.execPath, [binary, "exclude", "add"], {
      name: "xterm-256color",
      cols: 160,
      rows: 40,
      env: { PATH: process.env.PATH ?? "", HOME: home, AKSPOL_EMULATOR: emu.stateDir, AKSPOL_STATE_DIR: stateDir, TERM: "xterm-256color" },
    });
    let screen = "";
    terminal.onData((data) => (screen += data));
    const exited = new Promise<number>((resolve) => terminal.onExit(({ exitCode }) => resolve(exitCode)));
    const waitFor = async (pattern: RegExp, timeoutMs = 300_000) => {
      const deadline = Date.now() + timeoutMs;
      while (!pattern.test(stripAnsi(screen))) {
        if (Date.now() > deadline) throw new Error(`Timed out waiting for ${pattern}; screen:\n${stripAnsi(screen).slice(-2000)}`);
        await sleep(50);
      }
    };
    const type = async (text: string) => {
      for (const character of text) {
        terminal.write(character);
        await sleep(15);
      }
    };
    try {
      await waitFor(/Which subscription\?/);
      await waitFor(/contoso-prod/);
      // contoso-dev is listed first (sorted by name): one down, then enter.
      terminal.write("\u001b[B");
      await waitFor(/❯ contoso-prod/);
      terminal.write("\r");
      await waitFor(/Which assignment\?/);
      await waitFor(/pss-baseline/);
      terminal.write("\r");
      await waitFor(/Namespaces to exclude/);
      await type("Monitoring");
      terminal.write("\r");
      await waitFor(/upper-case letters/);
      await type("\u007f".repeat(10));
      await type("monitoring");
      terminal.write("\r");
      await waitFor(/Apply this change\?/);
      expect(stripAnsi(screen)).toMatch(/\+ monitoring/);
      expect(stripAnsi(screen)).toMatch(/2 clusters below the subscription/);
      await type("y");
      terminal.write("\r");
      await waitFor(/Applied and verified/);
      await waitFor(/15 to 20 minutes/);
      expect(await exited).toBe(0);
    } finally {
      terminal.kill();
    }
    const stored = await storedAssignment(emu, baselineId);
    expect(stored.properties.parameters.excludedNamespaces.value).toEqual(["kube-system", "gatekeeper-system", "azure-arc", "azure-extensions-usage-system", "monitoring"]);
    const [entry] = await new Journal(stateDir).entries();
    expect(entry).toMatchObject({ status: "applied", summary: "exclude add monitoring" });
  });
});
