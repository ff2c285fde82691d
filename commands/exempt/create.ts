import { defineCommand, booleanOption, listOption, stringOption } from "../../src/cli/command.js";
import { ConflictError, UsageError } from "../../src/cli/errors.js";
import { printRecord } from "../../src/cli/output.js";
import type { Context } from "../../src/context.js";
import { listClusters, type ClusterRecord } from "../../src/azure/clusters.js";
import { SetDefinitionCache } from "../../src/policy/definitions.js";
import { journaledPut } from "../../src/exemptions/apply.js";
import { checkExpiry, ExpiryError, formatExpiry, parseExpiry, defaultWaiverMaxDays } from "../../src/exemptions/expiry.js";
import { expiryFromFlag, expiryOptionSpecs, parseExpiryFlags } from "../../src/cli/expiry-options.js";
import { findCluster, lookupSubscriptions } from "../../src/exemptions/lookup.js";
import { describeExemption, exemptionView } from "../../src/exemptions/present.js";
import type { SetMember } from "../../src/exemptions/references.js";
import { applicableAssignments, assignedSet, resolveApplicableAssignment } from "../../src/exemptions/applicable.js";
import { checkExpiryRule, checkName, checkDisplayName, checkReason, checkTicket, exemptionProperties, nameFor, resolveReferences } from "../../src/exemptions/validate.js";
import { ownerPattern } from "../../src/exemptions/metadata.js";
import { settleIntervalMs } from "../../src/journal/outcomes.js";
import { renderImpact, workloadImpact } from "../../src/workloads/impact.js";
import { lastSegment } from "../../src/azure/ids.js";
import { parseCategory, type ExemptionCategory } from "../../src/exemptions/category.js";

/** The slice of the context the command uses (main passes the whole context; a test may build just this). */
export type ExemptCreateDeps = Pick<Context, "azure" | "clock" | "commandLine" | "confirmWrite" | "env" | "format" | "globals" | "io" | "journal" | "prompter" | "subscriptions" | "undoCommand">;

export interface CreateOptions {
  cluster?: string;
  resourceGroup?: string;
  assignment?: string;
  /** undefined: not given (asked on a terminal); "all": --all-policies. */
  policies?: string[] | "all";
  category?: ExemptionCategory;
  /** The text of --expires, parsed at run time against the clock. */
  expires?: string;
  noExpiry: boolean;
  maxDays?: number;
  reason?: string;
  ticket?: string;
  name?: string;
  displayName?: string;
  owner?: string;
}

function parseCategoryFlag(value: string | undefined): ExemptionCategory | undefined {
  if (value === undefined) return undefined;
  const category = parseCategory(value);
  if (category) return category;
  throw new UsageError(`Invalid --category '${value}'.`, { suggestion: "Use --category waiver (the risk is accepted for a while) or --category mitigated (it is handled another way)." });
}

