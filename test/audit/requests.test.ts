// The request bound README "Audit" states: 3 ARM requests per subscription (assignments, clusters,
// exemptions), plus per run at most 2 per set definition and per member definition in use (the latest
// version and the version assigned or pinned) and 1 to name subscriptions given by id. Read from the
// emulator's request log.
import { afterAll, beforeAll, expect, test } from "vitest";
import { startTestEmulator, type TestEmulator } from "../helpers/emulator.js";
import { runCli } from "../helpers/cli.js";
import { generatedTenant, subscriptionIdOf } from "./generated-tenant.js";

const NOW = new Date("2026-06-01T12:00:00Z");
let emu: TestEmulator;
beforeAll(async () => {
  emu = await startTestEmulator({ seed: generatedTenant(12, 5, NOW), now: NOW });
});
afterAll(() => emu?.close());

async function requestsFor(subscriptionCount: number) {
  const ids = Array.from({ length: subscriptionCount }, (_, index) => subscriptionIdOf(index + 1)).join(",");
  await emu.hooks.resetRequests();
  // The ARM engine's bound (auto would choose Resource Graph for 12 subscriptions).
  const run = await runCli(["audit", "--subscription", ids, "--engine", "arm", "--fail-on", "never", "-o", "json"], { emulatorDir: emu.stateDir, clock: { now: () => NOW } });
  expect(run.code).toBe(0);
  expect(JSON.parse(run.stdout).summary.clusters).toBe(subscriptionCount * 5);
  return emu.hooks.requests();
}

test("an audit of N subscriptions costs 3 requests per subscription plus a constant, whatever the clusters", async () => {
  const sets = 2; // baseline and restricted
  const members = 9;
  for (const count of [2, 12]) {
    const requests = await requestsFor(count);
    expect(requests.length).toBeLessThanOrEqual(3 * count + 2 * (sets + members) + 1);
    const perSubscription = requests.filter((entry) =>
      /^\/subscriptions\/[^/]+\/(providers\/Microsoft\.Authorization\/policy(Assignments|Exemptions)|providers\/Microsoft\.ContainerService\/managedClusters)$/i.test(entry.path),
    );
    expect(perSubscription).toHaveLength(3 * count);
  }
  const small = (await requestsFor(2)).length;
  const large = (await requestsFor(12)).length;
  expect(large - small).toBe(30);
});
