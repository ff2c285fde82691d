// Measures what a user waits for and what Azure is asked: `akspol --help` start-up time, and for each
// main operation its wall time and the ARM requests it makes (counted in the emulator's request log).
// Needs the build: npm run build && node bench/cli.mjs [rounds]
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);
const root = new URL("..", import.meta.url).pathname;
const bin = join(root, "dist/src/bin.js");
const rounds = Number(process.argv[2] ?? 10);

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function time(argv, env) {
  const started = performance.now();
  let code = 0;
  try {
    await run(process.execPath, [bin, ...argv], { env, maxBuffer: 16 * 1024 * 1024 });
  } catch (error) {
    code = error.code ?? 1;
  }
  return { ms: performance.now() - started, code };
}

const { startEmulator } = await import(join(root, "dist/src/emulator/index.js"));
const home = mkdtempSync(join(tmpdir(), "akspol-bench-"));
const emulator = await startEmulator({ port: 0, stateDir: join(home, "emulator"), seed: "demo", quiet: true });
const env = { PATH: process.env.PATH, HOME: home, AKSPOL_EMULATOR: emulator.stateDir, AKSPOL_STATE_DIR: join(home, "state"), NO_COLOR: "1" };

try {
  const help = [];
  for (let i = 0; i < rounds; i += 1) help.push((await time(["--help"], env)).ms);
  const version = [];
  for (let i = 0; i < rounds; i += 1) version.push((await time(["--version"], env)).ms);

  const operations = [
    ["find --all-subscriptions", ["find", "--all-subscriptions", "-o", "json"]],
    ["find --cluster", ["find", "--cluster", "aks-prod-weu", "--subscription", "contoso-prod", "-o", "json"]],
    ["show (by name)", ["show", "pss-baseline", "--subscription", "contoso-prod", "-o", "json"]],
    ["exclude list", ["exclude", "list", "pss-restricted", "--subscription", "contoso-dev", "-o", "json"]],
    ["exclude add --dry-run", ["exclude", "add", "pss-baseline", "bench-ns", "--subscription", "contoso-prod", "--dry-run", "-o", "json"]],
    ["exclude add (write)", ["exclude", "add", "pss-baseline", "bench-ns", "--subscription", "contoso-prod", "--yes", "-o", "json"]],
    ["exclude remove (write)", ["exclude", "remove", "pss-baseline", "bench-ns", "--subscription", "contoso-prod", "--yes", "-o", "json"]],
    ["exempt list --all-subscriptions", ["exempt", "list", "--all-subscriptions", "--include-expired", "-o", "json"]],
    [
      "exempt create (write)",
      [
        "exempt",
        "create",
        "--cluster",
        "aks-prod-neu",
        "--subscription",
        "contoso-prod",
        "--resource-group",
        "rg-aks-prod",
        "--assignment",
        "pss-baseline",
        "--policies",
        "NoPrivilegedContainers",
        "--category",
        "waiver",
        "--expires",
        "+30d",
        "--reason",
        "bench",
        "--yes",
        "-o",
        "json",
      ],
    ],
    ["history", ["history", "-o", "json"]],
  ];
  const rows = [];
  for (const [name, argv] of operations) {
    await emulator.hooks.resetRequests();
    const result = await time(argv, env);
    const log = await emulator.hooks.requests();
    const reads = log.filter((entry) => entry.method === "GET").length;
    const graph = log.filter((entry) => /Microsoft\.ResourceGraph/i.test(entry.path)).length;
    // Other POSTs are reads too (Policy Insights queries for workload impact); writes are PUT, PATCH, DELETE.
    const posts = log.filter((entry) => entry.method === "POST").length - graph;
    const writes = log.filter((entry) => /^(PUT|PATCH|DELETE)$/.test(entry.method)).length;
    rows.push({ name, ms: Math.round(result.ms), exit: result.code, reads, graph, posts, writes });
  }
  const demo = await time(["demo"], { ...env, AKSPOL_EMULATOR: "" });

  console.log(`akspol --help: median ${median(help).toFixed(0)} ms over ${rounds} runs (min ${Math.min(...help).toFixed(0)} ms)`);
  console.log(`akspol --version: median ${median(version).toFixed(0)} ms over ${rounds} runs`);
  console.log(`akspol demo: ${demo.ms.toFixed(0)} ms, exit ${demo.code}`);
  console.log("");
  console.log("Default engine (auto): `--all-subscriptions` reads through Resource Graph. Other POSTs: Policy Insights queries (workload impact).");
  console.log("");
  console.log("| operation (demo seed, one process each) | wall ms | exit | ARM GETs | Resource Graph queries | other POSTs | writes (PUT, PATCH, DELETE) |");
  console.log("| --- | --- | --- | --- | --- | --- | --- |");
  for (const row of rows) console.log(`| ${row.name} | ${row.ms} | ${row.exit} | ${row.reads} | ${row.graph} | ${row.posts} | ${row.writes} |`);
  // A measured command that failed makes the figures meaningless: the bench fails.
  const failed = [...rows.filter((row) => row.exit !== 0).map((row) => row.name), ...(demo.code !== 0 ? ["demo"] : [])];
  if (failed.length > 0) {
    console.error(`bench failed: ${failed.join(", ")} exited non-zero`);
    process.exitCode = 1;
  }
} finally {
  await emulator.close();
  rmSync(home, { recursive: true, force: true });
}
