// argv through the real parser, for every command: the typed options it yields, or the usage error
// (exit 2, naming the value and the fix), with and without a terminal. Nothing runs and nothing is
// read from Azure: parseCommandLine is what main() calls before it builds the context.
import { describe, expect, it } from "vitest";
import { commands } from "../../commands/index.js";
import { parseArgv } from "../helpers/parse.js";

const assignmentId = "/subscriptions/11111111-1111-4111-8111-111111111111/providers/Microsoft.Authorization/policyAssignments/pss-baseline";
const exemptionId =
  "/subscriptions/11111111-1111-4111-8111-111111111111/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/aks/providers/Microsoft.Authorization/policyExemptions/x";

/** Where a row holds: on a terminal, without one (pipes, CI), or both. */
type Terminal = "both" | "terminal" | "no terminal";

interface OptionsRow {
  argv: string[];
  terminal?: Terminal;
  /** The command's options (a subset is enough: the fields this row is about). */
  options: Record<string, unknown>;
  format?: string;
}

interface UsageRow {
  argv: string[];
  terminal?: Terminal;
  /** What stderr must say: the value and the fix. */
  error: RegExp;
}

/** Rows by command path; every command in commands/index.ts has rows (a test below checks it). */
const parses: Record<string, OptionsRow[]> = {
  find: [
    { argv: ["find"], options: { initiative: "any", descendants: true, allSubscriptions: false } },
    { argv: ["find", "--all-subscriptions", "--initiative", "baseline", "--name", "pss-*"], options: { allSubscriptions: true, initiative: "baseline", name: "pss-*" } },
    { argv: ["find", "--management-group", "platform", "--no-descendants"], options: { managementGroup: "platform", descendants: false } },
    { argv: ["find", "--cluster", "aks-prod", "-o", "json"], options: { cluster: "aks-prod" }, format: "json" },
    { argv: ["-o", "tsv", "find", "--engine", "arm"], options: { engine: "arm" }, format: "tsv" },
  ],
  "exclude list": [
    { argv: ["exclude", "list", "pss-baseline"], options: { assignment: "pss-baseline" } },
    { argv: ["exclude", "list", "--scope", "/subscriptions/11111111-1111-4111-8111-111111111111"], options: { assignment: undefined, scope: "/subscriptions/11111111-1111-4111-8111-111111111111" } },
  ],
  "exclude add": [
    { argv: ["exclude", "add", "pss-baseline", "monitoring", "logging", "--yes"], options: { assignment: "pss-baseline", namespaces: ["monitoring", "logging"], policies: [] } },
    {
      argv: ["exclude", "add", assignmentId, "monitoring", "--reason", "node exporter", "--ticket", "CHG-1", "--dry-run"],
      options: { assignment: assignmentId, reason: "node exporter", ticket: "CHG-1" },
    },
    {
      argv: ["exclude", "add", "SecurityCenterBuiltIn", "monitoring", "--policies", "NoPrivilegedContainers,BlockUsingHostNetwork", "--yes"],
      options: { policies: ["NoPrivilegedContainers", "BlockUsingHostNetwork"] },
    },
    { argv: ["exclude", "add"], terminal: "terminal", options: { assignment: undefined, namespaces: [] } },
    {
      argv: [
        "exclude",
        "add",
        "pss-baseline",
        "--label-selector",
        "app=node-exporter,team",
        "--except-policies",
        "NoHostPathVolume",
        "--container",
        "a,b",
        "--image",
        "quay.io/x:*",
        "--definition-scope",
        "/subscriptions/11111111-1111-4111-8111-111111111111",
        "--new-name",
        "pss-pp",
        "--yes",
      ],
      options: {
        namespaces: [],
        labels: [{ key: "app", value: "node-exporter" }, { key: "team" }],
        exceptPolicies: ["NoHostPathVolume"],
        containers: ["a", "b"],
        images: ["quay.io/x:*"],
        definitionScope: "/subscriptions/11111111-1111-4111-8111-111111111111",
        newName: "pss-pp",
      },
    },
  ],
  "initiative upgrade": [
    { argv: ["initiative", "upgrade", "pss-baseline-pp", "--yes"], options: { assignment: "pss-baseline-pp", toVersion: undefined } },
    { argv: ["initiative", "upgrade", assignmentId, "--to-version", "2.5.0", "--reason", "new pins", "--dry-run"], options: { assignment: assignmentId, toVersion: "2.5.0", reason: "new pins" } },
  ],
  "exclude remove": [
    { argv: ["exclude", "remove", "pss-baseline", "monitoring", "--force", "--yes"], options: { assignment: "pss-baseline", namespaces: ["monitoring"], force: true } },
    { argv: ["exclude", "remove", "pss-baseline", "monitoring", "--dry-run"], options: { force: false, policies: [] } },
  ],
  "params get": [
    { argv: ["params", "get", "pss-baseline", "effect"], options: { assignment: "pss-baseline", name: "effect" } },
    { argv: ["params", "get", "-o", "yaml"], options: { assignment: undefined, name: undefined }, format: "yaml" },
  ],
  "params set": [
    { argv: ["params", "set", "pss-baseline", "effect=Deny", "--yes"], options: { assignment: "pss-baseline", values: [{ name: "effect", raw: "Deny" }] } },
    { argv: ["params", "set", "pss-baseline", "--effect", "audit", "--policies", "BlockUsingHostNetwork", "--dry-run"], options: { effect: "audit", policies: ["BlockUsingHostNetwork"] } },
    { argv: ["params", "set", "pss-baseline", "--enforcement-mode", "do-not-enforce", "--yes"], options: { enforcementMode: "DoNotEnforce", force: false } },
  ],
  "params unset": [{ argv: ["params", "unset", "pss-baseline", "effect", "--reason", "back to default", "--yes"], options: { assignment: "pss-baseline", name: "effect", reason: "back to default" } }],
  "exempt create": [
    {
      argv: [
        "exempt",
        "create",
        "--cluster",
        "aks-prod",
        "--assignment",
        "pss-baseline",
        "--policies",
        "BlockUsingHostNetwork",
        "--category",
        "Waiver",
        "--expires",
        "+30d",
        "--reason",
        "node exporter",
        "--yes",
      ],
      options: { cluster: "aks-prod", assignment: "pss-baseline", policies: ["BlockUsingHostNetwork"], category: "Waiver", expires: "+30d", noExpiry: false, reason: "node exporter" },
    },
    {
      argv: ["exempt", "create", "--cluster", "aks-prod", "--all-policies", "--category", "mitigated", "--no-expiry", "--dry-run"],
      options: { policies: "all", category: "Mitigated", noExpiry: true },
    },
    { argv: ["exempt", "create"], terminal: "terminal", options: { cluster: undefined, policies: undefined, category: undefined } },
  ],
  "exempt list": [
    { argv: ["exempt", "list", "--all-subscriptions", "--include-expired"], options: { allSubscriptions: true, includeExpired: true } },
    { argv: ["exempt", "list", "--cluster", "aks-prod", "-o", "tsv"], options: { cluster: "aks-prod" }, format: "tsv" },
  ],
  "exempt show": [
    { argv: ["exempt", "show", "aks-prod-hostnetwork"], options: { reference: "aks-prod-hostnetwork", cluster: undefined } },
    { argv: ["exempt", "show", exemptionId, "-o", "json"], options: { reference: exemptionId }, format: "json" },
  ],
  "exempt renew": [
    {
      argv: ["exempt", "renew", "x", "--expires", "2030-01-31", "--cluster", "aks", "--resource-group", "rg", "--yes"],
      options: { reference: "x", expires: "2030-01-31", cluster: "aks", resourceGroup: "rg", noExpiry: false },
    },
    { argv: ["exempt", "renew", "x", "--no-expiry", "--max-days", "120", "--dry-run"], options: { noExpiry: true, maxDays: 120 } },
  ],
  "exempt delete": [{ argv: ["exempt", "delete", "x", "--cluster", "aks", "--yes"], options: { reference: "x", cluster: "aks" } }],
  "exempt apply": [
    { argv: ["exempt", "apply", "-f", "exemptions.yaml", "--yes"], options: { file: "exemptions.yaml", prune: false } },
    { argv: ["exempt", "apply", "--file", "exemptions.yaml", "--prune", "--dry-run"], options: { prune: true } },
  ],
  history: [
    { argv: ["history"], options: {} },
    { argv: ["history", "--assignment", "pss-baseline", "--limit", "5", "-o", "json"], options: { assignment: "pss-baseline", limit: 5 }, format: "json" },
  ],
  undo: [{ argv: ["undo", "c-1234", "--yes"], options: { changeId: "c-1234", force: false } }],
  show: [{ argv: ["show", "pss-baseline", "-o", "yaml"], options: { assignment: "pss-baseline" }, format: "yaml" }],
  check: [
    { argv: ["check", "pod.yaml", "--initiative", "baseline"], options: { inputs: ["pod.yaml"], failOn: "deny" } },
    {
      argv: ["check", "a.yaml", "b.yaml", "--initiative", "baseline", "--param", "effect=Deny", "--param", 'excludedNamespaces=["legacy"]', "--fail-on", "never", "-o", "sarif"],
      options: { inputs: ["a.yaml", "b.yaml"], failOn: "never", source: { kind: "initiative", initiative: "baseline", parameters: { effect: "Deny", excludedNamespaces: ["legacy"] } } },
      format: "sarif",
    },
    { argv: ["check", "-", "--assignment", "pss-baseline", "--namespace", "web", "--show-passes"], options: { inputs: ["-"], namespace: "web", showPasses: true } },
    { argv: ["check", "big/", "--initiative", "restricted", "--jobs", "0"], options: { inputs: ["big/"], jobs: 0 } },
  ],
  effective: [
    {
      argv: ["effective", "--cluster", "aks-prod", "--namespace", "monitoring", "--policies", "NoPrivilegedContainers"],
      options: { cluster: "aks-prod", namespaces: ["monitoring"], allSubscriptions: false },
    },
  ],
  "safeguards show": [{ argv: ["safeguards", "show", "--cluster", "aks-dev"], options: { cluster: "aks-dev", allSubscriptions: false } }],
  "safeguards exclude": [{ argv: ["safeguards", "exclude", "add", "monitoring", "--cluster", "aks-dev", "--yes"], options: { cluster: "aks-dev" } }],
  workloads: [{ argv: ["workloads", "--cluster", "aks-prod", "--namespace", "monitoring"], options: { cluster: "aks-prod" } }],
  advise: [{ argv: ["advise", "--cluster", "aks-prod", "--namespace", "monitoring", "--pod", "exporter-0"], options: { cluster: "aks-prod" } }],
  audit: [
    { argv: ["audit", "--all-subscriptions", "--fail-on", "never"], options: { allSubscriptions: true } },
    { argv: ["audit", "--management-group", "platform", "-o", "markdown"], options: {}, format: "markdown" },
  ],
  emulator: [{ argv: ["emulator", "--port", "8443", "--seed", "demo"], options: { port: 8443 }, format: "json" }],
  demo: [
    { argv: ["demo"], options: { keep: false } },
    { argv: ["demo", "--keep"], options: { keep: true } },
  ],
  completion: [
    { argv: ["completion", "bash"], options: { shell: "bash" } },
    { argv: ["completion", "fish"], options: { shell: "fish" } },
  ],
};

