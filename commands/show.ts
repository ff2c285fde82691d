import { defineCommand } from "../src/cli/command.js";
import { UsageError } from "../src/cli/errors.js";
import { chooser } from "../src/cli/prompter.js";
import { printRecord } from "../src/cli/output.js";
import { parseScopeSelection, resolveTargets, scopeOptionSpecs, type ScopeSelection } from "../src/cli/scope-options.js";
import type { Context } from "../src/context.js";
import { carrierLabel, findPodSecurityAssignments, resolveAssignment } from "../src/policy/assignments.js";
import { SetDefinitionCache } from "../src/policy/definitions.js";
import { summarize, exemptionStatus } from "../src/policy/summary.js";
import { clustersUnderAssignment } from "../src/policy/affected-clusters.js";
import { sessionReader } from "../src/effective/azure.js";
import { memberOfDefinition, parameterReference, type ValueOrigin } from "../src/effective/index.js";
import type { IO } from "../src/cli/io.js";
import { exemptionsOfAssignment } from "../src/exemptions/of-assignment.js";
import { exemptionScope } from "../src/exemptions/plan.js";

/** The slice of the context the command uses (main passes the whole context; a test may build just this). */
export type ShowDeps = Pick<Context, "azure" | "clock" | "format" | "io" | "prompter" | "subscriptions">;

export interface ShowOptions extends ScopeSelection {
  assignment?: string;
}

export default defineCommand<ShowOptions, ShowDeps>({
  path: ["show"],
  summary: "Show one assignment: effective parameters, overrides, clusters and exemptions",
  description:
    "Shows each initiative parameter with its effective value and whether the assignment sets it or inherits the default of the assigned initiative version, then enforcement mode, notScopes, per-policy effect overrides, non-compliance messages, identity, metadata, the clusters it reaches and the exemptions that reference it. <assignment> is a full id, a name or a display name.",
  arguments: [{ name: "assignment", description: "assignment id, name or display name" }],
  options: [...scopeOptionSpecs],
  outputs: ["table", "json", "yaml"],
  examples: [
    "akspol show pss-baseline --subscription contoso-prod",
    "akspol show 'Pod security restricted (dev)' --subscription contoso-dev -o json",
    "akspol show /subscriptions/11111111-1111-4111-8111-111111111111/providers/Microsoft.Authorization/policyAssignments/pss-baseline",
  ],
  parse(input) {
    const assignment = input.args.assignment as string | undefined;
    return { ...parseScopeSelection(input), assignment };
  },
  async run(options, ctx) {
    if (!options.assignment && !ctx.io.canPrompt) {
      throw new UsageError("Which assignment? Pass <assignment> (an id, name or display name).", { suggestion: "List them with 'akspol find'." });
    }
    const session = ctx.azure;
    const definitions = new SetDefinitionCache(session);
    const entry = await resolveAssignment({
      session,
      definitions,
      reference: options.assignment ?? (await pickAssignmentReference(ctx, options)),
      targets: () => resolveTargets(ctx, options),
      choose: chooser(ctx),
    });
    const { assignment } = entry;
    const [definition, exemptions, clusters] = await Promise.all([definitions.forAssignment(assignment), exemptionsOfAssignment(session, assignment), clustersUnderAssignment(session, assignment)]);
    // What each member gets comes from the one model (src/effective), the same check and effective use.
    const enforcement = await sessionReader(session, definitions).enforcement(assignment);
    const summary = await summarize(entry, definitions, exemptions, enforcement);
    const now = ctx.clock.now();
    const members = (enforcement?.members ?? []).map((member) => ({
      referenceId: member.referenceId,
      member: member.member,
      definitionId: member.definitionId,
      definitionVersion: member.definitionVersion ?? null,
      effect: member.effect,
      effectFrom: member.origins.effect,
      excludedNamespaces: member.excludedNamespaces,
      excludedNamespacesFrom: member.origins.excludedNamespaces,
      namespaces: member.namespaces,
      status: member.status,
    }));
    // A set that carries other policies too (the benchmark, regulatory sets) declares hundreds of
    // parameters: show those its pod-security members read.
    const memberParameters = memberParameterNames(definition);
    const relevant = (name: string) => memberParameters === undefined || memberParameters.has(name.toLowerCase());
    const data = {
      schemaVersion: 1,
      id: assignment.id,
      name: assignment.name,
      displayName: assignment.displayName,
      description: assignment.description,
      scope: assignment.scope,
      initiative: {
        kind: entry.kind,
        label: carrierLabel(entry),
        id: assignment.policyDefinitionId,
        displayName: definition.displayName,
        definitionVersion: assignment.definitionVersion,
        version: definition.version,
      },
      enforcementMode: assignment.enforcementMode ?? "Default",
      parameters: summary.parameters.filter((parameter) => relevant(parameter.name)).map(({ name, type, value, source, defaultValue }) => ({ name, type, value, source, defaultValue })),
      policies: members,
      notScopes: assignment.notScopes ?? [],
      overrides: assignment.overrides ?? [],
      resourceSelectors: assignment.resourceSelectors ?? [],
      nonComplianceMessages: assignment.nonComplianceMessages ?? [],
      identity: assignment.identity ?? null,
      location: assignment.location ?? null,
      metadata: assignment.metadata ?? {},
      clusters: clusters.map((cluster) => ({
        id: cluster.id,
        name: cluster.name,
        applies: cluster.applicability.applies,
        reason: cluster.applicability.reason,
        azurePolicyEnabled: cluster.azurePolicyEnabled,
      })),
      exemptions: exemptions.map((exemption) => ({
        id: exemption.id,
        name: exemption.name,
        scope: exemptionScope(exemption.id),
        category: exemption.properties.exemptionCategory,
        policies: exemption.properties.policyDefinitionReferenceIds ?? [],
        expiresOn: exemption.properties.expiresOn ?? null,
        ...exemptionStatus(exemption.properties.expiresOn, now),
      })),
      errors: ctx.azure.scopeFailures.list(),
    };
    await printRecord(ctx.io, ctx.format, data, () => renderShow(ctx.io, data));
    return 0;
  },
});

