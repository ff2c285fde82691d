// Safe display and tables at 80 columns (docs/issues/09.md). Text that did not come from akspol (display names
// and descriptions read from Azure, --reason/--ticket from the command line) reaches the terminal
// without control characters or escape sequences, while JSON keeps the value exactly; every table
// fits COLUMNS on one line per row, and -o wide shows everything.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { demoSeed, DEMO } from "../../src/emulator/demo-seed.js";
import { safeText } from "../../src/cli/safe-text.js";
import { renderJsonPieces } from "../../src/cli/json-text.js";
import { fitColumns, renderJson, renderTable, truncate } from "../../src/cli/output.js";
import { startTestEmulator, type TestEmulator } from "../helpers/emulator.js";
import { runCli } from "../helpers/cli.js";

// Clear the screen, home the cursor, retitle the window, hide text, a bell, a carriage return that
// overwrites the line, an 8-bit CSI, and a right-to-left override.
const hostile = "\u001b[2J\u001b[H\u001b]0;owned\u0007\u001b[8mhidden\u001b[0m\u0007\rX\u009b31m\u202egnp.exe";
const controls = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

describe("safeText", () => {
  test.each([
    ["\u001b[2Jclear", "clear"],
    ["\u001b]0;title\u0007text", "text"],
    ["\u001b]8;;https://evil.example\u001b\\link\u001b]8;;\u001b\\", "link"],
    ["a\rb\u0008c\u0000d", "abcd"],
    ["tab\tand\nnewline", "tab\tand\nnewline"],
    ["\u009b31mred", "red"],
    ["\u202eevil", "evil"],
    ["\u001bPdevice control\u001b\\after", "after"],
    ["plain ünïcode ✓", "plain ünïcode ✓"],
  ])("%j becomes %j", (input, expected) => {
    expect(safeText(input)).toBe(expected);
  });
});

describe("foreign text on the terminal", () => {
  let emu: TestEmulator;
  const stateDir = mkdtempSync(join(tmpdir(), "akspol-display-"));
  beforeAll(async () => {
    const seed = demoSeed(new Date());
    seed.policyAssignments![0]!.properties.displayName = `Baseline ${hostile}`;
    const exemption = seed.policyExemptions![0]!;
    exemption.properties.displayName = `host network ${hostile}`;
    exemption.properties.description = `exporter ${hostile}`;
    emu = await startTestEmulator({ seed });
  });
  afterAll(async () => emu.close());
  const run = (argv: string[], tty = false) => runCli(argv, { emulatorDir: emu.stateDir, stateDir, tty });

  test.each([
    [["find", "--subscription", DEMO.subscriptions.prod.id]],
    [["find", "--subscription", DEMO.subscriptions.prod.id, "-o", "wide"]],
    [["show", DEMO.assignments.baseline.id]],
    [["exempt", "list", "--subscription", DEMO.subscriptions.prod.id, "-o", "wide"]],
    [["exempt", "show", DEMO.exemptions.hostNetwork.id]],
    [["exempt", "delete", DEMO.exemptions.hostNetwork.id, "--dry-run"]],
    [["exclude", "add", DEMO.assignments.baseline.id, "monitoring", "--dry-run"]],
  ])("akspol %j prints no control character or escape sequence (tty and not)", async (argv) => {
    const piped = await run(argv);
    expect(piped.code, piped.stderr).toBe(0);
    expect(piped.stdout + piped.stderr).not.toMatch(controls);
    expect(piped.stdout + piped.stderr).not.toContain("owned");
    // On a terminal akspol's own spinner moves the cursor; none of the foreign sequences get through.
    const terminal = await run(argv, true);
    expect(terminal.code, terminal.stderr).toBe(0);
    for (const sequence of ["\u001b[2J", "\u001b[H", "\u001b]0;", "\u001b[8m", "\u0007", "\r", "\u009b", "\u202e", "owned"]) {
      expect(terminal.stdout + terminal.stderr).not.toContain(sequence);
    }
  });

  test("--reason and --ticket with escape sequences are journaled as given and shown safely by history", async () => {
    const written = await run(["exclude", "add", DEMO.assignments.baseline.id, "monitoring", "--yes", "--reason", `why ${hostile}`, "--ticket", `T-1${hostile}`]);
    expect(written.code, written.stderr).toBe(0);
    for (const format of ["table", "wide", "tsv"]) {
      const history = await run(["history", "-o", format]);
      expect(history.code, history.stderr).toBe(0);
      expect(history.stdout).toContain("why");
      expect(history.stdout).not.toMatch(controls);
    }
    const json = await run(["history", "-o", "json"]);
    expect(json.stdout).not.toMatch(controls);
    expect(JSON.parse(json.stdout).entries[0].reason).toBe(`why ${hostile}`);
  });

  test("JSON output keeps the value exactly (escaped), so scripts see what Azure holds", async () => {
    const result = await run(["exempt", "show", DEMO.exemptions.hostNetwork.id, "-o", "json"]);
    expect(result.stdout).not.toMatch(controls);
    expect(JSON.stringify(JSON.parse(result.stdout))).toContain(JSON.stringify(`exporter ${hostile}`).slice(1, -1));
    expect(JSON.parse(renderJson({ value: hostile })).value).toBe(hostile);
  });
});

