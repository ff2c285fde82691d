// examples/github-actions-audit.yml: valid YAML with a schedule, valid bash in each step, and its
// akspol commands run as written against the demo tenant (only the paths of the accepted file and the HTML report are swapped for temporary ones).
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { parse } from "yaml";
import { startTestEmulator, type TestEmulator } from "../helpers/emulator.js";
import { runCli } from "../helpers/cli.js";

interface Step {
  run?: string;
  uses?: string;
}
const workflow = parse(readFileSync("examples/github-actions-audit.yml", "utf8")) as { on: { schedule: Array<{ cron: string }> }; jobs: Record<string, { steps: Step[] }> };
const scripts = Object.values(workflow.jobs).flatMap((job) => job.steps.map((step) => step.run).filter((run): run is string => !!run));

let emulator: TestEmulator;
let dir: string;
beforeAll(async () => {
  emulator = await startTestEmulator({ seed: "demo" });
  dir = mkdtempSync(join(tmpdir(), "akspol-audit-example-"));
});
afterAll(async () => {
  await emulator?.close();
  rmSync(dir, { recursive: true, force: true });
});

test("the workflow is scheduled, fails on high findings and writes the Markdown to the job summary", () => {
  expect(workflow.on.schedule[0]?.cron).toMatch(/^\S+ \S+ \S+ \S+ \S+$/);
  const audit = scripts.join("\n");
  expect(audit).toMatch(/akspol audit [^\n]*\\\n[^\n]*--fail-on high[^\n]*\\\n[^\n]*-o markdown > audit\.md/);
  expect(audit).toContain('cat audit.md >> "$GITHUB_STEP_SUMMARY"');
  expect(audit).toContain("exit $code");
});

test("each run script is valid bash", () => {
  for (const script of scripts) expect(() => execFileSync("bash", ["-n"], { input: script })).not.toThrow();
});

test("its akspol commands run against the demo tenant: markdown, then SARIF", async () => {
  const accepted = join(dir, "accepted.yaml");
  writeFileSync(accepted, "accepted: []\n");
  const commands = scripts
    .join("\n")
    .replace(/\\\n\s*/g, "")
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line.startsWith("npx --yes akspol audit"))
    .map((line) =>
      line
        .replace(/\s*>.*$/, "")
        .split(/\s+/)
        .slice(4)
        .map((word) => (word === ".akspol/accepted.yaml" ? accepted : word === "audit.html" ? join(dir, "audit.html") : word)),
    );
  expect(commands).toHaveLength(2);
  const [markdown, sarif] = await Promise.all(commands.map((argv) => runCli(["audit", ...argv], { emulatorDir: emulator.stateDir })));
  expect([0, 6], markdown?.stderr).toContain(markdown?.code);
  expect(markdown?.stdout).toMatch(/^## akspol audit\n/);
  expect(sarif?.code).toBe(0);
  expect(JSON.parse(sarif?.stdout ?? "").version).toBe("2.1.0");
  expect(readFileSync(join(dir, "audit.html"), "utf8")).toContain("<html");
});
