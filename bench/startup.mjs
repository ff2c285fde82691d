// Start-up: `akspol --help` and `--version` against `node -e 0`, measured side by side in the same run
// (interleaved rounds, medians), so the ratio holds on a busy machine where absolute times do not.
// Needs the build: npm run build && node bench/startup.mjs [rounds]
import { execFile } from "node:child_process";
import { join } from "node:path";
import { loadavg } from "node:os";
import { promisify } from "node:util";

const run = promisify(execFile);
const root = new URL("..", import.meta.url).pathname;
const bin = join(root, "dist/src/bin.js");
const rounds = Number(process.argv[2] ?? 15);

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function time(argv) {
  const started = performance.now();
  // A failing command fails the bench (execFile rejects on a non-zero exit).
  await run(process.execPath, argv, { env: { PATH: process.env.PATH, NO_COLOR: "1" } });
  return performance.now() - started;
}

const cases = [
  ["node -e 0 (baseline)", ["-e", "0"]],
  ["akspol --help", [bin, "--help"]],
  ["akspol --version", [bin, "--version"]],
  ["akspol check --help", [bin, "check", "--help"]],
];
const samples = new Map(cases.map(([name]) => [name, []]));
for (let round = 0; round < rounds; round += 1) {
  for (const [name, argv] of cases) samples.get(name).push(await time(argv));
}
const baseline = median(samples.get(cases[0][0]));
console.log(`Load average (1 min) when the runs ended: ${loadavg()[0].toFixed(2)}. Target: each akspol ratio at most 3.`);
console.log("");
console.log(`| command | median ms (${rounds} interleaved runs) | ratio to node -e 0 |`);
console.log("| --- | --- | --- |");
for (const [name] of cases) {
  const value = median(samples.get(name));
  console.log(`| \`${name}\` | ${value.toFixed(0)} | ${(value / baseline).toFixed(2)} |`);
}