export default defineCommand<CreateOptions, ExemptCreateDeps>({
  path: ["exempt", "create"],
  writes: true,
  summary: "Exempt a cluster from an assignment (all of it or some policies), checked before it is sent",
  description:
    "Creates a policy exemption at the cluster's resource scope. Before writing, akspol reads the cluster, checks that the assignment applies to it (scope, notScopes, resource selectors), checks every policy reference id against the initiative version actually assigned (with 'did you mean'), and checks the reason, the name and the expiry (a waiver expires within --max-days, 90 by default). On a terminal, missing values are asked for.",
  options: [
    { flags: "--cluster <name-or-id>", description: "the AKS cluster (name or resource id)" },
    { flags: "--resource-group <name>", description: "the cluster's resource group (to find it by name with one GET)" },
    { flags: "--assignment <name-or-id>", description: "the pod-security assignment to exempt from (name, display name or id)" },
    { flags: "--policies <ref-ids>", description: "policy reference ids to exempt, comma-separated (e.g. BlockUsingHostNetwork)", repeatable: true },
    { flags: "--all-policies", description: "exempt from every policy of the assignment" },
    { flags: "--category <category>", description: "waiver or mitigated" },
    ...expiryOptionSpecs("no expiry date (mitigated exemptions only)"),
    { flags: "--reason <text>", description: "why the cluster is exempted (required; becomes the description)" },
    { flags: "--ticket <id>", description: "change or incident ticket, stored in the metadata" },
    { flags: "--name <name>", description: "exemption name (default: derived from cluster, assignment and policies)" },
    { flags: "--display-name <text>", description: "display name shown in the portal" },
    { flags: "--owner <name>", description: "owner stamp (as a desired-state file's owner: 'exempt apply --prune' of that owner may then delete it)" },
  ],
  outputs: ["table", "json", "yaml"],
  examples: [
    "akspol exempt create --cluster aks-prod-neu --assignment pss-baseline --policies BlockUsingHostNetwork --category waiver --expires +30d --reason 'node-exporter needs the host network' --ticket OPS-2001",
    "akspol exempt create --cluster aks-dev --resource-group rg-aks-dev --assignment pss-restricted --all-policies --category mitigated --no-expiry --reason 'isolated by network policy' -o json",
    "akspol exempt create   # on a terminal: asks for the cluster, assignment, policies, category, expiry and reason",
  ],
  parse(input) {
    const policies = listOption(input, "policies");
    const allPolicies = booleanOption(input, "allPolicies");
    if (allPolicies && policies.length > 0) throw new UsageError("Choose either --policies or --all-policies.");
    const { expires, noExpiry, maxDays } = parseExpiryFlags(input);
    const name = stringOption(input, "name");
    if (name !== undefined) checkName(name);
    const owner = stringOption(input, "owner");
    if (owner !== undefined && !ownerPattern.test(owner)) throw new UsageError(`Invalid --owner '${owner}'.`, { suggestion: "Use 1-64 letters, digits, '.', '_' or '-'." });
    const reason = stringOption(input, "reason");
    return {
      cluster: stringOption(input, "cluster"),
      resourceGroup: stringOption(input, "resourceGroup"),
      assignment: stringOption(input, "assignment"),
      policies: allPolicies ? "all" : policies.length > 0 ? policies : undefined,
      category: parseCategoryFlag(stringOption(input, "category")),
      expires,
      noExpiry,
      maxDays,
      reason: reason === undefined ? undefined : checkReason(reason),
      ticket: checkTicket(stringOption(input, "ticket")),
      name,
      displayName: checkDisplayName(stringOption(input, "displayName")),
      owner,
    };
  },
  async run(options, ctx) {
    const now = ctx.clock.now();
    const canPrompt = ctx.io.canPrompt;
    if (!canPrompt) {
      const missing = [
        options.cluster ? undefined : "--cluster",
        options.assignment ? undefined : "--assignment",
        options.policies ? undefined : "--policies or --all-policies",
        options.category ? undefined : "--category",
        options.expires || options.noExpiry ? undefined : "--expires (or --no-expiry)",
        options.reason ? undefined : "--reason",
      ].filter((flag): flag is string => flag !== undefined);
      if (missing.length > 0) {
        throw new UsageError(`Missing ${missing.join(", ")} (no terminal to ask on${ctx.globals.noInput ? ", --no-input" : ""}).`, {
          suggestion: "See 'akspol exempt create --help' and examples/create-exemption.sh.",
        });
      }
    }
    // Checks that need no Azure come first, so a bad value costs no request.
    let expiresOn = expiryFromFlag(options.expires, now);
    if (options.expires) {
      if (options.category) checkExpiryRule(options.category, expiresOn, now, options.maxDays);
    } else if (options.noExpiry && options.category) checkExpiryRule(options.category, undefined, now, options.maxDays);

    const session = ctx.azure;
    const definitions = new SetDefinitionCache(session);
    const cluster = options.cluster ? await findCluster(ctx, options.cluster, options.resourceGroup) : await askCluster(ctx);
    if (!cluster.azurePolicyEnabled) ctx.io.warn(`The Azure Policy add-on is disabled on ${cluster.name}; the exemption takes effect once it is enabled.`);
    // With --assignment only that one is classified (other carriers' sets are not read); asking lists all.
    const known = options.assignment ? undefined : await applicableAssignments(session, definitions, cluster);
    const assignmentReference = options.assignment ?? (await askAssignment(ctx, cluster, known?.applicable.map((entry) => entry.assignment) ?? []));
    const assignment = await resolveApplicableAssignment(session, definitions, cluster, assignmentReference, known);
    const set = await assignedSet(definitions, assignment, cluster.subscriptionId);
    const policies = options.policies ?? (await askPolicies(ctx, set.members));
    const referenceIds = policies === "all" ? undefined : resolveReferences(policies, set);
    const category = options.category ?? (await askCategory(ctx));
    if (!options.expires && !options.noExpiry) expiresOn = await askExpiry(ctx, category, now, options.maxDays);
    checkExpiryRule(category, expiresOn, now, options.maxDays);
    const reason = options.reason ?? checkReason(await ctx.prompter.input("Reason (why is the cluster exempted?)", { validate: (value) => (value.trim() ? true : "A reason is required.") }));
    const name = nameFor(options.name, cluster, assignment, referenceIds);

    const client = await session.exemptions();
    const existing = await client.get(cluster.id, name);
    if (existing) {
      throw new ConflictError(`Exemption '${name}' already exists on ${cluster.name}.`, {
        suggestion: `Change its expiry with 'akspol exempt renew ${name} --cluster ${cluster.name} --expires ...', delete it with 'akspol exempt delete ${name}', or choose another --name.`,
      });
    }
    const principal = await session.principal();
    const properties = exemptionProperties({
      cluster,
      assignment,
      referenceIds,
      category,
      expiresOn,
      reason,
      ticket: options.ticket,
      owner: options.owner,
      displayName: options.displayName,
      principal,
    });
    const exemptionId = `${cluster.id}/providers/Microsoft.Authorization/policyExemptions/${name}`;
    const impact = await ctx.io.withSpinner("Reading the workloads it affects", async () =>
      workloadImpact({
        session,
        before: assignment,
        after: assignment,
        setDefinition: await definitions.forAssignment(assignment, cluster.subscriptionId),
        clusters: [{ id: cluster.id, name: cluster.name, azurePolicyEnabled: cluster.azurePolicyEnabled !== false }],
        now,
        addedExemption: {
          clusterId: cluster.id,
          id: exemptionId,
          name,
          policyAssignmentId: assignment.id ?? "",
          policyDefinitionReferenceIds: referenceIds,
          expiresOn: expiresOn?.toISOString() ?? null,
        },
      }),
    );

    const preview = exemptionView({ id: exemptionId, name, type: "Microsoft.Authorization/policyExemptions", properties }, now);
    const proceed = await ctx.confirmWrite({
      requests: [{ method: "PUT", resource: exemptionId, summary: `create exemption ${name} on ${cluster.name}`, before: null, after: { properties } }],
      text: `Plan: create exemption ${name} on ${cluster.name} (PUT ${exemptionId})\n${describeExemption(preview)}\n${renderImpact(impact, { assignmentName: assignment.name ?? "" })}`,
      data: { action: "create", exemption: preview, request: { method: "PUT", id: exemptionId, body: { properties } }, impact },
      question: `Create exemption ${name} on ${cluster.name}?`,
    });
    if (!proceed) return 0;
    const { exemption, record } = await journaledPut(
      { client, journal: ctx.journal(), principal, command: ctx.commandLine, now: () => ctx.clock.now(), settleMs: settleIntervalMs(ctx.env) },
      { scope: cluster.id, name, properties, summary: `create exemption ${name} on ${cluster.name} from ${assignment.name} (${referenceIds?.join(", ") ?? "all policies"})` },
    );
    ctx.io.success(`Created exemption ${exemption.name} on ${cluster.name} (change ${record.changeId}; '${ctx.undoCommand(record.changeId)}' reverses it).`);
    const view = exemptionView(exemption, ctx.clock.now());
    await printRecord(ctx.io, ctx.format, { schemaVersion: 1, action: "create", dryRun: false, changeId: record.changeId, exemption: view, impact }, () => describeExemption(view));
    return 0;
  },
});