async function pickAssignmentReference(ctx: ShowDeps, options: ShowOptions): Promise<string> {
  const found = await findPodSecurityAssignments({ session: ctx.azure, definitions: new SetDefinitionCache(ctx.azure), targets: await resolveTargets(ctx, options) });
  if (found.length === 0) throw new UsageError("No pod-security assignments in the chosen scope.", { suggestion: "Try --all-subscriptions." });
  return ctx.prompter.select(
    "Which assignment?",
    found.map((entry) => ({ name: `${entry.assignment.displayName ?? entry.assignment.name}  (${entry.kind}, ${entry.assignment.scope})`, value: entry.assignment.id ?? "" })),
  );
}

type ShowData = {
  id?: string;
  name?: string;
  displayName?: string;
  description?: string;
  scope?: string;
  initiative: { kind: string; label: string; displayName?: string; definitionVersion?: string; version?: string };
  enforcementMode: string;
  parameters: Array<{ name: string; value: unknown; source: string }>;
  policies: Array<{ referenceId: string; member: string; effect: string; effectFrom: ValueOrigin; excludedNamespaces: string[]; excludedNamespacesFrom: ValueOrigin; status: string }>;
  notScopes: string[];
  overrides: unknown[];
  resourceSelectors: unknown[];
  nonComplianceMessages: Array<{ message: string; policyDefinitionReferenceId?: string }>;
  identity: unknown;
  metadata: Record<string, unknown>;
  clusters: Array<{ name: string; applies: boolean; reason: string; azurePolicyEnabled?: boolean }>;
  exemptions: Array<{ name: string; scope: string; category: string; policies: string[]; status: string; daysLeft: number | null }>;
};

