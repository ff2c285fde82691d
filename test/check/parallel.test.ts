// `check` on worker threads (src/check/pool.ts, docs/issues/13.md): the output, the summary and the
// exit code are the same byte for byte whether documents run in the main thread (--jobs 0) or on
// workers, for every format, with parse errors, objects not evaluated, lists, unsafe text and several
// inputs in the stream; --debug says the workers ran documents; a failing worker fails the run.
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { PassThrough } from "node:stream";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveBuiltinInitiative } from "../../src/check/index.js";
import { CheckPool } from "../../src/check/pool.js";
import { checkWorkers, OutputSink, streamCheck } from "../../src/check/stream.js";
import { workloadsYaml } from "../../src/check/synthetic-workloads.js";
import { runCli, type CliRun } from "../helpers/cli.js";
import { startTestEmulator, type TestEmulator } from "../helpers/emulator.js";

const dir = mkdtempSync(join(tmpdir(), "akspol-check-parallel-"));
let emu: TestEmulator;
beforeAll(async () => {
  emu = await startTestEmulator({ seed: "demo" });
});
afterAll(async () => {
  await emu?.close();
  rmSync(dir, { recursive: true, force: true });
});

// Documents that take each path of the pass, placed among generated workloads so that they fall in
// batches run by workers as well as in the main thread.
const SPECIAL = [
  "apiVersion: v1\nkind: Pod\nmetadata: {name: broken\n  namespace: x\nspec: [",
  "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  ports: [{port: 80}]",
  "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Pod\n  metadata: {name: listed, namespace: apps}\n  spec:\n    hostPID: true\n    containers:\n    - {name: app, image: nginx}\n- 42",
  // An escape sequence in a name: the document is not proven terminal-safe, its results are scanned.
  'apiVersion: v1\nkind: Pod\nmetadata:\n  name: "evil\\e[31mred"\n  namespace: apps\nspec:\n  containers:\n  - name: app\n    image: nginx\n    securityContext: {privileged: true}',
  '{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "json-pod", "namespace": "apps"},\n "spec": {"hostNetwork": true, "containers": [{"name": "app", "image": "nginx"}]}}',
  "# only a comment",
  "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: no-template}\nspec: {}",
];

/** Writes generated workloads with the special documents among them; returns the path and the number of documents. */
function manifests(name: string, count: number, seed: number): { path: string; documents: number } {
  const workloads = workloadsYaml(count).trimEnd().split("\n---\n");
  const documents: string[] = [];
  workloads.forEach((workload, index) => {
    documents.push(workload);
    if (index % 97 === seed % 97) documents.push(SPECIAL[(index + seed) % SPECIAL.length] as string);
  });
  const path = join(dir, name);
  mkdirSync(join(path, ".."), { recursive: true });
  writeFileSync(path, `${documents.join("\n---\n")}\n`);
  return { path, documents: documents.length };
}

const first = manifests("a.yaml", 700, 3);
const second = manifests("more/b.yaml", 500, 11);
const small = manifests("small.yaml", 100, 5);

async function check(argv: string[], jobs: number, input?: string): Promise<CliRun> {
  return runCli(["check", ...argv, "--jobs", String(jobs), "--debug"], { input, emulatorDir: emu.stateDir });
}

/** stderr without --debug lines (they say where documents ran). */
const withoutDebug = (stderr: string) =>
  stderr
    .split("\n")
    .filter((line) => !line.includes("debug: "))
    .join("\n");

const workerLine = (stderr: string) => /check: (\d+) documents on worker threads, (\d+) in the main thread/.exec(stderr);

