import { readFile } from "node:fs/promises";
import { defineCommand, booleanOption, stringOption } from "../../src/cli/command.js";
import { AuthError, ConflictError, PartialFailureError, UsageError } from "../../src/cli/errors.js";
import { renderJson, renderYaml } from "../../src/cli/output.js";
import type { Context } from "../../src/context.js";
import { executePlan, type ActionResult } from "../../src/exemptions/apply.js";
import { parseDesiredState } from "../../src/exemptions/desired-state.js";
import { buildPlan, hasChanges, planCounts, type Plan } from "../../src/exemptions/plan.js";
import { describePlan, planActionView } from "../../src/exemptions/present.js";
import { listCovered, resolveDesiredState } from "../../src/exemptions/resolve-file.js";
import { parseMaxDaysOption } from "../../src/cli/expiry-options.js";
import { settleIntervalMs } from "../../src/journal/outcomes.js";
import type { PlannedRequest } from "../../src/cli/confirm.js";

/** The slice of the context the command uses (main passes the whole context; a test may build just this). */
export type ExemptApplyDeps = Pick<Context, "azure" | "clock" | "commandLine" | "confirmWrite" | "env" | "format" | "globals" | "io" | "journal" | "subscriptions">;

export interface ApplyOptions {
  file: string;
  prune: boolean;
  maxDays?: number;
}

export default defineCommand<ApplyOptions, ExemptApplyDeps>({
  path: ["exempt", "apply"],
  writes: true,
  summary: "Make a cluster's exemptions match a desired-state file (plan, then apply; idempotent)",
  description:
    "Reads a desired-state file (YAML or JSON; schema in the README section Cluster exemptions) with an owner and a list of exemptions, checks every entry against Azure (cluster, assignment, reference ids, expiry) and rejects the file whole, with file:line:column, before any write. Prints a plan (create, update, replace, unchanged, delete) with field diffs, then applies it. --prune deletes exemptions stamped with the file's owner, within the clusters and scopes the file covers, that the file no longer lists; never ones made by hand or by another owner. Failed writes do not stop the others: the report lists them, the exit code is 7, and a re-run converges.",
  options: [
    { flags: "-f, --file <path>", description: "the desired-state file (YAML or JSON)" },
    { flags: "--prune", description: "delete this owner's exemptions that the file no longer lists (within the scopes it covers)" },
    { flags: "--max-days <n>", description: "longest a waiver may last, in days (overrides the file's maxDays; default 90)" },
  ],
  outputs: ["table", "json", "yaml"],
  examples: ["akspol exempt apply -f examples/exemptions.yaml --dry-run", "akspol exempt apply -f examples/exemptions.yaml --yes", "akspol exempt apply -f exemptions.yaml --prune -o json"],
  parse(input) {
    const file = stringOption(input, "file");
    if (!file) throw new UsageError("Pass the desired-state file with -f/--file.", { suggestion: "See examples/exemptions.yaml for a commented example." });
    return { file, prune: booleanOption(input, "prune"), maxDays: parseMaxDaysOption(stringOption(input, "maxDays")) };
  },
  async run(options, ctx) {
    let text: string;
    try {
      text = await readFile(options.file, "utf8");
    } catch (error) {
      throw new UsageError(`Cannot read '${options.file}': ${(error as Error).message}`, { suggestion: "Check the path given with -f; examples/exemptions.yaml is a commented example." });
    }
    const now = ctx.clock.now();
    const file = await parseDesiredState(text, { path: options.file, now, maxDays: options.maxDays });
    const principal = await ctx.azure.principal();
    const resolved = await ctx.io.withSpinner(`Checking ${file.exemptions.length} exemption(s) against Azure`, () => resolveDesiredState(ctx, file, principal));
    const actual = await listCovered(ctx, resolved.coveredScopes);
    const plan = buildPlan({ owner: file.owner, desired: resolved.desired, actual, coveredScopes: resolved.coveredScopes, prune: options.prune });
    if (plan.conflicts.length > 0) {
      const lines = plan.conflicts.map((conflict) => {
        const entry = file.exemptions.find((item) => item.index === conflict.index);
        const where = entry ? `${file.path}:${entry.at.name?.line ?? entry.at.entry?.line}:${entry.at.name?.column ?? entry.at.entry?.column}: ` : "";
        return `${where}exemption '${conflict.name}' on ${conflict.cluster} exists and ${conflict.owner ? `belongs to owner '${conflict.owner}'` : "was not made by an akspol desired-state file"}; this file (owner '${file.owner}') will not take it over`;
      });
      throw new ConflictError(`${lines.join("\n")}\nNothing was written.`, { suggestion: "Give the entry another name, or have the exemption's owner remove it first." });
    }

    const counts = planCounts(plan);
    const dryRun = ctx.globals.dryRun;
    const report = (results?: ActionResult[]) => ({
      schemaVersion: 1,
      file: options.file,
      owner: file.owner,
      dryRun,
      prune: options.prune,
      counts,
      actions: plan.actions.map(planActionView),
      notPruned: plan.prunable.map(planActionView),
      ...(results ? { results, failed: results.filter((result) => result.status === "failed").length } : {}),
    });
    const described = describePlan(plan, { prune: options.prune });
    const planText = `Plan for ${options.file} (owner ${file.owner}): ${summary(counts)}${described ? `\n${described}` : ""}`;
    if (!hasChanges(plan)) {
      if (ctx.format === "table") ctx.io.out(planText);
      if (ctx.format === "table") ctx.io.info("Nothing to do: Azure matches the file.");
      else await print(ctx, report([]));
      return 0;
    }
    const changes = plan.actions.filter((action) => action.action !== "unchanged");
    const proceed = await ctx.confirmWrite({
      requests: changes.flatMap((action): PlannedRequest[] => {
        const where = `exemption ${action.name} on ${action.cluster}`;
        const before = "actual" in action ? action.actual.properties : null;
        const after = "desired" in action ? action.desired : null;
        if (action.action === "delete") return [{ method: "DELETE", resource: action.id, summary: `delete ${where} (pruned: the file no longer lists it)`, before, after: null }];
        if (action.action === "replace") {
          return [
            { method: "DELETE", resource: action.id, summary: `delete ${where} (its assignment changes, which needs a new exemption)`, before, after: null },
            { method: "PUT", resource: action.id, summary: `re-create ${where}`, before: null, after },
          ];
        }
        return [{ method: "PUT", resource: action.id, summary: `${action.action} ${where}`, before, after }];
      }),
      text: planText,
      data: report(),
      question: `Apply ${changes.length} change(s)?`,
    });
    if (!proceed) return 0;

    const client = await ctx.azure.exemptions();
    const results = await executePlan(plan, {
      client,
      journal: ctx.journal(),
      principal,
      command: ctx.commandLine,
      now: () => ctx.clock.now(),
      concurrency: ctx.globals.concurrency,
      settleMs: settleIntervalMs(ctx.env),
    });
    const failed = results.filter((result) => result.status === "failed");
    if (ctx.format === "table") {
      for (const result of results) {
        if (result.status === "applied") ctx.io.success(`${result.action} ${result.name} (${result.cluster})${result.changeIds.length ? ` [change ${result.changeIds.join(", ")}]` : ""}`);
        else ctx.io.error(`${result.action} ${result.name} (${result.cluster}) failed: ${result.error}`);
      }
    } else await print(ctx, report(results));
    if (failed.length > 0) reportFailures(plan, failed, results.length);
    return 0;
  },
});