function renderShow(io: IO, data: ShowData): string {
  const lines: string[] = [];
  const field = (label: string, value: string) => lines.push(`${`${label}:`.padEnd(20)} ${value}`);
  const json = (value: unknown) => JSON.stringify(value);
  field("Name", data.name ?? "-");
  field("Display name", data.displayName ?? "-");
  field("Id", data.id ?? "-");
  field("Scope", data.scope ?? "-");
  field(
    "Initiative",
    `${data.initiative.displayName ?? data.initiative.kind} (${data.initiative.label}, version ${data.initiative.version ?? "?"}, assigned ${data.initiative.definitionVersion ?? "latest"})`,
  );
  field("Enforcement mode", data.enforcementMode === "DoNotEnforce" ? "DoNotEnforce (nothing is denied; compliance is still reported)" : data.enforcementMode);
  lines.push("", io.bold("Parameters"));
  for (const parameter of data.parameters) {
    lines.push(`  ${parameter.name.padEnd(26)} ${json(parameter.value)}  ${io.dim(parameter.source === "assignment" ? "(set on the assignment)" : "(initiative default)")}`);
  }
  lines.push("", io.bold("Policies and effects (of the nine pod-security policies it carries)"));
  for (const policy of data.policies) {
    const effect = `${policy.effect}${policy.effectFrom.kind === "override" ? " (override)" : ""}`;
    const exclusions =
      policy.excludedNamespacesFrom.kind === "parameter" && policy.excludedNamespacesFrom.parameter !== "excludedNamespaces" ? `  excluded via ${policy.excludedNamespacesFrom.parameter}` : "";
    lines.push(
      `  ${policy.referenceId.padEnd(32)} ${effect.padEnd(18)}${policy.member !== policy.referenceId ? ` ${policy.member}` : ""}${exclusions}${policy.status === "unknown" ? "  (uncertain)" : ""}`,
    );
  }
  lines.push("", io.bold("Exclusions and selectors"));
  field("  notScopes", data.notScopes.length ? data.notScopes.join(", ") : "none");
  field("  overrides", data.overrides.length ? json(data.overrides) : "none");
  field("  resourceSelectors", data.resourceSelectors.length ? json(data.resourceSelectors) : "none");
  lines.push("", io.bold("Non-compliance messages"));
  if (data.nonComplianceMessages.length === 0) lines.push("  none");
  for (const message of data.nonComplianceMessages) lines.push(`  ${message.policyDefinitionReferenceId ? `[${message.policyDefinitionReferenceId}] ` : ""}${message.message}`);
  lines.push("");
  field("Identity", data.identity ? json(data.identity) : "none");
  field("Metadata", json(data.metadata));
  lines.push("", io.bold("Clusters"));
  if (data.clusters.length === 0) lines.push("  none below this scope");
  for (const cluster of data.clusters) {
    const state = cluster.applies ? (cluster.azurePolicyEnabled === false ? "applies, but the Azure Policy add-on is disabled: nothing enforced" : "applies") : `does not apply: ${cluster.reason}`;
    lines.push(`  ${cluster.name.padEnd(24)} ${state}`);
  }
  lines.push("", io.bold("Exemptions"));
  if (data.exemptions.length === 0) lines.push("  none");
  for (const exemption of data.exemptions) {
    const left = exemption.daysLeft === null ? "no expiry" : exemption.status === "expired" ? `expired ${-exemption.daysLeft} days ago` : `${exemption.daysLeft} days left`;
    lines.push(
      `  ${exemption.name.padEnd(28)} ${exemption.category.padEnd(9)} ${exemption.status.padEnd(8)} ${left.padEnd(18)} ${exemption.policies.length ? exemption.policies.join(", ") : "all policies"}  ${io.dim(exemption.scope)}`,
    );
  }
  return lines.join("\n");
}

/** Parameters the set's pod-security members read; undefined when every member of the set is one. */
function memberParameterNames(definition: { policyDefinitions?: Array<{ policyDefinitionId: string; parameters?: Record<string, { value?: unknown }> }> }): Set<string> | undefined {
  const references = definition.policyDefinitions ?? [];
  if (references.every((reference) => memberOfDefinition(reference.policyDefinitionId))) return undefined;
  const names = new Set<string>();
  for (const reference of references.filter((item) => memberOfDefinition(item.policyDefinitionId))) {
    for (const { value } of Object.values(reference.parameters ?? {})) {
      const name = parameterReference(value);
      if (name) names.add(name.toLowerCase());
    }
  }
  return names;
}
