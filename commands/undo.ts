import type { Context } from "../src/context.js";
import { booleanOption, defineCommand, stringOption } from "../src/cli/command.js";
import { parsePlanReads, planReadOptionSpecs, type PlanReads } from "../src/cli/plan-read-options.js";
import { ConflictError, UsageError } from "../src/cli/errors.js";
import { printRecord } from "../src/cli/output.js";
import { runEditFlow } from "./shared/edit-flow.js";
import { assignmentChangesSince, applyExemptionUndo, findEntry, planExemptionUndo, refuseIfChanged, restoreOperation } from "../src/journal/undo.js";
import { journalOptionSpecs } from "../src/cli/shared-options.js";
import { lastSegment } from "../src/azure/ids.js";

/** The slice of the context the command uses (main passes the whole context; a test may build just this). */
export type UndoDeps = Pick<Context, "azure" | "clock" | "commandLine" | "confirmWrite" | "env" | "format" | "globals" | "io" | "journal" | "prompter" | "subscriptions" | "undoCommand">;
import type { JournalEntry } from "../src/journal/journal.js";

export interface UndoOptions {
  changeId: string;
  force: boolean;
  reason?: string;
  ticket?: string;
  /** The plan's extra sections to read (--no-clusters, --no-other-carriers, --no-impact). */
  planReads: PlanReads;
}

export default defineCommand<UndoOptions, UndoDeps>({
  path: ["undo"],
  writes: true,
  summary: "Reverse a change from the journal (assignment parameters, or an exemption)",
  description:
    "Restores what a change replaced: for an assignment, the earlier values of the parameters and fields it touched (nothing else); for an exemption, the earlier exemption (or deletes the one it created). Shows what it would overwrite, and refuses (exit 5) when the resource changed since the change, unless --force.",
  arguments: [{ name: "changeId", description: "the change id (or an unambiguous prefix) from 'akspol history'", required: true }],
  options: [{ flags: "--force", description: "undo even though the resource changed since" }, ...journalOptionSpecs, ...planReadOptionSpecs],
  outputs: ["table", "json", "yaml"],
  examples: ["akspol undo 20260501T101500Z-a1b2c3 --yes", "akspol undo 20260501T101500Z-a1b2c3 --dry-run -o json"],
  parse(input) {
    const changeId = String(input.args.changeId ?? "").trim();
    if (!changeId) throw new UsageError("Missing <changeId>.", { suggestion: "Find it with 'akspol history'." });
    return { changeId, force: booleanOption(input, "force"), reason: stringOption(input, "reason"), ticket: stringOption(input, "ticket"), planReads: parsePlanReads(input) };
  },
  async run(options, ctx) {
    const entry = await findEntry(ctx.journal(), options.changeId);
    if (entry.undoneBy?.length && !options.force) {
      throw new ConflictError(`Change ${entry.changeId} was already undone by ${entry.undoneBy.join(", ")}.`, { suggestion: "Pass --force to restore its earlier values again." });
    }
    if (entry.resourceKind === "conversion") return undoConversion(ctx, entry, options);
    if (entry.resourceKind === "policyAssignment") {
      return runEditFlow(ctx, {
        assignment: entry.resourceId,
        allSubscriptions: false,
        reason: options.reason,
        ticket: options.ticket,
        planReads: options.planReads,
        undoOf: entry.changeId,
        summary: () => `undo ${entry.changeId} (${entry.summary})`,
        // Checked on the assignment the edit flow has just read, before any write.
        operation: async (target) => {
          const changed = assignmentChangesSince(entry, target.entry.assignment);
          refuseIfChanged(entry, changed, options.force);
          if (changed.length > 0) ctx.io.warn(`The assignment changed since ${entry.changeId} (${changed.join(", ")}); --force: only the fields the change touched are restored, the rest stays.`);
          return restoreOperation(entry);
        },
      });
    }
    if (entry.resourceKind === "deploymentSafeguards") {
      const [{ planSafeguardsUndo }, { runSafeguardsEdit }] = await Promise.all([import("../src/safeguards/undo.js"), import("./shared/safeguards-flow.js")]);
      const plan = await planSafeguardsUndo(ctx.azure, entry, options.force);
      if (plan.changedSince) ctx.io.warn(`Deployment Safeguards exclusions changed since ${entry.changeId}; --force: the earlier list is restored anyway.`);
      return runSafeguardsEdit(ctx, {
        clusterId: plan.clusterId,
        clusterName: lastSegment(plan.clusterId),
        planned: plan.current,
        operation: { set: plan.restore },
        summary: `undo ${entry.changeId} (${entry.summary})`,
        reason: options.reason,
        ticket: options.ticket,
        undoOf: entry.changeId,
      });
    }
    const plan = await planExemptionUndo(ctx.azure, entry);
    if (plan.changedSince && !options.force) {
      throw new ConflictError(`Exemption ${plan.name} changed since change ${entry.changeId}; undoing would overwrite that.`, {
        suggestion: "Review with 'akspol history', then pass --force to undo anyway.",
      });
    }
    const output = { schemaVersion: 1, resourceId: entry.resourceId, before: plan.current, after: plan.restore, changed: plan.action !== "none", changeId: null as string | null };
    if (plan.action === "none") {
      ctx.io.info(`No change: exemption ${plan.name} already is as it was before ${entry.changeId}.`);
    } else {
      const proceed = await ctx.confirmWrite({
        requests: [
          {
            method: plan.action === "delete" ? "DELETE" : "PUT",
            resource: `${plan.scope}/providers/Microsoft.Authorization/policyExemptions/${plan.name}`,
            summary:
              plan.action === "delete"
                ? `delete exemption ${plan.name} (created by ${entry.changeId})`
                : `${plan.current ? "overwrite" : "re-create"} exemption ${plan.name} as it was before ${entry.changeId}`,
            before: plan.current?.properties ?? null,
            after: plan.action === "delete" ? null : plan.restore,
          },
        ],
        text:
          plan.action === "delete"
            ? `Plan: delete exemption ${plan.name} (created by ${entry.changeId}) at ${plan.scope}.`
            : `Plan: ${plan.current ? "overwrite" : "re-create"} exemption ${plan.name} with its version from before ${entry.changeId}:\n${JSON.stringify(plan.restore, null, 2)}${plan.current ? `\nIt overwrites:\n${JSON.stringify(plan.current.properties, null, 2)}` : ""}`,
        data: { ...output },
        question: "Apply this undo?",
      });
      if (!proceed) return 0;
      const principal = await ctx.azure.principal();
      const result = await ctx.io.withSpinner(`Restoring ${plan.name}`, () =>
        applyExemptionUndo(
          {
            session: ctx.azure,
            journal: ctx.journal(),
            stateDir: ctx.globals.stateDir,
            principal,
            command: ctx.commandLine,
            reason: options.reason,
            ticket: options.ticket,
            now: () => ctx.clock.now(),
          },
          entry,
          plan,
        ),
      );
      output.changeId = result.changeId;
      ctx.io.success(`Undone (change ${result.changeId}).`);
    }
    if (ctx.format === "json" || ctx.format === "yaml") await printRecord(ctx.io, ctx.format, output, () => "");
    return 0;
  },
});

