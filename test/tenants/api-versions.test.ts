// docs/issues/11.md: ARM answers an api-version a cloud does not serve with 404 InvalidResourceType and the list
// it serves; akspol never reads that as "does not exist", and says which flag picks a served version.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestEmulator, type TestEmulator } from "../helpers/emulator.js";
import { armRequest } from "../helpers/arm-request.js";
import { runCli } from "../helpers/cli.js";
import { DEMO } from "../../src/emulator/demo-seed.js";

const assignmentPath = (version: string) => `${DEMO.assignments.baseline.id}?api-version=${version}`;

describe("the public-cloud profile", () => {
  let emu: TestEmulator;
  let token: string;
  beforeAll(async () => {
    emu = await startTestEmulator({ seed: "demo" });
    token = await emu.hooks.issueToken("admin");
  });
  afterAll(() => emu.close());

  it("serves every policy api-version the spec history has, 2020-09-01 and 2025-01-01 included", async () => {
    for (const version of ["2020-09-01", "2021-06-01", "2023-04-01", "2025-01-01", "2025-03-01"]) {
      const response = await armRequest(emu.endpoint, emu.caCert, "GET", assignmentPath(version), { token });
      expect(response.status, version).toBe(200);
    }
  });

  it("answers an unserved version with 404 InvalidResourceType and ARM's message listing what it serves", async () => {
    const response = await armRequest(emu.endpoint, emu.caCert, "GET", assignmentPath("2026-01-01"), { token });
    expect(response.status).toBe(404);
    expect(response.body.error.code).toBe("InvalidResourceType");
    expect(response.body.error.message).toBe(
      "The resource type 'policyAssignments' could not be found in the namespace 'Microsoft.Authorization' for api version '2026-01-01'. The supported api-versions are '2015-10-01-preview,2016-04-01,2016-12-01,2017-06-01-preview,2018-03-01,2018-05-01,2019-01-01,2019-06-01,2019-09-01,2020-03-01,2020-08-01,2020-09-01,2021-06-01,2022-06-01,2023-04-01,2024-04-01,2024-05-01,2025-01-01,2025-03-01'.",
    );
  });

  it("--api-version reaches assignments, and an unserved one is exit 2 naming the served versions, not 'does not exist'", async () => {
    const ok = await runCli(["show", DEMO.assignments.baseline.id, "--api-version", "2023-04-01", "-o", "json"], { emulatorDir: emu.stateDir });
    expect(ok.code, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout).name).toBe("pss-baseline");
    await emu.hooks.resetRequests();
    const bad = await runCli(["show", DEMO.assignments.baseline.id, "--api-version", "2026-01-01"], { emulatorDir: emu.stateDir });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("This cloud does not serve api-version 2026-01-01 for policyAssignments (it serves: 2015-10-01-preview,");
    expect(bad.stderr).toContain("Pass --api-version 2025-03-01");
    expect(bad.stderr).not.toContain("does not exist");
    expect((await emu.hooks.requests()).every((entry) => entry.apiVersion !== "2025-03-01" || !entry.path.includes("policyAssignments"))).toBe(true);
  });

  it("--exemptions-api-version reaches exemptions; an unserved one names that flag", async () => {
    const ok = await runCli(["exempt", "list", "--subscription", DEMO.subscriptions.prod.id, "--exemptions-api-version", "2020-07-01-preview", "-o", "json"], { emulatorDir: emu.stateDir });
    expect(ok.code, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout).exemptions.map((e: { name: string }) => e.name)).toEqual([DEMO.exemptions.hostNetwork.name]);
    const used = (await emu.hooks.requests()).filter((entry) => entry.path.includes("policyExemptions")).map((entry) => entry.apiVersion);
    expect(used).toContain("2020-07-01-preview");
    const bad = await runCli(["exempt", "list", "--subscription", DEMO.subscriptions.prod.id, "--exemptions-api-version", "2019-01-01"], { emulatorDir: emu.stateDir });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("for policyExemptions (it serves: 2020-07-01-preview, 2022-07-01-preview, 2024-12-01-preview)");
    expect(bad.stderr).toContain("Pass --exemptions-api-version 2024-12-01-preview");
  });

  it("refuses a malformed api-version before any request", async () => {
    const run = await runCli(["find", "--api-version", "latest"], { emulatorDir: emu.stateDir });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("Invalid --api-version 'latest'");
  });
});

describe("the AzureUSGovernment profile", () => {
  let gov: TestEmulator;
  beforeAll(async () => {
    gov = await startTestEmulator({ seed: "demo", cloud: "AzureUSGovernment" });
  });
  afterAll(() => gov.close());

  it("refuses the SDK's default version: exit 2 with the versions Government serves and the flag to pass", async () => {
    const run = await runCli(["show", DEMO.assignments.baseline.id], { emulatorDir: gov.stateDir });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("This cloud does not serve api-version 2025-03-01 for policyAssignments");
    expect(run.stderr).toContain("2022-06-01, 2023-04-01).");
    expect(run.stderr).toContain("Pass --api-version 2023-04-01");
  });

  it("works with --api-version 2023-04-01 and serves Government's initiative, whose members are pinned one major higher", async () => {
    const run = await runCli(["show", DEMO.assignments.baseline.id, "--api-version", "2023-04-01", "-o", "json"], { emulatorDir: gov.stateDir });
    expect(run.code, run.stderr).toBe(0);
    const set = (await armRequest(gov.endpoint, gov.caCert, "GET", `${DEMO.policySetDefinitions.baseline}?api-version=2023-04-01`, { token: await gov.hooks.issueToken("admin") })).body;
    const pins = Object.fromEntries(
      set.properties.policyDefinitions.map((member: { policyDefinitionReferenceId: string; definitionVersion: string }) => [member.policyDefinitionReferenceId, member.definitionVersion]),
    );
    expect(pins.NoPrivilegedContainers).toBe("10.*.*");
    expect(pins.BlockUsingHostNetwork).toBe("7.*.*");
  });
});
