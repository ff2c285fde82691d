import type { Context } from "../../src/context.js";
import { booleanOption, defineCommand } from "../../src/cli/command.js";
import { planReadOptionSpecs } from "../../src/cli/plan-read-options.js";
import { UsageError } from "../../src/cli/errors.js";
import { scopeOptionSpecs } from "../../src/cli/scope-options.js";
import { excludedNamespacesParameter, namespaceParametersFor } from "../../src/policy/edit.js";
import { runEditFlow } from "../shared/edit-flow.js";
import { excludesPods, parseExclusionInput, type ExclusionInput } from "../shared/exclusion-input.js";
import { protectionOf, type ProtectionKind } from "../../src/policy/namespaces.js";
import { heldNamespaces, heldPodExclusions, memberNamespaces, type HeldExclusion } from "../../src/policy/held-exclusions.js";
import type { SetDefinition } from "../../src/policy/definitions.js";
import { effectiveParameters } from "../../src/policy/parameters.js";
import { excludePoliciesOptionSpec, journalOptionSpecs, podExclusionOptionSpecs } from "../../src/cli/shared-options.js";
import { exclusionParameters, type DefinitionDocument } from "../../src/effective/index.js";
import { selectMembers, type ExclusionField } from "../../src/policy/per-policy.js";
import type { EditOperation } from "../../src/policy/edit.js";
import { describePerPolicy } from "./add.js";

/** The slice of the context the command uses (main passes the whole context; a test may build just this). */
export type ExcludeRemoveDeps = Pick<Context, "azure" | "clock" | "commandLine" | "confirmWrite" | "env" | "format" | "globals" | "io" | "journal" | "prompter" | "subscriptions" | "undoCommand">;

export interface ExcludeRemoveOptions extends ExclusionInput {
  force: boolean;
}

export default defineCommand<ExcludeRemoveOptions, ExcludeRemoveDeps>({
  path: ["exclude", "remove"],
  writes: true,
  summary: "Stop excluding namespaces from an assignment",
  description:
    "Removes namespaces from the assignment's excludedNamespaces, keeping every other field. With --policies or --except-policies it edits only the exclusion parameters those members read; --label-selector, --container and --image take out the per-policy exclusions 'exclude add' made (a value no selected member holds is refused). The initiative's default namespaces are protected: removing kube-system, gatekeeper-system or azure-arc changes nothing (the add-on excludes them anyway), removing another default makes its pods subject to the initiative; both need --force.",
  arguments: [
    { name: "assignment", description: "assignment name, display name or full id (asked on a terminal when omitted)" },
    {
      name: "namespace",
      description: "namespaces to stop excluding (ticked from a list on a terminal when omitted; on a set with per-policy parameters the list also holds its label, container and image exclusions)",
      variadic: true,
    },
  ],
  options: [
    ...scopeOptionSpecs,
    excludePoliciesOptionSpec,
    ...podExclusionOptionSpecs("stop excluding"),
    { flags: "--force", description: "allow removing the initiative's default namespaces" },
    ...journalOptionSpecs,
    ...planReadOptionSpecs,
  ],
  outputs: ["table", "json", "yaml"],
  examples: [
    "akspol exclude remove pss-baseline monitoring --subscription contoso-prod --yes",
    "akspol exclude remove SecurityCenterBuiltIn --label-selector app --policies BlockUsingHostNetwork --subscription contoso-prod --yes",
    "akspol exclude remove          # interactive, on a terminal",
  ],
  parse(input) {
    return { ...parseExclusionInput(input), force: booleanOption(input, "force") };
  },
  async run(options, ctx) {
    const byPod = excludesPods(options);
    if (options.assignment && options.namespaces.length === 0 && !byPod && !ctx.io.canPrompt) {
      throw new UsageError("Missing <namespace>: which namespaces to stop excluding?", { suggestion: "akspol exclude remove <assignment> <namespace>... (or --label-selector, --container, --image)" });
    }
    return runEditFlow(ctx, {
      ...options,
      showExclusions: true,
      summary: (operation) => [`exclude remove ${(operation.removeNamespaces ?? []).join(" ")}`.trim(), ...describePerPolicy(options, operation.perPolicy)].join(" "),
      operation: async (target) => {
        const assigned = target.entry.assignment.policyDefinitionId ?? "";
        if (byPod && (target.entry.kind === "baseline" || target.entry.kind === "restricted")) {
          throw new UsageError(
            `${target.entry.assignment.name} assigns the built-in ${target.entry.kind} initiative, whose policies take no per-policy label selector, container or image exclusion: there is none to remove.`,
            {
              suggestion:
                "Only sets with per-policy parameters (the cloud security benchmark, akspol's custom initiatives made by 'akspol exclude add --policies') carry them; see 'akspol exclude list'.",
            },
          );
        }
        // --except-policies resolves to the members it leaves; --policies keeps its own resolution (namespaceParametersFor).
        const wiring = exclusionParameters(target.definition as DefinitionDocument, assigned);
        const selected = selectMembers(wiring, options.policies, options.exceptPolicies).map((entry) => entry.referenceId);
        const every = selected.length === wiring.length;
        let names = options.namespaces;
        const parameter = effectiveParameters(target.entry.assignment, target.definition).find((p) => p.name === excludedNamespacesParameter);
        if (names.length === 0 && !byPod && !parameter) {
          // A set whose policies each read their own parameters: offer every exclusion they hold.
          const held = [...heldNamespaces(memberNamespaces(target.entry.assignment, target.definition)), ...heldPodExclusions(target.entry.assignment, target.definition)]
            .map((entry) => ({ ...entry, policies: entry.policies.filter((policy) => selected.includes(policy)) }))
            .filter((entry) => entry.policies.length > 0);
          return operationFor(await pickExclusions(ctx, held, wiring.length, options.force), target.definition, assigned, options.force, ctx);
        }
        if (names.length === 0 && !byPod) {
          const current = (parameter?.value as string[] | undefined) ?? [];
          const defaults = Array.isArray(parameter?.defaultValue) ? (parameter?.defaultValue as string[]) : [];
          if (current.length === 0) throw new UsageError("The assignment excludes no namespaces; nothing to remove.");
          names = await ctx.prompter.checkbox(
            "Namespaces to stop excluding (space to tick, enter to confirm):",
            current.map((namespace) => {
              const protection = protectionOf(namespace, defaults);
              return { name: namespace, value: namespace, disabled: protection && !options.force ? protectionNote(protection) : false };
            }),
            { required: true },
          );
        }
        const operation: EditOperation = { force: options.force };
        if (names.length > 0) {
          const { parameters, warnings } = namespaceParametersFor(target.definition, assigned, options.exceptPolicies.length > 0 ? selected : options.policies, "include");
          for (const warning of warnings) ctx.io.warn(warning);
          operation.removeNamespaces = names;
          if (parameters) operation.namespacesParameters = parameters;
        }
        if (byPod) operation.perPolicy = { policies: every ? [] : selected, labels: options.labels, containers: options.containers, images: options.images, remove: true };
        return operation;
      },
    });
  },
});

