// The emulator keeps its secrets: /_emulator/ hooks need the hook token from connection.json (unless
// started with open hooks), and every file under the state dir that is not a public certificate is
// 0600 in a 0700 directory, also when the directory existed before with wider modes.
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PolicyClient } from "@azure/arm-policy";
import { afterEach, describe, expect, it } from "vitest";
import { EmulatorHooksClient } from "../../src/emulator/hooks-client.js";
import { armRequest } from "../helpers/arm-request.js";
import { startTestEmulator, type TestEmulator } from "../helpers/emulator.js";

const prod = "11111111-1111-4111-8111-111111111111";
const running: TestEmulator[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const emulator of running.splice(0)) await emulator.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function start(options: Parameters<typeof startTestEmulator>[0] = {}): Promise<TestEmulator> {
  const emulator = await startTestEmulator(options);
  running.push(emulator);
  return emulator;
}

describe("emulator hook token", () => {
  it("refuses every hook without the token or with a wrong one (401), answers with the token from connection.json", async () => {
    const emu = await start();
    const connection = JSON.parse(readFileSync(emu.connectionFile, "utf8")) as { hookToken: string; principals: Array<{ clientSecret: string }> };
    expect(connection.hookToken).toMatch(/^[A-Za-z0-9_-]{40,}$/);
    const hooks = [
      ["GET", "/_emulator/requests"],
      ["POST", "/_emulator/tokens"],
      ["POST", "/_emulator/role-assignments"],
      ["GET", `/_emulator/resources?type=${encodeURIComponent("Microsoft.Authorization/policyAssignments")}`],
      ["PUT", "/_emulator/clock"],
    ] as const;
    for (const [method, path] of hooks) {
      const missing = await armRequest(emu.endpoint, emu.caCert, method, path, { body: { principal: "admin" } });
      expect(missing.status, `${method} ${path}`).toBe(401);
      expect(missing.body.error.code).toBe("HookTokenRequired");
      expect(JSON.stringify(missing.body)).not.toContain(connection.principals[0]!.clientSecret);
      const wrong = await armRequest(emu.endpoint, emu.caCert, method, path, { body: { principal: "admin" }, headers: { "x-emulator-hook-token": `${connection.hookToken.slice(0, -1)}x` } });
      expect(wrong.status, `${method} ${path}`).toBe(401);
    }
    const allowed = await armRequest(emu.endpoint, emu.caCert, "GET", "/_emulator/requests", { headers: { "x-emulator-hook-token": connection.hookToken } });
    expect(allowed.status).toBe(200);
    // The client built from connection.json passes it; one without the token is refused.
    expect(await new EmulatorHooksClient(emu.endpoint, emu.caCert, connection.hookToken).getClock()).toBeInstanceOf(Date);
    await expect(new EmulatorHooksClient(emu.endpoint, emu.caCert).getClock()).rejects.toThrow(/401/);
  });

  it("serves hooks without a token only when started with open hooks", async () => {
    const { startEmulator } = await import("../../src/emulator/index.js");
    const stateDir = mkdtempSync(join(tmpdir(), "akspol-open-hooks-"));
    dirs.push(stateDir);
    const emulator = await startEmulator({ port: 0, stateDir, seed: "demo", quiet: true, openHooks: true });
    try {
      expect((await armRequest(emulator.endpoint, emulator.caCert, "GET", "/_emulator/requests")).status).toBe(200);
    } finally {
      await emulator.close();
    }
  });
});

/** Mode of every file under `dir` (recursively), keyed by its path relative to `dir`; directories end in "/". */
function modes(dir: string, prefix = ""): Record<string, number> {
  const result: Record<string, number> = {};
  for (const entry of readdirSync(join(dir, prefix), { withFileTypes: true })) {
    const name = join(prefix, entry.name);
    if (entry.isDirectory()) {
      result[`${name}/`] = statSync(join(dir, name)).mode & 0o777;
      Object.assign(result, modes(dir, name));
    } else result[name] = statSync(join(dir, name)).mode & 0o777;
  }
  return result;
}
const publicCertificates = ["tls/ca.pem", "tls/server.pem"];

describe("emulator state dir modes", () => {
  it("makes an existing world-readable state dir private: every secret-holding file 0600, the dir 0700, only the certificates public", async () => {
    const stateDir = mkdtempSync(join(tmpdir(), "akspol-modes-"));
    dirs.push(stateDir);
    // First run, then widen everything the way an older emulator (or a umask of 0022 and cp -r) left it.
    const first = await start({ stateDir });
    await new PolicyClient(first.credentialFor("admin"), prod, first.clientOptions).policyAssignments.create(`/subscriptions/${prod}`, "modes", {
      policyDefinitionId: "/providers/Microsoft.Authorization/policySetDefinitions/a8640138-9b0a-4a28-b8cb-1666c838647d",
    });
    await first.close();
    running.splice(0);
    chmodSync(stateDir, 0o755);
    for (const name of Object.keys(modes(stateDir))) chmodSync(join(stateDir, name), name.endsWith("/") ? 0o755 : 0o644);
    const secrets = first.connection.principals.map((principal) => principal.clientSecret);

    const second = await start({ stateDir });
    await new PolicyClient(second.credentialFor("admin"), prod, second.clientOptions).policyAssignments.delete(`/subscriptions/${prod}`, "modes");
    const check = (): void => {
      expect(statSync(stateDir).mode & 0o777).toBe(0o700);
      const found = modes(stateDir);
      expect(Object.keys(found)).toEqual(
        expect.arrayContaining(["connection.json", "snapshot.json", "state.log", "tls/", ...publicCertificates, "tls/ca-key.pem", "tls/server-key.pem", "token-signing-key.pem"]),
      );
      for (const [name, mode] of Object.entries(found)) {
        if (name.endsWith("/")) {
          expect(mode, name).toBe(0o700);
          continue;
        }
        const text = readFileSync(join(stateDir, name), "utf8");
        const holdsSecret = secrets.some((secret) => text.includes(secret)) || /PRIVATE KEY/.test(text) || text.includes(second.connection.hookToken);
        if (publicCertificates.includes(name)) expect(holdsSecret, name).toBe(false);
        else expect(mode, name).toBe(0o600);
      }
    };
    check();
    expect(readFileSync(join(stateDir, "snapshot.json"), "utf8")).toContain(secrets[0]);
    await second.close();
    running.splice(0);
    check(); // the compaction at stop rewrote snapshot.json and state.log
  });

  it("creates a fresh state dir private", async () => {
    const parent = mkdtempSync(join(tmpdir(), "akspol-modes-fresh-"));
    dirs.push(parent);
    const stateDir = join(parent, "state");
    mkdirSync(parent, { recursive: true });
    writeFileSync(join(parent, "unrelated"), "x");
    const emu = await start({ stateDir });
    expect(statSync(stateDir).mode & 0o777).toBe(0o700);
    for (const [name, mode] of Object.entries(modes(stateDir))) if (!publicCertificates.includes(name)) expect(mode, name).toBe(name.endsWith("/") ? 0o700 : 0o600);
    await emu.close();
  });
});
