// `akspol check` runs offline with --initiative, through main(): exit codes, text, -o json, -o sarif,
// stdin and directories. Its argv parsing is in the tables of test/cli/argv.test.ts.
import { execFileSync } from "node:child_process";
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { OutputFormat } from "../../src/cli/output.js";
import { runCli, type CliRun } from "../helpers/cli.js";
import { flagsOf } from "./helpers.js";

const dir = mkdtempSync(join(tmpdir(), "akspol-check-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, text: string): string {
  const path = join(dir, name);
  mkdirSync(join(path, ".."), { recursive: true });
  writeFileSync(path, text);
  return path;
}

const PRIVILEGED_DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: app
        image: nginx:1.27
        securityContext:
          privileged: true
---
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  ports: [{port: 80}]
`;

const CLEAN_POD = `apiVersion: v1
kind: Pod
metadata:
  name: clean
spec:
  containers:
  - name: app
    image: nginx:1.27
`;

/** `akspol check <inputs> <flags> -o <format>` through main(), offline (no emulator). Parsing: test/cli/argv.test.ts. */
function runCheck(inputs: string[], options: Record<string, unknown>, format: OutputFormat = "table", stdin?: string): Promise<CliRun> {
  return runCli(["check", ...inputs, ...flagsOf(options), "-o", format], { input: stdin });
}

describe("running offline with --initiative", () => {
  it("exits 0 and reports the audit outcome with the initiative's default effect (Audit)", async () => {
    const file = write("audit/deploy.yaml", PRIVILEGED_DEPLOYMENT);
    const run = await runCheck([file], { initiative: "baseline" });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`${file}:12  Deployment web  namespace shop (from the manifest)  container app`);
    expect(run.stdout).toContain("AUDIT  NoPrivilegedContainers: Kubernetes cluster should not allow privileged containers");
    expect(run.stdout).toContain("the Deployment is admitted; its pods are flagged as non-compliant");
    expect(run.stdout).toContain('Privileged container is not allowed: app, securityContext: {"privileged": true}');
    expect(run.stdout).toContain("fix: set securityContext.privileged: false (or remove it) on container app");
    expect(run.stdout).toContain("or: akspol exclude add <assignment> shop");
    expect(run.stdout).toContain("or: akspol exempt create --cluster <cluster> --assignment <assignment> --policies NoPrivilegedContainers --category waiver --expires +30d");
    expect(run.stdout).toContain("Service web: not evaluated");
    expect(run.stdout).toContain("Note: NoHostPathVolume evaluated with allowed-host-paths v3");
  });

  it("exits 6 when the effect is Deny, and 0 with --fail-on never", async () => {
    const file = write("deny/deploy.yaml", PRIVILEGED_DEPLOYMENT);
    const denied = await runCheck([file], { initiative: "baseline", param: ["effect=Deny"] });
    expect(denied.code).toBe(6);
    expect(denied.stdout).toContain("DENY  NoPrivilegedContainers");
    expect(denied.stdout).toContain("the Deployment is admitted; its pods are refused");
    expect(denied.stderr).toContain("1 violation at or above --fail-on deny");
    expect((await runCheck([file], { initiative: "baseline", param: ["effect=Deny"], failOn: "never" })).code).toBe(0);
  });

  it("--fail-on audit fails on audited violations", async () => {
    const file = write("failaudit/deploy.yaml", PRIVILEGED_DEPLOYMENT);
    expect((await runCheck([file], { initiative: "baseline", failOn: "audit" })).code).toBe(6);
  });

  it("a clean pod in the default namespace exits 0 and says where it was evaluated (passes listed with --show-passes)", async () => {
    const file = write("clean/pod.yaml", CLEAN_POD);
    const run = await runCheck([file], { initiative: "baseline", failOn: "audit", showPasses: true }, "json");
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(report.schemaVersion).toBe(1);
    expect(report.summary).toMatchObject({ workloads: 1, violation: 0, pass: 5 });
    expect(report.results[0]).toMatchObject({ namespace: "default", namespaceSource: "default" });
  });

  it("-o json carries each violation with file, line, container, policy, outcome, message and hint", async () => {
    const file = write("json/deploy.yaml", PRIVILEGED_DEPLOYMENT);
    const run = await runCheck([file], { initiative: "restricted", param: ["effect=deny"], failOn: "never" }, "json");
    const report = JSON.parse(run.stdout);
    expect(report.initiative.name).toBe("42b8ef37-b724-4e24-bbc8-7a7708edfe00");
    const privileged = report.results.find((r: any) => r.policy.referenceId === "NoPrivilegedContainers");
    expect(privileged).toMatchObject({
      file,
      kind: "Deployment",
      name: "web",
      namespace: "shop",
      status: "violation",
      outcome: "deny",
      outcomeText: "the Deployment is admitted; its pods are refused",
      policy: { displayName: "Kubernetes cluster should not allow privileged containers", definitionVersion: "9.2.0" },
    });
    expect(privileged.violations[0]).toMatchObject({ line: 12, container: "app", hint: { change: expect.stringContaining("privileged: false") } });
    expect(report.notEvaluated).toMatchObject([{ kind: "Service", name: "web" }]);
  });

  it("-o sarif emits SARIF 2.1.0 with rules per reference id and error level for deny", async () => {
    const file = write("sarif/deploy.yaml", PRIVILEGED_DEPLOYMENT);
    const run = await runCheck([file], { initiative: "baseline", param: ["effect=Deny"] }, "sarif");
    expect(run.code).toBe(6);
    const sarif = JSON.parse(run.stdout);
    expect(sarif.version).toBe("2.1.0");
    const rules = sarif.runs[0].tool.driver.rules.map((r: any) => r.id);
    expect(rules).toEqual(["NoPrivilegedContainers", "BlockUsingHostNetwork", "BlockUsingHostProcessIDAndIPC", "ContainerCapabilities", "NoHostPathVolume"]);
    expect(sarif.runs[0].results).toHaveLength(1);
    expect(sarif.runs[0].results[0]).toMatchObject({
      ruleId: "NoPrivilegedContainers",
      level: "error",
      locations: [{ physicalLocation: { region: { startLine: 12 } } }],
    });
  });

  it("reads stdin (Helm output) and applies --namespace to objects without one", async () => {
    const helm = `---\n# Source: chart/templates/pod.yaml\n${CLEAN_POD.replace("image: nginx:1.27", "image: nginx:1.27\n    securityContext: {privileged: true}")}`;
    const run = await runCheck(["-"], { initiative: "baseline", namespace: "web", param: ["effect=Deny"] }, "json", helm);
    expect(run.code).toBe(6);
    const report = JSON.parse(run.stdout);
    const violation = report.results.find((r: any) => r.status === "violation");
    expect(violation).toMatchObject({ file: "<stdin>", kind: "Pod", namespace: "web", namespaceSource: "flag", outcomeText: "the Pod is refused" });
  });

  it("walks directories for .yaml, .yml and .json files", async () => {
    write("tree/a/pod.yaml", CLEAN_POD);
    write("tree/b/pod.json", JSON.stringify({ apiVersion: "v1", kind: "Pod", metadata: { name: "j" }, spec: { containers: [{ name: "c", image: "i" }] } }));
    write("tree/readme.txt", "not a manifest");
    const run = await runCheck([join(dir, "tree")], { initiative: "baseline" }, "json");
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout).summary.workloads).toBe(2);
  });

  it("keeps going past malformed input, naming file:line:column; exit 6 when a violation fails the gate, else 2", async () => {
    const bad = write("bad/broken.yaml", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: [oops\n");
    const good = write("bad/good.yaml", PRIVILEGED_DEPLOYMENT);
    const reported = await runCheck([bad, good], { initiative: "baseline", param: ["effect=Deny"], failOn: "never" });
    expect(reported.code).toBe(2);
    expect(reported.stdout).toContain("DENY  NoPrivilegedContainers");
    expect(reported.stderr).toContain("1 manifest could not be read");
    const run = await runCheck([bad, good], { initiative: "baseline", param: ["effect=Deny"] });
    expect(run.code).toBe(6);
    // The readable file after the broken one is still checked and reported.
    expect(run.stdout).toContain("DENY  NoPrivilegedContainers");
    expect(run.stdout).toMatch(new RegExp(`${bad.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:\\d+:\\d+: cannot read: `));
    expect(run.stderr).toContain("1 manifest could not be read");
    expect(run.stderr).toMatch(new RegExp(`${bad.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:\\d+:\\d+: `));
  });

  it("without --param effect the summary says the initiative default (Audit) applies and --fail-on decides the gate", async () => {
    const good = write("note/good.yaml", PRIVILEGED_DEPLOYMENT);
    const run = await runCheck([good], { initiative: "baseline" });
    expect(run.stdout).toMatch(/No --param effect: the initiative default \(Audit\) applies[\s\S]*--fail-on deny decides the gate/);
    const withEffect = await runCheck([good], { initiative: "baseline", param: ["effect=Deny"] });
    expect(withEffect.stdout).not.toMatch(/No --param effect/);
  });

  it("exits 2 for a missing file and for a document without kind", async () => {
    const missing = await runCheck([join(dir, "nope.yaml")], { initiative: "baseline" });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("nope.yaml: no such file or directory");
    const noKind = write("nokind.yaml", "apiVersion: v1\nmetadata: {name: x}\n");
    const run = await runCheck([noKind], { initiative: "baseline" });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`${noKind}:1:1: the object has no kind`);
  });

  it("reports system namespaces as not reviewed rather than violations", async () => {
    const file = write("system/pod.yaml", PRIVILEGED_DEPLOYMENT.replace("namespace: shop", "namespace: kube-system"));
    const run = await runCheck([file], { initiative: "baseline", param: ["effect=Deny", "excludedNamespaces=[]"] }, "json");
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(report.results.filter((r: any) => r.kind === "Deployment").every((r: any) => r.notApplicableReason === "system-namespace")).toBe(true);
  });
});

