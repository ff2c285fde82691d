// Bad input across every command (docs/issues/09.md): each case runs through the frame in-process against the
// demo tenant, with --yes so that the confirmation rule is not what refuses it. Each must exit with its
// code, print a message that names the bad value and says what to do, and send no write request (most
// send no request at all). A few run again as real processes.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { DEMO } from "../../src/emulator/demo-seed.js";
import { startTestEmulator, type TestEmulator } from "../helpers/emulator.js";
import { runCli } from "../helpers/cli.js";
import { runBinary } from "../exclude/binary.js";

const baseline = DEMO.assignments.baseline.id;
const files = mkdtempSync(join(tmpdir(), "akspol-bad-input-"));
const file = (name: string, text: string) => {
  const path = join(files, name);
  writeFileSync(path, text);
  return path;
};
const manifest = file("pod.yaml", "apiVersion: v1\nkind: Pod\nmetadata: { name: p, namespace: web }\nspec:\n  containers: [{ name: c, image: nginx }]\n");
const badYaml = file(
  "bad.yaml",
  "owner: platform-team\nexemptions:\n  - name: x\n    cluster: aks-prod-neu\n    assignment: pss-baseline\n    category: sometimes\n    expires: +10d\n    reason: r\n",
);
const create = [
  "exempt",
  "create",
  "--cluster",
  "aks-prod-neu",
  "--assignment",
  "pss-baseline",
  "--policies",
  "BlockUsingHostNetwork",
  "--category",
  "waiver",
  "--expires",
  "+30d",
  "--reason",
  "node exporter",
];
const params = (...values: string[]) => ["params", "set", baseline, ...values];

interface BadInput {
  argv: string[];
  code: number;
  /** The bad value, as the message must name it. */
  names: string;
  /** What to do, as the message (or its suggestion) must say it. */
  fix: RegExp;
}