describe("check gives the same output on worker threads", () => {
  const cases: Array<[string, string[]]> = [
    ["table", ["--initiative", "restricted", "-o", "table"]],
    ["table --show-passes", ["--initiative", "baseline", "--show-passes", "-o", "table"]],
    ["json", ["--initiative", "restricted", "--param", "effect=Deny", "-o", "json"]],
    ["json --show-passes", ["--initiative", "restricted", "--show-passes", "-o", "json"]],
    ["json --stream", ["--initiative", "baseline", "-o", "json", "--stream", "--show-passes"]],
    ["sarif", ["--initiative", "restricted", "-o", "sarif"]],
  ];
  for (const [label, argv] of cases) {
    it(`${label}: --jobs 2 and --jobs 0 print the same and exit the same`, async () => {
      const inputs = [first.path, join(dir, "more")];
      const [alone, parallel] = [await check([...inputs, ...argv], 0), await check([...inputs, ...argv], 2)];
      expect(alone.stdout.length).toBeGreaterThan(1000);
      expect(parallel.stdout).toBe(alone.stdout);
      expect(withoutDebug(parallel.stderr)).toBe(withoutDebug(alone.stderr));
      expect(parallel.code).toBe(alone.code);
      // Parse errors are in the input: a usage error or the gate, never success.
      expect(alone.code).not.toBe(0);
      const ran = workerLine(parallel.stderr);
      expect(ran, parallel.stderr).not.toBeNull();
      expect(Number(ran?.[1])).toBeGreaterThan(0);
      expect(Number(ran?.[1]) + Number(ran?.[2])).toBe(first.documents + second.documents);
      expect(workerLine(alone.stderr)).toBeNull();
    });
  }

  it("stdin: the same output, the unsafe name made safe in both", async () => {
    const text = `${workloadsYaml(300).trimEnd()}\n---\n${SPECIAL[3]}\n---\n${workloadsYaml(300)}`;
    const alone = await check(["-", "--initiative", "restricted"], 0, text);
    const parallel = await check(["-", "--initiative", "restricted"], 1, text);
    expect(parallel.stdout).toBe(alone.stdout);
    expect(parallel.code).toBe(alone.code);
    expect(alone.stdout).toContain("evil");
    expect(parallel.stdout).not.toContain("\u001b[31m");
    expect(Number(workerLine(parallel.stderr)?.[1])).toBeGreaterThan(0);
  });

  it("an input that cannot be read mid-stream: every result read before it is written, on workers as in the main thread", async () => {
    // /proc/self/mem is listed and opened like a file, and its first read fails (EIO).
    const full = await check([second.path, "--initiative", "restricted"], 0);
    const runs = [await check([second.path, "/proc/self/mem", "--initiative", "restricted"], 0), await check([second.path, "/proc/self/mem", "--initiative", "restricted"], 2)];
    for (const run of runs) {
      expect(run.code).toBe(2);
      expect(run.stderr).toContain("Cannot read /proc/self/mem");
      // Everything but the summary of the full run: the last workload's results included.
      expect(run.stdout.length).toBeGreaterThan(full.stdout.length * 0.9);
      expect(full.stdout.startsWith(run.stdout)).toBe(true);
      expect(run.stdout).toContain("w-499 ");
    }
    expect(runs[1]?.stdout).toBe(runs[0]?.stdout);
  });

  it("with a worker, results are written as soon as they are in order, not when more input comes", async () => {
    // The second half of the input is held back until the first half's last workload is on stdout:
    // if results waited for more input, this would never finish (the test's time limit fails it).
    const documents = workloadsYaml(200)
      .trimEnd()
      .split("\n---\n")
      .map((text, index) => ({ file: "<stdin>", line: index * 40 + 1, text }));
    let written = "";
    let seen: () => void = () => undefined;
    const firstHalfWritten = new Promise<void>((resolve) => (seen = resolve));
    const sink = new PassThrough();
    sink.on("data", (chunk: Buffer) => {
      written += chunk.toString("utf8");
      if (written.includes(" w-99 ")) seen();
    });
    async function* input() {
      yield* documents.slice(0, 100);
      await firstHalfWritten;
      yield* documents.slice(100);
    }
    const summary = await streamCheck({
      documents: input(),
      initiative: resolveBuiltinInitiative("restricted"),
      format: "table",
      showPasses: false,
      out: new OutputSink(
        sink,
        (text) => sink.write(text),
        1,
        (chunk) => sink.write(chunk),
      ),
      isTerminalSafe: () => true,
      workers: { count: 1, startAfter: 0, wait: true },
    });
    expect(summary.summary.workloads).toBe(200);
    expect(written).toContain(" w-199 ");
  });

  it("check --cluster (every carrier on the cluster, read from the emulator): the same on workers", async () => {
    const argv = [first.path, "--cluster", "aks-prod-weu", "--subscription", "contoso-prod", "-o", "json"];
    const alone = await check(argv, 0);
    const parallel = await check(argv, 3);
    expect(JSON.parse(alone.stdout).cluster.carriers.length).toBeGreaterThan(0);
    expect(parallel.stdout).toBe(alone.stdout);
    expect(parallel.code).toBe(alone.code);
    expect(Number(workerLine(parallel.stderr)?.[1])).toBeGreaterThan(0);
  });
});