describe("renderJsonPieces", () => {
  test("its pieces concatenate to renderJson's text exactly, large top-level arrays included", () => {
    const element = (index: number) => ({
      id: `/subscriptions/${index}`,
      name: `${hostile} ${index}`,
      nested: { list: [index, { deep: [1, 2] }], empty: [], none: {} },
      skipped: undefined,
      when: new Date(index * 1000),
    });
    const values: unknown[] = [
      {
        schemaVersion: 1,
        skipped: undefined,
        fn: () => 1,
        empty: [],
        small: [1, "two", null],
        exactlyOnePiece: Array.from({ length: 64 }, (_, index) => element(index)),
        large: Array.from({ length: 200 }, (_, index) => element(index)),
        holes: Array.from({ length: 130 }, (_, index) => (index % 3 === 0 ? undefined : index)),
        text: hostile,
        // Safe characters that share a first UTF-8 byte with unsafe ones (C2, E2): kept as they are.
        lookalikes: ["© … ✓ \u2065 \u2029", ...Array.from({ length: 70 }, (_, index) => `plain ${index} ü`)],
        object: { a: { b: [hostile] } },
      },
      {},
      { only: undefined },
      [1, [2, { a: hostile }]],
      "text\u2066",
      42,
      null,
      new Date(0),
    ];
    for (const value of values) {
      const pieces = [...renderJsonPieces(value)];
      expect(Buffer.concat(pieces).toString("utf8")).toBe(renderJson(value));
    }
    // The large arrays are written in several pieces, not one string.
    expect([...renderJsonPieces(values[0])].length).toBeGreaterThan(6);
  });
});

describe("tables at 80 columns", () => {
  test("fitColumns drops optional columns first, then shortens the widest, never below the header", () => {
    expect(fitColumns(["NAME", "NOTE"], [30, 60], [false, true], 80)).toEqual({ shown: [0], widths: [30, 60] });
    const { shown, widths } = fitColumns(["NAME", "SCOPE"], [50, 60], [false, false], 80);
    expect(shown).toEqual([0, 1]);
    expect(widths[0]! + widths[1]! + 2).toBe(80);
    expect(truncate("abcdefgh", 5)).toBe("abcd…");
    const table = renderTable(
      [
        { header: "Name", value: (row: string) => row },
        { header: "Text", value: (row: string) => row.repeat(40) },
      ],
      ["x", "y"],
      { maxWidth: 30 },
    );
    expect(table.split("\n")).toHaveLength(3);
    for (const line of table.split("\n")) expect([...line].length).toBeLessThanOrEqual(30);
  });

  let emu: TestEmulator;
  const stateDir = mkdtempSync(join(tmpdir(), "akspol-columns-"));
  beforeAll(async () => {
    emu = await startTestEmulator({ seed: "demo" });
    const long = "a reason long enough to run past the edge of an eighty column terminal by itself";
    for (const namespace of ["monitoring", "logging", "tracing-with-a-very-long-namespace-name"]) {
      const result = await runCli(["exclude", "add", DEMO.assignments.baseline.id, namespace, "--yes", "--reason", long, "--ticket", "CHG-123456"], { emulatorDir: emu.stateDir, stateDir });
      if (result.code !== 0) throw new Error(result.stderr);
    }
  });
  afterAll(async () => emu.close());

  // Every command that prints a table through printList.
  const tables: Array<[string, string[]]> = [
    ["find", ["find", "--all-subscriptions"]],
    ["exempt list", ["exempt", "list", "--all-subscriptions", "--include-expired"]],
    ["history", ["history"]],
    ["params get", ["params", "get", DEMO.assignments.baseline.id]],
    ["exclude list", ["exclude", "list", DEMO.assignments.baseline.id]],
  ];

  test.each(tables)("akspol %s fits COLUMNS=80 on one line per row; -o wide shows every column in full", async (_name, argv) => {
    const narrow = await runCli(argv, { emulatorDir: emu.stateDir, stateDir, env: { COLUMNS: "80" } });
    expect(narrow.code, narrow.stderr).toBe(0);
    const wide = await runCli([...argv, "-o", "wide"], { emulatorDir: emu.stateDir, stateDir, env: { COLUMNS: "80" } });
    expect(wide.code, wide.stderr).toBe(0);
    const narrowLines = narrow.stdout.trimEnd().split("\n");
    const wideLines = wide.stdout.trimEnd().split("\n");
    for (const line of narrowLines) expect([...line].length, line).toBeLessThanOrEqual(80);
    // Never wrapped: as many lines as the wide table (one per row plus the header).
    expect(narrowLines).toHaveLength(wideLines.length);
    expect(wideLines.length).toBeGreaterThan(1);
    // On a terminal of 80 columns too (no COLUMNS).
    const terminal = await runCli(argv, { emulatorDir: emu.stateDir, stateDir, tty: true });
    for (const line of terminal.stdout.trimEnd().split("\n")) expect([...line].length).toBeLessThanOrEqual(160);
  });

  test("the wide tables of find, exempt list and history are wider than 80 columns, so the narrow ones really fitted them", async () => {
    for (const [, argv] of tables.slice(0, 3)) {
      const wide = await runCli([...argv, "-o", "wide"], { emulatorDir: emu.stateDir, stateDir });
      expect(Math.max(...wide.stdout.split("\n").map((line) => [...line].length)), argv.join(" ")).toBeGreaterThan(80);
    }
  });
});