const usageErrors: Record<string, UsageRow[]> = {
  find: [
    { argv: ["find", "--bogus"], error: /unknown option '--bogus'[\s\S]*akspol find --help/ },
    { argv: ["find", "-o", "xml"], error: /cannot print 'xml'[\s\S]*-o table\|json\|yaml\|tsv\|wide/ },
    { argv: ["find", "--cluster", "aks", "--scope", "/subscriptions/x"], error: /--cluster finds the assignments/ },
  ],
  "exclude list": [{ argv: ["exclude", "list", "--scope", "/subscriptions/1", "--all-subscriptions"], error: /Choose one of/ }],
  "exclude add": [
    { argv: ["exclude", "add", "pss-baseline", "Not_A_Namespace", "--yes"], error: /Invalid namespace/ },
    { argv: ["exclude", "add", "pss-baseline", "monitoring"], terminal: "no terminal", error: /--yes/ },
    { argv: ["exclude", "add", "pss-baseline", "--label-selector", "app in (a,b)", "--yes"], error: /--label-selector 'app in \(a,b\)': only 'key=value' and 'key'/ },
    { argv: ["exclude", "add", "pss-baseline", "--container", "Bad_Name", "--yes"], error: /Invalid --container 'Bad_Name'/ },
    { argv: ["exclude", "add", "pss-baseline", "--image", "*", "--yes"], error: /Invalid --image '\*'/ },
  ],
  "initiative upgrade": [
    { argv: ["initiative", "upgrade"], error: /missing required argument 'assignment'/ },
    { argv: ["initiative", "upgrade", "pss-baseline-pp"], terminal: "no terminal", error: /--yes/ },
  ],
  "exclude remove": [{ argv: ["exclude", "remove", "pss-baseline", "monitoring"], terminal: "no terminal", error: /--yes/ }],
  "params get": [{ argv: ["params", "get", "-o", "csv"], error: /cannot print 'csv'/ }],
  "params set": [
    { argv: ["params", "set", "pss-baseline", "--policies", "X", "--yes"], error: /--policies goes with --effect/ },
    { argv: ["params", "set", "pss-baseline", "effect=Deny", "--effect", "deny", "--yes"], error: /Give the effect once/ },
  ],
  "params unset": [{ argv: ["params", "unset", "pss-baseline", "effect"], terminal: "no terminal", error: /--yes/ }],
  "exempt create": [
    { argv: ["exempt", "create", "--category", "maybe", "--yes"], error: /Invalid --category 'maybe'[\s\S]*--category waiver/ },
    { argv: ["exempt", "create", "--expires", "+3d", "--no-expiry", "--yes"], error: /either --expires or --no-expiry/ },
  ],
  "exempt list": [{ argv: ["exempt", "list", "--engine", "magic"], error: /magic/ }],
  "exempt show": [{ argv: ["exempt", "show"], error: /missing required argument 'name-or-id'/ }],
  "exempt renew": [{ argv: ["exempt", "renew", "x", "--yes"], error: /Pass the new expiry with --expires/ }],
  "exempt delete": [
    { argv: ["exempt", "delete", "x"], terminal: "no terminal", error: /--yes/ },
    { argv: ["exempt", "delete", " ", "--yes"], error: /Pass the exemption's name or id/ },
  ],
  "exempt apply": [{ argv: ["exempt", "apply", "--yes"], error: /--file/ }],
  history: [{ argv: ["history", "--limit", "many"], error: /many/ }],
  undo: [{ argv: ["undo"], error: /missing required argument 'changeId'/ }],
  show: [{ argv: ["show", "-o", "tsv"], error: /cannot print 'tsv'/ }],
  check: [
    { argv: ["check", "a.yaml"], error: /--initiative baseline\|restricted, --assignment <ref>, or --cluster <name>/ },
    { argv: ["check", "a.yaml", "--initiative", "baseline", "--assignment", "x"], error: /Choose one/ },
    { argv: ["check", "a.yaml", "--initiative", "baseline", "--cluster", "aks"], error: /--cluster/ },
    { argv: ["check", "a.yaml", "--assignment", "x", "--param", "effect=Deny"], error: /--param goes with --initiative/ },
    { argv: ["check", "a.yaml", "--initiative", "baseline", "--param", "allowedCapabilities=[]"], error: /no parameter 'allowedCapabilities'/ },
    { argv: ["check", "a.yaml", "--initiative", "baseline", "--param", "effect"], error: /not name=value/ },
    { argv: ["check", "a.yaml", "--initiative", "baseline", "--param", "efect=Deny"], error: /Did you mean 'effect'\?/ },
    { argv: ["check", "a.yaml", "--initiative", "baseline", "--stream"], error: /--stream/ },
    { argv: ["check", "a.yaml", "--initiative", "baseline", "--jobs", "all"], error: /--jobs must be a whole number from 0 to 64, not 'all'/ },
    { argv: ["check", "--initiative", "baseline"], error: /missing required argument 'inputs'/ },
  ],
  effective: [
    { argv: ["effective", "--namespace", "monitoring"], error: /Pass --cluster/ },
    { argv: ["effective", "--cluster", "aks", "--policies", "NoSuchPolicy"], error: /NoSuchPolicy.*not one of the nine[\s\S]*Use: / },
  ],
  "safeguards show": [{ argv: ["safeguards", "show"], error: /Pass --cluster/ }],
  "safeguards exclude": [{ argv: ["safeguards", "exclude", "toggle", "monitoring", "--cluster", "aks", "--yes"], error: /toggle/ }],
  workloads: [{ argv: ["workloads", "--engine", "magic"], error: /magic/ }],
  advise: [{ argv: ["advise", "-o", "sarif"], error: /cannot print 'sarif'/ }],
  audit: [{ argv: ["audit", "--fail-on", "sometimes"], error: /sometimes/ }],
  emulator: [{ argv: ["emulator", "--port", "http"], error: /http/ }],
  demo: [{ argv: ["demo", "--fast"], error: /unknown option '--fast'/ }],
  completion: [
    { argv: ["completion", "tcsh"], error: /Unknown shell 'tcsh'[\s\S]*bash, zsh or fish/ },
    { argv: ["completion"], error: /missing required argument 'shell'/ },
  ],
};

const terminals = (row: { terminal?: Terminal }): boolean[] => (row.terminal === "terminal" ? [true] : row.terminal === "no terminal" ? [false] : [true, false]);
const label = (terminal: boolean) => (terminal ? "on a terminal" : "without a terminal");

describe("argv tables", () => {
  it("cover every command, with options and with a usage error", () => {
    const paths = commands.map((spec) => spec.path.join(" ")).sort();
    expect(Object.keys(parses).sort()).toEqual(paths);
    expect(Object.keys(usageErrors).sort()).toEqual(paths);
  });

  const optionCases = Object.entries(parses).flatMap(([path, rows]) => rows.flatMap((row) => terminals(row).map((terminal) => [path, row.argv.join(" "), label(terminal), row, terminal] as const)));
  it.each(optionCases)("%s: '%s' %s parses to its options", async (path, _argv, _where, row, terminal) => {
    const parsed = await parseArgv(row.argv, { terminal });
    if (parsed.kind === "usage") expect.fail(`exit ${parsed.code}: ${parsed.stderr}`);
    expect(parsed.command).toBe(path);
    expect(parsed.options).toMatchObject(row.options);
    expect(parsed.format).toBe(row.format ?? commands.find((spec) => spec.path.join(" ") === path)?.outputs?.[0] ?? "table");
  });

  const usageCases = Object.entries(usageErrors).flatMap(([path, rows]) =>
    rows.flatMap((row) => terminals(row).map((terminal) => [path, row.argv.join(" "), label(terminal), row, terminal] as const)),
  );
  it.each(usageCases)("%s: '%s' %s is a usage error (exit 2) naming the fix", async (_path, _argv, _where, row, terminal) => {
    const parsed = await parseArgv(row.argv, { terminal });
    if (parsed.kind === "options") expect.fail(`parsed to ${JSON.stringify(parsed.options)}`);
    expect(parsed.code).toBe(2);
    expect(parsed.stderr).toMatch(row.error);
  });

  it("a write without --yes is refused only without a terminal: on one, the plan is shown and asked", async () => {
    const argv = ["exclude", "add", "pss-baseline", "monitoring"];
    expect((await parseArgv(argv, { terminal: true })).kind).toBe("options");
    const piped = await parseArgv(argv, { terminal: false });
    expect(piped).toMatchObject({ kind: "usage", code: 2 });
    expect((await parseArgv([...argv, "--no-input"], { terminal: true })).kind).toBe("usage");
  });

  it("global flags go before or after the verb alike", async () => {
    const before = await parseArgv(["--subscription", "contoso-prod", "--dry-run", "exclude", "add", "pss-baseline", "monitoring"], { terminal: false });
    const after = await parseArgv(["exclude", "add", "pss-baseline", "monitoring", "--subscription", "contoso-prod", "--dry-run"], { terminal: false });
    expect(before.kind).toBe("options");
    expect(after).toEqual(before);
  });
});