describe("worker threads: defaults and failures", () => {
  it("by default, one worker on a machine with a core idle for a large input (8 MiB from 4 cores, 32 MiB on 2); --jobs starts them at once", () => {
    const idle = (cores: number) => ({ cores, load: 0.2 });
    const MiB = 1024 * 1024;
    expect(checkWorkers(undefined, 100 * MiB, idle(1)).count).toBe(0);
    // 2 cores: from 32 MiB; stdin (size unknown) after 32 MiB read.
    expect(checkWorkers(undefined, 32 * MiB, idle(2))).toEqual({ count: 1, startAfter: 0 });
    expect(checkWorkers(undefined, 32 * MiB - 1, idle(2))).toEqual({ count: 1, startAfter: 32 * MiB });
    expect(checkWorkers(undefined, undefined, idle(2))).toEqual({ count: 1, startAfter: 32 * MiB });
    // 4 cores or more: from 8 MiB.
    expect(checkWorkers(undefined, 8 * MiB, idle(4))).toEqual({ count: 1, startAfter: 0 });
    expect(checkWorkers(undefined, 8 * MiB - 1, idle(4))).toEqual({ count: 1, startAfter: 8 * MiB });
    expect(checkWorkers(undefined, 100 * MiB, idle(32)).count).toBe(1);
    // Busy: no core idle by the load average.
    expect(checkWorkers(undefined, 100 * MiB, { cores: 2, load: 1.0 }).count).toBe(0);
    expect(checkWorkers(undefined, 100 * MiB, { cores: 4, load: 3.0 }).count).toBe(0);
    expect(checkWorkers(undefined, 100 * MiB, { cores: 8, load: 6.5 }).count).toBe(1);
    expect(checkWorkers(3, 0, { cores: 2, load: 9 })).toEqual({ count: 3, startAfter: 0, wait: true });
    expect(checkWorkers(0, 100 * MiB, idle(8))).toEqual({ count: 0, startAfter: 0, wait: true });
  });

  it("a small input never starts a worker by default", async () => {
    const out = await runCli(["check", small.path, "--initiative", "baseline", "--debug", "--fail-on", "never"]);
    expect(out.code, out.stderr).toBe(0);
    expect(out.stderr).not.toContain("worker thread");
  });

  it("--jobs takes a whole number from 0 to 64: anything else exits 2 before reading, naming the value", async () => {
    for (const value of ["-1", "two", "1.5", "65", ""]) {
      const out = await runCli(["check", first.path, "--initiative", "baseline", "--jobs", value]);
      expect(out.code, value).toBe(2);
      expect(out.stderr).toContain(`--jobs must be a whole number from 0 to 64, not '${value}'`);
      expect(out.stdout).toBe("");
    }
  });

  it("a worker that fails on a batch fails it with its error, refuses later batches, and still closes", async () => {
    const settings = { format: "table" as const, showPasses: false, initiative: resolveBuiltinInitiative("baseline"), evaluateOptions: {} };
    const pool = new CheckPool(1, settings);
    const good = await pool.run([{ document: { file: "a.yaml", line: 1, text: workloadsYaml(1) }, checked: true }]);
    expect(good.counts.workloads).toBe(1);
    expect(good.texts.every((text) => text instanceof Uint8Array)).toBe(true);
    // A document whose text is not text: the worker's pass throws.
    await expect(pool.run([{ document: { file: "b.yaml", line: 1, text: 42 as unknown as string }, checked: false }])).rejects.toThrow(/check worker thread failed: TypeError/);
    await expect(pool.run([])).rejects.toThrow(/check worker thread failed/);
    await pool.close();
  });
});
