import { mkdtempSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { startTestEmulator, type TestEmulator } from "../helpers/emulator.js";
import { mapConcurrent } from "../../src/azure/concurrency.js";
import { Journal } from "../../src/journal/journal.js";
import { baselineId, comparable, storedAssignment } from "./fixtures.js";
import { runBinary } from "./binary.js";

let emu: TestEmulator;
beforeEach(async () => {
  emu = await startTestEmulator({ seed: "demo" });
});
afterEach(async () => emu.close());

const defaults = ["kube-system", "gatekeeper-system", "azure-arc", "azure-extensions-usage-system"];

describe("concurrent edits by real processes (npm run build first)", () => {
  test("20 concurrent 'exclude add' processes, each a different namespace: all 20 present, nothing else changed", async () => {
    const stateDir = mkdtempSync(join(tmpdir(), "akspol-state-"));
    const before = comparable(await storedAssignment(emu, baselineId));
    const namespaces = Array.from({ length: 20 }, (_, index) => `team-${String(index + 1).padStart(2, "0")}`);
    // Node start-up is CPU-bound: a few processes per core keeps 2-core CI busy without thrashing;
    // the lock still sees many waiters at once.
    const inFlight = Math.max(6, availableParallelism() * 3);
    const results = await mapConcurrent(namespaces, inFlight, (namespace) => runBinary(["exclude", "add", baselineId, namespace, "--yes", "-q"], { emulatorDir: emu.stateDir, stateDir }));
    for (const result of results) expect(result.code, result.stderr).toBe(0);
    const after = comparable(await storedAssignment(emu, baselineId));
    expect([...after.properties.parameters.excludedNamespaces.value].sort()).toEqual([...defaults, ...namespaces].sort());
    delete after.properties.parameters.excludedNamespaces;
    expect(after).toEqual(before);
    const entries = await new Journal(stateDir).entries();
    expect(entries).toHaveLength(20);
    expect(entries.every((entry) => entry.status === "applied")).toBe(true);
    const puts = (await emu.hooks.writes()).filter((entry) => entry.method === "PUT");
    expect(puts).toHaveLength(20);
  });

  test("two processes with separate lock directories: the PUT held until the other writer finished lands last and wins; each verifies its own write (README: last writer wins)", async () => {
    // Separate state dirs mean separate locks: nothing serializes the two, and ARM has no ETag for
    // assignments. The emulator holds the first PUT until the other process has read, written and
    // verified; then the held PUT, computed from the older read, lands and replaces that change.
    const before = comparable(await storedAssignment(emu, baselineId));
    const stateDirs = { alpha: mkdtempSync(join(tmpdir(), "akspol-state-")), beta: mkdtempSync(join(tmpdir(), "akspol-state-")) };
    const hold = await emu.hooks.hold({ method: "PUT", pathPattern: "/policyAssignments/pss-baseline$" });
    const runs = {
      alpha: runBinary(["exclude", "add", baselineId, "alpha", "--yes"], { emulatorDir: emu.stateDir, stateDir: stateDirs.alpha }),
      beta: runBinary(["exclude", "add", baselineId, "beta", "--yes"], { emulatorDir: emu.stateDir, stateDir: stateDirs.beta }),
    };
    const held = await emu.hooks.waitUntilHeld(hold);
    const heldNamespaces: string[] = (held.held[0]?.body as { properties: { parameters: { excludedNamespaces: { value: string[] } } } }).properties.parameters.excludedNamespaces.value;
    const last = heldNamespaces.includes("alpha") ? "alpha" : "beta";
    const first = last === "alpha" ? "beta" : "alpha";
    expect(heldNamespaces).not.toContain(first);

    const firstResult = await runs[first];
    expect(firstResult.code, firstResult.stderr).toBe(0);
    expect(firstResult.stderr).toMatch(/Applied and verified/);
    expect((await storedAssignment(emu, baselineId)).properties.parameters.excludedNamespaces.value).toEqual(expect.arrayContaining([first]));

    await emu.hooks.release(hold);
    const lastResult = await runs[last];
    expect(lastResult.code, lastResult.stderr).toBe(0);
    expect(lastResult.stderr).toMatch(/Applied and verified/);

    const stored = await storedAssignment(emu, baselineId);
    expect([...stored.properties.parameters.excludedNamespaces.value].sort()).toEqual([...defaults, last].sort());
    for (const name of [first, last] as const) {
      const entries = await new Journal(stateDirs[name]).entries();
      expect(entries).toHaveLength(1);
      expect(entries[0]?.status).toBe("applied");
    }
    const after = comparable(stored);
    delete after.properties.parameters.excludedNamespaces;
    delete before.properties.parameters.excludedNamespaces;
    expect(after).toEqual(before);
  });

  test("two processes with separate lock directories: a PUT that lands between the other's PUT and its verifying read is caught by that read and written again", async () => {
    // Both read the original; X's PUT lands and X's verifying GET waits; Y's PUT (from the original
    // read) replaces X's change; X's read-back then finds its namespace gone.
    const stateDirs = { alpha: mkdtempSync(join(tmpdir(), "akspol-state-")), beta: mkdtempSync(join(tmpdir(), "akspol-state-")) };
    const firstPut = await emu.hooks.hold({ method: "PUT", pathPattern: "/policyAssignments/pss-baseline$" });
    const secondPut = await emu.hooks.hold({ method: "PUT", pathPattern: "/policyAssignments/pss-baseline$" });
    const runs = {
      alpha: runBinary(["exclude", "add", baselineId, "alpha", "--yes"], { emulatorDir: emu.stateDir, stateDir: stateDirs.alpha }),
      beta: runBinary(["exclude", "add", baselineId, "beta", "--yes"], { emulatorDir: emu.stateDir, stateDir: stateDirs.beta }),
    };
    const namespaceOf = (state: { held: Array<{ body: unknown }> }) =>
      (state.held[0]?.body as { properties: { parameters: { excludedNamespaces: { value: string[] } } } }).properties.parameters.excludedNamespaces.value.includes("alpha") ? "alpha" : "beta";
    const x = namespaceOf(await emu.hooks.waitUntilHeld(firstPut));
    const y = namespaceOf(await emu.hooks.waitUntilHeld(secondPut));
    expect(new Set([x, y])).toEqual(new Set(["alpha", "beta"]));

    const verify = await emu.hooks.hold({ method: "GET", pathPattern: "/policyAssignments/pss-baseline$" });
    await emu.hooks.release(firstPut);
    await emu.hooks.waitUntilHeld(verify);
    await emu.hooks.release(secondPut);
    const yResult = await runs[y];
    expect(yResult.code, yResult.stderr).toBe(0);
    await emu.hooks.release(verify);
    const xResult = await runs[x];

    const stored: string[] = (await storedAssignment(emu, baselineId)).properties.parameters.excludedNamespaces.value;
    const xEntries = await new Journal(stateDirs[x]).entries();
    expect(xEntries).toHaveLength(1);
    // X's read-back finds its namespace gone, so it edits again from what is there now: both stay.
    expect(xResult.code, xResult.stderr).toBe(0);
    expect(xResult.stderr).toMatch(/Applied and verified \(change [^)]*, after 2 writes\)/);
    expect(xEntries[0]?.status).toBe("applied");
    expect([...stored].sort()).toEqual([...defaults, "alpha", "beta"].sort());
  });
});
