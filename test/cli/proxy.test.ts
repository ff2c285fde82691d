// A configured HTTPS proxy never intercepts the emulator (it is on loopback), and akspol writes no
// process-wide environment variable to achieve that: the pipeline is given a direct agent instead.
import { mkdtempSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO } from "../../src/emulator/demo-seed.js";
import { runCli } from "../helpers/cli.js";
import { startTestEmulator, type TestEmulator } from "../helpers/emulator.js";
import { runBinary } from "../exclude/binary.js";

describe("proxy settings and the emulator", () => {
  let emulator: TestEmulator;
  let proxy: Server;
  let proxyConnections = 0;
  let proxyUrl = "";

  beforeAll(async () => {
    emulator = await startTestEmulator({ seed: "demo" });
    // A "proxy" that counts who reaches it and answers nothing.
    proxy = createServer((socket) => {
      proxyConnections += 1;
      socket.destroy();
    });
    await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
    const address = proxy.address();
    if (address === null || typeof address === "string") throw new Error("the proxy has no port");
    proxyUrl = `http://127.0.0.1:${address.port}`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => proxy.close(() => resolve()));
    await emulator.close();
  });

  it("leaves process.env untouched when it connects to the emulator", async () => {
    const before = { NO_PROXY: process.env.NO_PROXY, no_proxy: process.env.no_proxy };
    const run = await runCli(["find", "--subscription", DEMO.subscriptions.prod.name], { emulatorDir: emulator.stateDir });
    expect(run.stderr).not.toMatch(/error|proxy/i);
    expect(run.code).toBe(0);
    expect({ NO_PROXY: process.env.NO_PROXY, no_proxy: process.env.no_proxy }).toEqual(before);
  });

  it("reaches the emulator directly when HTTPS_PROXY is set, without going through the proxy", async () => {
    const stateDir = mkdtempSync(join(tmpdir(), "akspol-proxy-state-"));
    const run = await runBinary(["find", "--subscription", DEMO.subscriptions.prod.name], {
      emulatorDir: emulator.stateDir,
      stateDir,
      extra: { HTTPS_PROXY: proxyUrl, HTTP_PROXY: proxyUrl },
    });
    expect(run.stderr).not.toMatch(/error|proxy/i);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(DEMO.assignments.baseline.name);
    expect(proxyConnections).toBe(0);
  });
});
