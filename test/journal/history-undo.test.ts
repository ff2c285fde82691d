import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PolicyClient } from "@azure/arm-policy";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { startTestEmulator, type TestEmulator } from "../helpers/emulator.js";
import { runCli } from "../helpers/cli.js";
import { Journal } from "../../src/journal/journal.js";
import { applyEdit } from "../../src/policy/edit.js";
import { SetDefinitionCache } from "../../src/policy/definitions.js";
import { readAssignment } from "../../src/azure/assignments.js";
import { baselineId, comparable, DEMO, prod, restrictedId, storedAssignment } from "../exclude/fixtures.js";
import { emulatorSession } from "./session.js";

let emu: TestEmulator;
let stateDir: string;
beforeEach(async () => {
  emu = await startTestEmulator({ seed: "demo" });
  stateDir = mkdtempSync(join(tmpdir(), "akspol-state-"));
});
afterEach(async () => emu.close());

const cli = (argv: string[], options: Parameters<typeof runCli>[1] = {}) => runCli(argv, { emulatorDir: emu.stateDir, stateDir, ...options });

async function addMonitoring(): Promise<string> {
  const result = await cli(["exclude", "add", baselineId, "monitoring", "--yes", "-o", "json", "--reason", "exporter", "--ticket", "CHG-9"]);
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout).changeId as string;
}

describe("history", () => {
  test("lists changes newest first, as a table and as JSON, filtered by assignment", async () => {
    const first = await addMonitoring();
    const second = JSON.parse((await cli(["exclude", "remove", restrictedId, "monitoring", "--yes", "-o", "json"])).stdout).changeId;
    const json = JSON.parse((await cli(["history", "-o", "json"])).stdout);
    expect(json.schemaVersion).toBe(1);
    expect(json.entries.map((entry: any) => entry.changeId)).toEqual([second, first]);
    expect(json.entries[1]).toMatchObject({ status: "applied", reason: "exporter", ticket: "CHG-9", summary: "exclude add monitoring" });
    const filtered = JSON.parse((await cli(["history", "--assignment", "pss-baseline", "-o", "json"])).stdout);
    expect(filtered.entries.map((entry: any) => entry.changeId)).toEqual([first]);
    const table = await cli(["history"]);
    expect(table.stdout).toMatch(new RegExp(`${first}.*applied.*pss-baseline.*exclude add monitoring`));
  });

  test("a pending record (the writer died) is settled against Azure: applied when the write landed, not applied when it did not", async () => {
    const session = emulatorSession(emu);
    const journal = new Journal(stateDir);
    const current = (await readAssignment(session, baselineId))!;
    const definition = await new SetDefinitionCache(session).forAssignment(current);
    const plan = applyEdit(current, definition, { addNamespaces: ["landed"] });
    const pending = {
      principal: { id: "x", name: "x" },
      command: "akspol exclude add",
      resourceKind: "policyAssignment" as const,
      resourceId: baselineId,
      operation: "update" as const,
      before: current,
      touched: plan.touched,
    };
    const landed = await journal.begin({ ...pending, summary: "landed", intendedAfter: plan.body });
    const client = new PolicyClient(emu.credentialFor("admin"), prod, emu.clientOptions);
    await client.policyAssignments.create(`/subscriptions/${prod}`, "pss-baseline", plan.body);
    const lost = await journal.begin({
      ...pending,
      resourceId: restrictedId,
      summary: "lost",
      before: (await readAssignment(session, restrictedId))!,
      touched: ["effect"],
      intendedAfter: { parameters: { effect: { value: "Deny" } } },
    });
    const json = JSON.parse((await cli(["history", "-o", "json"])).stdout);
    const byId = new Map(json.entries.map((entry: any) => [entry.changeId, entry]));
    expect(byId.get(landed)).toMatchObject({ status: "applied", resolution: "resolved from Azure: applied" });
    expect(byId.get(lost)).toMatchObject({ status: "not-applied" });
    // The settlement is recorded: the next history reads it from the journal.
    expect((await journal.find(landed))[0]?.status).toBe("applied");
  });
});