/** Why a default namespace is not offered without --force. */
function protectionNote(protection: ProtectionKind): string {
  return protection === "add-on" ? "initiative default, the add-on excludes it anyway (--force)" : "initiative default (--force)";
}

const fieldLabels: Record<ExclusionField, string> = { excludedNamespaces: "namespace", labelSelector: "label", excludedContainers: "container", excludedImages: "image" };

/** On a terminal: tick the exclusions to take out, each shown with the policies that hold it. */
async function pickExclusions(ctx: Pick<ExcludeRemoveDeps, "prompter">, held: HeldExclusion[], memberCount: number, force: boolean): Promise<HeldExclusion[]> {
  if (held.length === 0) throw new UsageError("The assignment's policies exclude nothing; nothing to remove.", { suggestion: "See 'akspol exclude list <assignment>'." });
  if (!force && held.every((entry) => entry.protection)) {
    throw new UsageError(`The assignment's policies exclude only initiative defaults (${held.map((entry) => entry.value).join(", ")}); removing them needs --force.`, {
      suggestion: "See 'akspol exclude list <assignment>'; pass --force to offer the defaults too.",
    });
  }
  const width = Math.max(...held.map((entry) => `${fieldLabels[entry.field]} ${entry.value}`.length));
  const locked = (entry: HeldExclusion) => (entry.protection && !force ? 1 : 0);
  return ctx.prompter.checkbox(
    "Exclusions to remove (space to tick, enter to confirm):",
    // What can be ticked first, so the cursor starts on it; the defaults below it are shown, not offered.
    [...held]
      .sort((a, b) => locked(a) - locked(b))
      .map((entry) => ({
        name: `${`${fieldLabels[entry.field]} ${entry.value}`.padEnd(width)}  ${entry.policies.length === memberCount ? "all policies" : entry.policies.join(", ")}`,
        value: entry,
        disabled: entry.protection && !force ? protectionNote(entry.protection) : false,
      })),
    { required: true },
  );
}

/**
 * The removal of the ticked exclusions: each comes out of the members that hold it. A value is taken
 * out of every member that holds a ticked value of the same kind, and a member that does not hold it
 * is left as it is (ignoreMissing), so one edit carries exclusions held by different members.
 */
function operationFor(picked: HeldExclusion[], definition: SetDefinition, assigned: string, force: boolean, ctx: Pick<ExcludeRemoveDeps, "io">): EditOperation {
  const holders = (entries: HeldExclusion[]) => [...new Set(entries.flatMap((entry) => entry.policies))];
  const namespaces = picked.filter((entry) => entry.field === "excludedNamespaces");
  const pods = picked.filter((entry) => entry.field !== "excludedNamespaces");
  const operation: EditOperation = { force };
  if (namespaces.length > 0) {
    const { parameters, warnings } = namespaceParametersFor(definition, assigned, holders(namespaces), "include");
    for (const warning of warnings) ctx.io.warn(warning);
    operation.removeNamespaces = namespaces.map((entry) => entry.value);
    if (parameters) operation.namespacesParameters = parameters;
  }
  if (pods.length > 0) {
    const values = (field: ExclusionField) => pods.filter((entry) => entry.field === field);
    const podFields = ["labelSelector", "excludedContainers", "excludedImages"] as const;
    operation.perPolicy = {
      policies: holders(pods),
      fieldPolicies: Object.fromEntries(podFields.filter((field) => values(field).length > 0).map((field) => [field, holders(values(field))])),
      labels: values("labelSelector").flatMap((entry) => (entry.label ? [entry.label] : [])),
      containers: values("excludedContainers").map((entry) => entry.value),
      images: values("excludedImages").map((entry) => entry.value),
      remove: true,
      ignoreMissing: true,
    };
  }
  return operation;
}
