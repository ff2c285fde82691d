// One scenario per registered command that declares `writes`, against the demo seed: the argv (without
// --yes/--dry-run) that makes it write. The confirmation-rule test and the `| head -1` test run every
// one; a new writing command without a scenario here fails them.
import { fileURLToPath } from "node:url";
import { DEMO } from "../../src/emulator/demo-seed.js";
import { Journal } from "../../src/journal/journal.js";
import type { SeedDocument } from "../../src/emulator/seed.js";

export interface WriterContext {
  stateDir: string;
  /** Runs a command that must succeed (to prepare state, e.g. a change for undo). */
  prepare(argv: string[]): Promise<void>;
  /** Adds resources to the emulator (what no akspol command creates, e.g. an assignment). */
  seed(document: SeedDocument): Promise<void>;
}

const examples = fileURLToPath(new URL("../../examples/exemptions.yaml", import.meta.url));

export const writerScenarios: Record<string, (context: WriterContext) => Promise<string[]>> = {
  "exclude add": async () => ["exclude", "add", DEMO.assignments.baseline.id, "monitoring"],
  "exclude remove": async () => ["exclude", "remove", DEMO.assignments.restricted.id, "monitoring"],
  "params set": async () => ["params", "set", DEMO.assignments.baseline.id, "--effect", "audit"],
  "params unset": async () => ["params", "unset", DEMO.assignments.baseline.id, "effect"],
  "exempt create": async () => [
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
    "node exporter needs the host network",
  ],
  "exempt renew": async () => ["exempt", "renew", DEMO.exemptions.hostNetwork.name, "--expires", "+30d"],
  "exempt delete": async () => ["exempt", "delete", DEMO.exemptions.legacy.name],
  "exempt apply": async () => ["exempt", "apply", "-f", examples],
  "safeguards exclude": async () => ["safeguards", "exclude", "add", "monitoring", "--cluster", DEMO.clusters.dev.id],
  // Issue 17: an assignment pinned to restricted 2.4.0, converted to akspol's custom initiative, so
  // there is a newer built-in version (2.5.0) to bring it to.
  "initiative upgrade": async (context) => {
    const scope = `/subscriptions/${DEMO.subscriptions.dev.id}/resourceGroups/rg-aks-dev`;
    await context.seed({
      policyAssignments: [{ scope, name: "pss-pinned", properties: { displayName: "Restricted 2.4.0", policyDefinitionId: DEMO.policySetDefinitions.restricted, definitionVersion: "2.4.0" } }],
    } as SeedDocument);
    const id = `${scope}/providers/Microsoft.Authorization/policyAssignments/pss-pinned`;
    await context.prepare(["exclude", "add", id, "monitoring", "--policies", "NoPrivilegedContainers", "--yes"]);
    return ["initiative", "upgrade", `${id}-pp`];
  },
  undo: async (context) => {
    await context.prepare(["exclude", "add", DEMO.assignments.baseline.id, "undo-me", "--yes"]);
    const [entry] = await new Journal(context.stateDir).entries();
    if (!entry) throw new Error("the change to undo was not journaled");
    return ["undo", entry.changeId];
  },
};