describe("undo", () => {
  test("restores the earlier parameter values (back to following the default) and shows what it overwrites", async () => {
    const before = comparable(await storedAssignment(emu, baselineId));
    const changeId = await addMonitoring();
    const result = await cli(["undo", changeId, "--yes", "-o", "json"]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/- monitoring/);
    const output = JSON.parse(result.stdout);
    expect(output.after.excludedNamespaces).not.toContain("monitoring");
    expect(comparable(await storedAssignment(emu, baselineId))).toEqual(before);
    const entries = await new Journal(stateDir).entries();
    expect(entries.find((entry) => entry.changeId === changeId)?.undoneBy).toEqual([output.changeId]);
    expect(entries.find((entry) => entry.changeId === output.changeId)?.undoOf).toBe(changeId);
    // Undoing twice is refused.
    expect((await cli(["undo", changeId, "--yes"])).code).toBe(5);
  });

  test("refuses with exit 5 when the assignment changed since, and with --force restores only the touched values", async () => {
    const changeId = await addMonitoring();
    const client = new PolicyClient(emu.credentialFor("admin"), prod, emu.clientOptions);
    const current = await client.policyAssignments.get(`/subscriptions/${prod}`, "pss-baseline");
    await client.policyAssignments.create(`/subscriptions/${prod}`, "pss-baseline", { ...current, description: "edited in the portal" });
    const refused = await cli(["undo", changeId, "--yes"]);
    expect(refused.code).toBe(5);
    expect(refused.stderr).toMatch(/description/);
    expect((await storedAssignment(emu, baselineId)).properties.parameters.excludedNamespaces.value).toContain("monitoring");
    const forced = await cli(["undo", changeId, "--yes", "--force"]);
    expect(forced.code, forced.stderr).toBe(0);
    const stored = await storedAssignment(emu, baselineId);
    expect(stored.properties.parameters.excludedNamespaces).toBeUndefined();
    expect(stored.properties.description).toBe("edited in the portal");
  });

  test("an unknown change id is exit 3; --dry-run writes nothing", async () => {
    expect((await cli(["undo", "nope", "--yes"])).code).toBe(3);
    const changeId = await addMonitoring();
    await emu.hooks.resetRequests();
    const dry = await cli(["undo", changeId, "--dry-run", "-o", "json"]);
    expect(dry.code).toBe(0);
    expect(JSON.parse(dry.stdout).changeId).toBeNull();
    expect(await emu.hooks.writes()).toEqual([]);
  });

  describe("exemptions (journaled by exempt commands as resourceKind policyExemption)", () => {
    const scope = DEMO.clusters.prodWeu.id;
    const name = DEMO.exemptions.hostNetwork.name;

    async function journaled(
      operation: "create" | "update",
      change: (client: Awaited<ReturnType<ReturnType<typeof emulatorSession>["exemptions"]>>) => Promise<unknown>,
      exemptionName: string = name,
    ) {
      const session = emulatorSession(emu);
      const client = await session.exemptions();
      const before = (await client.get(scope, exemptionName)) ?? null;
      const journal = new Journal(stateDir);
      await change(client);
      const after = (await client.get(scope, exemptionName)) ?? null;
      const changeId = await journal.begin({
        principal: { id: "p", name: "p" },
        command: "akspol exempt",
        resourceKind: "policyExemption",
        resourceId: `${scope}/providers/Microsoft.Authorization/policyExemptions/${exemptionName}`,
        operation,
        summary: `${operation} exemption`,
        before,
        intendedAfter: after,
      });
      await journal.finish(changeId, { status: "applied", after });
      return { changeId, before, client };
    }

    test("undo of an update PUTs the earlier exemption back", async () => {
      const { changeId, before, client } = await journaled("update", async (c) => {
        const current = (await c.get(scope, name))!;
        await c.createOrUpdate(scope, name, { ...current.properties, description: "renewed", expiresOn: "2099-01-01T00:00:00Z" });
      });
      const result = await cli(["undo", changeId, "--yes"]);
      expect(result.code, result.stderr).toBe(0);
      const restored = (await client.get(scope, name))!;
      expect(restored.properties.description).toBe(before!.properties.description);
      expect(restored.properties.expiresOn).toBe(before!.properties.expiresOn);
    });

    test("undo of a create deletes the exemption", async () => {
      const { changeId, client } = await journaled(
        "create",
        (c) => c.createOrUpdate(scope, "temp-exemption", { policyAssignmentId: baselineId, exemptionCategory: "Waiver", policyDefinitionReferenceIds: ["NoPrivilegedContainers"] }),
        "temp-exemption",
      );
      const result = await cli(["undo", changeId, "--yes"]);
      expect(result.code, result.stderr).toBe(0);
      expect(await client.get(scope, "temp-exemption")).toBeUndefined();
    });

    test("refused with exit 5 when the exemption changed since", async () => {
      const { changeId, client } = await journaled("update", async (c) => {
        const current = (await c.get(scope, name))!;
        await c.createOrUpdate(scope, name, { ...current.properties, description: "renewed" });
      });
      const current = (await client.get(scope, name))!;
      await client.createOrUpdate(scope, name, { ...current.properties, description: "someone else" });
      expect((await cli(["undo", changeId, "--yes"])).code).toBe(5);
      expect((await client.get(scope, name))!.properties.description).toBe("someone else");
    });
  });
});
