import type { Context } from "../../src/context.js";
import { defineCommand } from "../../src/cli/command.js";
import { printRecord } from "../../src/cli/output.js";
import { findExemption } from "../../src/exemptions/lookup.js";
import { describeExemption, exemptionView } from "../../src/exemptions/present.js";
import { exemptionReferenceArgument, exemptionReferenceOptionSpecs, parseExemptionReference, type ExemptionReference } from "../../src/cli/shared-options.js";

/** The slice of the context the command uses (main passes the whole context; a test may build just this). */
export type ExemptShowDeps = Pick<Context, "azure" | "clock" | "format" | "globals" | "io" | "prompter" | "subscriptions">;

export type ShowOptions = ExemptionReference;

export default defineCommand<ShowOptions, ExemptShowDeps>({
  path: ["exempt", "show"],
  summary: "Show one exemption: scope, assignment, policies, expiry, status, owner and ticket",
  arguments: [exemptionReferenceArgument],
  options: exemptionReferenceOptionSpecs,
  outputs: ["table", "json", "yaml"],
  examples: ["akspol exempt show aks-prod-weu-hostnetwork", "akspol exempt show aks-dev-legacy -o json"],
  parse(input) {
    return parseExemptionReference(input);
  },
  async run(options, ctx) {
    const exemption = await findExemption(ctx, options);
    const view = exemptionView(exemption, ctx.clock.now());
    await printRecord(ctx.io, ctx.format, { schemaVersion: 1, exemption: view, metadata: exemption.properties.metadata ?? {} }, () => describeExemption(view));
    return 0;
  },
});
