// `check` streams (docs/issues/13.md): memory stays flat with the input. The built binary checks 20,000
// workloads (bench/ runs 100,000) and its peak resident memory stays under 200 MB.
import { execFile } from "node:child_process";
import { closeSync, mkdtempSync, openSync, readFileSync, readSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { workloadsYaml } from "../../src/check/synthetic-workloads.js";

const run = promisify(execFile);
const root = new URL("../..", import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), "akspol-check-memory-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const MB = 1024 * 1024;

async function peakMemory(workloads: number, argv: string[]): Promise<{ rss: number; stdoutBytes: number; summary: Record<string, number> }> {
  const manifests = join(dir, `workloads-${workloads}.yaml`);
  writeFileSync(manifests, workloadsYaml(workloads));
  const rssFile = join(dir, `rss-${workloads}-${argv.join("")}`);
  const output = join(dir, "out.jsonl");
  // stdout goes to a file through the shell, so the test process never holds the output either.
  await run("sh", ["-c", `"${process.execPath}" --import "${join(root, "bench/max-rss.mjs")}" "${join(root, "dist/src/bin.js")}" check "${manifests}" ${argv.join(" ")} > "${output}"`], {
    env: { PATH: process.env.PATH, HOME: dir, MAX_RSS_FILE: rssFile },
  });
  return { rss: Number(readFileSync(rssFile, "utf8")), stdoutBytes: statSync(output).size, summary: JSON.parse(lastLine(output)) };
}

/** The last line of a large file, without reading the file. */
function lastLine(path: string): string {
  const size = statSync(path).size;
  const length = Math.min(size, 64 * 1024);
  const buffer = Buffer.alloc(length);
  const fd = openSync(path, "r");
  try {
    readSync(fd, buffer, 0, length, size - length);
  } finally {
    closeSync(fd);
  }
  return buffer.toString("utf8").trimEnd().split("\n").at(-1)!;
}

describe("check's memory is flat with the input", () => {
  it("20,000 restricted workloads (every result written, passes included) peak under 200 MB resident", async () => {
    const argv = ["--initiative", "restricted", "--fail-on", "never", "-o", "json", "--stream", "--show-passes"];
    const large = await peakMemory(20_000, argv);
    expect(large.summary).toMatchObject({ type: "summary", workloads: 20_000, errors: 0 });
    expect(large.summary.violation).toBeGreaterThan(1_000);
    // The output is far larger than what the process holds: results are written and dropped.
    expect(large.stdoutBytes).toBeGreaterThan(100 * MB);
    expect(large.rss).toBeLessThan(200 * MB);
  }, 300_000);

  it("with a worker thread (--jobs 1, the default on a machine with an idle core) the same output stays under 200 MB", async () => {
    const argv = ["--initiative", "restricted", "--fail-on", "never", "-o", "json", "--stream", "--show-passes"];
    const [alone, parallel] = [await peakMemory(20_000, [...argv, "--jobs", "0"]), await peakMemory(20_000, [...argv, "--jobs", "1"])];
    expect(parallel.summary).toEqual(alone.summary);
    expect(parallel.stdoutBytes).toBe(alone.stdoutBytes);
    expect(parallel.rss).toBeLessThan(200 * MB);
  }, 300_000);
});
