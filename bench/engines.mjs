// The two read engines at tenant scale (docs/issues/16.md): a command over 10, 100, 500 and 2,000 generated
// subscriptions (estateSeed: 3 clusters and 5 assignments each, management-group assignments,
// exemptions) through --engine arm and --engine resource-graph, at 50 ms and 200 ms emulator latency
// per request, with the emulator throttling Resource Graph as the service does (15 queries per 5 s per
// principal, its default).
// For each run: requests (ARM requests and Resource Graph queries, from the emulator's request log),
// 429s, wall time, peak memory of the akspol process, the lower bound requests / concurrency x latency,
// and for Resource Graph the quota floor (ceil(queries / 15) - 1) x 5 s: the windows the queries need
// at the least. Both engines must print the same report (apart from generatedAt), and each command must
// succeed: otherwise the bench fails (exit 1) after printing what it measured.
// Prints a Markdown table (bench/run.mjs puts it into bench/RESULTS.md).
// Needs the build: npm run build && node bench/engines.mjs [sizes] [latencies] [command...]
//   node bench/engines.mjs 10,100,500,2000 50,200 audit --all-subscriptions --fail-on never   (the default)
// BENCH_ENGINES=resource-graph runs one engine only (its rows then show "-" for the same-output check,
// which needs both): node bench/engines.mjs 2000 50,200 with BENCH_ENGINES=resource-graph reruns the
// Resource Graph target rows without the 2.5 minutes of the ARM engine at 200 ms.
import { spawn } from "node:child_process";
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const bin = join(root, "dist/src/bin.js");
const sizes = (process.argv[2] ?? "10,100,500,2000").split(",").map(Number);
const latencies = (process.argv[3] ?? "50,200").split(",").map(Number);
const command = process.argv.length > 4 ? process.argv.slice(4) : ["audit", "--all-subscriptions", "--fail-on", "never"];
const concurrency = 8;
const engines = (process.env.BENCH_ENGINES ?? "arm,resource-graph").split(",");
// Targets (README "Tenant scale: Resource Graph"): ARM within 1.5x of its lower bound from 500
// subscriptions on (below, the ~1 s a process needs to start outweighs the bound); Resource Graph under
// 10 s for 2,000 subscriptions at 200 ms.
const ARM_TARGET_RATIO = 1.5;
const ARM_TARGET_FROM = 500;
const GRAPH_TARGET_MS = 10_000;
const now = new Date();

const { startEmulator } = await import(join(root, "dist/src/emulator/index.js"));
const { estateSeed } = await import(join(root, "dist/src/emulator/estate-seed.js"));
const { DEFAULT_QUOTA } = await import(join(root, "dist/src/emulator/resource-graph/handler.js"));

async function measure(emulator, home, engine) {
  const rssFile = join(home, `rss-${engine}`);
  rmSync(rssFile, { force: true });
  const env = {
    PATH: process.env.PATH,
    HOME: home,
    AKSPOL_EMULATOR: emulator.stateDir,
    AKSPOL_STATE_DIR: join(home, "state"),
    NO_COLOR: "1",
    NODE_OPTIONS: `--require ${join(root, "bench/report-rss.cjs")}`,
    AKSPOL_BENCH_RSS_FILE: rssFile,
  };
  await emulator.hooks.resetRequests();
  const argv = [bin, ...command, "--engine", engine, "--concurrency", String(concurrency), "-o", "json"];
  // The report (150 MB at 2,000 subscriptions) goes to a file, as a script would write it, not into this
  // process, which also serves the emulator.
  const outputFile = join(home, `output-${engine}.json`);
  const fd = openSync(outputFile, "w");
  const started = performance.now();
  let stderr = "";
  const exit = await new Promise((resolve) => {
    const child = spawn(process.execPath, argv, { env, stdio: ["ignore", fd, "pipe"] });
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.on("error", (error) => {
      stderr += String(error);
      resolve(1);
    });
    child.on("close", (code) => resolve(code ?? 1));
  });
  const wallMs = performance.now() - started;
  closeSync(fd);
  if (exit !== 0) console.error(`FAILED (exit ${exit}): akspol ${argv.slice(1).join(" ")}\n${stderr.slice(0, 2000)}`);
  const requests = await emulator.hooks.requests();
  const graph = requests.filter((request) => /Microsoft\.ResourceGraph/i.test(request.path));
  return {
    wallMs,
    exit,
    load: loadavg()[0],
    requests: requests.length,
    graphQueries: graph.length,
    throttled: requests.filter((request) => request.status === 429).length,
    rssBytes: existsSync(rssFile) ? Number(readFileSync(rssFile, "utf8")) : NaN,
    outputFile,
  };
}

