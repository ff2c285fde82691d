// Lost updates across separate state directories (two CI runners, two people): concurrent
// `akspol exclude add` runs on one assignment, each with its own state dir (so the per-machine lock
// cannot serialize them), against the emulator with ARM-like latency. A lost update is a run that
// exited 0 ("Applied and verified") whose namespace is missing once every run has finished.
// Measures "before" (AKSPOL_VERIFY_SETTLE_MS=0: one read-back right after the write, as akspol did
// before docs/issues/10.md) and "after" (the default second read after 1000 ms, re-applying a removed change).
//   npm run build && node bench/lost-updates.mjs [rounds=10] [writers=6] [latencyMs=50]
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../", import.meta.url));
const binary = join(root, "dist/src/bin.js");
const { startEmulator, DEMO } = await import(join(root, "dist/src/emulator/index.js"));
const [rounds = 10, writers = 6, latencyMs = 50] = process.argv.slice(2).map(Number);

function run(argv, env) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [binary, ...argv], { env: { PATH: process.env.PATH, HOME: env.AKSPOL_STATE_DIR, NO_COLOR: "1", ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.on("close", (code) => resolve({ code, stderr }));
  });
}

async function measure(label, settleMs) {
  const stateRoot = mkdtempSync(join(tmpdir(), "akspol-lost-"));
  const emulator = await startEmulator({ port: 0, stateDir: join(stateRoot, "emulator"), seed: "demo", quiet: true, latencyMs });
  const assignment = DEMO.assignments.baseline.id;
  let reported = 0;
  let lost = 0;
  let conflicts = 0;
  try {
    for (let round = 0; round < rounds; round += 1) {
      const names = Array.from({ length: writers }, (_, index) => `r${round}-w${index}`);
      const results = await Promise.all(
        names.map((name) =>
          run(["exclude", "add", assignment, name, "--yes"], {
            AKSPOL_EMULATOR: emulator.stateDir,
            AKSPOL_STATE_DIR: mkdtempSync(join(stateRoot, "state-")),
            AKSPOL_VERIFY_SETTLE_MS: String(settleMs),
          }),
        ),
      );
      const stored = await emulator.hooks.getResource(assignment);
      const present = new Set(stored.body?.properties?.parameters?.excludedNamespaces?.value ?? stored.properties?.parameters?.excludedNamespaces?.value ?? []);
      results.forEach((result, index) => {
        if (result.code === 0 && /Applied and verified/.test(result.stderr)) {
          reported += 1;
          if (!present.has(names[index])) lost += 1;
        } else if (result.code === 5) conflicts += 1;
      });
    }
  } finally {
    await emulator.close();
    rmSync(stateRoot, { recursive: true, force: true });
  }
  const rate = reported === 0 ? 0 : (100 * lost) / reported;
  console.log(`${label.padEnd(34)} runs ${rounds * writers}, reported applied ${reported}, lost ${lost} (${rate.toFixed(1)}%), exit 5 ${conflicts}`);
  return { label, runs: rounds * writers, reported, lost, rate, conflicts };
}

console.log(`${rounds} rounds of ${writers} concurrent 'exclude add' runs, separate state dirs, emulator latency ${latencyMs} ms`);
await measure("before (AKSPOL_VERIFY_SETTLE_MS=0)", 0);
await measure("after (default settle 1000 ms)", 1000);
