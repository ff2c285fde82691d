// State survives restarts, a torn log tail, and kill -9 during a burst of writes.
import { appendFileSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { PolicyClient } from "@azure/arm-policy";
import { ClientSecretCredential } from "@azure/identity";
import { startEmulator } from "../../src/emulator/index.js";
import { DEMO } from "../../src/emulator/demo-seed.js";
import { startTestEmulator } from "../helpers/emulator.js";
import { armRequest } from "../helpers/arm-request.js";
import { spawnEmulator } from "../helpers/child-emulator.js";

const prod = DEMO.subscriptions.prod.id;
const API = "api-version=2025-03-01";

describe("durable state", () => {
  const dirs: string[] = [];
  const freshDir = () => {
    const dir = mkdtempSync(join(tmpdir(), "akspol-emulator-state-"));
    dirs.push(dir);
    return dir;
  };
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it("keeps writes, principals, the CA and the clock across a restart; the seed is applied once", async () => {
    const stateDir = freshDir();
    const first = await startTestEmulator({ stateDir, seed: "demo", now: new Date("2030-01-01T00:00:00Z") });
    const client = new PolicyClient(first.credentialFor("admin"), prod, first.clientOptions);
    await client.policyAssignments.create(`/subscriptions/${prod}`, "survivor", { policyDefinitionId: DEMO.policySetDefinitions.baseline });
    await client.policyAssignments.delete(DEMO.assignments.baseline.scope, "pss-baseline");
    await first.hooks.advanceClock(60_000);
    await first.close();
    expect(statSync(join(stateDir, "connection.json")).mode & 0o777).toBe(0o600);

    const second = await startTestEmulator({ stateDir, seed: "demo" });
    try {
      expect(second.connection.principals).toEqual(first.connection.principals);
      expect(second.caCert).toBe(first.caCert);
      expect(await second.hooks.getResource(`/subscriptions/${prod}/providers/Microsoft.Authorization/policyAssignments/survivor`)).toBeDefined();
      expect(await second.hooks.getResource(DEMO.assignments.baseline.id)).toBeUndefined(); // not re-seeded
      const clock = await second.hooks.getClock();
      expect(clock.getTime()).toBeGreaterThanOrEqual(Date.parse("2030-01-01T00:01:00Z"));
      expect(clock.getTime()).toBeLessThan(Date.parse("2030-01-01T00:05:00Z"));
    } finally {
      await second.close();
    }
  });

  it("loads a state whose log ends in a torn line", async () => {
    const stateDir = freshDir();
    const emulator = await startEmulator({ stateDir, seed: "demo", quiet: true });
    await emulator.hooks.seed({ resourceGroups: [{ subscriptionId: prod, name: "rg-late" }] });
    // Simulate a crash mid-append: copy the acknowledged line out of the log, then add a torn one.
    const log = readFileSync(join(stateDir, "state.log"), "utf8");
    await emulator.close();
    appendFileSync(join(stateDir, "state.log"), log + '{"seq":999,"ops":[{"k":"/subscriptions/x","v":{"type":');
    const again = await startEmulator({ stateDir, quiet: true });
    try {
      expect(await again.hooks.getResource(`/subscriptions/${prod}/resourceGroups/rg-late`)).toBeDefined();
    } finally {
      await again.close();
    }
  });

  it("kill -9 during a burst of writes leaves a state that loads with every acknowledged write", async () => {
    const stateDir = freshDir();
    const child = await spawnEmulator(stateDir, "demo");
    const admin = child.connection.principals.find((principal) => principal.name === "admin")!;
    const credential = new ClientSecretCredential(child.connection.tenantId, admin.clientId, admin.clientSecret, {
      authorityHost: child.connection.authorityHost,
      disableInstanceDiscovery: true,
      tlsOptions: { ca: child.caCert },
    });
    const token = (await credential.getToken(`${child.endpoint}/.default`))!.token;
    const acknowledged: string[] = [];
    let killed = false;
    const writer = async (worker: number) => {
      for (let index = 0; !killed; index++) {
        const name = `burst-${worker}-${index}`;
        try {
          const response = await armRequest(child.endpoint, child.caCert, "PUT", `/subscriptions/${prod}/providers/Microsoft.Authorization/policyAssignments/${name}?${API}`, {
            token,
            body: { properties: { policyDefinitionId: DEMO.policySetDefinitions.restricted, parameters: { effect: { value: "Audit" } } } },
          });
          if (response.status === 201) acknowledged.push(name);
        } catch {
          return; // the connection died with the process
        }
      }
    };
    const workers = Array.from({ length: 16 }, (_, worker) => writer(worker));
    while (acknowledged.length < 150) await new Promise((resolve) => setTimeout(resolve, 5));
    child.process.kill("SIGKILL");
    killed = true;
    await Promise.all(workers);
    if (child.process.exitCode === null && child.process.signalCode === null) await new Promise((resolve) => child.process.once("exit", resolve));

    const reloaded = await startEmulator({ stateDir, quiet: true });
    try {
      const stored = new Set((await reloaded.hooks.listResources("Microsoft.Authorization/policyAssignments")).map((item) => item.name));
      const missing = acknowledged.filter((name) => !stored.has(name));
      expect(missing).toEqual([]);
      expect(acknowledged.length).toBeGreaterThanOrEqual(150);
    } finally {
      await reloaded.close();
    }
  });
});
