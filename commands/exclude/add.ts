import type { Context } from "../../src/context.js";
import { defineCommand, stringOption } from "../../src/cli/command.js";
import { planReadOptionSpecs } from "../../src/cli/plan-read-options.js";
import { namespaceAddNeedsDefaults, namespaceParametersFor } from "../../src/policy/edit.js";
import { UsageError } from "../../src/cli/errors.js";
import { scopeOptionSpecs } from "../../src/cli/scope-options.js";
import { excludePoliciesOptionSpec, journalOptionSpecs, podExclusionOptionSpecs } from "../../src/cli/shared-options.js";
import { loadTarget, requireScriptable, runEditFlow, type EditTarget } from "../shared/edit-flow.js";
import { excludesPods, parseExclusionInput, type ExclusionInput } from "../shared/exclusion-input.js";
import { parseNamespaces, validateNamespaceInput } from "../../src/policy/namespaces.js";
import { selectMembers, type PerPolicyEdit } from "../../src/policy/per-policy.js";
import { exclusionParameters } from "../../src/effective/index.js";
import type { SetDefinition } from "../../src/policy/definitions.js";
import type { EditOperation } from "../../src/policy/edit.js";

/** The slice of the context the command uses (main passes the whole context; a test may build just this). */
export type ExcludeAddDeps = Pick<Context, "azure" | "clock" | "commandLine" | "confirmWrite" | "env" | "format" | "globals" | "io" | "journal" | "prompter" | "subscriptions" | "undoCommand">;

export interface ExcludeAddOptions extends ExclusionInput {
  /** Where akspol's custom initiative goes when a conversion is needed (a management group or subscription). */
  definitionScope?: string;
  /** The converted assignment's name (default: the old name with -pp). */
  newName?: string;
}

/** The per-policy flags of exclude add (issue 17). */
export const perPolicyOptionSpecs = [
  ...podExclusionOptionSpecs("exclude"),
  {
    flags: "--definition-scope <scope>",
    description:
      "a per-policy edit of the baseline or restricted initiative converts the assignment to a custom initiative: create it at this management group or subscription (default: the assignment's management group or subscription)",
  },
  { flags: "--new-name <name>", description: "name of the converted assignment (default: the old name with -pp)" },
];

