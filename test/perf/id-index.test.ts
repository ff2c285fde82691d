// No super-linear CPU (docs/issues/13.md): find joins assignments and exemptions through a map of ids
// normalised once. Proven with a counter of id normalisations, not a clock: on a tenant of 200
// subscriptions, 5,000 assignments and 6,000 exemptions the count stays a small multiple of A + E
// (a join that normalised each exemption again per assignment would need A x E = 30,000,000).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestEmulator, type TestEmulator } from "../helpers/emulator.js";
import { runCli } from "../helpers/cli.js";
import { syntheticTenant } from "../../src/emulator/synthetic-tenant.js";
import { idWork } from "../../src/azure/ids.js";

const A = 5_000;
const E = 6_000;
let emu: TestEmulator;
beforeAll(async () => {
  emu = await startTestEmulator({ seed: syntheticTenant({ subscriptions: 200, assignments: A, exemptions: E }).seed });
}, 120_000);
afterAll(() => emu.close());

describe("find's assignment x exemption join", () => {
  it("normalises ids in proportion to assignments plus exemptions", async () => {
    const before = idWork.normalizations;
    const run = await runCli(["find", "--all-subscriptions", "-o", "json"], { emulatorDir: emu.stateDir });
    const normalizations = idWork.normalizations - before;
    expect(run.code, run.stderr).toBe(0);
    const assignments = JSON.parse(run.stdout).assignments as Array<{ exemptions: number }>;
    expect(assignments).toHaveLength(A);
    expect(assignments.reduce((sum, row) => sum + row.exemptions, 0)).toBe(E);
    expect(normalizations).toBeLessThan(10 * (A + E));
  }, 300_000);
});
