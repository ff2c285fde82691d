// Tenant operations at scale: requests and wall time of find, exempt list, exempt apply (first and
// second run) and find --cluster on generated tenants of 10, 50 and 200 subscriptions at 0, 50 and
// 200 ms latency per ARM request, beside their lower bound: ceil(requests / concurrency) x latency,
// the time the same requests need at best through the --concurrency bound. Each command runs as its
// own process against an in-process emulator; requests are counted in the emulator's request log.
// Needs the build: npm run build && node bench/tenant.mjs [sizes] [latencies]   (e.g. 10,50 0,50)
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);
const root = new URL("..", import.meta.url).pathname;
const bin = join(root, "dist/src/bin.js");
const sizes = (process.argv[2] ?? "10,50,200").split(",").map(Number);
const latencies = (process.argv[3] ?? "0,50,200").split(",").map(Number);
const CONCURRENCY = 8;

const { startEmulator } = await import(join(root, "dist/src/emulator/index.js"));
const { syntheticTenant } = await import(join(root, "dist/src/emulator/synthetic-tenant.js"));

console.log(`Tenants: S subscriptions, 2 AKS clusters each, 2 pod-security assignments and 2 exemptions per subscription;`);
console.log(`the exempt apply file has one entry per subscription (S entries). --concurrency ${CONCURRENCY}.`);
console.log("");
console.log("Lower bound: ceil(requests / concurrency) x latency. Load: the 1-minute load average when the command ended.");
console.log("");
console.log("| S | latency ms | operation | ARM requests | wall ms | lower bound ms | wall / bound | load |");
console.log("| --- | --- | --- | --- | --- | --- | --- | --- |");

let failed = false;
for (const size of sizes) {
  const tenant = syntheticTenant({ subscriptions: size, clustersPerSubscription: 2, assignments: size * 2, exemptions: size * 2 });
  for (const latency of latencies) {
    const home = mkdtempSync(join(tmpdir(), "akspol-bench-tenant-"));
    const emulator = await startEmulator({ port: 0, stateDir: join(home, "emulator"), seed: tenant.seed, quiet: true });
    const env = { PATH: process.env.PATH, HOME: home, AKSPOL_EMULATOR: emulator.stateDir, AKSPOL_STATE_DIR: join(home, "state"), NO_COLOR: "1", AKSPOL_CONCURRENCY: String(CONCURRENCY) };
    const file = join(home, "exemptions.yaml");
    const entries = tenant.subscriptionIds.map((_, index) => {
      const cluster = tenant.clusters[index * 2];
      const assignment = tenant.assignments[index];
      return `  - name: bench-${index}\n    cluster: ${cluster.name}\n    assignment: ${assignment.name}\n    policies: all\n    category: mitigated\n    expires: never\n    reason: bench\n`;
    });
    writeFileSync(file, `owner: bench\nexemptions:\n${entries.join("")}`);
    const operations = [
      ["find --all-subscriptions", ["find", "--all-subscriptions", "-o", "json"]],
      ["exempt list --all-subscriptions", ["exempt", "list", "--all-subscriptions", "-o", "json"]],
      ["exempt apply (first run)", ["exempt", "apply", "-f", file, "--yes", "-o", "json"]],
      ["exempt apply (second run, no change)", ["exempt", "apply", "-f", file, "--yes", "-o", "json"]],
      ["find --cluster NAME --all-subscriptions", ["find", "--cluster", tenant.clusters[1].name, "--all-subscriptions", "-o", "json"]],
    ];
    try {
      await emulator.hooks.setLatency(latency);
      for (const [name, argv] of operations) {
        await emulator.hooks.resetRequests();
        const started = performance.now();
        try {
          await run(process.execPath, [bin, ...argv], { env, maxBuffer: 256 * 1024 * 1024 });
        } catch (error) {
          failed = true;
          console.error(`FAILED (exit ${error.code}): akspol ${argv.join(" ")}\n${error.stderr}`);
        }
        const wall = performance.now() - started;
        const requests = (await emulator.hooks.requests()).length;
        const bound = Math.ceil(requests / CONCURRENCY) * latency;
        const ratio = bound > 0 ? (wall / bound).toFixed(2) : "-";
        console.log(`| ${size} | ${latency} | ${name} | ${requests} | ${wall.toFixed(0)} | ${bound} | ${ratio} | ${loadavg()[0].toFixed(2)} |`);
      }
    } finally {
      await emulator.close();
      rmSync(home, { recursive: true, force: true });
    }
  }
}
if (failed) process.exit(1);
