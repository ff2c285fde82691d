import { defineCommand, stringOption } from "../../src/cli/command.js";
import { CancelledError, UsageError } from "../../src/cli/errors.js";
import { printRecord } from "../../src/cli/output.js";
import { journaledDelete } from "../../src/exemptions/apply.js";
import { findExemption } from "../../src/exemptions/lookup.js";
import { describeExemption, exemptionView } from "../../src/exemptions/present.js";

export interface DeleteOptions {
  reference: string;
  cluster?: string;
  resourceGroup?: string;
}

export default defineCommand<DeleteOptions>({
  path: ["exempt", "delete"],
  summary: "Delete an exemption (asks first; journaled, so 'akspol undo' puts it back)",
  arguments: [{ name: "name-or-id", description: "the exemption's name or full id", required: true }],
  options: [
    { flags: "--cluster <name-or-id>", description: "the cluster the exemption is on (when the name is not unique)" },
    { flags: "--resource-group <name>", description: "the cluster's resource group" },
  ],
  outputs: ["table", "json", "yaml"],
  examples: ["akspol exempt delete aks-dev-legacy", "akspol exempt delete aks-dev-legacy --yes -o json"],
  parse(input) {
    const reference = input.args["name-or-id"];
    if (typeof reference !== "string" || !reference.trim()) throw new UsageError("Pass the exemption's name or id.");
    return { reference: reference.trim(), cluster: stringOption(input, "cluster"), resourceGroup: stringOption(input, "resourceGroup") };
  },
  async run(options, ctx) {
    const { yes, dryRun } = ctx.globals;
    if (!yes && !dryRun && !ctx.io.canPrompt) {
      throw new UsageError(`Deleting exemption '${options.reference}' needs confirmation, and there is no terminal to ask on.`, {
        suggestion: "Pass --yes to delete without asking (or --dry-run to see what would be deleted).",
      });
    }
    const exemption = await findExemption(ctx, options);
    const view = exemptionView(exemption, ctx.clock.now());
    const where = view.cluster ?? view.scope;
    if (dryRun) {
      await printRecord(ctx.io, ctx.format, { schemaVersion: 1, action: "delete", dryRun: true, exemption: view }, () => `Dry run: would delete\n${describeExemption(view)}`);
      return 0;
    }
    if (!yes) {
      ctx.io.info(describeExemption(view));
      const confirmed = await ctx.prompter.confirm(`Delete exemption ${exemption.name} on ${where}?`, { default: false });
      if (!confirmed) throw new CancelledError();
    }
    const client = await ctx.azure.exemptions();
    const principal = await ctx.azure.principal();
    const { record, existed } = await journaledDelete(
      { client, journal: ctx.journal(), principal, command: ctx.commandLine, now: () => ctx.clock.now() },
      { before: exemption, summary: `delete exemption ${exemption.name} on ${where}` },
    );
    if (existed) ctx.io.success(`Deleted exemption ${exemption.name} on ${where} (change ${record.changeId}; 'akspol undo ${record.changeId}' restores it).`);
    else ctx.io.warn(`Exemption ${exemption.name} was already gone.`);
    await printRecord(ctx.io, ctx.format, { schemaVersion: 1, action: "delete", dryRun: false, deleted: existed, changeId: record.changeId, exemption: view }, () => `Deleted ${exemption.id}`);
    return 0;
  },
});
