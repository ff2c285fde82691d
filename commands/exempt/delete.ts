import type { Context } from "../../src/context.js";
import { defineCommand } from "../../src/cli/command.js";
import { printRecord } from "../../src/cli/output.js";
import { journaledDelete } from "../../src/exemptions/apply.js";
import { findExemption } from "../../src/exemptions/lookup.js";
import { describeExemption, exemptionView } from "../../src/exemptions/present.js";
import { exemptionReferenceArgument, exemptionReferenceOptionSpecs, parseExemptionReference, type ExemptionReference } from "../../src/cli/shared-options.js";

/** The slice of the context the command uses (main passes the whole context; a test may build just this). */
export type ExemptDeleteDeps = Pick<Context, "azure" | "clock" | "commandLine" | "confirmWrite" | "format" | "globals" | "io" | "journal" | "prompter" | "subscriptions" | "undoCommand">;

export type DeleteOptions = ExemptionReference;

export default defineCommand<DeleteOptions, ExemptDeleteDeps>({
  path: ["exempt", "delete"],
  writes: true,
  summary: "Delete an exemption (asks first; journaled, so 'akspol undo' puts it back)",
  arguments: [exemptionReferenceArgument],
  options: exemptionReferenceOptionSpecs,
  outputs: ["table", "json", "yaml"],
  examples: ["akspol exempt delete aks-dev-legacy", "akspol exempt delete aks-dev-legacy --yes -o json"],
  parse(input) {
    return parseExemptionReference(input);
  },
  async run(options, ctx) {
    const exemption = await findExemption(ctx, options);
    const view = exemptionView(exemption, ctx.clock.now());
    const where = view.cluster ?? view.scope;
    const proceed = await ctx.confirmWrite({
      requests: [{ method: "DELETE", resource: exemption.id, summary: `delete exemption ${exemption.name} on ${where}`, before: exemption.properties, after: null }],
      text: `Plan: delete exemption ${exemption.name} on ${where} (DELETE ${exemption.id})\n${describeExemption(view)}`,
      data: { action: "delete", exemption: view },
      question: `Delete exemption ${exemption.name} on ${where}?`,
    });
    if (!proceed) return 0;
    const client = await ctx.azure.exemptions();
    const principal = await ctx.azure.principal();
    const { record, existed } = await journaledDelete(
      { client, journal: ctx.journal(), principal, command: ctx.commandLine, now: () => ctx.clock.now() },
      { before: exemption, summary: `delete exemption ${exemption.name} on ${where}` },
    );
    if (existed) ctx.io.success(`Deleted exemption ${exemption.name} on ${where} (change ${record.changeId}; '${ctx.undoCommand(record.changeId)}' restores it).`);
    else ctx.io.warn(`Exemption ${exemption.name} was already gone.`);
    await printRecord(ctx.io, ctx.format, { schemaVersion: 1, action: "delete", dryRun: false, deleted: existed, changeId: record.changeId, exemption: view }, () => `Deleted ${exemption.id}`);
    return 0;
  },
});
