// Spawns test/helpers/emulator-child.ts with Node's type stripping and waits for its ready line.
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { EmulatorConnection } from "../../src/emulator/index.js";

export interface ChildEmulator {
  process: ChildProcess;
  endpoint: string;
  connection: EmulatorConnection;
  caCert: string;
}

export function spawnEmulator(stateDir: string, seed = "demo"): Promise<ChildEmulator> {
  const root = fileURLToPath(new URL("../../", import.meta.url));
  const child = spawn(process.execPath, ["--experimental-strip-types", "--no-warnings", "--import", "./test/helpers/register-ts.mjs", "test/helpers/emulator-child.ts", stateDir, seed], {
    cwd: root,
    stdio: ["ignore", "pipe", "pipe"],
  });
  return new Promise((resolve, reject) => {
    let stdout = "";
    let stderr = "";
    child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout!.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      const newline = stdout.indexOf("\n");
      if (newline === -1) return;
      const ready = JSON.parse(stdout.slice(0, newline)) as { endpoint: string; connectionFile: string };
      const connection = JSON.parse(readFileSync(ready.connectionFile, "utf8")) as EmulatorConnection;
      resolve({ process: child, endpoint: ready.endpoint, connection, caCert: readFileSync(connection.caCertPath, "utf8") });
    });
    child.on("exit", (code) => {
      reject(new Error(`emulator child exited (${code}): ${stderr}`));
    });
  });
}