/**
 * Undo of a conversion to a custom initiative, of its upgrade, or rollback of one that stopped
 * midway (issue 17): planned from the journal and what Azure holds now, confirmed through the frame.
 */
async function undoConversion(ctx: Context, entry: JournalEntry, options: UndoOptions): Promise<number> {
  const { planConversionUndo, executeConversionUndo } = await import("../src/policy/conversion.js");
  const plan = await planConversionUndo(ctx.azure, entry);
  const output = { schemaVersion: 1, changeOf: entry.changeId, steps: plan.steps.map((step) => `${step.method} ${step.summary}`), changed: plan.steps.length > 0, changeId: null as string | null };
  if (plan.steps.length === 0) {
    ctx.io.info(`No change: nothing of ${entry.changeId} is left to reverse.`);
  } else {
    const text = [`Plan: undo ${entry.changeId} (${entry.summary}), in this order:`, ...plan.steps.map((step, index) => `  ${index + 1}. ${step.method} ${step.summary}`)].join("\n");
    const proceed = await ctx.confirmWrite({ requests: plan.steps, text, data: { ...output }, question: "Apply this undo?" });
    if (!proceed) return 0;
    const result = await ctx.io.withSpinner(`Undoing ${entry.changeId}`, () =>
      executeConversionUndo(
        { session: ctx.azure, journal: ctx.journal(), principal: () => ctx.azure.principal(), command: ctx.commandLine, reason: options.reason, ticket: options.ticket, now: () => ctx.clock.now() },
        plan,
      ),
    );
    output.changeId = result.changeId;
    ctx.io.success(`Undone (change ${result.changeId}).`);
  }
  if (ctx.format === "json" || ctx.format === "yaml") await printRecord(ctx.io, ctx.format, output, () => "");
  return 0;
}
