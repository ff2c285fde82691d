import type { Context } from "../../src/context.js";
import { booleanOption, defineCommand } from "../../src/cli/command.js";
import { planReadOptionSpecs } from "../../src/cli/plan-read-options.js";
import { UsageError } from "../../src/cli/errors.js";
import { scopeOptionSpecs } from "../../src/cli/scope-options.js";
import { excludedNamespacesParameter, namespaceParametersFor } from "../../src/policy/edit.js";
import { runEditFlow } from "../shared/edit-flow.js";
import { excludesPods, parseExclusionInput, type ExclusionInput } from "../shared/exclusion-input.js";
import { protectionOf } from "../../src/policy/namespaces.js";
import { effectiveParameters } from "../../src/policy/parameters.js";
import { excludePoliciesOptionSpec, journalOptionSpecs, podExclusionOptionSpecs } from "../../src/cli/shared-options.js";
import { exclusionParameters, type DefinitionDocument } from "../../src/effective/index.js";
import { selectMembers } from "../../src/policy/per-policy.js";
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
    { name: "namespace", description: "namespaces to stop excluding (ticked from a list on a terminal when omitted)", variadic: true },
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
        if (names.length === 0 && !byPod) {
          const parameter = effectiveParameters(target.entry.assignment, target.definition).find((p) => p.name === excludedNamespacesParameter);
          const current = (parameter?.value as string[] | undefined) ?? [];
          const defaults = Array.isArray(parameter?.defaultValue) ? (parameter?.defaultValue as string[]) : [];
          if (current.length === 0) throw new UsageError("The assignment excludes no namespaces; nothing to remove.");
          names = await ctx.prompter.checkbox(
            "Namespaces to stop excluding (space to tick, enter to confirm):",
            current.map((namespace) => {
              const protection = protectionOf(namespace, defaults);
              return {
                name: namespace,
                value: namespace,
                disabled: protection && !options.force ? (protection === "add-on" ? "initiative default, the add-on excludes it anyway (--force)" : "initiative default (--force)") : false,
              };
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
