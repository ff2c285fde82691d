import { defineCommand, stringOption } from "../../src/cli/command.js";
import { printRecord } from "../../src/cli/output.js";
import { scopeOptionSpecs, parseScopeSelection, type ScopeSelection } from "../../src/cli/scope-options.js";
import { journalOptionSpecs } from "../../src/cli/shared-options.js";

export interface InitiativeUpgradeOptions extends ScopeSelection {
  assignment?: string;
  toVersion?: string;
  reason?: string;
  ticket?: string;
}

export default defineCommand<InitiativeUpgradeOptions>({
  path: ["initiative", "upgrade"],
  writes: true,
  summary: "Bring akspol's custom initiative of an assignment up to a newer built-in version",
  description:
    "An assignment converted by 'akspol exclude add --policies' (or --label-selector, --container, --image) assigns a custom initiative made from a built-in version. This adds a new version of that custom initiative from a newer built-in version: the same members with the built-in's new definition versions and defaults, and the same per-policy parameters, so the assignment keeps its parameters and exemptions. Shows the plan, asks (or --yes), journals every write; 'akspol undo' puts the earlier version back.",
  arguments: [{ name: "assignment", description: "assignment name, display name or full id", required: true }],
  options: [...scopeOptionSpecs, { flags: "--to-version <version>", description: "the built-in version to bring it to (default: the newest)" }, ...journalOptionSpecs],
  outputs: ["table", "json", "yaml"],
  examples: ["akspol initiative upgrade pss-restricted-pp --subscription contoso-dev --dry-run", "akspol initiative upgrade pss-restricted-pp --to-version 2.5.0 --subscription contoso-dev --yes"],
  parse(input) {
    return {
      ...parseScopeSelection(input),
      assignment: input.args.assignment as string | undefined,
      toVersion: stringOption(input, "toVersion"),
      reason: stringOption(input, "reason"),
      ticket: stringOption(input, "ticket"),
    };
  },
  async run(options, ctx) {
    const [{ loadTarget, requireScriptable }, { requireAssignment }, { planUpgrade, executeConversion, conversionRequests }, { syncNote }] = await Promise.all([
      import("../shared/edit-flow.js"),
      import("../../src/policy/write.js"),
      import("../../src/policy/conversion.js"),
      import("../shared/plan-view.js"),
    ]);
    requireScriptable(ctx, options.assignment);
    const target = await loadTarget(ctx, options);
    const assignment = await requireAssignment(ctx.azure, target.entry.assignment.id ?? "");
    const plan = await planUpgrade({ session: ctx.azure, definitions: target.definitions, assignment, toVersion: options.toVersion });
    const output = {
      schemaVersion: 1,
      assignmentId: assignment.id,
      setDefinitionId: assignment.policyDefinitionId,
      source: plan.source.id,
      fromVersion: "",
      toVersion: "",
      pins: [] as unknown[],
      changed: false,
      changeId: null as string | null,
    };
    if ("upToDate" in plan) {
      output.fromVersion = output.toVersion = plan.version;
      ctx.io.info(`No change: ${assignment.name}'s custom initiative is made from ${plan.source.id} ${plan.version}, the newest version. Nothing was written.`);
    } else {
      const upgrade = plan.upgrade!;
      Object.assign(output, { fromVersion: upgrade.fromVersion, toVersion: upgrade.toVersion, pins: upgrade.pins, changed: true });
      const lines = [
        ctx.io.bold(`Plan for ${assignment.displayName ?? assignment.name} (${assignment.name})`),
        `  custom initiative: ${plan.set.id}`,
        `  built-in:          ${plan.source.id} ${upgrade.fromVersion} -> ${upgrade.toVersion} (same members, new pins and defaults)`,
        ...upgrade.pins.map(
          (pin) => `    ${pin.referenceId}: ${pin.before === pin.after ? `${pin.before ?? "-"} (unchanged)` : `${ctx.io.red(pin.before ?? "-")} -> ${ctx.io.green(pin.after ?? "-")}`}`,
        ),
        ...conversionRequests(plan).map((request, index) => `  ${index + 1}. ${request.method} ${request.summary}`),
      ];
      const proceed = await ctx.confirmWrite({ requests: conversionRequests(plan), text: lines.join("\n"), data: { ...output }, question: "Upgrade the custom initiative?" });
      if (!proceed) return 0;
      const result = await ctx.io.withSpinner(`Upgrading ${plan.set.name}`, () =>
        executeConversion(
          { session: ctx.azure, journal: ctx.journal(), principal: () => ctx.azure.principal(), command: ctx.commandLine, reason: options.reason, ticket: options.ticket, now: () => ctx.clock.now() },
          plan,
          `initiative upgrade ${plan.set.name} ${upgrade.fromVersion} -> ${upgrade.toVersion}`,
        ),
      );
      output.changeId = result.changeId;
      ctx.io.success(`Upgraded ${plan.set.name} to ${upgrade.toVersion} (change ${result.changeId}).`);
      ctx.io.info(syncNote);
      ctx.io.info(`Undo with: ${ctx.undoCommand(result.changeId)}`);
    }
    if (ctx.format === "json" || ctx.format === "yaml") await printRecord(ctx.io, ctx.format, output, () => "");
    return 0;
  },
});