function summary(counts: ReturnType<typeof planCounts>): string {
  return `${counts.create} to create, ${counts.update} to update, ${counts.replace} to replace, ${counts.delete} to delete, ${counts.unchanged} unchanged`;
}

async function print(ctx: ExemptApplyDeps, data: unknown): Promise<void> {
  ctx.io.out(ctx.format === "yaml" ? await renderYaml(data) : renderJson(data));
}

function reportFailures(plan: Plan, failed: ActionResult[], total: number): never {
  const list = failed.map((result) => `  ${result.action} ${result.name} (${result.cluster}): ${result.error}`).join("\n");
  // Every write refused for want of permission is a permission problem, not a partial failure.
  if (failed.length === total && failed.every((result) => result.exitCode === 4)) {
    throw new AuthError(`No write was allowed (${failed.length} refused):\n${list}`, {
      suggestion: "Ask for 'Resource Policy Contributor' on the clusters (it grants policyExemptions/write and policyAssignments/exempt/action), then run apply again.",
    });
  }
  if (failed.length === total && failed.every((result) => result.exitCode === 5)) {
    throw new ConflictError(`No write held (${failed.length} in conflict with another writer):\n${list}`, {
      suggestion: "Run apply again: it plans from what Azure holds now, and refuses exemptions another owner holds.",
    });
  }
  throw new PartialFailureError(`${failed.length} of ${total} write(s) failed (owner ${plan.owner}); the others were applied:\n${list}`, {
    suggestion: "Run the same apply again: it plans only what is still missing.",
  });
}
