// npm run bench: every benchmark, one after the other, then bench/RESULTS.md with the machine, Node
// version, load average and date beside the figures (each section also records its own start, end and
// load average, and each table row the load average when it was measured). Fails (exit 1) when any
// benchmark or any command it measures fails. Needs the build (npm run build).
//   npm run bench                        # everything (tenants up to 200 subscriptions, check up to 100,000
//                                        # workloads, engines up to 2,000 subscriptions)
//   npm run bench -- --quick             # small sizes only, for a quick look
//   npm run bench -- --only engines,startup   # run these sections again; the others stay as they are
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";

const quick = process.argv.includes("--quick");
const onlyIndex = process.argv.indexOf("--only");
const only = onlyIndex === -1 ? undefined : new Set((process.argv[onlyIndex + 1] ?? "").split(",").filter(Boolean));
const benches = [
  ["startup", "Start-up", "bench/startup.mjs", quick ? ["5"] : ["15"]],
  ["tenant", "Tenant operations", "bench/tenant.mjs", quick ? ["10", "0,50"] : []],
  ["check", "check throughput and memory", "bench/check.mjs", quick ? ["1000,10000"] : []],
  ["cli", "Requests per operation on the demo tenant", "bench/cli.mjs", quick ? ["3"] : []],
  ["engines", "ARM and Resource Graph engines at tenant scale", "bench/engines.mjs", quick ? ["10,100", "50"] : []],
];
if (only) {
  const unknown = [...only].filter((name) => !benches.some(([key]) => key === name));
  if (unknown.length > 0 || only.size === 0) {
    console.error(`--only needs a comma-separated list of: ${benches.map(([key]) => key).join(", ")} (got '${[...unknown].join(",")}').`);
    process.exit(2);
  }
}

const resultsFile = new URL("RESULTS.md", import.meta.url);
const marker = (key, edge) => `<!-- bench:${key}:${edge} -->`;
const previous = existsSync(resultsFile) ? readFileSync(resultsFile, "utf8") : "";
/** A section of the existing RESULTS.md, kept when --only leaves it out. */
function previousSection(key) {
  const start = previous.indexOf(marker(key, "start"));
  const end = previous.indexOf(marker(key, "end"));
  return start === -1 || end === -1 ? undefined : previous.slice(start, end + marker(key, "end").length);
}

const load = () =>
  os
    .loadavg()
    .map((value) => value.toFixed(2))
    .join(", ");
const started = new Date();
const loadBefore = load();
const sections = [];
let failed = false;
for (const [key, title, script, args] of benches) {
  if (only && !only.has(key)) {
    sections.push(previousSection(key) ?? `${marker(key, "start")}\n## ${title}\n\nNot measured yet: \`npm run bench -- --only ${key}\`.\n${marker(key, "end")}`);
    continue;
  }
  const command = `node ${script}${args.length ? ` ${args.join(" ")}` : ""}`;
  console.log(`\n## ${title} (${command})\n`);
  const sectionStart = new Date();
  const sectionLoad = load();
  let output;
  try {
    output = execFileSync(process.execPath, [script, ...args], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"], maxBuffer: 64 * 1024 * 1024 });
  } catch (error) {
    failed = true;
    output = `${error.stdout ?? ""}\n**FAILED** (exit ${error.status})\n`;
  }
  process.stdout.write(output);
  const minutes = ((Date.now() - sectionStart.getTime()) / 60_000).toFixed(1);
  sections.push(
    `${marker(key, "start")}\n## ${title}\n\n\`${command}\`: started ${sectionStart.toISOString()}, ${minutes} min; load average (1, 5, 15 min) ${sectionLoad} at the start, ${load()} at the end.\n\n${output.trim()}\n${marker(key, "end")}`,
  );
}

const cpus = os.cpus();
const header = [
  "# Benchmark results",
  "",
  "Written by `npm run bench` (bench/run.mjs); every figure below comes from a run of the benchmark that",
  "prints it, on the machine described here. Each section gives its command, when it ran and the load",
  "average; the tables give the load average beside each figure. On a shared machine absolute times",
  "follow the load, so each figure sits beside a baseline measured in the same run.",
  "",
  `- written: ${started.toISOString()}${only ? ` (sections run again: ${[...only].join(", ")}; the others are from earlier runs)` : " (every section)"}`,
  `- machine: ${cpus[0]?.model ?? "unknown CPU"}, ${cpus.length} cores, ${(os.totalmem() / 1024 ** 3).toFixed(0)} GB, ${os.type()} ${os.release()}`,
  `- Node: ${process.version}`,
  `- load average (1, 5, 15 min) at start: ${loadBefore}; at end: ${load()}`,
  `- mode: ${quick ? "quick (small sizes)" : "full"}`,
  "",
].join("\n");
writeFileSync(resultsFile, `${header}\n${sections.join("\n\n")}\n`);
console.log("\nbench/RESULTS.md written.");
if (failed) {
  console.error("A benchmark failed.");
  process.exit(1);
}
