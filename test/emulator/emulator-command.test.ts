// `akspol emulator`: parsing, and a run that prints the ready line, answers, and stops on SIGTERM.
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import command from "../../commands/emulator.js";
import { createTestIO } from "../../src/cli/io.js";
import { EmulatorHooksClient } from "../../src/emulator/hooks-client.js";
import type { Context } from "../../src/context.js";

const parse = (options: Record<string, unknown>) => command.parse({ args: {}, options }, {} as never);

describe("akspol emulator", () => {
  it("parses its flags with loopback, a free port and the demo seed by default", () => {
    expect(parse({})).toEqual({ port: 0, host: "127.0.0.1", stateDir: undefined, seed: "demo", latencyMs: 0, openHooks: false });
    expect(parse({ openHooks: true })).toMatchObject({ openHooks: true });
    expect(parse({ port: "8443", stateDir: "/tmp/x", seed: "empty", latencyMs: "25" })).toMatchObject({ port: 8443, stateDir: "/tmp/x", seed: "empty", latencyMs: 25 });
  });
  it("refuses a port that is not a whole number in range", () => {
    expect(() => parse({ port: "70000" })).toThrow(/--port/);
    expect(() => parse({ latencyMs: "-1" })).toThrow(/--latency-ms/);
  });
  it("prints one JSON line, writes connection.json 0600, and stops cleanly on SIGTERM", async () => {
    const stateDir = mkdtempSync(join(tmpdir(), "akspol-emulator-command-"));
    const io = createTestIO();
    try {
      const running = command.run({ port: 0, host: "127.0.0.1", stateDir, seed: "demo", latencyMs: 0, openHooks: false }, { io: io.io } as unknown as Context);
      while (!io.stdout().includes("\n")) await new Promise((resolve) => setTimeout(resolve, 10));
      const ready = JSON.parse(io.stdout().trim());
      expect(ready).toEqual({ endpoint: expect.stringMatching(/^https:\/\/127\.0\.0\.1:\d+$/), connectionFile: join(stateDir, "connection.json") });
      expect(statSync(ready.connectionFile).mode & 0o777).toBe(0o600);
      const connection = JSON.parse(readFileSync(ready.connectionFile, "utf8"));
      expect(connection.principals.map((principal: { name: string }) => principal.name)).toEqual(["admin", "reader", "policy-contributor"]);
      expect(io.stdout()).not.toContain(connection.principals[0].clientSecret);
      const hooks = new EmulatorHooksClient(ready.endpoint, readFileSync(connection.caCertPath, "utf8"), connection.hookToken);
      expect(await hooks.getResource("/subscriptions/11111111-1111-4111-8111-111111111111")).toBeDefined();
      process.emit("SIGTERM");
      expect(await running).toBe(0);
      expect(io.stderr()).toContain("stopped");
    } finally {
      rmSync(stateDir, { recursive: true, force: true });
    }
  });
});
