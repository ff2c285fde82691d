// Starts the ARM emulator for a test: fresh temp state dir (removed on close), a free loopback port,
// and SDK-ready credentials and client options that trust the emulator's CA through the pipeline.
//   const emu = await startTestEmulator({ seed: "demo" });
//   afterAll(() => emu.close());
//   const client = new PolicyClient(emu.credentialFor("admin"), DEMO.subscriptions.prod.id, emu.clientOptions);
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TokenCredential } from "@azure/core-auth";
import { ClientSecretCredential } from "@azure/identity";
import { startEmulator, type EmulatorOptions, type RunningEmulator } from "../../src/emulator/index.js";

export interface TestEmulator extends RunningEmulator {
  /** A ClientSecretCredential for a seeded principal (default "admin") against the emulator's token endpoint. */
  credentialFor(principal?: string): TokenCredential;
  /** Options for any Azure SDK client: the emulator endpoint, its CA, quick retries. */
  clientOptions: { endpoint: string; tlsOptions: { ca: string }; retryOptions: { retryDelayInMs: number; maxRetryDelayInMs: number } };
}

export async function startTestEmulator(opts: { seed?: EmulatorOptions["seed"]; now?: Date; latencyMs?: number; stateDir?: string; cloud?: EmulatorOptions["cloud"] } = {}): Promise<TestEmulator> {
  const ownsStateDir = opts.stateDir === undefined;
  const stateDir = opts.stateDir ?? mkdtempSync(join(tmpdir(), "akspol-emulator-"));
  const emulator = await startEmulator({ port: 0, stateDir, seed: opts.seed ?? "demo", now: opts.now, latencyMs: opts.latencyMs, quiet: true, cloud: opts.cloud });
  const credentials = new Map<string, TokenCredential>();
  return {
    ...emulator,
    credentialFor(principal = "admin") {
      let credential = credentials.get(principal);
      if (credential === undefined) {
        const found = emulator.connection.principals.find((candidate) => candidate.name === principal);
        if (found === undefined) throw new Error(`No emulator principal '${principal}'`);
        credential = new ClientSecretCredential(emulator.connection.tenantId, found.clientId, found.clientSecret, {
          authorityHost: emulator.connection.authorityHost,
          disableInstanceDiscovery: true,
          tlsOptions: { ca: emulator.caCert },
        });
        credentials.set(principal, credential);
      }
      return credential;
    },
    clientOptions: { endpoint: emulator.endpoint, tlsOptions: { ca: emulator.caCert }, retryOptions: { retryDelayInMs: 20, maxRetryDelayInMs: 200 } },
    async close() {
      await emulator.close();
      if (ownsStateDir) rmSync(stateDir, { recursive: true, force: true });
    },
  };
}
