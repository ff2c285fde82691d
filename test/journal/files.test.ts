// Crash-safe journal files: a torn tail does not swallow the next record, lines that are not records
// are skipped and reported with their line numbers, the journal rotates into dated segments that
// history and undo still read (only the ones they need), and history works from a read-only state dir.
import { spawn } from "node:child_process";
import { appendFileSync, chmodSync, copyFileSync, cpSync, linkSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { Journal, segmentName, type JournalRecord } from "../../src/journal/journal.js";
import { binary } from "../exclude/binary.js";
import { baselineId, restrictedId } from "../exclude/fixtures.js";
import { startHarness, type ExemptHarness } from "../exempt/helpers.js";

let h: ExemptHarness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

async function addNamespace(id: string, namespace: string, stateDir = h.stateDir): Promise<string> {
  const run = await h.run(["exclude", "add", id, namespace, "--yes"], { stateDir });
  expect(run.code, run.stderr).toBe(0);
  const changeId = /Undo with: akspol undo (\S+)/.exec(run.stderr)?.[1];
  expect(changeId).toBeDefined();
  return changeId as string;
}

describe("torn tails and bad lines", () => {
  test("after a crash leaves half a line, the next change starts on a fresh line and its undo works; the journal stays 0600 in a 0700 dir", async () => {
    const stateDir = join(mkdtempSync(join(tmpdir(), "akspol-torn-")), "state");
    await addNamespace(baselineId, "first", stateDir);
    appendFileSync(join(stateDir, "journal.jsonl"), '{"type":"pending","changeId":"20300301T100000Z-torn00","time":"2030-03-01T10:0');
    const changeId = await addNamespace(baselineId, "second", stateDir);
    chmodSync(join(stateDir, "journal.jsonl"), 0o644);
    const undo = await h.run(["undo", changeId, "--yes"], { stateDir });
    expect(undo.code, undo.stderr).toBe(0);
    expect(statSync(join(stateDir, "journal.jsonl")).mode & 0o777).toBe(0o600);
    expect(statSync(stateDir).mode & 0o777).toBe(0o700);
    const history = await h.run(["history", "-o", "json"], { stateDir });
    expect(history.code, history.stderr).toBe(0);
    expect(JSON.parse(history.stdout).entries.find((entry: any) => entry.changeId === changeId)).toMatchObject({ status: "applied", undoneBy: [expect.any(String)] });
    expect(history.stderr).toMatch(/journal\.jsonl line 3: not valid JSON \(skipped\)/);
  });

  test("a null line, a garbled line and a record of the wrong shape are skipped and reported by line; history and undo keep working", async () => {
    const stateDir = mkdtempSync(join(tmpdir(), "akspol-badline-"));
    const first = await addNamespace(restrictedId, "one", stateDir);
    appendFileSync(join(stateDir, "journal.jsonl"), 'null\n{"type":"outcome"\n{"type":"pending","changeId":7}\n');
    const second = await addNamespace(restrictedId, "two", stateDir);
    const history = await h.run(["history", "-o", "json"], { stateDir });
    expect(history.code, history.stderr).toBe(0);
    expect(JSON.parse(history.stdout).entries.map((entry: any) => entry.changeId)).toEqual([second, first]);
    expect(history.stderr).toContain("journal.jsonl line 3: not a journal record (skipped)");
    expect(history.stderr).toContain("journal.jsonl line 4: not valid JSON (skipped)");
    expect(history.stderr).toContain("journal.jsonl line 5: not a journal record (skipped)");
    const undo = await h.run(["undo", first, "--yes", "--force"], { stateDir });
    expect(undo.code, undo.stderr).toBe(0);
  });
});

describe("rotation", () => {
  test("the active file rotates by size into dated segments; history reads the newest, --all every one, find the ones a change needs", async () => {
    const stateDir = mkdtempSync(join(tmpdir(), "akspol-rotate-"));
    const journal = new Journal(stateDir, { maxActiveBytes: 2_000 });
    const ids: string[] = [];
    for (let index = 0; index < 40; index += 1) {
      const id = await journal.begin(
        {
          principal: { id: "p", name: "p" },
          command: "akspol test",
          resourceKind: "policyAssignment",
          resourceId: baselineId,
          operation: "update",
          summary: `change ${index}`,
          before: { index },
          intendedAfter: { index },
        },
        new Date(Date.UTC(2030, 0, 1, 0, 0, index)),
      );
      await journal.finish(id, { status: "applied", after: { index } }, new Date(Date.UTC(2030, 0, 1, 0, 0, index)));
      ids.push(id);
    }
    const segments = await journal.segments();
    expect(segments.length).toBeGreaterThan(3);
    for (const segment of segments) expect(segment.file).toMatch(/journal-2030\d{4}T\d{6}Z-[0-9a-f]{8}\.jsonl$/);
    const all = await journal.entries({ all: true });
    expect(all.map((entry) => entry.changeId)).toEqual(ids);
    expect(all.every((entry) => entry.status === "applied")).toBe(true);
    const recent = await journal.read();
    expect(recent.files).toHaveLength(2);
    expect(recent.olderSegments).toBe(segments.length - 1);
    const oldest = await journal.read({ from: ids[0]!.slice(0, 16) });
    expect(oldest.files).toHaveLength(segments.length + 1);
    expect((await journal.find(ids[0]!))[0]).toMatchObject({ changeId: ids[0], status: "applied" });
    const newest = await journal.read({ from: ids[39]!.slice(0, 16) });
    expect(newest.files.length).toBeLessThanOrEqual(2);
  });

  test("a journal of 300,000 records still answers history and undo, reading only the segments it needs", async () => {
    const stateDir = mkdtempSync(join(tmpdir(), "akspol-300k-"));
    const perSegment = 10_000;
    const start = Date.UTC(2029, 0, 1);
    for (let segment = 0; segment < 30; segment += 1) {
      const lines: string[] = [];
      for (let index = 0; index < perSegment / 2; index += 1) {
        const time = new Date(start + (segment * perSegment + index) * 1000);
        const changeId = `${time
          .toISOString()
          .replace(/[-:]/g, "")
          .replace(/\.\d+Z$/, "Z")}-${(index % 4096).toString(16).padStart(6, "0")}`;
        const pending: JournalRecord = {
          type: "pending",
          changeId,
          time: time.toISOString(),
          principal: { id: "p", name: "p" },
          command: "akspol exclude add",
          resourceKind: "policyAssignment",
          resourceId: baselineId,
          operation: "update",
          summary: "exclude add old",
          before: null,
          intendedAfter: null,
          touched: ["excludedNamespaces"],
        };
        lines.push(JSON.stringify(pending), JSON.stringify({ type: "outcome", changeId, time: time.toISOString(), status: "applied" }));
      }
      // A marker line: whoever reads this segment reports it, so a run that does not mention it did not read it.
      lines.push("null");
      const first = new Date(start + segment * perSegment * 1000)
        .toISOString()
        .replace(/[-:]/g, "")
        .replace(/\.\d+Z$/, "Z");
      writeFileSync(join(stateDir, segmentName(first)), `${lines.join("\n")}\n`);
    }
    const recentChange = await addNamespace(baselineId, "rotation", stateDir);
    const timed = async (argv: string[]) => {
      const began = performance.now();
      const run = await h.run(argv, { stateDir });
      return { ...run, seconds: (performance.now() - began) / 1000 };
    };
    const history = await timed(["history", "--limit", "5", "-o", "json"]);
    expect(history.code, history.stderr).toBe(0);
    expect(JSON.parse(history.stdout).entries[0].changeId).toBe(recentChange);
    expect(history.stderr.match(/not a journal record/g) ?? []).toHaveLength(1); // the newest segment only
    expect(history.stderr).toContain("29 older journal segment(s) not read; pass --all");
    expect(history.seconds).toBeLessThan(60);
    const undo = await timed(["undo", recentChange, "--yes"]);
    expect(undo.code, undo.stderr).toBe(0);
    expect(undo.stderr).not.toContain("not a journal record");
    expect(undo.seconds).toBeLessThan(60);
    const all = await timed(["history", "--all", "-o", "json"]);
    expect(all.code, all.stderr).toBe(0);
    expect(JSON.parse(all.stdout).entries).toHaveLength(300_000 / 2 + 2);
    expect(all.stderr.match(/not a journal record/g) ?? []).toHaveLength(30);
    expect(all.seconds).toBeLessThan(120);
  }, 300_000);
});

describe("read-only state dir", () => {
  test("history lists and settles from a state dir the user cannot write", async () => {
    const stateDir = mkdtempSync(join(tmpdir(), "akspol-readonly-"));
    const changeId = await addNamespace(baselineId, "readonly", stateDir);
    // A pending record whose outcome was never written: history settles it but cannot record that.
    const lines = readFileSync(join(stateDir, "journal.jsonl"), "utf8").trim().split("\n");
    writeFileSync(join(stateDir, "journal.jsonl"), `${lines.filter((line) => !line.includes('"type":"outcome"')).join("\n")}\n`);
    // The emulator's connection file and CA, readable by the user that runs akspol.
    const emulatorCopy = mkdtempSync(join(tmpdir(), "akspol-readonly-emulator-"));
    cpSync(join(h.emulator.stateDir, "tls", "ca.pem"), join(emulatorCopy, "ca.pem"));
    const connection = JSON.parse(readFileSync(h.emulator.connectionFile, "utf8"));
    writeFileSync(join(emulatorCopy, "connection.json"), JSON.stringify({ ...connection, caCertPath: join(emulatorCopy, "ca.pem") }));
    const asRoot = process.getuid?.() === 0;
    for (const dir of [emulatorCopy]) {
      chmodSync(dir, 0o755);
      for (const name of readdirSync(dir)) chmodSync(join(dir, name), 0o644);
    }
    chmodSync(stateDir, 0o555);
    chmodSync(join(stateDir, "journal.jsonl"), 0o444);
    // root writes anywhere, so run akspol as an unprivileged user there (through a link to this node
    // binary outside root's private home); otherwise the modes suffice.
    const user = asRoot ? { uid: 65534, gid: 65534 } : {};
    let node = process.execPath;
    if (asRoot) {
      const dir = mkdtempSync(join(tmpdir(), "akspol-node-"));
      chmodSync(dir, 0o755);
      node = join(dir, "node");
      try {
        linkSync(process.execPath, node);
      } catch {
        copyFileSync(process.execPath, node);
        chmodSync(node, 0o755);
      }
    }
    const result = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
      const child = spawn(node, [binary, "history", "-o", "json"], {
        env: { PATH: process.env.PATH, HOME: tmpdir(), AKSPOL_EMULATOR: emulatorCopy, AKSPOL_STATE_DIR: stateDir, NO_COLOR: "1" },
        stdio: ["ignore", "pipe", "pipe"],
        ...user,
      });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
      child.on("error", reject);
      child.on("close", (code) => resolve({ code, stdout, stderr }));
    });
    expect(result.code, result.stderr).toBe(0);
    const entry = JSON.parse(result.stdout).entries.find((item: any) => item.changeId === changeId);
    expect(entry).toMatchObject({ status: "applied", resolution: "resolved from Azure: applied (not recorded: the state dir is read-only)" });
    expect(readFileSync(join(stateDir, "journal.jsonl"), "utf8")).not.toContain('"type":"outcome"');
    chmodSync(stateDir, 0o700);
  });
});