const cases: BadInput[] = [
  // Global flags
  { argv: ["find", "--concurrency", "0"], code: 2, names: "'0'", fix: /whole number from 1 to 32/ },
  { argv: ["find", "--concurrency", "many"], code: 2, names: "'many'", fix: /whole number from 1 to 32/ },
  { argv: ["find", "--auth", "magic"], code: 2, names: "magic", fix: /Allowed choices|Use one of/ },
  { argv: ["find", "--cloud", "Mars"], code: 2, names: "Mars", fix: /Allowed choices|Use one of/ },
  { argv: ["find", "-o", "xml"], code: 2, names: "'xml'", fix: /Use -o table\|json.*\|wide/ },
  { argv: ["exempt", "list", "-o", "sarif"], code: 2, names: "'sarif'", fix: /Use -o/ },
  { argv: ["find", "--bogus"], code: 2, names: "--bogus", fix: /akspol find --help/ },
  { argv: ["exempt", "delet", "x"], code: 2, names: "delet", fix: /akspol exempt --help|Did you mean/ },
  // exclude add / remove
  { argv: ["exclude", "add", baseline, "Bad_Name"], code: 2, names: "Bad_Name", fix: /lower-case letters, digits and '-'/ },
  { argv: ["exclude", "add", baseline, "Monitoring"], code: 2, names: "Monitoring", fix: /'monitoring'/ },
  { argv: ["exclude", "add", baseline, "trailing-"], code: 2, names: "trailing-", fix: /starting and ending with a letter or digit/ },
  { argv: ["exclude", "add", baseline, "n".repeat(64)], code: 2, names: "n".repeat(64), fix: /at most 63/ },
  { argv: ["exclude", "add", baseline, "te*am"], code: 2, names: "te*am", fix: /one '\*' at the start or the end/ },
  { argv: ["exclude", "add", baseline, "**"], code: 2, names: "**", fix: /one '\*' at the start or the end/ },
  { argv: ["exclude", "add", "no-such-assignment", "monitoring", "--subscription", DEMO.subscriptions.prod.id], code: 3, names: "no-such-assignment", fix: /Assignments there: pss-baseline/ },
  { argv: ["exclude", "remove", baseline, "kube-system"], code: 2, names: "kube-system", fix: /--force/ },
  { argv: ["exclude", "remove", baseline, "Bad_Name"], code: 2, names: "Bad_Name", fix: /lower-case letters/ },
  // params set: the one validator
  { argv: params("effect=Deney"), code: 2, names: '"Deney"', fix: /Did you mean 'Deny'\?[\s\S]*Allowed values/ },
  { argv: params("effect=DENY"), code: 2, names: '"DENY"', fix: /Allowed values \(exact spelling\)/ },
  { argv: params('allowedHostPaths={"foo":1}'), code: 2, names: "foo", fix: /Shape:|missing property 'paths'/ },
  { argv: params('allowedHostPaths={"paths":[{"pathPrefix":"/x"}]}'), code: 2, names: "readOnly", fix: /Shape:/ },
  { argv: params("allowedHostPaths=not-json"), code: 2, names: "allowedHostPaths", fix: /Quote it for the shell/ },
  { argv: params("allowedHostPaths=[1]"), code: 2, names: "[1]", fix: /Pass a JSON object/ },
  { argv: params('namespaces=["UPPER"]'), code: 2, names: "UPPER", fix: /RFC 1123/ },
  { argv: params('excludedNamespaces=["kube-system","gatekeeper-system","azure-arc","azure-extensions-usage-system","Bad_Name"]'), code: 2, names: "Bad_Name", fix: /RFC 1123/ },
  { argv: params("excludedNamespaces=[1,2]"), code: 2, names: "1", fix: /RFC 1123/ },
  { argv: params("namespaces=web"), code: 2, names: "web", fix: /--force/ },
  { argv: params("efect=Deny"), code: 2, names: "'efect'", fix: /Did you mean 'effect'\?/ },
  { argv: params("nosuch=1"), code: 2, names: "'nosuch'", fix: /Its parameters: effect/ },
  { argv: params("noequals"), code: 2, names: "'noequals'", fix: /params set pss-baseline effect=Deny/ },
  { argv: params("--effect", "bogus"), code: 2, names: "bogus", fix: /Allowed choices are audit, deny, disabled/ },
  { argv: params("--enforcement-mode", "sometimes"), code: 2, names: "sometimes", fix: /Allowed choices are default, do-not-enforce/ },
  { argv: params("--policies", "BlockUsingHostNetwork"), code: 2, names: "--policies", fix: /--effect/ },
  { argv: params("--effect", "audit", "--policies", "NoSuchPolicy"), code: 2, names: "NoSuchPolicy", fix: /Its policies:/ },
  { argv: params("effect=Deny", "--effect", "audit"), code: 2, names: "effect", fix: /once/ },
  { argv: ["params", "unset", baseline, "nosuch"], code: 2, names: "'nosuch'", fix: /Its parameters:/ },
  { argv: ["params", "unset", baseline, "efect"], code: 2, names: "'efect'", fix: /Did you mean 'effect'\?/ },
  { argv: ["params", "get", "no-such-assignment", "--subscription", DEMO.subscriptions.prod.id], code: 3, names: "no-such-assignment", fix: /Assignments there: pss-baseline/ },
  // exempt create
  { argv: [...create, "--category", "sometimes"], code: 2, names: "'sometimes'", fix: /--category waiver/ },
  { argv: [...create, "--expires", "2001-01-01"], code: 2, names: "2001-01-01", fix: /future|later/ },
  { argv: [...create, "--expires", "+500d"], code: 2, names: "500", fix: /--max-days|at most 90 days/ },
  { argv: [...create, "--expires", "someday"], code: 2, names: "someday", fix: /\+30d/ },
  { argv: [...create, "--name", "a:b"], code: 2, names: "a:b", fix: /Choose another --name/ },
  { argv: [...create, "--owner", "bad owner!"], code: 2, names: "'bad owner!'", fix: /1-64 letters, digits/ },
  { argv: [...create, "--policies", "BlockUsingHostNetwrok"], code: 2, names: "BlockUsingHostNetwrok", fix: /did you mean|Did you mean/i },
  { argv: [...create, "--all-policies"], code: 2, names: "--all-policies", fix: /either --policies or --all-policies/ },
  { argv: [...create, "--cluster", "aks-nowhere"], code: 3, names: "aks-nowhere", fix: /--resource-group|--subscription|akspol/ },
  { argv: [...create, "--assignment", "no-such-assignment"], code: 2, names: "no-such-assignment", fix: /akspol find --cluster aks-prod-neu/ },
  { argv: create.slice(0, 12), code: 2, names: "--reason", fix: /akspol exempt create --help/ },
  { argv: [...create, "--max-days", "zero"], code: 2, names: "zero", fix: /whole number/ },
  { argv: [...create, "--display-name", "d".repeat(129)], code: 2, names: "129", fix: /at most 128/ },
  { argv: [...create, "--reason", "r".repeat(513)], code: 2, names: "513", fix: /at most 512/ },
  // exempt renew / delete / apply
  { argv: ["exempt", "renew", DEMO.exemptions.hostNetwork.name, "--expires", "+100d"], code: 2, names: "100", fix: /--max-days/ },
  { argv: ["exempt", "renew", "no-such-exemption", "--expires", "+10d"], code: 3, names: "no-such-exemption", fix: /akspol exempt list/ },
  { argv: ["exempt", "renew", DEMO.exemptions.hostNetwork.name], code: 2, names: "--expires", fix: /--no-expiry/ },
  { argv: ["exempt", "delete", "no-such-exemption"], code: 3, names: "no-such-exemption", fix: /akspol exempt list/ },
  { argv: ["exempt", "apply", "-f", join(files, "missing.yaml")], code: 2, names: "missing.yaml", fix: /Check the path/ },
  { argv: ["exempt", "apply", "-f", badYaml], code: 2, names: "sometimes", fix: /waiver|mitigated/i },
  { argv: ["exempt", "apply"], code: 2, names: "-f/--file", fix: /examples\/exemptions.yaml/ },
  { argv: ["exempt", "apply", "-f", badYaml, "--max-days", "abc"], code: 2, names: "abc", fix: /whole number/ },
  // undo
  { argv: ["undo", "20990101T000000Z-ffffff"], code: 3, names: "20990101T000000Z-ffffff", fix: /akspol history/ },
  // check (the same validator for --param)
  { argv: ["check", manifest, "--initiative", "baseline", "--param", "effect=Deney"], code: 2, names: '"Deney"', fix: /Did you mean 'Deny'\?/ },
  { argv: ["check", manifest, "--initiative", "baseline", "--param", "efect=Deny"], code: 2, names: "'efect'", fix: /Did you mean 'effect'\?/ },
  { argv: ["check", manifest, "--initiative", "baseline", "--param", 'allowedHostPaths={"foo":1}'], code: 2, names: "foo", fix: /Shape:/ },
  { argv: ["check", manifest, "--initiative", "baseline", "--param", 'excludedNamespaces=["Bad_Name"]'], code: 2, names: "Bad_Name", fix: /RFC 1123/ },
  { argv: ["check", manifest, "--initiative", "strict"], code: 2, names: "'strict'", fix: /Allowed choices are baseline, restricted/ },
  { argv: ["check", manifest], code: 2, names: "--initiative", fix: /--assignment/ },
  { argv: ["check", manifest, "--initiative", "baseline", "--fail-on", "sometimes"], code: 2, names: "'sometimes'", fix: /Allowed choices are deny, audit, never|deny, audit or never/ },
  // find
  { argv: ["find", "--management-group", "no-such-group"], code: 3, names: "no-such-group", fix: /Management groups you can see: .*contoso/ },
  { argv: ["find", "--cluster", "aks-nowhere", "--subscription", DEMO.subscriptions.prod.id], code: 3, names: "aks-nowhere", fix: /--resource-group|--subscription|akspol/ },
  // an unusable state dir fails before any request
  { argv: ["exclude", "add", baseline, "monitoring", "--state-dir", "/dev/null/state"], code: 2, names: "/dev/null/state", fix: /pass --state-dir DIR \(or set AKSPOL_STATE_DIR\)/ },
  { argv: ["exempt", "delete", DEMO.exemptions.legacy.name, "--state-dir", manifest], code: 2, names: manifest, fix: /is a file, not a directory[\s\S]*--state-dir DIR/ },
];

