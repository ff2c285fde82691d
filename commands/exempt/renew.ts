import type { Context } from "../../src/context.js";
import { defineCommand, stringOption } from "../../src/cli/command.js";
import { UsageError } from "../../src/cli/errors.js";
import { printRecord } from "../../src/cli/output.js";
import { exemptionScope, diffExemption, mergeForUpdate } from "../../src/exemptions/plan.js";
import { updateByPut } from "../../src/exemptions/apply.js";
import { formatExpiry } from "../../src/exemptions/expiry.js";
import { findExemption } from "../../src/exemptions/lookup.js";
import { metadataKeys, stampMetadata, stringField } from "../../src/exemptions/metadata.js";
import { describeDiffs, describeExemption, exemptionView } from "../../src/exemptions/present.js";
import { checkExpiryRule, checkReason, checkTicket } from "../../src/exemptions/validate.js";
import { expiryFromFlag, expiryOptionSpecs, parseExpiryFlags } from "../../src/cli/expiry-options.js";
import type { PolicyExemption, PolicyExemptionProperties } from "../../src/azure/exemptions-client.js";
import { settleIntervalMs } from "../../src/journal/outcomes.js";
import { parseCategory } from "../../src/exemptions/category.js";
import { exemptionReferenceArgument, exemptionReferenceOptionSpecs, parseExemptionReference, type ExemptionReference } from "../../src/cli/shared-options.js";

/** The slice of the context the command uses (main passes the whole context; a test may build just this). */
export type ExemptRenewDeps = Pick<Context, "azure" | "clock" | "commandLine" | "confirmWrite" | "env" | "format" | "globals" | "io" | "journal" | "prompter" | "subscriptions">;

export interface RenewOptions extends ExemptionReference {
  expires?: string;
  noExpiry: boolean;
  maxDays?: number;
  reason?: string;
  ticket?: string;
}

export default defineCommand<RenewOptions, ExemptRenewDeps>({
  path: ["exempt", "renew"],
  writes: true,
  summary: "Move an exemption's expiry (GET plus a full PUT; journaled, undoable)",
  description:
    "Sets a new expiry on an exemption, checked like 'exempt create' (in the future; a waiver at most --max-days away, 90 by default). ARM's PATCH cannot change the expiry, so akspol reads the exemption and PUTs it back whole with the new date, keeping every other field.",
  arguments: [exemptionReferenceArgument],
  options: [
    ...expiryOptionSpecs("remove the expiry (mitigated exemptions only)"),
    { flags: "--reason <text>", description: "a new reason (else the current one is kept)" },
    { flags: "--ticket <id>", description: "a new ticket (else the current one is kept)" },
    ...exemptionReferenceOptionSpecs,
  ],
  outputs: ["table", "json", "yaml"],
  examples: ["akspol exempt renew aks-prod-weu-hostnetwork --expires +30d --ticket OPS-1300", "akspol exempt renew aks-prod-weu-hostnetwork --expires 2030-01-31 --max-days 3650 --dry-run"],
  parse(input) {
    const exemption = parseExemptionReference(input);
    const { expires, noExpiry, maxDays } = parseExpiryFlags(input);
    if (!expires && !noExpiry) throw new UsageError("Pass the new expiry with --expires (or --no-expiry for a mitigated exemption).");
    const reason = stringOption(input, "reason");
    return {
      ...exemption,
      expires,
      noExpiry,
      maxDays,
      reason: reason === undefined ? undefined : checkReason(reason),
      ticket: checkTicket(stringOption(input, "ticket")),
    };
  },
  async run(options, ctx) {
    const now = ctx.clock.now();
    const expiresOn = expiryFromFlag(options.expires, now);
    const found = await findExemption(ctx, options);
    const client = await ctx.azure.exemptions();
    const scope = exemptionScope(found.id);
    // Re-read just before the PUT: the PUT replaces the whole exemption.
    const current = (await client.get(scope, found.name)) ?? found;
    const category = parseCategory(String(current.properties.exemptionCategory)) ?? "Waiver";
    checkExpiryRule(category, expiresOn, now, options.maxDays);
    const principal = await ctx.azure.principal();
    const desired = (exemption: PolicyExemption): PolicyExemptionProperties => {
      const reason = options.reason ?? stringField(exemption.properties.metadata, metadataKeys.reason) ?? exemption.properties.description ?? "";
      const properties: PolicyExemptionProperties = {
        ...exemption.properties,
        ...(options.reason ? { description: options.reason } : {}),
        metadata: stampMetadata(exemption.properties.metadata, {
          owner: stringField(exemption.properties.metadata, metadataKeys.owner),
          ticket: options.ticket ?? stringField(exemption.properties.metadata, metadataKeys.ticket),
          reason,
          principal,
        }),
      };
      if (expiresOn) properties.expiresOn = formatExpiry(expiresOn);
      else delete properties.expiresOn;
      return mergeForUpdate(exemption.properties, properties);
    };
    const diffs = diffExemption(current.properties, desired(current));
    const cluster = exemptionView(current, now).cluster ?? scope;
    const newExpiry = expiresOn ? formatExpiry(expiresOn) : "never";
    const proceed = await ctx.confirmWrite({
      requests: [
        {
          method: "PUT",
          resource: current.id,
          summary: `renew exemption ${current.name}: expiry ${current.properties.expiresOn ?? "never"} -> ${newExpiry}`,
          before: current.properties,
          after: desired(current),
        },
      ],
      text: [
        `Plan: update ${current.name} on ${cluster} (GET, then PUT of the whole exemption):`,
        `  expires: ${current.properties.expiresOn ?? "never"} -> ${newExpiry}`,
        ...describeDiffs(
          diffs.filter((diff) => diff.field !== "expiresOn"),
          "  ",
        ),
      ].join("\n"),
      data: { action: "renew", diffs, exemption: exemptionView(current, now), request: { method: "PUT", id: current.id, body: { properties: desired(current) } } },
      question: `Renew ${current.name} (expires ${newExpiry})?`,
    });
    if (!proceed) return 0;
    const { exemption, record } = await updateByPut(
      { client, journal: ctx.journal(), principal, command: ctx.commandLine, now: () => ctx.clock.now(), settleMs: settleIntervalMs(ctx.env) },
      { scope, name: current.name, current, desired, summary: `renew exemption ${current.name} on ${cluster}: expires ${expiresOn ? formatExpiry(expiresOn) : "never"}` },
    );
    ctx.io.success(`Renewed ${exemption.name}: expires ${exemption.properties.expiresOn ?? "never"} (change ${record.changeId}).`);
    const after = exemptionView(exemption, ctx.clock.now());
    await printRecord(ctx.io, ctx.format, { schemaVersion: 1, action: "renew", dryRun: false, changeId: record.changeId, diffs, exemption: after }, () => describeExemption(after));
    return 0;
  },
});
