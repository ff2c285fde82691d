import { readFile, writeFile } from "node:fs/promises";
import { booleanOption, defineCommand, stringOption } from "../src/cli/command.js";
import { ExitCode, UsageError } from "../src/cli/errors.js";
import type { Context } from "../src/context.js";
import { parseAcceptedFile } from "../src/audit/accepted.js";
import { collectAuditData, type AuditScope, type CollectProgress } from "../src/audit/collect.js";
import { buildReport, gateFails, type FailOn } from "../src/audit/report.js";
import { renderCsv } from "../src/audit/render/csv.js";
import { renderHtml } from "../src/audit/render/html.js";
import { renderJunit } from "../src/audit/render/junit.js";
import { renderMarkdown } from "../src/audit/render/markdown.js";
import { renderSarif } from "../src/audit/render/sarif.js";
import { renderText } from "../src/audit/render/text.js";
import type { Acceptance, AuditOptions, AuditReport } from "../src/audit/types.js";
import { listDescendants } from "../src/azure/management-groups.js";
import { listSubscriptions } from "../src/azure/subscriptions.js";
import { SetDefinitionCache } from "../src/policy/definitions.js";
import { engineOptionSpec, parseEngineChoice } from "../src/cli/engine-option.js";
import { estateSourceFor } from "../src/estate/choose.js";
import type { EngineChoice } from "../src/estate/engine.js";
import { defaultWaiverMaxDays, parseDayCount } from "../src/exemptions/expiry.js";
import { parseMaxDaysOption } from "../src/cli/expiry-options.js";
import { expiryToUsage } from "../src/exemptions/validate.js";

/** The slice of the context the command uses (main passes the whole context; a test may build just this). */
export type AuditDeps = Pick<Context, "azure" | "clock" | "format" | "globals" | "io" | "journal" | "subscriptions">;

export interface AuditCommandOptions {
  allSubscriptions: boolean;
  managementGroup?: string;
  resourceGroup?: string;
  cluster?: string;
  audit: AuditOptions;
  failOn: FailOn;
  acceptedFile?: string;
  htmlFile?: string;
  safeguards: boolean;
  engine: EngineChoice;
}