async function askCluster(ctx: ExemptCreateDeps): Promise<ClusterRecord> {
  const clusters = await ctx.io.withSpinner("Listing AKS clusters", async () => listClusters(ctx.azure, await lookupSubscriptions(ctx)));
  if (clusters.length === 0) throw new UsageError("No AKS clusters are visible to the signed-in principal.", { suggestion: "Pass --subscription, or --cluster with a resource id." });
  return ctx.prompter.select(
    "Which cluster?",
    clusters.map((cluster) => ({ name: `${cluster.name}  (${cluster.resourceGroup})`, value: cluster, description: cluster.id })),
  );
}

async function askAssignment(ctx: ExemptCreateDeps, cluster: ClusterRecord, applicable: Array<{ id?: string; name?: string; displayName?: string }>): Promise<string> {
  if (applicable.length === 0) {
    throw new UsageError(`No pod-security assignment applies to ${cluster.name}, so there is nothing to exempt it from.`, { suggestion: `Check with 'akspol find --cluster ${cluster.name}'.` });
  }
  return ctx.prompter.select(
    `Which assignment applies to ${cluster.name} and should be exempted?`,
    applicable.map((assignment) => ({ name: `${assignment.name}  ${assignment.displayName ?? ""}`.trim(), value: assignment.id as string })),
  );
}

