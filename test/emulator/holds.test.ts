// Holds and the request check: a held request is not processed until it is released (so a test
// orders concurrent requests), and expectRequests names what is missing and what was not expected.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { PolicyClient } from "@azure/arm-policy";
import { DEMO } from "../../src/emulator/demo-seed.js";
import { startTestEmulator, type TestEmulator } from "../helpers/emulator.js";
import { compareRequests, expectRequests } from "../helpers/requests.js";

const prod = DEMO.subscriptions.prod.id;
const scope = DEMO.assignments.baseline.scope;

describe("emulator holds", () => {
  let emu: TestEmulator;
  let policy: PolicyClient;
  beforeAll(async () => {
    emu = await startTestEmulator({ seed: "demo" });
    policy = new PolicyClient(emu.credentialFor("admin"), prod, emu.clientOptions);
    await policy.policyAssignments.get(scope, "pss-baseline"); // warm the token cache
  });
  afterAll(() => emu.close());
  beforeEach(() => emu.hooks.resetRequests());

  it("keeps a matching write unprocessed until released, while other requests go on", async () => {
    const hold = await emu.hooks.hold({ method: "PUT", pathPattern: "/policyAssignments/pss-baseline$" });
    const current = await policy.policyAssignments.get(scope, "pss-baseline");
    const write = policy.policyAssignments.create(scope, "pss-baseline", { ...current, description: "held write" });
    const held = await emu.hooks.waitUntilHeld(hold);
    expect(held).toMatchObject({ released: false, held: [{ method: "PUT", body: { properties: { description: "held write" } } }] });
    // Not processed yet: a read in the meantime still sees the old document.
    expect((await policy.policyAssignments.get(scope, "pss-baseline")).description).toBe(current.description);
    await emu.hooks.release(hold);
    expect((await write).description).toBe("held write");
    expect((await emu.hooks.holdState(hold)).released).toBe(true);
    // The hold held one request (count 1): the next PUT passes.
    await policy.policyAssignments.create(scope, "pss-baseline", current);
    await expectRequests(emu, [
      { method: "GET", path: /\/policyAssignments\/pss-baseline$/i, times: 2 },
      { method: "PUT", path: /\/policyAssignments\/pss-baseline$/i, times: 2 },
    ]);
  });

  it("refuses a hold without a valid count, and names an unknown hold", async () => {
    await expect(emu.hooks.hold({ pathPattern: "x", count: 0 })).rejects.toThrow(/count must be a positive integer/);
    await expect(emu.hooks.release("hold-999")).rejects.toThrow(/No hold 'hold-999'/);
  });
});

describe("compareRequests", () => {
  const log = [
    { method: "GET", path: "/subscriptions/1/providers/Microsoft.Authorization/policyAssignments/a" },
    { method: "PUT", path: "/subscriptions/1/providers/Microsoft.Authorization/policyAssignments/a" },
  ];
  it("matches in any order, case-insensitively, with counts", () => {
    expect(
      compareRequests(log, [
        { method: "PUT", path: log[1]!.path.toUpperCase() },
        { method: "GET", path: /policyAssignments\/a$/ },
      ]),
    ).toEqual({ missing: [], unexpected: [] });
  });
  it("names the requests that were not sent and those that were not expected", () => {
    expect(compareRequests(log, [{ method: "GET", path: log[0]!.path, times: 2 }])).toEqual({
      missing: [`GET ${log[0]!.path}`],
      unexpected: [`PUT ${log[1]!.path}`],
    });
  });
});
