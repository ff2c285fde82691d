// docs/issues/11.md: a principal with Owner on one subscription only, under a management-group assignment with
// a management-group notScope. Reading that group's descendants needs a role on the group; akspol says
// it cannot know, treats the notScope as not covering the cluster, and does not fail with exit 4.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestEmulator, type TestEmulator } from "../helpers/emulator.js";
import { runCli } from "../helpers/cli.js";
import { armRequest } from "../helpers/arm-request.js";
import { DEMO, demoSeed } from "../../src/emulator/demo-seed.js";

const dev = DEMO.subscriptions.dev;
const dir = mkdtempSync(join(tmpdir(), "akspol-least-"));
let emu: TestEmulator;
beforeAll(async () => {
  const demo = demoSeed(new Date());
  emu = await startTestEmulator({
    seed: {
      ...demo,
      managementGroups: [...(demo.managementGroups ?? []), { name: "contoso-sandbox", displayName: "Sandbox", parent: DEMO.managementGroup }],
      principals: [{ name: "dev-owner" }],
      roleAssignments: [...(demo.roleAssignments ?? []), { principal: "dev-owner", role: "Owner", scope: `/subscriptions/${dev.id}` }],
      policyAssignments: [
        ...(demo.policyAssignments ?? []),
        {
          scope: DEMO.managementGroupId,
          name: "mg-baseline",
          properties: { displayName: "Org baseline", policyDefinitionId: DEMO.policySetDefinitions.baseline, notScopes: ["/providers/Microsoft.Management/managementGroups/contoso-sandbox"] },
        },
      ],
    },
  });
});
afterAll(async () => {
  await emu.close();
  rmSync(dir, { recursive: true, force: true });
});

const asOwner = (argv: string[]) => runCli([...argv, "--subscription", dev.id, "--principal", "dev-owner"], { emulatorDir: emu.stateDir });
const note = "Cannot tell whether management group 'contoso-sandbox' (a notScope) contains aks-dev";

describe("Owner of one subscription under a management-group assignment with a management-group notScope", () => {
  it("the emulator refuses that principal the group's descendants (so the fallback is exercised)", async () => {
    const token = await emu.hooks.issueToken("dev-owner");
    const response = await armRequest(emu.endpoint, emu.caCert, "GET", "/providers/Microsoft.Management/managementGroups/contoso-sandbox/descendants?api-version=2021-04-01", { token });
    expect([response.status, response.body.error.code]).toEqual([403, "AuthorizationFailed"]);
  });

  it("find --cluster succeeds, the assignment applies, and one line says the notScope could not be checked", async () => {
    const run = await asOwner(["find", "--cluster", DEMO.clusters.dev.name, "-o", "json"]);
    expect(run.code, run.stderr).toBe(0);
    const row = JSON.parse(run.stdout).assignments.find((assignment: { name: string }) => assignment.name === "mg-baseline");
    expect(row.applies).toBe("yes");
    expect(run.stderr).toContain(note);
  });

  it("check --assignment --cluster succeeds", async () => {
    const path = join(dir, "ok.yaml");
    writeFileSync(path, "apiVersion: v1\nkind: Pod\nmetadata:\n  name: ok\n  namespace: shop\nspec:\n  containers:\n  - name: app\n    image: nginx\n");
    const run = await asOwner(["check", path, "--assignment", "mg-baseline", "--cluster", DEMO.clusters.dev.name, "-o", "json"]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain(note);
  });

  it("exempt create (dry run) validates the cluster against the assignment without exit 4", async () => {
    const run = await asOwner([
      "exempt",
      "create",
      "--cluster",
      DEMO.clusters.dev.name,
      "--assignment",
      "mg-baseline",
      "--all-policies",
      "--category",
      "mitigated",
      "--expires",
      "+10d",
      "--reason",
      "least privilege",
      "--dry-run",
      "-o",
      "json",
    ]);
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout).dryRun).toBe(true);
  });

  it("a principal that may read the descendants gets the exact answer and no such line", async () => {
    const run = await runCli(["find", "--cluster", DEMO.clusters.dev.name, "--subscription", dev.id, "-o", "json"], { emulatorDir: emu.stateDir });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).not.toContain("Cannot tell");
  });
});