describe("streaming output", () => {
  const manyPods = (count: number, privileged: (index: number) => boolean) =>
    Array.from({ length: count }, (_, index) =>
      CLEAN_POD.replace("name: clean", `name: pod-${index}`).replace("image: nginx:1.27", `image: nginx:1.27${privileged(index) ? "\n    securityContext: {privileged: true}" : ""}`),
    ).join("---\n");

  it("counts passes without listing them, and lists them with --show-passes", async () => {
    const file = write(
      "passes/pods.yaml",
      manyPods(3, (index) => index === 1),
    );
    const quiet = await runCheck([file], { initiative: "baseline", failOn: "never" }, "json");
    const report = JSON.parse(quiet.stdout);
    expect(report.summary).toMatchObject({ workloads: 3, violation: 1, pass: 14 });
    expect(report.results.map((r: any) => r.status)).toEqual(["violation"]);
    const text = await runCheck([file], { initiative: "baseline", failOn: "never" });
    expect(text.stdout).not.toContain("PASS");
    expect(text.stdout).toContain("Passes are counted, not listed (--show-passes lists them).");
    const listed = await runCheck([file], { initiative: "baseline", failOn: "never", showPasses: true });
    expect(listed.stdout.match(/ {2}PASS {2}/g)).toHaveLength(14);
    expect(listed.stdout).toContain(`${file}:1  Pod pod-0  namespace default (no namespace given: default)\n  PASS  NoPrivilegedContainers: passes`);
  });

  it("-o json --stream writes JSON Lines: the initiative, each result as produced, the summary last", async () => {
    const file = write(
      "stream/pods.yaml",
      manyPods(4, (index) => index % 2 === 0),
    );
    const run = await runCheck([file], { initiative: "baseline", param: ["effect=Deny"], stream: true }, "json");
    expect(run.code).toBe(6);
    const lines = run.stdout
      .trimEnd()
      .split("\n")
      .map((line) => JSON.parse(line));
    expect(lines[0]).toMatchObject({ type: "initiative", schemaVersion: 1, initiative: { displayName: expect.any(String) } });
    expect(lines.at(-1)).toMatchObject({ type: "summary", workloads: 4, violation: 2, deny: 2 });
    const results = lines.filter((line) => line.type === "result");
    expect(results.map((r) => r.name)).toEqual(["pod-0", "pod-2"]);
    expect(results[1]).toMatchObject({ status: "violation", line: 20, violations: [{ line: 26, container: "app" }] });
  });

  // Issue 9 and 13: output of clean documents skips the output scan; anything a document, a file name
  // or a flag spells as a control character, a C1 character or a bidirectional override still never
  // reaches the terminal, in every format.
  it.each([["table"], ["json"], ["json-lines"]])("is terminal-safe in %s when a manifest, a file name or --namespace carries escape sequences", async (format) => {
    const hostile = [
      CLEAN_POD.replace("name: clean", "name: pod-a").replace("image: nginx:1.27", 'image: "nginx:1.27\\e[2J"\n    securityContext: {privileged: true}'),
      CLEAN_POD.replace("name: clean", 'name: "pod-b\\u001b]0;owned\\u0007"').replace("image: nginx:1.27", "image: nginx:1.27\n    securityContext: {privileged: true}"),
      CLEAN_POD.replace("name: clean", 'name: "pod-c\\x9b31m\\u202egnp"').replace("image: nginx:1.27", "image: nginx:1.27\n    securityContext: {privileged: true}"),
      CLEAN_POD.replace("name: clean", "name: pod-e\u202egnp.exe").replace("image: nginx:1.27", "image: nginx:1.27\n    securityContext: {privileged: true}"),
      CLEAN_POD.replace("name: clean", "name: pod-d").replace("image: nginx:1.27", "image: nginx:1.27\n    securityContext: {privileged: true}"),
    ].join("---\n");
    const privileged = CLEAN_POD.replace("image: nginx:1.27", "image: nginx:1.27\n    securityContext: {privileged: true}");
    // Clean documents around them fill whole output chunks, so a hostile result would share a chunk
    // only with checked text: the scan it gets must come from its own document.
    const padding = Array.from({ length: 150 }, (_, index) => privileged.replace("name: clean", `name: padding-${index}`)).join("---\n");
    const file = write("hostile/pods.yaml", [padding, hostile, padding].join("---\n"));
    const clean = write("hostile/clean.yaml", privileged);
    const named = write("hostile/named\u001b[8m.yaml", [padding, privileged].join("---\n"));
    for (const namespace of [{}, { namespace: "ns\u001b[2J" }]) {
      const options = { initiative: "baseline", failOn: "never", showPasses: true, ...namespace, ...(format === "json-lines" ? { stream: true } : {}) };
      const run = await runCheck([file, clean, named], options, format === "table" ? "table" : "json");
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toContain("pod-d");
      expect(run.stdout).toMatch(/clean\.yaml/);
      expect(run.stdout).toMatch(/named\S*\.yaml/);
      expect(run.stdout).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
    }
  });

  it("--stream without -o json is a usage error", async () => {
    const file = write("stream/one.yaml", CLEAN_POD);
    const run = await runCheck([file], { initiative: "baseline", stream: true });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("--stream writes JSON Lines; pass it with -o json.");
  });
});

describe("start-up cost", () => {
  it("--initiative runs never load the Azure SDK (built dist)", () => {
    const root = new URL("../..", import.meta.url).pathname.replace(/\/$/, "");
    const trace = join(dir, "imports.json");
    const manifest = write("trace/pod.yaml", PRIVILEGED_DEPLOYMENT);
    const preload = new URL("../helpers/trace-imports.mjs", import.meta.url).pathname;
    const output = execFileSync(process.execPath, ["--import", preload, `${root}/dist/src/bin.js`, "check", manifest, "--initiative", "restricted", "--fail-on", "never", "-o", "json"], {
      env: { PATH: process.env.PATH, HOME: dir, TRACE_IMPORTS_FILE: trace },
      encoding: "utf8",
    });
    expect(JSON.parse(output).summary.violation).toBeGreaterThan(0);
    const urls = JSON.parse(readFileSync(trace, "utf8")) as string[];
    expect(urls.some((url) => url.includes("/dist/src/check/"))).toBe(true);
    expect(urls.filter((url) => url.includes("/node_modules/@azure"))).toEqual([]);
  });
});
