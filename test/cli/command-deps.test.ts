import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import excludeList, { type ExcludeListDeps } from "../../commands/exclude/list.js";
import history, { type HistoryDeps } from "../../commands/history.js";
import { AzureSession } from "../../src/azure/session.js";
import { resolveGlobalOptions } from "../../src/cli/global-options.js";
import { createTestIO } from "../../src/cli/io.js";
import { NoPrompter } from "../../src/cli/prompter.js";
import { Journal } from "../../src/journal/journal.js";
import { startTestEmulator, type TestEmulator } from "../helpers/emulator.js";
import { DEMO } from "../exclude/fixtures.js";

// Each command's run declares the slice of the context it uses (its *Deps type). These tests build
// exactly that slice, no full context: an object literal with a property more or less than the slice
// fails the test typecheck, and a run that reached for anything else would fail here at run time.
describe("a command runs with exactly the slice of the context it declares", () => {
  let emu: TestEmulator;
  let stateDir: string;
  beforeAll(async () => {
    emu = await startTestEmulator({ seed: "demo" });
    stateDir = mkdtempSync(join(tmpdir(), "akspol-deps-"));
  });
  afterAll(async () => emu.close());

  const session = (globals: ReturnType<typeof resolveGlobalOptions>) => new AzureSession({ globals, env: {}, log: () => undefined, debug: () => undefined });

  it("exclude list: azure, format, globals, io, prompter, subscriptions", async () => {
    const globals = resolveGlobalOptions({ emulatorDir: emu.stateDir, stateDir }, {});
    const test = createTestIO();
    const deps = {
      azure: session(globals),
      format: "json",
      globals,
      io: test.io,
      prompter: new NoPrompter(),
      subscriptions: async () => [{ id: DEMO.subscriptions.prod.id, name: "contoso-prod" }],
    } satisfies ExcludeListDeps;
    await excludeList.run({ assignment: "pss-baseline", allSubscriptions: false }, deps);
    const output = JSON.parse(test.stdout());
    expect(output.assignmentId).toMatch(/\/policyAssignments\/pss-baseline$/);
    expect(output.excludedNamespaces).toContain("kube-system");
  });

  it("history: azure, clock, format, globals, io, journal", async () => {
    const globals = resolveGlobalOptions({ emulatorDir: emu.stateDir, stateDir }, {});
    const test = createTestIO();
    const journal = new Journal(stateDir);
    const deps = {
      azure: session(globals),
      clock: { now: () => new Date("2026-01-01T00:00:00Z") },
      format: "json",
      globals,
      io: test.io,
      journal: () => journal,
    } satisfies HistoryDeps;
    await history.run({ all: false }, deps);
    expect(JSON.parse(test.stdout())).toMatchObject({ entries: [] });
  });
});