describe("bad input: exit code, a message naming the value and the fix, no write", () => {
  let emu: TestEmulator;
  const stateDir = mkdtempSync(join(tmpdir(), "akspol-bad-input-state-"));
  beforeAll(async () => {
    emu = await startTestEmulator({ seed: "demo" });
  });
  afterAll(async () => emu.close());

  test("there are at least 60 cases", () => {
    expect(cases.length).toBeGreaterThanOrEqual(60);
  });

  test.each(cases.map((item) => [item.argv.join(" ").slice(0, 140), item] as const))("akspol %s", async (_label, item) => {
    await emu.hooks.resetRequests();
    const result = await runCli([...item.argv, "--yes"], { emulatorDir: emu.stateDir, stateDir });
    expect(result.code, result.stderr).toBe(item.code);
    expect(result.stderr).toContain(item.names);
    expect(result.stderr).toMatch(item.fix);
    expect(result.stderr).not.toMatch(/\n\s+at .*\(.*:\d+:\d+\)/); // no stack trace
    expect(await emu.hooks.writes()).toEqual([]);
  });

  test.each([cases[17]!, cases[23]!, cases[63]!, cases.at(-1)!])("as a real process: akspol $argv.0 $argv.1 ...", async (item) => {
    await emu.hooks.resetRequests();
    const result = await runBinary([...item.argv, "--yes"], { emulatorDir: emu.stateDir, stateDir });
    expect(result.code, result.stderr).toBe(item.code);
    expect(result.stderr).toContain(item.names);
    expect(result.stderr).toMatch(item.fix);
    expect(await emu.hooks.writes()).toEqual([]);
  });
});