/** Display names come from the definitions embedded with akspol; the reference ids themselves were read from Azure. */
async function policyDisplayNames(): Promise<Map<string, string>> {
  const { BUILTIN_DEFINITIONS } = await import("../../src/check/builtins.js");
  const names = new Map<string, string>();
  for (const definition of BUILTIN_DEFINITIONS) {
    const displayName = definition.properties?.displayName ?? definition.displayName;
    if (definition.name && typeof displayName === "string") names.set(definition.name.toLowerCase(), displayName);
  }
  return names;
}

async function askPolicies(ctx: ExemptCreateDeps, members: SetMember[]): Promise<string[] | "all"> {
  const scope = await ctx.prompter.select<"all" | "some">("Exempt from which policies?", [
    { name: "Some policies (choose next)", value: "some" },
    { name: "All policies of the assignment (also ones added to the initiative later)", value: "all" },
  ]);
  if (scope === "all") return "all";
  const names = await policyDisplayNames();
  return ctx.prompter.checkbox(
    "Policies to exempt (space to select)",
    members.map((member) => ({
      name: names.get(lastSegment(member.definitionId).toLowerCase()) ?? member.referenceId,
      value: member.referenceId,
      description: member.referenceId,
    })),
    { required: true },
  );
}

async function askCategory(ctx: ExemptCreateDeps): Promise<ExemptionCategory> {
  return ctx.prompter.select<ExemptionCategory>("Category?", [
    { name: "Waiver: the risk is accepted for a limited time", value: "Waiver" },
    { name: "Mitigated: the risk is handled another way", value: "Mitigated" },
  ]);
}

async function askExpiry(ctx: ExemptCreateDeps, category: ExemptionCategory, now: Date, maxDays?: number): Promise<Date | undefined> {
  const validate = (value: string): true | string => {
    if (category === "Mitigated" && /^never$/i.test(value.trim())) return true;
    try {
      checkExpiry({ category, expiresOn: parseExpiry(value, now), now, maxDays });
      return true;
    } catch (error) {
      return error instanceof ExpiryError ? error.message : String(error);
    }
  };
  const hint = category === "Waiver" ? `at most ${maxDays ?? defaultWaiverMaxDays} days` : "or 'never'";
  const answer = (await ctx.prompter.input(`Expires (YYYY-MM-DD, ISO date-time or +Nd; ${hint})`, { default: "+30d", validate })).trim();
  if (/^never$/i.test(answer)) return undefined;
  const date = parseExpiry(answer, now);
  ctx.io.info(`Expires ${formatExpiry(date)}.`);
  return date;
}
