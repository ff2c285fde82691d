// Issue 17: a conversion whose process was killed leaves pending journal records. `history` settles
// each step from what Azure holds (a create or delete by whether the resource exists) and says how to
// finish or roll back the conversion itself.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, expect, test } from "vitest";
import { startTestEmulator, type TestEmulator } from "../helpers/emulator.js";
import { runCli } from "../helpers/cli.js";
import { Journal } from "../../src/journal/journal.js";
import { baselineId, prod } from "../exclude/fixtures.js";

let emu: TestEmulator;
let stateDir: string;
beforeEach(async () => {
  emu = await startTestEmulator({ seed: "demo" });
  stateDir = mkdtempSync(join(tmpdir(), "akspol-state-"));
});
afterEach(async () => emu.close());
const cli = (argv: string[]) => runCli(argv, { emulatorDir: emu.stateDir, stateDir });

test("history settles the steps of a killed conversion and names the way to finish it or roll it back", async () => {
  const journal = new Journal(stateDir);
  const principal = { id: "p", name: "admin" };
  const setId = `/subscriptions/${prod}/providers/Microsoft.Authorization/policySetDefinitions/akspol-baseline-pss-baseline`;
  const conversion = await journal.begin({
    principal,
    command: "akspol exclude add",
    resourceKind: "conversion",
    resourceId: baselineId,
    operation: "update",
    summary: "convert to a custom initiative",
    before: {},
    intendedAfter: {},
  });
  // The set was never created; the old assignment was never deleted.
  const setStep = await journal.begin({
    principal,
    command: "akspol exclude add",
    resourceKind: "policySetDefinition",
    resourceId: setId,
    operation: "create",
    summary: "convert: create custom initiative",
    before: null,
    intendedAfter: { properties: { version: "1.4.0" } },
    group: conversion,
  });
  const deleteStep = await journal.begin({
    principal,
    command: "akspol exclude add",
    resourceKind: "policyAssignment",
    resourceId: baselineId,
    operation: "delete",
    summary: "convert: delete assignment pss-baseline",
    before: {},
    intendedAfter: null,
    group: conversion,
  });
  const result = await cli(["history", "-o", "json"]);
  expect(result.code, result.stderr).toBe(0);
  const entries = JSON.parse(result.stdout).entries as Array<{ changeId: string; status: string; resolution?: string }>;
  const byId = (id: string) => entries.find((entry) => entry.changeId === id);
  expect(byId(setStep)).toMatchObject({ status: "not-applied" });
  expect(byId(deleteStep)).toMatchObject({ status: "not-applied" });
  expect(byId(conversion)?.status).toBe("pending");
  expect(byId(conversion)?.resolution).toMatch(new RegExp(`run the same command again to finish it, or 'akspol undo ${conversion}' to roll it back`));
});
