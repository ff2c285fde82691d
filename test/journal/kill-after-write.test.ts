// Every writing command, killed (SIGKILL) after its write landed in Azure but before it could record
// the outcome: `history` settles the pending record from Azure's state (ARM's additions and
// normalisations ignored, docs/issues/10.md) and `undo` then reverses the change.
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { DEMO } from "../../src/emulator/demo-seed.js";
import { binary } from "../exclude/binary.js";
import { baselineId, restrictedId } from "../exclude/fixtures.js";
import { runCli } from "../helpers/cli.js";
import { startTestEmulator, type TestEmulator } from "../helpers/emulator.js";

let emu: TestEmulator;
let files: string;
beforeAll(async () => {
  emu = await startTestEmulator({ seed: "demo" });
  files = mkdtempSync(join(tmpdir(), "akspol-kill-files-"));
});
afterAll(() => emu.close());

const types = ["Microsoft.Authorization/policyAssignments", "Microsoft.Authorization/policyExemptions"];
/** The writable state of every assignment and exemption (what ARM maintains left out). */
async function snapshot(): Promise<string> {
  const resources = (await Promise.all(types.map((type) => emu.hooks.listResources(type)))).flat();
  return JSON.stringify(
    resources.map((resource: any) => {
      const body = structuredClone(resource.body ?? resource);
      delete body.systemData;
      for (const key of ["createdBy", "createdOn", "updatedBy", "updatedOn"]) delete body.properties?.metadata?.[key];
      return body;
    }),
  );
}

/** Runs the built CLI with the write's response held by the emulator; kills it once the write has landed. */
async function killAfterWrite(argv: string[], stateDir: string, write: { method: string; pathPattern: string }): Promise<void> {
  await emu.hooks.injectFault({ ...write, count: 1, kind: "hold" });
  const before = await snapshot();
  const child = spawn(process.execPath, [binary, ...argv], {
    env: { PATH: process.env.PATH, HOME: stateDir, AKSPOL_EMULATOR: emu.stateDir, AKSPOL_STATE_DIR: stateDir, NO_COLOR: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
  let finished: number | null | undefined;
  void exited.then((code) => (finished = code));
  // Wait for the condition (the write is in Azure), not for a time.
  while ((await snapshot()) === before) {
    if (finished !== undefined) throw new Error(`akspol ${argv.join(" ")} exited (${finished}) before its write landed: ${stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  child.kill("SIGKILL");
  await exited;
  await emu.hooks.clearFaults();
}

async function settleAndUndo(stateDir: string, expectedSummary: RegExp): Promise<void> {
  const history = await runCli(["history", "-o", "json"], { emulatorDir: emu.stateDir, stateDir });
  expect(history.code, history.stderr).toBe(0);
  const entry = JSON.parse(history.stdout).entries[0];
  expect(entry.summary).toMatch(expectedSummary);
  expect(entry).toMatchObject({ status: "applied", resolution: "resolved from Azure: applied" });
  const before = await snapshot();
  const undo = await runCli(["undo", entry.changeId, "--yes"], { emulatorDir: emu.stateDir, stateDir });
  expect(undo.code, undo.stderr).toBe(0);
  expect(await snapshot()).not.toBe(before);
  // Settled for good: the next history reads the outcome from the journal.
  const again = JSON.parse((await runCli(["history", "-o", "json"], { emulatorDir: emu.stateDir, stateDir })).stdout);
  expect(again.entries.find((item: any) => item.changeId === entry.changeId)).toMatchObject({ status: "applied", undoneBy: [expect.any(String)] });
}

const assignmentPut = (id: string) => ({ method: "PUT", pathPattern: `policyAssignments/${id.split("/").pop()}$` });
const exemptionWrite = (method: string) => ({ method, pathPattern: "/policyExemptions/[^/]+$" });
const applyFile = `owner: kill-test\nexemptions:\n  - name: kill-apply\n    cluster: aks-prod-neu\n    assignment: pss-baseline\n    policies: [BlockUsingHostNetwork]\n    category: waiver\n    expires: ${new Date(Date.now() + 20 * 86_400_000).toISOString().slice(0, 10)}\n    reason: node exporter\n`;

const cases: Array<{ name: string; argv: () => string[]; write: { method: string; pathPattern: string }; summary: RegExp }> = [
  { name: "exclude add", argv: () => ["exclude", "add", baselineId, "killed", "--yes"], write: assignmentPut(baselineId), summary: /exclude add killed/ },
  { name: "exclude remove", argv: () => ["exclude", "remove", restrictedId, "monitoring", "--yes"], write: assignmentPut(restrictedId), summary: /exclude remove monitoring/ },
  { name: "params set", argv: () => ["params", "set", baselineId, "--effect", "audit", "--yes"], write: assignmentPut(baselineId), summary: /effect/ },
  { name: "params unset", argv: () => ["params", "unset", baselineId, "effect", "--yes"], write: assignmentPut(baselineId), summary: /effect/ },
  {
    name: "exempt create",
    argv: () => [
      "exempt",
      "create",
      "--cluster",
      DEMO.clusters.prodNeu.name,
      "--assignment",
      "pss-baseline",
      "--policies",
      "BlockUsingHostNetwork",
      "--category",
      "waiver",
      "--expires",
      "+30d",
      "--reason",
      "node exporter",
      "--yes",
    ],
    write: exemptionWrite("PUT"),
    summary: /create/,
  },
  {
    name: "exempt renew",
    argv: () => ["exempt", "renew", DEMO.exemptions.hostNetwork.name, "--cluster", DEMO.exemptions.hostNetwork.scope, "--expires", "+25d", "--yes"],
    write: exemptionWrite("PUT"),
    summary: /renew/,
  },
  { name: "exempt delete", argv: () => ["exempt", "delete", DEMO.exemptions.legacy.name, "--cluster", DEMO.exemptions.legacy.scope, "--yes"], write: exemptionWrite("DELETE"), summary: /delete/ },
  { name: "exempt apply", argv: () => ["exempt", "apply", "-f", join(files, "apply.yaml"), "--yes"], write: exemptionWrite("PUT"), summary: /apply: create/ },
];

describe("kill after the write landed", () => {
  test.each(cases.map((item) => [item.name, item] as const))("%s: history settles it and undo works", async (_name, item) => {
    writeFileSync(join(files, "apply.yaml"), applyFile);
    const stateDir = mkdtempSync(join(tmpdir(), "akspol-kill-"));
    await killAfterWrite(item.argv(), stateDir, item.write);
    await settleAndUndo(stateDir, item.summary);
  });

  test("undo (of an assignment change and of an exemption change): history settles it and the undo can be undone", async () => {
    for (const [argv, write] of [
      [["exclude", "add", baselineId, "undo-me", "--yes"], assignmentPut(baselineId)],
      [["exempt", "renew", DEMO.exemptions.hostNetwork.name, "--cluster", DEMO.exemptions.hostNetwork.scope, "--expires", "+15d", "--yes"], exemptionWrite("PUT")],
    ] as const) {
      const stateDir = mkdtempSync(join(tmpdir(), "akspol-kill-undo-"));
      const made = await runCli([...argv], { emulatorDir: emu.stateDir, stateDir });
      expect(made.code, made.stderr).toBe(0);
      const changeId = JSON.parse((await runCli(["history", "-o", "json"], { emulatorDir: emu.stateDir, stateDir })).stdout).entries[0].changeId;
      await killAfterWrite(["undo", changeId, "--yes"], stateDir, write);
      await settleAndUndo(stateDir, /^undo /);
    }
  });
});
