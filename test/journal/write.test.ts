import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PolicyClient } from "@azure/arm-policy";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { startTestEmulator, type TestEmulator } from "../helpers/emulator.js";
import { CancelledError, ConflictError } from "../../src/cli/errors.js";
import { Journal } from "../../src/journal/journal.js";
import { SetDefinitionCache } from "../../src/policy/definitions.js";
import { writeEdit, type InterruptSource, type WriteRequest } from "../../src/policy/write.js";
import { baselineId, prod, storedAssignment } from "../exclude/fixtures.js";
import { emulatorSession } from "./session.js";

let emu: TestEmulator;
let stateDir: string;
beforeEach(async () => {
  emu = await startTestEmulator({ seed: "demo" });
  stateDir = mkdtempSync(join(tmpdir(), "akspol-state-"));
});
afterEach(async () => emu.close());

function request(extra: Partial<WriteRequest> = {}): WriteRequest {
  const session = emulatorSession(emu);
  return {
    session,
    definitions: new SetDefinitionCache(session),
    assignmentId: baselineId,
    operation: { addNamespaces: ["monitoring"] },
    journal: new Journal(stateDir),
    stateDir,
    principal: () => session.principal(),
    command: "akspol exclude add pss-baseline monitoring",
    summary: "exclude add monitoring",
    now: () => new Date(),
    backoff: () => 0,
    ...extra,
  };
}

/**
 * Another tool (as policy-contributor) that PUTs the assignment as it was seeded, plus a description.
 * Used as afterWrite, it lands after our write was answered and before our read-back, on any machine speed.
 */
async function competitor(): Promise<() => Promise<void>> {
  const client = new PolicyClient(emu.credentialFor("policy-contributor"), prod, emu.clientOptions);
  const original = await client.policyAssignments.get(`/subscriptions/${prod}`, "pss-baseline");
  await client.policyAssignments.get(`/subscriptions/${prod}`, "pss-baseline"); // warm the token
  let round = 0;
  return async () => {
    round += 1;
    const body = { ...original, description: `changed by another tool ${round}` };
    await client.policyAssignments.create(`/subscriptions/${prod}`, "pss-baseline", body);
  };
}

describe("the safe write", () => {
  test("another writer replacing the assignment between our write and our read-back: the operation is re-applied and both changes hold", async () => {
    const clobber = await competitor();
    let sends = 0;
    // The competitor lands between our first PUT and its read-back, once.
    const result = await writeEdit(request({ afterWrite: async () => ((sends += 1) === 1 ? clobber() : undefined) }));
    expect(result.status).toBe("applied");
    expect(result.writes).toBe(2);
    const stored = await storedAssignment(emu, baselineId);
    expect(stored.properties.parameters.excludedNamespaces.value).toContain("monitoring");
    expect(stored.properties.description).toBe("changed by another tool 1");
    const [entry] = await new Journal(stateDir).entries();
    expect(entry).toMatchObject({ status: "applied", attempts: 2 });
  });

  test("a writer that keeps undoing the change: 1 write + 3 re-applications, then exit 5 naming systemData.lastModifiedBy", async () => {
    const clobber = await competitor();
    const contributor = emu.connection.principals.find((p) => p.name === "policy-contributor")!;
    const error = await writeEdit(request({ afterWrite: clobber })).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConflictError);
    expect((error as ConflictError).exitCode).toBe(5);
    expect((error as Error).message).toContain(contributor.clientId);
    expect((error as Error).message).toMatch(/lastModifiedBy/);
    const puts = (await emu.hooks.writes()).filter((entry) => entry.principal === "admin");
    expect(puts).toHaveLength(4);
    const [entry] = await new Journal(stateDir).entries();
    expect(entry?.status).toBe("failed");
  });

  test("Ctrl+C after the write was sent waits for the result, records it, and exits 130", async () => {
    let fire: () => void = () => undefined;
    const interrupts: InterruptSource = { listen: (listener) => ((fire = listener), () => (fire = () => undefined)) };
    await emu.hooks.injectFault({ method: "PUT", pathPattern: "policyAssignments/pss-baseline$", count: 1, kind: "latency", latencyMs: 200 });
    const error = await writeEdit(request({ interrupts, afterSend: () => fire() })).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CancelledError);
    expect((error as Error).message).toMatch(/applied and recorded as change/);
    const [entry] = await new Journal(stateDir).entries();
    expect(entry?.status).toBe("applied");
    expect((await storedAssignment(emu, baselineId)).properties.parameters.excludedNamespaces.value).toContain("monitoring");
  });

  test("the pending record is on disk before the write request is sent", async () => {
    let pendingAtSend: string | undefined;
    const journal = new Journal(stateDir);
    await writeEdit(
      request({
        journal,
        afterSend: () => {
          // synchronous read, as a crash right now would leave it
          pendingAtSend = readFileSync(journal.file, "utf8");
        },
      }),
    );
    const record = JSON.parse(pendingAtSend!.trim());
    expect(record).toMatchObject({ type: "pending", resourceKind: "policyAssignment", operation: "update", touched: ["excludedNamespaces"] });
    expect(record.before.parameters).toEqual({ effect: { value: "Deny" } });
    expect(record.intendedAfter.parameters.excludedNamespaces.value).toContain("monitoring");
  });
});
