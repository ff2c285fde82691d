import type { Context } from "../src/context.js";
import { UsageError } from "../src/cli/errors.js";
import { booleanOption, defineCommand, stringOption } from "../src/cli/command.js";
import { releaseStartupSignals } from "../src/cli/signals.js";

export interface EmulatorCommandOptions {
  port: number;
  host: string;
  stateDir?: string;
  seed: string;
  latencyMs: number;
  openHooks: boolean;
  /** --cloud: serve that cloud's api-versions and built-ins (AzureCloud or AzureUSGovernment). */
  cloud?: "AzureCloud" | "AzureUSGovernment";
}

function integerOption(raw: string | undefined, flag: string, fallback: number, max: number): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0 || value > max) throw new UsageError(`${flag} must be a whole number from 0 to ${max}, not '${raw}'.`);
  return value;
}

/** The slice of the context the command uses (main passes the whole context; a test may build just this). */
export type EmulatorDeps = Pick<Context, "io">;

export default defineCommand<EmulatorCommandOptions, EmulatorDeps>({
  path: ["emulator"],
  summary: "Run a local Azure Resource Manager emulator (policy, exemptions, AKS clusters) over HTTPS",
  description:
    "Starts an HTTPS server that behaves like Azure Resource Manager and Entra ID for everything akspol touches, so akspol or any Azure SDK client can run without a tenant. Prints one JSON line with the endpoint and the connection file (which holds the CA path and the principals' secrets), status to stderr, and runs until Ctrl+C or SIGTERM. State persists in the state dir. See the README section The ARM emulator.",
  options: [
    { flags: "--port <n>", description: "port to listen on (0 picks a free one)", default: "0" },
    { flags: "--host <address>", description: "address to listen on", default: "127.0.0.1" },
    { flags: "--state-dir <dir>", description: "where state, certificates and connection.json live (default: $XDG_STATE_HOME/akspol/emulator)" },
    { flags: "--seed <demo|empty|file.json>", description: "state to start from when the state dir is empty", default: "demo" },
    { flags: "--latency-ms <n>", description: "delay added to every ARM response", default: "0" },
    { flags: "--open-hooks", description: "serve the /_emulator/ test hooks without the hook token from connection.json (any local process can then read secrets and grant roles)" },
  ],
  outputs: ["json"],
  examples: [
    "akspol emulator",
    "akspol emulator --port 8443 --seed empty",
    "akspol emulator --state-dir ./.emulator --seed seed.json",
    "akspol emulator --cloud AzureUSGovernment   # Government's api-versions and built-ins",
  ],
  parse(input) {
    const cloud = stringOption(input, "cloud");
    if (cloud !== undefined && !["azurecloud", "azureusgovernment"].includes(cloud.toLowerCase())) {
      throw new UsageError(`The emulator has no '${cloud}' profile.`, { suggestion: "Use --cloud AzureCloud or --cloud AzureUSGovernment." });
    }
    return {
      cloud: cloud === undefined ? undefined : cloud.toLowerCase() === "azureusgovernment" ? "AzureUSGovernment" : "AzureCloud",
      port: integerOption(stringOption(input, "port"), "--port", 0, 65535),
      host: stringOption(input, "host") ?? "127.0.0.1",
      stateDir: stringOption(input, "stateDir"),
      seed: stringOption(input, "seed") ?? "demo",
      latencyMs: integerOption(stringOption(input, "latencyMs"), "--latency-ms", 0, 600_000),
      openHooks: booleanOption(input, "openHooks"),
    };
  },
  handlesSignals: true,
  async run(options, ctx) {
    // Our own handlers go in before the startup hold is released, so no SIGINT/SIGTERM is ever
    // left to Node's default (death by the signal, state not saved) while the emulator starts.
    const stopped = new Promise<void>((resolve) => {
      const stop = (): void => {
        process.off("SIGINT", stop);
        process.off("SIGTERM", stop);
        resolve();
      };
      process.on("SIGINT", stop);
      process.on("SIGTERM", stop);
      if (releaseStartupSignals()) stop();
    });
    const { startEmulator } = await import("../src/emulator/index.js");
    const emulator = await startEmulator({
      port: options.port,
      host: options.host,
      stateDir: options.stateDir,
      seed: options.seed,
      latencyMs: options.latencyMs,
      cloud: options.cloud,
      openHooks: options.openHooks,
    });
    ctx.io.out(JSON.stringify({ endpoint: emulator.endpoint, connectionFile: emulator.connectionFile }));
    ctx.io.info(`ARM emulator listening on ${emulator.endpoint} (state in ${emulator.stateDir}). Press Ctrl+C to stop.`);
    await stopped;
    await emulator.close();
    ctx.io.info("ARM emulator stopped; state saved.");
    return 0;
  },
});
