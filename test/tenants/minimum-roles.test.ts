// docs/issues/11.md: a principal that holds exactly the role README lists as the minimum for a command (at the
// demo's contoso-prod subscription, and nothing else) succeeds with it, command by command. The roles
// are read from README's table, so the table and this test cannot drift apart.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestEmulator, type TestEmulator } from "../helpers/emulator.js";
import { runCli } from "../helpers/cli.js";
import { DEMO, demoSeed } from "../../src/emulator/demo-seed.js";

const root = join(import.meta.dirname, "..", "..");
const prod = DEMO.subscriptions.prod;
const dir = mkdtempSync(join(tmpdir(), "akspol-roles-"));

/** `| \`akspol find\` | Reader | ... |` rows of README's "Minimum roles per command" table. */
function readmeRoles(): Map<string, string> {
  const readme = readFileSync(join(root, "README.md"), "utf8");
  const start = readme.indexOf("### Minimum roles per command");
  const table = readme.slice(start, readme.indexOf("\n\n", readme.indexOf("| Command |", start)));
  const roles = new Map<string, string>();
  for (const line of table.split("\n")) {
    const match = /^\| `akspol ([a-z ]+)` \| ([^|]+) \|/.exec(line);
    if (match) roles.set(match[1].trim(), match[2].trim());
  }
  return roles;
}

const principalFor: Record<string, string> = { Reader: "least-reader", "Resource Policy Contributor": "least-contributor", none: "no-role" };

let emu: TestEmulator;
const stateDir = join(dir, "state");
const manifest = join(dir, "pod.yaml");
const desired = join(dir, "exemptions.yaml");
beforeAll(async () => {
  writeFileSync(manifest, "apiVersion: v1\nkind: Pod\nmetadata:\n  name: ok\n  namespace: shop\nspec:\n  containers:\n  - name: app\n    image: nginx\n");
  writeFileSync(
    desired,
    `version: 1\nowner: least-privilege\nexemptions:\n  - name: neu-least\n    cluster: ${DEMO.clusters.prodNeu.name}\n    assignment: pss-baseline\n    policies: [BlockUsingHostNetwork]\n    category: mitigated\n    expires: never\n    reason: least privilege test\n`,
  );
  const demo = demoSeed(new Date());
  emu = await startTestEmulator({
    seed: {
      ...demo,
      principals: [{ name: "least-reader" }, { name: "least-contributor" }, { name: "no-role" }],
      roleAssignments: [
        ...(demo.roleAssignments ?? []),
        { principal: "least-reader", role: "Reader", scope: `/subscriptions/${prod.id}` },
        { principal: "least-contributor", role: "Resource Policy Contributor", scope: `/subscriptions/${prod.id}` },
      ],
    },
  });
});
afterAll(async () => {
  await emu.close();
  rmSync(dir, { recursive: true, force: true });
});

