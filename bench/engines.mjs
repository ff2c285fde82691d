// The two read engines at tenant scale: a command over 10, 100, 500 and 2,000 generated subscriptions
// (3 clusters and 5 assignments each, management-group assignments, exemptions; estateSeed) through
// --engine arm and --engine resource-graph, at 50 ms and 200 ms emulator latency per request, with the
// emulator throttling Resource Graph as the service does (15 queries per 5 s per principal).
// For each run: requests (ARM GETs and Resource Graph queries, from the emulator's request log), 429s,
// wall time, peak memory of the akspol process, and the lower bound requests / concurrency x latency.
// Writes the table into bench/RESULTS.md between the engines markers.
// Needs the build: npm run build && node bench/engines.mjs [sizes] [latencies] [command...]
//   node bench/engines.mjs 10,100,500,2000 50,200 audit --all-subscriptions --fail-on never   (the default)
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, release, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);
const root = new URL("..", import.meta.url).pathname;
const bin = join(root, "dist/src/bin.js");
const sizes = (process.argv[2] ?? "10,100,500,2000").split(",").map(Number);
const latencies = (process.argv[3] ?? "50,200").split(",").map(Number);
const command = process.argv.length > 4 ? process.argv.slice(4) : ["audit", "--all-subscriptions", "--fail-on", "never"];
const concurrency = 8;
const now = new Date();

const { startEmulator } = await import(join(root, "dist/src/emulator/index.js"));
const { estateSeed } = await import(join(root, "dist/src/emulator/estate-seed.js"));

async function measure(emulator, home, engine) {
  const rssFile = join(home, `rss-${engine}`);
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
  const started = performance.now();
  const result = await run(process.execPath, [bin, ...command, "--engine", engine, "--concurrency", String(concurrency), "-o", "json"], { env, maxBuffer: 256 * 1024 * 1024 });
  const wallMs = performance.now() - started;
  const requests = await emulator.hooks.requests();
  const graph = requests.filter((request) => /Microsoft\.ResourceGraph/i.test(request.path));
  return {
    wallMs,
    requests: requests.length,
    graphQueries: graph.length,
    throttled: requests.filter((request) => request.status === 429).length,
    rssBytes: existsSync(rssFile) ? Number(readFileSync(rssFile, "utf8")) : NaN,
    output: result.stdout,
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
      for (const engine of ["arm", "resource-graph"]) {
        const result = await measure(emulator, home, engine);
        outputs[engine] = result.output;
        const lowerBoundMs = (result.requests / concurrency) * latency;
        const row = { size, latency, engine, ...result, lowerBoundMs, ratio: result.wallMs / lowerBoundMs };
        delete row.output;
        rows.push(row);
        console.error(JSON.stringify(row));
      }
      // generatedAt is the run's own clock; everything else must match.
      const comparable = (text) => JSON.stringify({ ...JSON.parse(text), generatedAt: undefined });
      const same = comparable(outputs.arm) === comparable(outputs["resource-graph"]);
      rows[rows.length - 1].same = same;
      rows[rows.length - 2].same = same;
    }
  } finally {
    await emulator.close();
    rmSync(home, { recursive: true, force: true });
  }
}

const seconds = (ms) => (ms / 1000).toFixed(1);
const table = [
  `Command: \`akspol ${command.join(" ")} --engine <engine> --concurrency ${concurrency} -o json\`, one process per run, against the`,
  `in-process emulator (estateSeed: 3 clusters, 5 assignments per subscription, 3 management-group assignments,`,
  `exemptions on a third of the clusters and a fifth of the resource groups) with the given latency added to every`,
  `request and Resource Graph throttled at 15 queries per 5 s per principal. Lower bound = requests / ${concurrency} x latency.`,
  `Measured ${now.toISOString().slice(0, 10)} on ${cpus()[0]?.model ?? "?"}, ${cpus().length} vCPU, ${Math.round(totalmem() / 2 ** 30)} GB, Node ${process.versions.node}, Linux ${release()}.`,
  "",
  "| subscriptions | latency | engine | requests (RG queries) | 429s | wall | lower bound | wall / bound | peak RSS | same output |",
  "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
  ...rows.map(
    (row) =>
      `| ${row.size.toLocaleString("en-US")} | ${row.latency} ms | ${row.engine} | ${row.requests} (${row.graphQueries}) | ${row.throttled} | ${seconds(row.wallMs)} s | ${seconds(row.lowerBoundMs)} s | ${row.ratio.toFixed(2)} | ${Math.round(row.rssBytes / 2 ** 20)} MB | ${row.same ? "yes" : "NO"} |`,
  ),
].join("\n");

const resultsFile = join(root, "bench/RESULTS.md");
const start = "<!-- engines:start -->";
const end = "<!-- engines:end -->";
const block = `${start}\n${table}\n${end}`;
let text = existsSync(resultsFile) ? readFileSync(resultsFile, "utf8") : "# Benchmark results\n";
if (text.includes(start) && text.includes(end)) text = text.slice(0, text.indexOf(start)) + block + text.slice(text.indexOf(end) + end.length);
else text = `${text.trimEnd()}\n\n## ARM and Resource Graph engines at tenant scale (\`bench/engines.mjs\`)\n\n${block}\n`;
writeFileSync(resultsFile, text);
console.log(table);
console.error("written to bench/RESULTS.md");