export default defineCommand<AuditCommandOptions, AuditDeps>({
  path: ["audit"],
  summary: "Audit pod security across subscriptions: findings, reports (json, csv, markdown, sarif, junit, html) and a CI gate",
  description:
    "Collects, for every AKS cluster in scope, the assignments that carry the nine pod-security policies, their parameters, overrides, notScopes, resource selectors and exemptions, and reports findings with a severity, the evidence and the akspol command that acts on each (README 'Audit findings'). Exit 6 when a finding at or above --fail-on remains, 7 when a subscription could not be read and the gate passed.",
  options: [
    { flags: "--all-subscriptions", description: "audit every subscription the signed-in principal can see" },
    { flags: "--management-group <name>", description: "audit every subscription below this management group" },
    { flags: "--resource-group <name>", description: "only this resource group of each chosen subscription" },
    { flags: "--cluster <name>", description: "report only this cluster (by name or resource id)" },
    { flags: "--expect <initiative>", description: "every cluster should have every member of this initiative", choices: ["baseline", "restricted"] },
    { flags: "--expect-effect <effect>", description: "members should have this effect (deny: Audit or Disabled is a finding)", choices: ["deny", "audit"] },
    { flags: "--max-days <n>", description: `longest a waiver may last, in days (default ${defaultWaiverMaxDays}, as exempt create)` },
    { flags: "--expiring-within <days>", description: "report exemptions expiring within N days (default 14d)" },
    { flags: "--group-by <metadata-key>", description: "group assignments for exclusion drift by this assignment metadata key (default: management group and display-name pattern)" },
    { flags: "--fail-on <severity>", description: "exit 6 when a finding at or above this severity remains", choices: ["high", "medium", "low", "never"], default: "high" },
    { flags: "--accepted <file>", description: "YAML/JSON list of accepted findings (rule, resource, reason, expires)" },
    { flags: "--html <file>", description: "also write a self-contained HTML report to this file" },
    { flags: "--safeguards", description: "also read each cluster's Deployment Safeguards setting (one request per cluster)" },
    engineOptionSpec,
  ],
  outputs: ["table", "json", "csv", "markdown", "sarif", "junit"],
  examples: [
    "akspol audit --all-subscriptions",
    "akspol audit --management-group contoso --expect baseline --expect-effect deny -o markdown",
    "akspol audit --subscription contoso-prod --fail-on medium --accepted accepted.yaml -o sarif > audit.sarif",
    "akspol audit --all-subscriptions --html audit.html --fail-on never",
    "akspol audit --management-group contoso --engine resource-graph -o json",
  ],
  parse(input) {
    const managementGroup = stringOption(input, "managementGroup");
    const allSubscriptions = booleanOption(input, "allSubscriptions");
    if (managementGroup && allSubscriptions) throw new UsageError("Choose either --management-group or --all-subscriptions.");
    const expiring = stringOption(input, "expiringWithin");
    let expiringWithinDays = 14;
    if (expiring !== undefined) {
      try {
        expiringWithinDays = parseDayCount(expiring, "--expiring-within");
      } catch (error) {
        expiryToUsage(error);
      }
    }
    const audit: AuditOptions = {
      maxDays: parseMaxDaysOption(stringOption(input, "maxDays")) ?? defaultWaiverMaxDays,
      expiringWithinDays,
    };
    const expect = stringOption(input, "expect");
    if (expect) audit.expect = expect as AuditOptions["expect"];
    const expectEffect = stringOption(input, "expectEffect");
    if (expectEffect) audit.expectEffect = expectEffect as AuditOptions["expectEffect"];
    const groupBy = stringOption(input, "groupBy");
    if (groupBy) audit.groupBy = groupBy;
    return {
      allSubscriptions,
      managementGroup,
      resourceGroup: stringOption(input, "resourceGroup"),
      cluster: stringOption(input, "cluster"),
      audit,
      failOn: (stringOption(input, "failOn") ?? "high") as FailOn,
      acceptedFile: stringOption(input, "accepted"),
      htmlFile: stringOption(input, "html"),
      safeguards: booleanOption(input, "safeguards"),
      engine: parseEngineChoice(input),
    };
  },
  async run(options, ctx) {
    // Read the acceptances first: a bad file is a usage error before any request.
    const acceptances = options.acceptedFile ? await readAccepted(options.acceptedFile) : [];
    const scopes = await auditScopes(options, ctx);
    // --cluster filters the report; the scopes are still read whole.
    const source = await estateSourceFor(ctx, options.engine, { allSubscriptions: options.allSubscriptions, managementGroup: Boolean(options.managementGroup), subscriptionCount: scopes.length });
    const now = ctx.clock.now();
    let progress: CollectProgress = { scopesDone: 0, scopesTotal: scopes.length, clusters: 0 };
    const progressText = () => `Auditing: ${progress.scopesDone} of ${progress.scopesTotal} subscriptions read, ${progress.clusters} clusters found, ${ctx.azure.limiter.inFlight} requests in flight`;
    const data = await ctx.io.withSpinner(`Auditing ${scopes.length} subscription(s)`, async (update) => {
      // On a terminal the line also follows the requests in flight between scope completions.
      const ticker = ctx.io.isStderrTTY ? setInterval(() => update(progressText()), 250) : undefined;
      try {
        return await collectAuditData({
          session: ctx.azure,
          definitions: new SetDefinitionCache(ctx.azure),
          scopes,
          concurrency: ctx.globals.concurrency,
          now,
          source,
          failures: ctx.azure.scopeFailures,
          safeguards: options.safeguards,
          onProgress: (next) => {
            progress = next;
            update(progressText());
          },
        });
      } finally {
        if (ticker) clearInterval(ticker);
      }
    });
    if (options.cluster) {
      const wanted = options.cluster.toLowerCase();
      data.clusters = data.clusters.filter((cluster) => cluster.name.toLowerCase() === wanted || cluster.id.toLowerCase() === wanted);
      if (data.clusters.length === 0)
        throw new UsageError(`No AKS cluster '${options.cluster}' in the audited scope.`, { suggestion: "Check the name, or widen the scope with --subscription or --all-subscriptions." });
    }
    const report = buildReport(data, options.audit, acceptances, now);
    if (options.cluster) report.findings = report.findings.filter((finding) => finding.clusters.some((id) => data.clusters.some((cluster) => cluster.id === id)));
    if (options.htmlFile) {
      await writeFile(options.htmlFile, renderHtml(report));
      ctx.io.info(`HTML report written to ${options.htmlFile}`);
    }
    printReport(report, options, ctx);
    // 6 when the gate fails; otherwise the frame turns scopes that could not be read into exit 7 (or 4).
    return gateFails(report, options.failOn) ? ExitCode.gateFailed : ExitCode.ok;
  },
});

