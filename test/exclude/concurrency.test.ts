import { mkdtempSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { startTestEmulator, type TestEmulator } from "../helpers/emulator.js";
import { mapConcurrent } from "../../src/azure/concurrency.js";
import { Journal } from "../../src/journal/journal.js";
import { baselineId, comparable, storedAssignment } from "./fixtures.js";
import { binaryBuilt, runBinary } from "./binary.js";

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
    const results = await mapConcurrent(namespaces, inFlight, (namespace) =>
      runBinary(["exclude", "add", baselineId, namespace, "--yes", "-q"], { emulatorDir: emu.stateDir, stateDir }),
    );
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

  test("two processes with separate lock directories: each converges or exits 5 naming the other writer, as README promises (last writer wins)", async () => {
    // Separate state dirs mean separate locks: nothing serializes the two, and ARM has no ETag for
    // assignments. README promises only this: each process verifies its own change by reading back
    // and either succeeds or gives up with exit 5 naming systemData.lastModifiedBy; the journal agrees.
    await emu.hooks.setLatency(250);
    const before = comparable(await storedAssignment(emu, baselineId));
    const stateDirs = ["alpha", "beta"].map(() => mkdtempSync(join(tmpdir(), "akspol-state-")));
    const results = await Promise.all(
      ["alpha", "beta"].map((namespace, index) => runBinary(["exclude", "add", baselineId, namespace, "--yes"], { emulatorDir: emu.stateDir, stateDir: stateDirs[index]! })),
    );
    await emu.hooks.setLatency(0);
    const stored = await storedAssignment(emu, baselineId);
    const excluded: string[] = stored.properties.parameters.excludedNamespaces.value;
    for (const [index, result] of results.entries()) {
      expect([0, 5], result.stderr).toContain(result.code);
      const entries = await new Journal(stateDirs[index]!).entries();
      expect(entries).toHaveLength(1);
      if (result.code === 5) {
        expect(result.stderr).toMatch(/lastModifiedBy/);
        expect(entries[0]?.status).toBe("failed");
      } else {
        expect(result.stderr).toMatch(/Applied and verified/);
        expect(entries[0]?.status).toBe("applied");
      }
    }
    // At least the last writer's namespace holds, the defaults are kept, and nothing else changed.
    expect(excluded.filter((namespace) => namespace === "alpha" || namespace === "beta").length).toBeGreaterThan(0);
    expect(excluded).toEqual(expect.arrayContaining(defaults));
    const after = comparable(stored);
    delete after.properties.parameters.excludedNamespaces;
    delete before.properties.parameters.excludedNamespaces;
    expect(after).toEqual(before);
  });
});
