import type { Context } from "../src/context.js";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { defineCommand } from "../src/cli/command.js";
import { AkspolError } from "../src/cli/errors.js";
import { IO } from "../src/cli/io.js";
import { Journal } from "../src/journal/journal.js";

/** The slice of the context the command uses (main passes the whole context; a test may build just this). */
export type DemoDeps = Pick<Context, "clock" | "env" | "io" | "program">;

export interface DemoOptions {
  keep: boolean;
}

interface Step {
  heading: string;
  explain: string;
  argv: string[] | (() => Promise<string[]>);
  /** Exit codes that count as success for this step. */
  expect?: number[];
}

export default defineCommand<DemoOptions, DemoDeps>({
  path: ["demo"],
  summary: "Run the main job against an embedded ARM emulator with a demo tenant (no Azure needed)",
  description:
    "Starts the ARM emulator in-process with temporary state and the demo seed (a management group, two subscriptions, four AKS clusters, a baseline and a restricted assignment, Defender's benchmark, a single-definition assignment, Deployment Safeguards on one cluster, two exemptions), then runs real akspol commands against it under headings: find, show, exclude a namespace (plan, then the write), who still decides for a pod there, Safeguards, history and undo, exemptions. Nothing is left running.",
  options: [{ flags: "--keep", description: "keep the emulator's temporary state dir and print where it is" }],
  outputs: ["table"],
  examples: ["akspol demo", "npm start"],
  parse(input) {
    return { keep: input.options.keep === true };
  },
  async run(options, ctx) {
    const { startEmulator } = await import("../src/emulator/index.js");
    const { DEMO } = await import("../src/emulator/demo-seed.js");
    const program = ctx.program;
    if (!program) throw new Error("internal: akspol demo runs only through main()");
    const root = await mkdtemp(join(tmpdir(), "akspol-demo-"));
    const started = Date.now();
    const emulator = await startEmulator({ port: 0, stateDir: join(root, "emulator"), seed: "demo", quiet: true });
    const stateDir = join(root, "state");
    const io = ctx.io;
    try {
      io.out(io.bold("akspol demo") + ": a demo tenant on an embedded ARM emulator at " + emulator.endpoint);
      io.out(`Tenant ${DEMO.tenantId}: management group '${DEMO.managementGroup}', subscriptions ${DEMO.subscriptions.prod.name} and ${DEMO.subscriptions.dev.name}, four AKS clusters.`);
      const prod = DEMO.subscriptions.prod.name;
      const steps: Step[] = [
        {
          heading: "1. Find every assignment that carries the pod-security policies, in every subscription",
          explain:
            "One list call per subscription; the two initiatives are matched by id, other built-in sets by akspol's catalogue of carriers, custom sets are read once; single definitions count too.",
          argv: ["find", "--all-subscriptions"],
        },
        {
          heading: "2. Which assignments apply to one cluster, and what exempts it?",
          explain: "Scope, notScopes and resource selectors decide; exemptions at the cluster are listed with their expiry.",
          argv: ["find", "--cluster", DEMO.clusters.prodWeu.name, "--subscription", prod],
        },
        {
          heading: "3. Look at the baseline assignment",
          explain: "Each parameter shows whether the assignment sets it or inherits the initiative default.",
          argv: ["show", DEMO.assignments.baseline.name, "--subscription", prod],
        },
        {
          heading: "4. Plan an exclusion for the Prometheus node exporter's namespace (dry run)",
          explain: "excludedNamespaces is not set on this assignment, so the edit starts from the assigned version's default list.",
          argv: ["exclude", "add", DEMO.assignments.baseline.name, "monitoring", "--subscription", prod, "--reason", "node-exporter needs hostNetwork", "--ticket", "OPS-42", "--dry-run"],
        },
        {
          heading: "5. Apply it",
          explain: "GET, PUT of the whole assignment with only this parameter changed, then a verifying GET; journaled for undo.",
          argv: ["exclude", "add", DEMO.assignments.baseline.name, "monitoring", "--subscription", prod, "--reason", "node-exporter needs hostNetwork", "--ticket", "OPS-42", "--yes"],
        },
        {
          heading: "6. Is the node exporter free now? Who decides for this pod?",
          explain: `The plan above warned: Defender's cloud security benchmark (${DEMO.carriers.benchmark.name}) carries the same policies and denies privileged pods there through an override. 'effective' shows every source's verdict and the lever that would change it.`,
          argv: ["effective", "--cluster", DEMO.clusters.prodWeu.name, "--subscription", prod, "--namespace", "monitoring", "--policies", "NoPrivilegedContainers,BlockUsingHostNetwork"],
        },
        {
          heading: "7. Deployment Safeguards is one more source",
          explain: "A cluster setting of its own, with its own excluded namespaces; akspol edits them with the same plan, journal and undo.",
          argv: ["safeguards", "show", "--cluster", DEMO.clusters.dev.name, "--subscription", DEMO.subscriptions.dev.name],
        },
        {
          heading: "8. The change journal",
          explain: "Every write is recorded before it is sent, with the full before document.",
          argv: ["history"],
        },
        {
          heading: "9. Exemptions: which expire soon, which have expired",
          explain: "Waivers are capped at 90 days by default; akspol never creates an open-ended one by accident.",
          argv: ["exempt", "list", "--all-subscriptions", "--include-expired"],
        },
        {
          heading: "10. Exempt one cluster from one policy for 30 days",
          explain: "Checked before sending: the cluster exists, the assignment applies to it, the reference id exists in the assigned version.",
          argv: [
            "exempt",
            "create",
            "--cluster",
            DEMO.clusters.prodNeu.name,
            "--subscription",
            prod,
            "--assignment",
            DEMO.assignments.baseline.name,
            "--policies",
            "NoPrivilegedContainers",
            "--category",
            "waiver",
            "--expires",
            "+30d",
            "--reason",
            "security agent runs privileged",
            "--ticket",
            "SEC-7",
            "--yes",
          ],
        },
        {
          heading: "11. Undo the exclusion",
          explain: "Restores the earlier parameter values, after checking nobody changed the assignment since.",
          argv: async () => {
            const entries = await new Journal(stateDir).entries();
            const exclusion = entries.filter((entry) => entry.resourceKind === "policyAssignment" && entry.status === "applied").pop();
            if (!exclusion) throw new AkspolError("The demo's exclusion is missing from the journal.");
            return ["undo", exclusion.changeId, "--yes"];
          },
        },
        {
          heading: "10. Audit the tenant",
          explain: "Every cluster, what protects it, and the findings with the command that fixes each (in CI: --fail-on high, -o markdown or -o sarif).",
          argv: ["audit", "--all-subscriptions", "--fail-on", "never"],
        },
      ];
      const env: NodeJS.ProcessEnv = { ...ctx.env, AKSPOL_EMULATOR: emulator.stateDir, AKSPOL_STATE_DIR: stateDir };
      delete env.AZURE_SUBSCRIPTION_ID;
      // The demo is one narrative: each command's status lines (plans, warnings) go to the same
      // stream as its data, in order.
      const narrative = new IO({ stdin: io.stdin, stdout: io.stdout, stderr: io.stdout }, { color: io.colorEnabled });
      for (const step of steps) {
        const argv = typeof step.argv === "function" ? await step.argv() : step.argv;
        io.out(`\n${io.bold(step.heading)}`);
        io.out(io.dim(step.explain));
        io.out(io.cyan(`$ akspol ${argv.map(quote).join(" ")}`));
        const code = await program.run([...argv, "--no-input"], { io: narrative, env, clock: ctx.clock });
        if (!(step.expect ?? [0]).includes(code)) {
          throw new AkspolError(`Demo step "${step.heading}" exited ${code}.`);
        }
      }
      const writes = (await emulator.hooks.requests()).filter((entry) => entry.method !== "GET");
      io.out(`\n${io.bold("Done")} in ${((Date.now() - started) / 1000).toFixed(1)} s; the emulator saw ${writes.length} writes.`);
      io.out(
        [
          "Try it yourself against a running emulator:",
          "  akspol emulator &                 # keeps a demo tenant at ~/.local/state/akspol/emulator",
          `  akspol --emulator exclude add      # interactive: pick the assignment, type namespaces, confirm`,
          `  akspol --emulator find --all-subscriptions`,
          "Against Azure: az login, then akspol find --all-subscriptions.",
        ].join("\n"),
      );
      return 0;
    } finally {
      await emulator.close();
      if (options.keep) io.info(`Emulator state kept in ${root}`);
      else await rm(root, { recursive: true, force: true });
    }
  },
});

function quote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, "'\\''")}'`;
}
