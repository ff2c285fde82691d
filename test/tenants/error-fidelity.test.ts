// docs/issues/11.md: the emulator answers as ARM does (PolicyParameterValueNotAllowed, exemption text limits,
// LinkedAuthorizationFailed for a missing exempt/action), and akspol names the permission really missing.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestEmulator, type TestEmulator } from "../helpers/emulator.js";
import { armRequest } from "../helpers/arm-request.js";
import { runCli } from "../helpers/cli.js";
import { DEMO, demoSeed } from "../../src/emulator/demo-seed.js";

const prod = DEMO.subscriptions.prod;
let emu: TestEmulator;
beforeAll(async () => {
  const demo = demoSeed(new Date());
  emu = await startTestEmulator({
    seed: {
      ...demo,
      principals: [{ name: "cluster-exempter" }],
      // May write exemptions on the cluster, but holds nothing on the assignment's scope.
      roleAssignments: [
        ...(demo.roleAssignments ?? []),
        { principal: "cluster-exempter", role: { actions: ["*/read", "Microsoft.Authorization/policyExemptions/*"] }, scope: DEMO.clusters.prodNeu.id },
        { principal: "cluster-exempter", role: { actions: ["*/read"] }, scope: `/subscriptions/${prod.id}` },
      ],
    },
  });
});
afterAll(() => emu.close());

const call = async (method: string, path: string, body?: unknown, principal = "admin") => armRequest(emu.endpoint, emu.caCert, method, path, { token: await emu.hooks.issueToken(principal), body });

describe("emulator error fidelity", () => {
  it("a parameter value outside allowedValues is PolicyParameterValueNotAllowed with ARM's message", async () => {
    const response = await call("PUT", `/subscriptions/${prod.id}/providers/Microsoft.Authorization/policyAssignments/bad-effect?api-version=2025-03-01`, {
      properties: { policyDefinitionId: DEMO.policySetDefinitions.baseline, parameters: { effect: { value: "Block" } } },
    });
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe("PolicyParameterValueNotAllowed");
    expect(response.body.error.message).toBe(
      "The value 'Block' is not allowed for policy parameter 'effect' in policy definition 'a8640138-9b0a-4a28-b8cb-1666c838647d version 1.4.0'. The allowed values are 'audit, Audit, deny, Deny, disabled, Disabled'.",
    );
  });

  it("an override effect a member does not allow (Modify) is refused, on PUT and on PATCH; Audit is accepted", async () => {
    const path = `/subscriptions/${prod.id}/providers/Microsoft.Authorization/policyAssignments/override-check?api-version=2025-03-01`;
    const override = (value: string) => [{ kind: "policyEffect", value, selectors: [{ kind: "policyDefinitionReferenceId", in: ["BlockUsingHostNetwork"] }] }];
    const put = await call("PUT", path, { properties: { policyDefinitionId: DEMO.policySetDefinitions.baseline, overrides: override("Modify") } });
    expect(put.status).toBe(400);
    expect(put.body.error.message).toContain("override value 'Modify' is not allowed");
    expect(put.body.error.message).toContain("(reference 'BlockUsingHostNetwork')");
    expect((await call("PUT", path, { properties: { policyDefinitionId: DEMO.policySetDefinitions.baseline, overrides: override("Audit") } })).status).toBe(201);
    const patch = await call("PATCH", path, { properties: { overrides: override("Modify") } });
    expect(patch.status).toBe(400);
  });

  it.each([
    ["displayName", 128],
    ["description", 512],
  ])("an exemption %s longer than %i characters is refused; at the limit it is accepted", async (field, limit) => {
    const path = (name: string) => `${DEMO.clusters.prodNeu.id}/providers/Microsoft.Authorization/policyExemptions/${name}?api-version=2022-07-01-preview`;
    const body = (length: number) => ({ properties: { policyAssignmentId: DEMO.assignments.baseline.id, exemptionCategory: "Waiver", [field]: "x".repeat(length) } });
    expect((await call("PUT", path(`at-limit-${field}`), body(limit))).status).toBe(201);
    const over = await call("PUT", path(`over-limit-${field}`), body(limit + 1));
    expect(over.status).toBe(400);
    expect(over.body.error.message).toContain(`${field} is too long`);
  });

  it("a missing exempt/action is ARM's 403 LinkedAuthorizationFailed, and akspol names that action and the assignment", async () => {
    const raw = await call(
      "PUT",
      `${DEMO.clusters.prodNeu.id}/providers/Microsoft.Authorization/policyExemptions/linked?api-version=2022-07-01-preview`,
      { properties: { policyAssignmentId: DEMO.assignments.baseline.id, exemptionCategory: "Waiver" } },
      "cluster-exempter",
    );
    expect(raw.status).toBe(403);
    expect(raw.body.error.code).toBe("LinkedAuthorizationFailed");
    const run = await runCli(
      [
        "exempt",
        "create",
        "--cluster",
        DEMO.clusters.prodNeu.id,
        "--assignment",
        DEMO.assignments.baseline.id,
        "--all-policies",
        "--category",
        "waiver",
        "--expires",
        "+10d",
        "--reason",
        "linked",
        "--yes",
        "--principal",
        "cluster-exempter",
      ],
      { emulatorDir: emu.stateDir },
    );
    expect(run.code).toBe(4);
    expect(run.stderr).toContain(`may not perform 'Microsoft.Authorization/policyAssignments/exempt/action' on '${DEMO.assignments.baseline.id}'`);
    expect(run.stderr).not.toContain("may not perform 'Microsoft.Authorization/policyExemptions/write'");
  });
});
