import type { Context } from "../../src/context.js";
import { defineCommand, stringOption } from "../../src/cli/command.js";
import { UsageError } from "../../src/cli/errors.js";
import { printRecord } from "../../src/cli/output.js";
import { findExemption } from "../../src/exemptions/lookup.js";
import { describeExemption, exemptionView } from "../../src/exemptions/present.js";

/** The slice of the context the command uses (a test builds exactly this). */
export type ExemptShowDeps = Pick<Context, "azure" | "clock" | "format" | "globals" | "io" | "prompter" | "subscriptions">;

export interface ShowOptions {
  reference: string;
  cluster?: string;
  resourceGroup?: string;
}

export default defineCommand<ShowOptions, ExemptShowDeps>({
  path: ["exempt", "show"],
  summary: "Show one exemption: scope, assignment, policies, expiry, status, owner and ticket",
  arguments: [{ name: "name-or-id", description: "the exemption's name or full id", required: true }],
  options: [
    { flags: "--cluster <name-or-id>", description: "the cluster the exemption is on (when the name is not unique)" },
    { flags: "--resource-group <name>", description: "the cluster's resource group" },
  ],
  outputs: ["table", "json", "yaml"],
  examples: ["akspol exempt show aks-prod-weu-hostnetwork", "akspol exempt show aks-dev-legacy -o json"],
  parse(input) {
    const reference = input.args["name-or-id"];
    if (typeof reference !== "string" || !reference.trim()) throw new UsageError("Pass the exemption's name or id.");
    return { reference: reference.trim(), cluster: stringOption(input, "cluster"), resourceGroup: stringOption(input, "resourceGroup") };
  },
  async run(options, ctx) {
    const exemption = await findExemption(ctx, options);
    const view = exemptionView(exemption, ctx.clock.now());
    await printRecord(ctx.io, ctx.format, { schemaVersion: 1, exemption: view, metadata: exemption.properties.metadata ?? {} }, () => describeExemption(view));
    return 0;
  },
});
