// Messages users can act on (docs/issues/09.md): one test per rule.
import { execFile, spawn } from "node:child_process";
import { chmodSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { DEMO } from "../../src/emulator/demo-seed.js";
import { startTestEmulator, type TestEmulator } from "../helpers/emulator.js";
import { runCli } from "../helpers/cli.js";
import { binary } from "../exclude/binary.js";
import { storedAssignment } from "../exclude/fixtures.js";

let emu: TestEmulator;
beforeAll(async () => {
  emu = await startTestEmulator({ seed: "demo" });
});
afterAll(async () => emu.close());

/** A real process with no AKSPOL_* environment: only its flags say where it works. */
function plainProcess(argv: string[]): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [binary, ...argv], { env: { PATH: process.env.PATH, HOME: mkdtempSync(join(tmpdir(), "akspol-home-")), NO_COLOR: "1" }, stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.on("close", (code) => resolve({ code, stderr })));
}

describe("messages users can act on", () => {
  test("'Undo with:' prints a command that works when pasted: it repeats --emulator-dir and --state-dir", async () => {
    const stateDir = mkdtempSync(join(tmpdir(), "akspol state with space-"));
    const made = await plainProcess(["exclude", "add", DEMO.assignments.baseline.id, "pasted", "--yes", "--emulator-dir", emu.stateDir, "--state-dir", stateDir]);
    expect(made.code, made.stderr).toBe(0);
    const line = /Undo with: (.+)/.exec(made.stderr)?.[1];
    expect(line).toContain(`--emulator-dir ${emu.stateDir}`);
    expect(line).toContain("--state-dir '");
    const bin = mkdtempSync(join(tmpdir(), "akspol-bin-"));
    writeFileSync(join(bin, "akspol"), `#!/bin/sh\nexec "${process.execPath}" "${binary}" "$@"\n`);
    chmodSync(join(bin, "akspol"), 0o755);
    // Pasted into a shell that knows nothing else (no AKSPOL_* variables), with --yes for the script.
    const pasted = await new Promise<{ code: number; stderr: string }>((resolve) =>
      execFile("bash", ["-c", `${line} --yes`], { env: { PATH: `${bin}:${process.env.PATH}`, HOME: bin, NO_COLOR: "1" } }, (error, _stdout, stderr) =>
        resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stderr }),
      ),
    );
    expect(pasted.code, pasted.stderr).toBe(0);
    expect((await storedAssignment(emu, DEMO.assignments.baseline.id)).properties.parameters.excludedNamespaces?.value ?? []).not.toContain("pasted");
  });

  test("no SDK internals: a failing paged list shows the ARM status and code, and the next step", async () => {
    await emu.hooks.injectFault({ method: "GET", pathPattern: "policyAssignments$", count: 20, kind: "500" });
    const result = await runCli(["find", "--subscription", DEMO.subscriptions.prod.id], { emulatorDir: emu.stateDir });
    await emu.hooks.clearFaults();
    expect(result.code).not.toBe(0);
    const text = result.stdout + result.stderr;
    expect(text).not.toMatch(/Pagination failed|unexpected statusCode|RestError|at .*\.js:\d+/);
    expect(text).toMatch(/500|InternalServerError/);
  });

  test("an unusable --state-dir fails before any request, with the path and the reason", async () => {
    await emu.hooks.resetRequests();
    const result = await runCli(["exclude", "add", DEMO.assignments.baseline.id, "monitoring", "--yes", "--state-dir", "/dev/null/akspol"], { emulatorDir: emu.stateDir });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("/dev/null/akspol");
    expect(result.stderr).toMatch(/a file, not a directory/);
    expect(await emu.hooks.requests()).toEqual([]);
  });

  test("an unknown management group is 'not found' (exit 3), not a permission problem", async () => {
    const result = await runCli(["find", "--management-group", "contsoo"], { emulatorDir: emu.stateDir });
    expect(result.code, result.stderr).toBe(3);
    expect(result.stderr).toMatch(/Management group 'contsoo' was not found/);
    expect(result.stderr).toMatch(/contoso/);
    expect(result.stderr).not.toMatch(/Permission denied|AuthorizationFailed/);
  });
});

describe("find --management-group", () => {
  test("finds what lives below the group (subscriptions, resource groups); --no-descendants gives what applies at the group itself", async () => {
    const below = await runCli(["find", "--management-group", DEMO.managementGroup, "-o", "json"], { emulatorDir: emu.stateDir });
    expect(below.code, below.stderr).toBe(0);
    const names = JSON.parse(below.stdout).assignments.map((row: { name: string }) => row.name);
    expect(names).toEqual(expect.arrayContaining(["pss-baseline", "pss-restricted"]));
    const atGroup = await runCli(["find", "--management-group", DEMO.managementGroup, "--no-descendants", "-o", "json"], { emulatorDir: emu.stateDir });
    expect(atGroup.code, atGroup.stderr).toBe(0);
    const own = JSON.parse(atGroup.stdout).assignments.map((row: { name: string }) => row.name);
    expect(own).not.toContain("pss-baseline");
    expect(own).not.toContain("pss-restricted");
  });
});