/** One invocation per command, in an order where each write has something to act on. */
const invocations: Array<[string, string[]]> = [
  ["find", ["find", "--subscription", prod.id]],
  ["show", ["show", "pss-baseline", "--subscription", prod.id]],
  ["exclude list", ["exclude", "list", "pss-baseline", "--subscription", prod.id]],
  ["params get", ["params", "get", "pss-baseline", "--subscription", prod.id]],
  ["exempt list", ["exempt", "list", "--subscription", prod.id]],
  ["exempt show", ["exempt", "show", DEMO.exemptions.hostNetwork.name, "--subscription", prod.id]],
  ["check", ["check", manifest, "--assignment", "pss-baseline", "--cluster", DEMO.clusters.prodWeu.name, "--subscription", prod.id]],
  ["audit", ["audit", "--subscription", prod.id, "--fail-on", "never"]],
  ["workloads", ["workloads", "--cluster", DEMO.clusters.prodNeu.name, "--subscription", prod.id]],
  ["advise", ["advise", "--cluster", DEMO.clusters.prodNeu.name, "--namespace", "monitoring", "--pod", "node-exporter-5fks2", "--subscription", prod.id]],
  ["exclude add", ["exclude", "add", "pss-baseline", "monitoring", "--subscription", prod.id, "--yes", "--reason", "least privilege"]],
  ["exclude remove", ["exclude", "remove", "pss-baseline", "monitoring", "--subscription", prod.id, "--yes", "--reason", "least privilege"]],
  ["params set", ["params", "set", "pss-baseline", "--effect", "audit", "--subscription", prod.id, "--yes", "--reason", "least privilege"]],
  ["params unset", ["params", "unset", "pss-baseline", "effect", "--subscription", prod.id, "--yes", "--reason", "least privilege"]],
  ["history", ["history"]],
  ["undo", ["undo", "LAST", "--yes"]],
  [
    "exempt create",
    [
      "exempt",
      "create",
      "--cluster",
      DEMO.clusters.prodNeu.name,
      "--assignment",
      "pss-baseline",
      "--policies",
      "NoPrivilegedContainers",
      "--category",
      "mitigated",
      "--no-expiry",
      "--reason",
      "least privilege",
      "--name",
      "neu-created",
      "--subscription",
      prod.id,
      "--yes",
    ],
  ],
  ["exempt renew", ["exempt", "renew", DEMO.exemptions.hostNetwork.name, "--expires", "+20d", "--subscription", prod.id, "--yes"]],
  ["exempt delete", ["exempt", "delete", "neu-created", "--subscription", prod.id, "--yes"]],
  ["exempt apply", ["exempt", "apply", "-f", desired, "--subscription", prod.id, "--yes"]],
  // Issue 17: a per-policy exclusion converts pss-baseline to akspol's custom initiative (a set
  // definition written at the subscription), its upgrade, and the undo of the whole conversion.
  ["exclude add", ["exclude", "add", "pss-baseline", "monitoring", "--policies", "BlockUsingHostNetwork", "--subscription", prod.id, "--yes"]],
  ["initiative upgrade", ["initiative", "upgrade", "pss-baseline-pp", "--subscription", prod.id, "--yes"]],
  ["history", ["history"]],
  ["undo", ["undo", "LAST", "--yes"]],
  ["completion", ["completion", "bash"]],
];

describe("a principal with exactly README's minimum role succeeds, command by command", () => {
  it("README's table covers every command", async () => {
    const roles = readmeRoles();
    const { commands } = await import("../../commands/index.js");
    for (const spec of commands) expect(roles.has(spec.path.join(" ")), `README's minimum-roles table has no row for 'akspol ${spec.path.join(" ")}'`).toBe(true);
    for (const [command] of invocations) expect(roles.has(command), command).toBe(true);
  });

  let lastChange = "";
  it.each(invocations)("akspol %s", async (command, argv) => {
    const role = readmeRoles().get(command) as string;
    const principal = principalFor[role];
    expect(principal, `no test principal for role '${role}'`).toBeDefined();
    const args = argv.map((arg) => (arg === "LAST" ? lastChange : arg));
    const run = await runCli([...args, "--principal", principal], { emulatorDir: emu.stateDir, stateDir });
    expect(run.code, `akspol ${args.join(" ")} as ${principal} (${role}):\n${run.stderr}`).toBe(0);
    if (command === "history") {
      const history = await runCli(["history", "-o", "json", "--principal", principal], { emulatorDir: emu.stateDir, stateDir });
      lastChange = (JSON.parse(history.stdout).entries as Array<{ changeId: string }>)[0]!.changeId;
    }
  });

  it("one role less is not enough: Reader cannot add an exclusion (exit 4)", async () => {
    const run = await runCli(["exclude", "add", "pss-baseline", "monitoring", "--subscription", prod.id, "--yes", "--principal", "least-reader"], { emulatorDir: emu.stateDir, stateDir });
    expect(run.code).toBe(4);
  });
});