async function readAccepted(file: string): Promise<Acceptance[]> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    throw new UsageError(`Cannot read --accepted file '${file}': ${(error as Error).message}`);
  }
  return parseAcceptedFile(text, file);
}

/** The subscriptions to audit: --management-group (its descendants), --all-subscriptions, or the chosen ones. */
async function auditScopes(options: AuditCommandOptions, ctx: AuditDeps): Promise<AuditScope[]> {
  const withGroup = (id: string, name: string, managementGroups?: string[]): AuditScope => ({
    subscriptionId: id,
    subscriptionName: name,
    ...(options.resourceGroup ? { resourceGroup: options.resourceGroup } : {}),
    ...(managementGroups ? { managementGroups } : {}),
  });
  if (options.managementGroup) {
    const root = options.managementGroup;
    const [descendants, visible] = await Promise.all([listDescendants(ctx.azure, root), listSubscriptions(ctx.azure)]);
    const names = new Map(visible.map((subscription) => [subscription.id.toLowerCase(), subscription.name]));
    const parents = new Map(descendants.filter((entry) => entry.kind === "managementGroup").map((entry) => [entry.name.toLowerCase(), entry.parent]));
    const subscriptions = descendants.filter((entry) => entry.kind === "subscription");
    if (subscriptions.length === 0)
      throw new UsageError(`Management group '${root}' has no subscriptions below it that you can see.`, {
        suggestion: "Check the name (az account management-group list), or use --all-subscriptions.",
      });
    return subscriptions.map((entry) => {
      const chain: string[] = [];
      let current: string | undefined = entry.parent;
      while (current && !chain.includes(current)) {
        chain.push(current);
        if (current.toLowerCase() === root.toLowerCase()) break;
        current = parents.get(current.toLowerCase());
      }
      return withGroup(entry.name, names.get(entry.name.toLowerCase()) ?? entry.name, chain);
    });
  }
  let subscriptions = await ctx.subscriptions({ all: options.allSubscriptions });
  if (subscriptions.some((subscription) => subscription.name === subscription.id)) {
    // Given by id: one list call names them for the report; without it the ids stand in.
    const names = new Map((await listSubscriptions(ctx.azure).catch(() => [])).map((subscription) => [subscription.id.toLowerCase(), subscription.name]));
    subscriptions = subscriptions.map((subscription) => ({ ...subscription, name: names.get(subscription.id.toLowerCase()) ?? subscription.name }));
  }
  return subscriptions.map((subscription) => withGroup(subscription.id, subscription.name));
}

function printReport(report: AuditReport, options: AuditCommandOptions, ctx: AuditDeps): void {
  switch (ctx.format) {
    case "json":
      ctx.io.outJson(report);
      return;
    case "csv":
      ctx.io.out(renderCsv(report));
      return;
    case "markdown":
      ctx.io.out(renderMarkdown(report));
      return;
    case "sarif":
      ctx.io.outJson(renderSarif(report));
      return;
    case "junit":
      ctx.io.out(renderJunit(report, options.failOn));
      return;
    default:
      ctx.io.out(renderText(report, { width: ctx.io.terminalWidth, painter: ctx.io.isStdoutTTY && ctx.io.colorEnabled ? ctx.io : undefined }));
  }
}
