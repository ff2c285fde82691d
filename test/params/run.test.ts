import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { startTestEmulator, type TestEmulator } from "../helpers/emulator.js";
import { runCli } from "../helpers/cli.js";
import { ScriptedPrompter } from "../../src/cli/prompter.js";
import { baselineId, comparable, createRichAssignment, prod, restrictedId, richId, storedAssignment } from "../exclude/fixtures.js";

let emu: TestEmulator;
let stateDir: string;
beforeEach(async () => {
  emu = await startTestEmulator({ seed: "demo" });
  stateDir = mkdtempSync(join(tmpdir(), "akspol-state-"));
});
afterEach(async () => emu.close());

const cli = (argv: string[], options: Parameters<typeof runCli>[1] = {}) => runCli(argv, { emulatorDir: emu.stateDir, stateDir, ...options });
const writes = async () => (await emu.hooks.writes()).filter((entry) => /policyAssignments/i.test(entry.path));

describe("params get", () => {
  test("lists every declared parameter with value, source and default", async () => {
    const result = await cli(["params", "get", "pss-baseline", "--subscription", prod, "-o", "json"]);
    expect(result.code).toBe(0);
    const data = JSON.parse(result.stdout);
    expect(data.parameters.find((p: any) => p.name === "effect")).toMatchObject({ value: "Deny", source: "assignment", defaultValue: "Audit" });
    expect(data.parameters.find((p: any) => p.name === "excludedNamespaces")).toMatchObject({ source: "default" });
    expect(data.policies).toHaveLength(5);
  });
  test("one parameter by name; an unknown name is exit 3", async () => {
    const one = await cli(["params", "get", restrictedId, "excludedNamespaces", "-o", "json"]);
    expect(JSON.parse(one.stdout).value).toContain("monitoring");
    expect((await cli(["params", "get", restrictedId, "nosuch"])).code).toBe(3);
  });
});

describe("params set", () => {
  test("--effect writes the spelling of the assigned definition's allowedValues and changes only the effect", async () => {
    await createRichAssignment(emu);
    const before = comparable(await storedAssignment(emu, richId));
    const result = await cli(["params", "set", richId, "--effect", "audit", "--yes", "-o", "json"]);
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ before: { effect: "deny" }, after: { effect: "audit" }, changed: true });
    const after = comparable(await storedAssignment(emu, richId));
    expect(after.properties.parameters.effect).toEqual({ value: "audit" });
    after.properties.parameters.effect = before.properties.parameters.effect;
    expect(after).toEqual(before);
  });

  test("--effect with --policies writes a policyEffect override by PATCH", async () => {
    const result = await cli(["params", "set", baselineId, "--effect", "disabled", "--policies", "BlockUsingHostNetwork,NoHostPathVolume", "--yes"]);
    expect(result.code, result.stderr).toBe(0);
    const methods = (await writes()).map((entry) => entry.method);
    expect(methods).toEqual(["PATCH"]);
    const stored = await storedAssignment(emu, baselineId);
    expect(stored.properties.overrides).toEqual([{ kind: "policyEffect", value: "Disabled", selectors: [{ kind: "policyDefinitionReferenceId", in: ["BlockUsingHostNetwork", "NoHostPathVolume"] }] }]);
    expect(stored.properties.parameters).toEqual({ effect: { value: "Deny" } });
  });

  test("name=value parsed by declared type: comma list for an Array, JSON from @file for an Object", async () => {
    const file = join(stateDir, "paths.json");
    writeFileSync(file, JSON.stringify({ paths: [{ pathPrefix: "/var/log", readOnly: true }] }));
    // A non-empty namespaces include-list is a coverage change: without a terminal it needs --force.
    const refused = await cli(["params", "set", baselineId, `allowedHostPaths=@${file}`, "namespaces=team-a,team-b", "--yes", "-o", "json"]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/coverage change[\s\S]*--force/);
    const result = await cli(["params", "set", baselineId, `allowedHostPaths=@${file}`, "namespaces=team-a,team-b", "--force", "--yes", "-o", "json"]);
    expect(result.code, result.stderr).toBe(0);
    const stored = await storedAssignment(emu, baselineId);
    expect(stored.properties.parameters.allowedHostPaths.value).toEqual({ paths: [{ pathPrefix: "/var/log", readOnly: true }] });
    expect(stored.properties.parameters.namespaces.value).toEqual(["team-a", "team-b"]);
  });

  test.each([
    [["effect=block"], /does not allow/],
    [["allowedHostPaths=[1]"], /declared as Object/],
    [["nosuch=1"], /declares no parameter/],
    [["--policies", "X"], /--policies goes with --effect/],
    [["--effect", "audit", "--policies", "NoSuchPolicy"], /no policy with reference id/],
    [["excludedNamespaces=kube-system"], /Refusing to remove/],
  ])("bad input %j is exit 2 with no write", async (extra, message) => {
    const result = await cli(["params", "set", baselineId, ...extra, "--yes"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(await writes()).toEqual([]);
  });

  test("--enforcement-mode do-not-enforce", async () => {
    const result = await cli(["params", "set", baselineId, "--enforcement-mode", "do-not-enforce", "--yes"]);
    expect(result.code).toBe(0);
    expect((await storedAssignment(emu, baselineId)).properties.enforcementMode).toBe("DoNotEnforce");
  });

  test("interactive: pick the parameter and type a value validated against its type", async () => {
    const prompter = new ScriptedPrompter([
      { match: "Which parameter?", answer: "effect" },
      { match: "New value for effect", answer: "Audit" },
      { match: "Apply this change?", answer: true },
    ]);
    const result = await cli(["params", "set", baselineId], { tty: true, prompter });
    expect(result.code, result.stderr).toBe(0);
    expect((await storedAssignment(emu, baselineId)).properties.parameters.effect.value).toBe("Audit");
  });
});

describe("params unset", () => {
  test("removes the parameter so the initiative default applies (and is followed) again", async () => {
    const result = await cli(["params", "unset", restrictedId, "excludedNamespaces", "--yes", "-o", "json"]);
    expect(result.code, result.stderr).toBe(0);
    const output = JSON.parse(result.stdout);
    expect(output.before.excludedNamespaces).toContain("monitoring");
    expect(output.after.excludedNamespaces).toEqual(["kube-system", "gatekeeper-system", "azure-arc", "azure-extensions-usage-system"]);
    expect((await storedAssignment(emu, restrictedId)).properties.parameters).toEqual({ effect: { value: "Audit" } });
  });
  test("unsetting what is not set is no change", async () => {
    const result = await cli(["params", "unset", baselineId, "namespaces", "--yes"]);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/No change/);
    expect(await writes()).toEqual([]);
  });
  test("missing <name> without a terminal is exit 2", async () => {
    expect((await cli(["params", "unset", baselineId, "--yes"])).code).toBe(2);
  });
});