export default defineCommand<ExcludeAddOptions, ExcludeAddDeps>({
  path: ["exclude", "add"],
  writes: true,
  summary: "Exclude namespaces from an assignment's pod-security policies",
  description:
    "Adds namespaces to the assignment's excludedNamespaces, keeping every other field as it is. When the assignment does not set the parameter yet, the edit starts from the default list of the initiative version it uses (read from Azure). Shows the plan and the clusters it reaches, asks for confirmation (or --yes), writes, and verifies by reading back.",
  arguments: [
    { name: "assignment", description: "assignment name, display name or full id (asked on a terminal when omitted)" },
    { name: "namespace", description: "namespaces to exclude (asked on a terminal when omitted)", variadic: true },
  ],
  options: [...scopeOptionSpecs, excludePoliciesOptionSpec, ...perPolicyOptionSpecs, ...journalOptionSpecs, ...planReadOptionSpecs],
  outputs: ["table", "json", "yaml"],
  examples: [
    "akspol exclude add pss-baseline monitoring --subscription contoso-prod --reason 'node exporter uses hostNetwork' --ticket CHG-1234",
    "akspol exclude add pss-baseline monitoring --subscription contoso-prod --dry-run -o json",
    "akspol exclude add SecurityCenterBuiltIn monitoring --policies NoPrivilegedContainers --subscription contoso-prod --yes",
    "akspol exclude add pss-baseline monitoring --policies BlockUsingHostNetwork,BlockUsingHostProcessIDAndIPC --subscription contoso-prod --yes   # converts to a custom initiative",
    "akspol exclude add SecurityCenterBuiltIn --label-selector app=node-exporter --policies BlockUsingHostNetwork --subscription contoso-prod --dry-run",
    "akspol exclude add            # interactive, on a terminal",
  ],
  parse(input) {
    return { ...parseExclusionInput(input), definitionScope: stringOption(input, "definitionScope"), newName: stringOption(input, "newName") };
  },
  async run(options, ctx) {
    const byPod = excludesPods(options);
    if (options.assignment && options.namespaces.length === 0 && !byPod && !ctx.io.canPrompt) {
      throw new UsageError("Missing <namespace>: which namespaces to exclude?", { suggestion: "akspol exclude add <assignment> <namespace>... (or --label-selector, --container, --image)" });
    }
    const perPolicy = byPod || options.policies.length > 0 || options.exceptPolicies.length > 0;
    const summary = (operation: EditOperation) => [`exclude add ${(operation.addNamespaces ?? []).join(" ")}`.trim(), ...describePerPolicy(options, operation.perPolicy)].join(" ");
    if (!perPolicy) {
      return runEditFlow(ctx, {
        ...options,
        showExclusions: true,
        summary,
        // With the namespaces parameter already set, the set definition's default list is not needed.
        needsDefaults: namespaceAddNeedsDefaults,
        operation: async (target) => {
          const names = await namespacesToAdd(options.namespaces, ctx, false);
          const { parameters, warnings } = namespaceParametersFor(target.definition, target.entry.assignment.policyDefinitionId ?? "", []);
          for (const warning of warnings) ctx.io.warn(warning);
          return { addNamespaces: names, ...(parameters ? { namespacesParameters: parameters } : {}) };
        },
      });
    }
    requireScriptable(ctx, options.assignment);
    const target = await loadTarget(ctx, options);
    const names = await namespacesToAdd(options.namespaces, ctx, byPod);
    const operationFor = (definition: SetDefinition): EditOperation => {
      const wiring = exclusionParameters(definition as never, target.entry.assignment.policyDefinitionId);
      const selected = selectMembers(wiring, options.policies, options.exceptPolicies).map((entry) => entry.referenceId);
      const every = selected.length === wiring.length;
      const operation: EditOperation = {};
      if (names.length > 0) {
        const { parameters, warnings } = namespaceParametersFor(definition, definition.id ?? target.entry.assignment.policyDefinitionId ?? "", every ? [] : selected);
        for (const warning of warnings) ctx.io.warn(warning);
        operation.addNamespaces = names;
        if (parameters) operation.namespacesParameters = parameters;
      }
      if (byPod) operation.perPolicy = { policies: every ? [] : selected, labels: options.labels, containers: options.containers, images: options.images };
      return operation;
    };
    if (needsConversion(target, options, byPod)) {
      const { runConversionFlow } = await import("../shared/conversion-flow.js");
      let built: EditOperation | undefined;
      return runConversionFlow(ctx, target, {
        definitionScope: options.definitionScope,
        newName: options.newName,
        reason: options.reason,
        ticket: options.ticket,
        get summary() {
          return `convert to a custom initiative; ${summary(built ?? {})}`;
        },
        operationFor: (set) => (built = operationFor(set)),
      });
    }
    return runEditFlow(ctx, { ...options, target, summary, operation: async (loaded) => operationFor(loaded.definition) });
  },
});

/** The namespaces to add: the arguments, or on a terminal (when no pod-level flag stands in for them) a prompt. */
async function namespacesToAdd(given: string[], ctx: Parameters<typeof runEditFlow>[0], optional: boolean): Promise<string[]> {
  let names = given;
  if (names.length === 0 && !optional) {
    const typed = await ctx.prompter.input("Namespaces to exclude (separate with spaces or commas):", { validate: validateNamespaceInput });
    names = parseNamespaces([typed]).names;
  }
  for (const warning of parseNamespaces(names).warnings) ctx.io.warn(warning);
  return names;
}

/**
 * A per-policy edit of the baseline or restricted initiative needs akspol's custom initiative: their
 * members share one excludedNamespaces and take no label selector, container or image parameter.
 */
function needsConversion(target: EditTarget, options: ExcludeAddOptions, byPod: boolean): boolean {
  if (target.entry.kind !== "baseline" && target.entry.kind !== "restricted") return false;
  if (byPod) return true;
  const wiring = exclusionParameters(target.definition as never, target.entry.assignment.policyDefinitionId);
  return selectMembers(wiring, options.policies, options.exceptPolicies).length < wiring.length;
}

export function describePerPolicy(options: Pick<ExcludeAddOptions, "policies" | "exceptPolicies">, edit: PerPolicyEdit | undefined): string[] {
  const parts: string[] = [];
  if (options.policies.length) parts.push(`--policies ${options.policies.join(",")}`);
  if (options.exceptPolicies.length) parts.push(`--except-policies ${options.exceptPolicies.join(",")}`);
  if (edit?.labels?.length) parts.push(`--label-selector ${edit.labels.map((label) => (label.value === undefined ? label.key : `${label.key}=${label.value}`)).join(",")}`);
  if (edit?.containers?.length) parts.push(`--container ${edit.containers.join(",")}`);
  if (edit?.images?.length) parts.push(`--image ${edit.images.join(",")}`);
  return parts;
}
