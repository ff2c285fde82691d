import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { commands } from "../../commands/index.js";

describe("akspol entry point", () => {
  it("prints help with every command and exits 0", async () => {
    const run = await runCli(["--help"]);
    expect(run.code).toBe(0);
    for (const spec of commands) expect(run.stdout).toContain(spec.path[0]);
    expect(run.stdout).toContain("Exit codes");
  });

  it("prints the version package.json declares", async () => {
    const run = await runCli(["--version"]);
    expect(run.code).toBe(0);
    const manifest = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };
    expect(run.stdout.trim()).toBe(manifest.version);
  });

  it.each(commands.map((spec) => [spec.path.join(" ")]))("'%s --help' shows examples and exits 0", async (path) => {
    const run = await runCli([...path.split(" "), "--help"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`Usage: akspol ${path}`);
    expect(run.stdout).toContain("Examples:");
  });

  it("exits 2 on an unknown option or command", async () => {
    expect((await runCli(["find", "--bogus"])).code).toBe(2);
    expect((await runCli(["frobnicate"])).code).toBe(2);
  });

  it("exits 2 on an output format the command does not support, listing the ones it does", async () => {
    const run = await runCli(["find", "-o", "xml", "--subscription", "x"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("-o table|json|yaml|tsv");
  });

  it("exits 2 on conflicting scope flags before any Azure call", async () => {
    const run = await runCli(["find", "--scope", "/subscriptions/1", "--all-subscriptions"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("Choose one of");
  });

  it("exits 2 naming --subscription when no subscription can be resolved and nobody can be asked", async () => {
    const connectionDir = mkdtempSync(join(tmpdir(), "akspol-none-"));
    const run = await runCli(["find", "--no-input"], { env: { AKSPOL_EMULATOR: connectionDir } });
    // No connection.json there: the emulator hint comes first, still a usage error.
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/connection|--subscription/);
  });

  it("accepts global options after the verb as well as before it", async () => {
    const before = await runCli(["--output", "xml", "find", "--subscription", "x"]);
    const after = await runCli(["find", "--subscription", "x", "--output", "xml"]);
    expect(before.code).toBe(2);
    expect(after.code).toBe(2);
  });

  it("prints a completion script for bash, zsh and fish, and refuses other shells", async () => {
    for (const shell of ["bash", "zsh", "fish"]) {
      const run = await runCli(["completion", shell]);
      expect(run.code).toBe(0);
      expect(run.stdout).toContain("akspol");
      expect(run.stdout).toContain("exclude");
    }
    expect((await runCli(["completion", "tcsh"])).code).toBe(2);
  });
});

describe("start-up cost", () => {
  const bin = new URL("../../dist/src/bin.js", import.meta.url).pathname;
  const traced = (argv: string[]) => {
    const trace = join(mkdtempSync(join(tmpdir(), "akspol-trace-")), "imports.json");
    const preload = new URL("../helpers/trace-imports.mjs", import.meta.url).pathname;
    const output = execFileSync(process.execPath, ["--import", preload, bin, ...argv], {
      env: { ...process.env, TRACE_IMPORTS_FILE: trace },
      encoding: "utf8",
    });
    return { output, urls: JSON.parse(readFileSync(trace, "utf8")) as string[] };
  };

  it("'akspol --help' does not load the Azure SDK (built binary)", () => {
    const { output, urls } = traced(["--help"]);
    expect(output).toContain("Usage: akspol");
    expect(urls.some((url) => url.includes("commander"))).toBe(true);
    expect(urls.filter((url) => url.includes("/node_modules/@azure"))).toEqual([]);
    expect(urls.filter((url) => url.includes("/node_modules/@inquirer") || url.includes("/node_modules/ora"))).toEqual([]);
  });

  // docs/issues/13.md: help and version come from dist/commands/catalog.json; only the command that runs is loaded.
  it.each([["--help"], ["--version"], ["check", "--help"], ["exempt", "apply", "--help"]])(
    "'akspol %s' loads no command module, no check engine, no YAML parser, no built-in data (built binary)",
    (...argv) => {
      const { output, urls } = traced(argv);
      expect(output.length).toBeGreaterThan(0);
      const ours = urls.filter((url) => url.includes("/dist/"));
      expect(ours.filter((url) => url.includes("/dist/commands/"))).toEqual([]);
      expect(ours.filter((url) => /\/dist\/src\/(check|data|effective|policy|exemptions|audit|journal|emulator|azure\/session)/.test(url))).toEqual([]);
      expect(urls.filter((url) => /\/node_modules\/(yaml|js-yaml|csv-stringify|fast-xml-parser|picomatch)\//.test(url))).toEqual([]);
    },
  );

  it("running a command loads that command's module only", () => {
    const { urls } = traced(["completion", "bash"]);
    expect(urls.filter((url) => url.includes("/dist/commands/")).map((url) => url.replace(/.*\/dist\/commands\//, ""))).toEqual(["completion.js"]);
  });

  it("the built catalog holds every command of commands/index.ts with the same metadata, and the module that runs it", async () => {
    const root = new URL("../../dist/", import.meta.url);
    const catalog = JSON.parse(readFileSync(new URL("commands/catalog.json", root), "utf8")) as Array<Record<string, unknown> & { path: string[]; module: string }>;
    const { catalogLines } = await import("../../src/cli/command-catalog.js");
    const expected = catalogLines(commands, () => "");
    expect(catalog.map(({ module: _module, ...metadata }) => ({ ...metadata, module: "" }))).toEqual(JSON.parse(JSON.stringify(expected)));
    for (const line of catalog) {
      const module = (await import(new URL(`commands/${line.module}`, root).href)) as { default: { path: string[] } };
      expect(module.default.path).toEqual(line.path);
    }
  });
});