const rows = [];
for (const size of sizes) {
  const home = mkdtempSync(join(tmpdir(), "akspol-bench-engines-"));
  const emulator = await startEmulator({ port: 0, stateDir: join(home, "emulator"), seed: estateSeed({ subscriptions: size }, now).seed, now, quiet: true });
  try {
    for (const latency of latencies) {
      await emulator.hooks.setLatency(latency);
      const outputs = {};
      for (const engine of engines) {
        const result = await measure(emulator, home, engine);
        outputs[engine] = result.outputFile;
        const lowerBoundMs = (result.requests / concurrency) * latency;
        // The queries beyond the first window's quota wait for the next window, at the least.
        const quotaFloorMs = engine === "resource-graph" ? Math.max(0, Math.ceil(result.graphQueries / DEFAULT_QUOTA.queries) - 1) * DEFAULT_QUOTA.windowMs : 0;
        const row = { size, latency, engine, ...result, lowerBoundMs, quotaFloorMs, ratio: result.wallMs / lowerBoundMs };
        delete row.outputFile;
        rows.push(row);
        console.error(JSON.stringify(row));
      }
      // generatedAt is the run's own clock; everything else must match.
      const comparable = (file) => {
        try {
          return JSON.stringify({ ...JSON.parse(readFileSync(file, "utf8")), generatedAt: undefined });
        } catch {
          return undefined;
        }
      };
      if (engines.length === 2) {
        const arm = comparable(outputs.arm);
        const same = arm !== undefined && arm === comparable(outputs["resource-graph"]);
        rows[rows.length - 1].same = same;
        rows[rows.length - 2].same = same;
      }
    }
  } finally {
    await emulator.close();
    rmSync(home, { recursive: true, force: true });
  }
}

function target(row) {
  if (row.exit !== 0) return "command failed";
  if (row.engine === "arm") {
    if (row.size < ARM_TARGET_FROM) return "-";
    return row.ratio <= ARM_TARGET_RATIO ? `met (<= ${ARM_TARGET_RATIO})` : `MISSED (<= ${ARM_TARGET_RATIO})`;
  }
  if (row.size === 2000 && row.latency === 200) return row.wallMs < GRAPH_TARGET_MS ? "met (< 10 s)" : "MISSED (< 10 s)";
  return "-";
}

const seconds = (ms) => (ms / 1000).toFixed(1);
const table = [
  `Command: \`akspol ${command.join(" ")} --engine <engine> --concurrency ${concurrency} -o json\`, one process per run, against the`,
  `in-process emulator (estateSeed: 3 clusters and 5 assignments per subscription, 3 management-group assignments,`,
  `exemptions on a third of the clusters and a fifth of the resource groups) with the given latency added to every`,
  `request and Resource Graph throttled as the service does (${DEFAULT_QUOTA.queries} queries per ${DEFAULT_QUOTA.windowMs / 1000} s per principal; the emulator's default).`,
  `Requests: every ARM request and Resource Graph query the process sent (429s included). Lower bound = requests / ${concurrency} x latency.`,
  `Quota floor (Resource Graph): (ceil(queries / ${DEFAULT_QUOTA.queries}) - 1) x ${DEFAULT_QUOTA.windowMs / 1000} s. Load: the 1-minute load average when the run ended.`,
  `Targets: ARM wall / bound at most ${ARM_TARGET_RATIO} from ${ARM_TARGET_FROM} subscriptions; Resource Graph under 10 s at 2,000 subscriptions and 200 ms.`,
  "",
  "| subscriptions | latency | engine | requests (RG queries) | 429s | wall | lower bound | wall / bound | quota floor | peak RSS | same output | target | load |",
  "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
  ...rows.map(
    (row) =>
      `| ${row.size.toLocaleString("en-US")} | ${row.latency} ms | ${row.engine} | ${row.requests} (${row.graphQueries}) | ${row.throttled} | ${seconds(row.wallMs)} s | ${seconds(row.lowerBoundMs)} s | ${row.ratio.toFixed(2)} | ${row.engine === "resource-graph" ? `${seconds(row.quotaFloorMs)} s` : "-"} | ${Math.round(row.rssBytes / 2 ** 20)} MB | ${row.same === undefined ? "-" : row.same ? "yes" : "NO"} | ${target(row)} | ${row.load.toFixed(2)} |`,
  ),
].join("\n");
console.log(table);

const failed = rows.filter((row) => row.exit !== 0 || row.same === false);
if (failed.length > 0) {
  console.error(`bench failed: ${failed.map((row) => `${row.size}/${row.latency} ms/${row.engine}: ${row.exit !== 0 ? `exit ${row.exit}` : "outputs differ"}`).join("; ")}`);
  process.exitCode = 1;
}
