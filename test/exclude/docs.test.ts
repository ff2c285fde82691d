import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startTestEmulator, type TestEmulator } from "../helpers/emulator.js";
import { binary, binaryBuilt } from "./binary.js";

/** Every command in the sh blocks of docs/exclusions.md, in order, through bash, against the demo seed. */
const doc = readFileSync(fileURLToPath(new URL("../../docs/exclusions.md", import.meta.url)), "utf8");
const commands = [...doc.matchAll(/```sh\n([\s\S]*?)```/g)].flatMap((match) => (match[1] ?? "").split("\n").filter((line) => line.startsWith("akspol ")));

let emu: TestEmulator;
let stateDir: string;
let home: string;
beforeAll(async () => {
  emu = await startTestEmulator({ seed: "demo" });
  stateDir = mkdtempSync(join(tmpdir(), "akspol-state-"));
  home = mkdtempSync(join(tmpdir(), "akspol-home-"));
});
afterAll(async () => emu.close());

describe.skipIf(!binaryBuilt)("docs/exclusions.md commands work as shown", () => {
  test("there are commands to run", () => expect(commands.length).toBeGreaterThan(10));
  test.each(commands.map((command, index) => [index + 1, command]))("%i: %s", async (_index, command) => {
    const script = `akspol() { "${process.execPath}" "${binary}" "$@"; }\nset -o pipefail\n${command}`;
    const result = await promisify(execFile)("bash", ["-c", script], {
      env: { PATH: process.env.PATH, HOME: home, AKSPOL_EMULATOR: emu.stateDir, AKSPOL_STATE_DIR: stateDir, NO_COLOR: "1" },
    }).catch((error: { code: number; stderr: string }) => error);
    expect("code" in result ? result.code : 0, (result as { stderr: string }).stderr).toBe(0);
  });
});
