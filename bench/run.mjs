// npm run bench: every benchmark, one after the other, then bench/RESULTS.md with the machine, Node
// version, load average and date beside the figures. Fails (exit 1) when any benchmark or any
// command it measures fails. Needs the build (npm run build).
//   npm run bench                    # everything (tenants up to 200 subscriptions, check up to 100,000 workloads)
//   npm run bench -- --quick         # small sizes only, for a quick look
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import os from "node:os";

const quick = process.argv.includes("--quick");
const benches = [
  ["Start-up", "bench/startup.mjs", quick ? ["5"] : ["15"]],
  ["Tenant operations", "bench/tenant.mjs", quick ? ["10", "0,50"] : []],
  ["check throughput and memory", "bench/check.mjs", quick ? ["1000,10000"] : []],
  ["Requests per operation on the demo tenant", "bench/cli.mjs", quick ? ["3"] : []],
  ["ARM and Resource Graph engines at tenant scale", "bench/engines.mjs", quick ? ["10,100", "50"] : []],
];

const load = () => os.loadavg().map((value) => value.toFixed(2)).join(", ");
const started = new Date();
const loadBefore = load();
const sections = [];
let failed = false;
for (const [title, script, args] of benches) {
  console.log(`\n## ${title} (node ${script} ${args.join(" ")})\n`);
  let output;
  try {
    output = execFileSync(process.execPath, [script, ...args], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"], maxBuffer: 64 * 1024 * 1024 });
  } catch (error) {
    failed = true;
    output = `${error.stdout ?? ""}\n**FAILED** (exit ${error.status})\n`;
  }
  process.stdout.write(output);
  sections.push(`## ${title}\n\n\`node ${script}${args.length ? ` ${args.join(" ")}` : ""}\`, load average ${load()} when it ended.\n\n${output.trim()}\n`);
}

const cpus = os.cpus();
const header = [
  "# Benchmark results",
  "",
  "Written by `npm run bench` (bench/run.mjs); every figure below comes from the run described here.",
  "",
  `- date: ${started.toISOString()}`,
  `- machine: ${cpus[0]?.model ?? "unknown CPU"}, ${cpus.length} cores, ${(os.totalmem() / 1024 ** 3).toFixed(0)} GB, ${os.type()} ${os.release()}`,
  `- Node: ${process.version}`,
  `- load average (1, 5, 15 min) at start: ${loadBefore}; at end: ${load()}`,
  `- mode: ${quick ? "quick (small sizes)" : "full"}`,
  "",
].join("\n");
writeFileSync(new URL("RESULTS.md", import.meta.url), `${header}\n${sections.join("\n")}`);
console.log("\nbench/RESULTS.md written.");
if (failed) {
  console.error("A benchmark failed.");
  process.exit(1);
}
