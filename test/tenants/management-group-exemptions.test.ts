// docs/issues/11.md: the exemptions of a management-group assignment live below the group (on clusters); show,
// exempt list --assignment and find count them there, not "none".
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestEmulator, type TestEmulator } from "../helpers/emulator.js";
import { runCli } from "../helpers/cli.js";
import { DEMO } from "../../src/emulator/demo-seed.js";

const mgAssignment = `${DEMO.managementGroupId}/providers/Microsoft.Authorization/policyAssignments/mg-restricted`;
let emu: TestEmulator;
beforeAll(async () => {
  emu = await startTestEmulator({ seed: "demo" });
  const expiresOn = new Date(Date.now() + 30 * 86_400_000).toISOString();
  await emu.hooks.seed({
    policyAssignments: [{ scope: DEMO.managementGroupId, name: "mg-restricted", properties: { displayName: "Org restricted", policyDefinitionId: DEMO.policySetDefinitions.restricted } }],
    policyExemptions: [
      {
        scope: DEMO.clusters.prodWeu.id,
        name: "weu-from-mg",
        properties: { policyAssignmentId: mgAssignment, exemptionCategory: "Waiver", expiresOn, policyDefinitionReferenceIds: ["BlockUsingHostNetwork"] },
      },
      { scope: DEMO.clusters.dev.id, name: "dev-from-mg", properties: { policyAssignmentId: mgAssignment, exemptionCategory: "Mitigated", expiresOn } },
    ],
  });
});
afterAll(() => emu.close());

const cli = (argv: string[]) => runCli(argv, { emulatorDir: emu.stateDir });

describe("a management-group assignment with cluster exemptions below it", () => {
  it("show lists the cluster exemptions (not 'none')", async () => {
    const json = await cli(["show", mgAssignment, "-o", "json"]);
    expect(json.code, json.stderr).toBe(0);
    expect(
      JSON.parse(json.stdout)
        .exemptions.map((exemption: { name: string }) => exemption.name)
        .sort(),
    ).toEqual(["dev-from-mg", "weu-from-mg"]);
    const table = await cli(["show", mgAssignment]);
    const section = table.stdout.slice(table.stdout.lastIndexOf("Exemptions"));
    expect(section).toContain("dev-from-mg");
    expect(section).toContain("weu-from-mg");
    expect(section).not.toContain("none");
  });

  it("exempt list --assignment finds them in every subscription below the group", async () => {
    const run = await cli(["exempt", "list", "--assignment", mgAssignment, "-o", "json"]);
    expect(run.code, run.stderr).toBe(0);
    expect(
      JSON.parse(run.stdout)
        .exemptions.map((exemption: { name: string }) => exemption.name)
        .sort(),
    ).toEqual(["dev-from-mg", "weu-from-mg"]);
  });

  it("find --management-group counts them", async () => {
    const run = await cli(["find", "--management-group", DEMO.managementGroup, "-o", "json"]);
    expect(run.code, run.stderr).toBe(0);
    const row = JSON.parse(run.stdout).assignments.find((assignment: { name: string }) => assignment.name === "mg-restricted");
    expect(row.exemptions).toBe(2);
  });
});
