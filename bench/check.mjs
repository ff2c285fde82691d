// `akspol check` end to end (the built binary: read, parse, evaluate, write): workloads per second,
// CPU time and peak resident memory for 1,000, 10,000 and 100,000 generated workloads (every workload
// kind, two containers, about a third violating several policies), YAML and JSON, restricted and
// baseline, with the default worker threads (none on 2 cores) and with --jobs 1 (a worker beside the main thread). Output goes to
// /dev/null through the shell. Needs the build: npm run build && node bench/check.mjs [counts]
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { load } from "js-yaml";

const run = promisify(execFile);
const root = new URL("..", import.meta.url).pathname;
const bin = join(root, "dist/src/bin.js");
const preload = join(root, "bench/max-rss.mjs");
const counts = (process.argv[2] ?? "1000,10000,100000").split(",").map(Number);
const { workloadsYaml, workloadsJson } = await import(join(root, "dist/src/check/synthetic-workloads.js"));

const dir = mkdtempSync(join(tmpdir(), "akspol-bench-check-"));
const MB = 1024 * 1024;
const format = (n) => Math.round(n).toLocaleString("en-US");

async function measure(file, argv) {
  const rssFile = join(dir, "rss");
  const cpuFile = join(dir, "cpu");
  const started = performance.now();
  let stderr;
  try {
    // --debug: the check says how many documents ran on worker threads (stderr; nothing else is logged offline).
    ({ stderr } = await run("sh", ["-c", `"${process.execPath}" --import "${preload}" "${bin}" check "${file}" ${argv.join(" ")} --debug > /dev/null`], {
      env: { PATH: process.env.PATH, HOME: dir, MAX_RSS_FILE: rssFile, CPU_FILE: cpuFile },
      maxBuffer: 16 * MB,
    }));
  } catch (error) {
    throw new Error(`akspol check ${argv.join(" ")} failed (exit ${error.code}): ${error.stderr}`, { cause: error });
  }
  const seconds = (performance.now() - started) / 1000;
  const workers = /check: (\d+) documents on worker threads, (\d+) in the main thread/.exec(stderr);
  const threads = /check: starting (\d+) worker thread/.exec(stderr);
  const share = workers ? `${threads?.[1]} (${Math.round((100 * Number(workers[1])) / (Number(workers[1]) + Number(workers[2])))}% of documents)` : "0";
  return { seconds, rss: Number(readFileSync(rssFile, "utf8")), cpu: Number(readFileSync(cpuFile, "utf8")) / 1e6, share };
}

console.log(`Cores: ${availableParallelism()}. Workers: the worker threads the run started (--jobs, or the default: one for inputs of 8 MiB`);
console.log("or more on 4 cores or more with one idle, else none) and the share of documents they ran; the main thread runs the rest.");
console.log("CPU: user + system time of the whole process (every thread). Load: the 1-minute load average when the command ended;");
console.log("it includes the runs before it in this section.");
console.log("");
console.log("| workloads | input | initiative | output | jobs | workers | workloads/s | wall s | CPU s | peak RSS MB | load |");
console.log("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
try {
  for (const count of counts) {
    const yaml = join(dir, `w-${count}.yaml`);
    writeFileSync(yaml, workloadsYaml(count));
    const json = join(dir, `w-${count}.json.yaml`);
    writeFileSync(json, workloadsJson(count, load));
    const cases = [
      ["YAML", yaml, "restricted", "table", "default"],
      ["YAML", yaml, "restricted", "json --stream --show-passes", "default"],
      ["YAML", yaml, "baseline", "table", "default"],
      ["JSON", json, "restricted", "table", "default"],
      ["JSON", json, "restricted", "json --stream --show-passes", "default"],
      // One worker beside the main thread (the default from 4 cores with one idle).
      ...(count >= 10_000
        ? [
            ["YAML", yaml, "restricted", "table", "1"],
            ["JSON", json, "restricted", "table", "1"],
          ]
        : []),
    ];
    for (const [input, file, initiative, output, jobs] of cases) {
      const outputArgs = output === "table" ? [] : ["-o", ...output.split(" ")];
      const jobsArgs = jobs === "default" ? [] : ["--jobs", jobs];
      const result = await measure(file, ["--initiative", initiative, "--fail-on", "never", ...outputArgs, ...jobsArgs]);
      const size = (statSync(file).size / MB).toFixed(0);
      console.log(
        `| ${format(count)} | ${input} (${size} MB) | ${initiative} | ${output} | ${jobs} | ${result.share} | ${format(count / result.seconds)} | ${result.seconds.toFixed(2)} | ${result.cpu.toFixed(2)} | ${(result.rss / MB).toFixed(0)} | ${loadavg()[0].toFixed(2)} |`,
      );
    }
    rmSync(yaml);
    rmSync(json);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
