// `akspol check` end to end (the built binary: read, parse, evaluate, write): workloads per second and
// peak resident memory for 1,000, 10,000 and 100,000 generated workloads (every workload kind, two
// containers, about a third violating several policies), YAML and JSON, restricted and baseline.
// Output goes to /dev/null through the shell. Needs the build: npm run build && node bench/check.mjs [counts]
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
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
  const started = performance.now();
  try {
    await run("sh", ["-c", `"${process.execPath}" --import "${preload}" "${bin}" check "${file}" ${argv.join(" ")} > /dev/null`], {
      env: { PATH: process.env.PATH, HOME: dir, MAX_RSS_FILE: rssFile },
      maxBuffer: 16 * MB,
    });
  } catch (error) {
    throw new Error(`akspol check ${argv.join(" ")} failed (exit ${error.code}): ${error.stderr}`, { cause: error });
  }
  return { seconds: (performance.now() - started) / 1000, rss: Number(readFileSync(rssFile, "utf8")) };
}

console.log("Load: the 1-minute load average when the command ended.");
console.log("");
console.log("| workloads | input | initiative | output | workloads/s | wall s | peak RSS MB | load |");
console.log("| --- | --- | --- | --- | --- | --- | --- | --- |");
try {
  for (const count of counts) {
    const yaml = join(dir, `w-${count}.yaml`);
    writeFileSync(yaml, workloadsYaml(count));
    const cases = [
      ["YAML", yaml, "restricted", "table"],
      ["YAML", yaml, "restricted", "json --stream --show-passes"],
      ["YAML", yaml, "baseline", "table"],
    ];
    if (count <= 10_000) {
      const json = join(dir, `w-${count}.json.yaml`);
      writeFileSync(json, workloadsJson(count, load));
      cases.push(["JSON", json, "restricted", "table"]);
    }
    for (const [input, file, initiative, output] of cases) {
      const outputArgs = output === "table" ? [] : ["-o", ...output.split(" ")];
      const result = await measure(file, ["--initiative", initiative, "--fail-on", "never", ...outputArgs]);
      const size = (statSync(file).size / MB).toFixed(0);
      console.log(
        `| ${format(count)} | ${input} (${size} MB) | ${initiative} | ${output} | ${format(count / result.seconds)} | ${result.seconds.toFixed(2)} | ${(result.rss / MB).toFixed(0)} | ${loadavg()[0].toFixed(2)} |`,
      );
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
