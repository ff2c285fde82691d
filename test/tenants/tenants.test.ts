// docs/issues/11.md: several tenants. The emulator serves two or more tenants from one process (tokens carry
// tid; a token of the wrong tenant gets ARM's 401 InvalidAuthenticationTokenTenant); akspol's
// --all-subscriptions reads every tenant with a token for each, --tenant narrows it, and a tenant
// whose token cannot be had is a failed scope while the others are still read.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestEmulator, type TestEmulator } from "../helpers/emulator.js";
import { armRequest } from "../helpers/arm-request.js";
import { runCli } from "../helpers/cli.js";
import { DEMO, demoSeed } from "../../src/emulator/demo-seed.js";

const partner = DEMO.partner;
const lab = { tenantId: "1ab1ab00-0000-4000-8000-000000001ab0", subscription: "55555555-5555-4555-8555-555555555555" };
const partnerAssignment = `/subscriptions/${partner.subscription.id}/providers/Microsoft.Authorization/policyAssignments/fabrikam-baseline`;

let emu: TestEmulator;
beforeAll(async () => {
  const demo = demoSeed(new Date());
  emu = await startTestEmulator({
    seed: {
      ...demo,
      tenants: [...(demo.tenants ?? []), { tenantId: lab.tenantId, displayName: "Contoso Lab" }],
      subscriptions: [...(demo.subscriptions ?? []), { subscriptionId: lab.subscription, displayName: "lab", tenantId: lab.tenantId }],
      // An MSP's app: consented in the home and partner tenants, listed but not yet consented in the lab tenant.
      principals: [{ name: "msp", consentMissingIn: [lab.tenantId] }],
      roleAssignments: [
        ...(demo.roleAssignments ?? []),
        { principal: "msp", role: "Reader", scope: `/subscriptions/${DEMO.subscriptions.prod.id}` },
        { principal: "msp", role: "Reader", scope: `/subscriptions/${partner.subscription.id}` },
        { principal: "msp", role: "Reader", scope: `/subscriptions/${lab.subscription}` },
      ],
      policyAssignments: [
        ...(demo.policyAssignments ?? []),
        { scope: `/subscriptions/${partner.subscription.id}`, name: "fabrikam-baseline", properties: { displayName: "Fabrikam baseline", policyDefinitionId: DEMO.policySetDefinitions.baseline } },
      ],
    },
  });
});
afterAll(() => emu.close());

const cli = (argv: string[], principal = "admin") => runCli([...argv, "--principal", principal], { emulatorDir: emu.stateDir });

describe("the emulator serves several tenants", () => {
  it("GET /tenants lists the tenants where the app has a service principal", async () => {
    const token = await emu.hooks.issueToken("admin");
    const response = await armRequest(emu.endpoint, emu.caCert, "GET", "/tenants?api-version=2022-12-01", { token });
    expect(response.status).toBe(200);
    const ids = response.body.value.map((tenant: { tenantId: string }) => tenant.tenantId);
    expect(ids[0]).toBe(DEMO.tenantId);
    expect(ids.slice(1).sort()).toEqual([partner.tenant.tenantId, lab.tenantId].sort());
    expect(response.body.value[0].tenantCategory).toBe("Home");
  });

  it("answers a token of the home tenant on the partner's subscription with 401 InvalidAuthenticationTokenTenant", async () => {
    const token = await emu.hooks.issueToken("admin");
    const response = await armRequest(emu.endpoint, emu.caCert, "GET", `${partnerAssignment}?api-version=2025-03-01`, { token });
    expect(response.status).toBe(401);
    expect(response.body.error.code).toBe("InvalidAuthenticationTokenTenant");
    expect(response.body.error.message).toContain(`It must match the tenant '${emu.endpoint}/${partner.tenant.tenantId}/' associated with this subscription.`);
    expect(String(response.headers["www-authenticate"])).toContain(`authorization_uri="${emu.endpoint}/${partner.tenant.tenantId}"`);
    const partnerToken = await emu.hooks.issueToken("admin", { tenantId: partner.tenant.tenantId });
    expect((await armRequest(emu.endpoint, emu.caCert, "GET", `${partnerAssignment}?api-version=2025-03-01`, { token: partnerToken })).status).toBe(200);
  });

  it("lists only the token's tenant's subscriptions", async () => {
    const token = await emu.hooks.issueToken("admin", { tenantId: partner.tenant.tenantId });
    const response = await armRequest(emu.endpoint, emu.caCert, "GET", "/subscriptions?api-version=2022-12-01", { token });
    expect(response.body.value.map((subscription: { subscriptionId: string; tenantId: string }) => [subscription.subscriptionId, subscription.tenantId])).toEqual([
      [partner.subscription.id, partner.tenant.tenantId],
    ]);
  });
});

describe("akspol across tenants", () => {
  it("--all-subscriptions reads every tenant, each subscription with a token for its tenant", async () => {
    await emu.hooks.resetRequests();
    // ARM's per-subscription reads (test/resource-graph/tenants.test.ts covers Resource Graph, auto's choice here).
    const run = await cli(["find", "--all-subscriptions", "--engine", "arm", "-o", "json"]);
    expect(run.code, run.stderr).toBe(0);
    const data = JSON.parse(run.stdout);
    // Every carrier of the pod-security policies (docs/issues/12.md): the demo's benchmark and single-definition assignment too.
    expect(data.assignments.map((assignment: { name: string }) => assignment.name).sort()).toEqual([
      "SecurityCenterBuiltIn",
      "fabrikam-baseline",
      "no-privilege-escalation",
      "pss-baseline",
      "pss-restricted",
    ]);
    expect(data.errors).toEqual([]);
    const partnerReads = (await emu.hooks.requests()).filter((entry) => entry.path.startsWith(`/subscriptions/${partner.subscription.id}`));
    expect(partnerReads.length).toBeGreaterThan(0);
    expect(partnerReads.every((entry) => entry.status === 200)).toBe(true);
  });

  it("--tenant narrows it to one tenant", async () => {
    const run = await cli(["find", "--all-subscriptions", "--tenant", partner.tenant.tenantId, "-o", "json"]);
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout).assignments.map((assignment: { name: string }) => assignment.name)).toEqual(["fabrikam-baseline"]);
  });

  it("a tenant whose token cannot be had (consent missing) is a failed scope, and the other tenants are still read (exit 7)", async () => {
    const run = await cli(["find", "--all-subscriptions", "-o", "json"], "msp");
    expect(run.code, run.stderr).toBe(7);
    const data = JSON.parse(run.stdout);
    expect(data.assignments.map((assignment: { name: string }) => assignment.name).sort()).toEqual(["SecurityCenterBuiltIn", "fabrikam-baseline", "pss-baseline"]);
    expect(data.errors).toHaveLength(1);
    expect(data.errors[0].scope).toBe(`/tenants/${lab.tenantId}`);
    expect(data.errors[0].code).toBe("AADSTS65001");
    expect(data.errors[0].message).toContain("has not consented to use the application");
    expect(run.stdout + run.stderr).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}\./);
  });
});
