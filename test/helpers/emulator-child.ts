// Runs the emulator in its own process for tests that must kill it (kill -9) or restart it.
// Usage: node --experimental-strip-types --import ./test/helpers/register-ts.mjs test/helpers/emulator-child.ts <stateDir> [seed]
import { startEmulator } from "../../src/emulator/index.js";

const [stateDir, seed = "demo"] = process.argv.slice(2);
const emulator = await startEmulator({ stateDir, seed, port: 0, quiet: true });
process.stdout.write(JSON.stringify({ endpoint: emulator.endpoint, connectionFile: emulator.connectionFile }) + "\n");
const stop = (): void => {
  void emulator.close().then(() => process.exit(0));
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
