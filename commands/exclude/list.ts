import type { Context } from "../../src/context.js";
import { defineCommand } from "../../src/cli/command.js";
import { printList } from "../../src/cli/output.js";
import { parseScopeSelection, scopeOptionSpecs, type ScopeSelection } from "../../src/cli/scope-options.js";
import { excludedNamespacesParameter } from "../../src/policy/edit.js";
import { loadTarget, requireScriptable } from "../shared/edit-flow.js";
import { protectionOf } from "../../src/policy/namespaces.js";
import { effectiveParameters } from "../../src/policy/parameters.js";
import { heldNamespaces, memberNamespaces } from "../../src/policy/held-exclusions.js";

/** The slice of the context the command uses (main passes the whole context; a test may build just this). */
export type ExcludeListDeps = Pick<Context, "azure" | "format" | "globals" | "io" | "prompter" | "subscriptions">;

export interface ExcludeListOptions extends ScopeSelection {
  assignment?: string;
}

interface Row {
  namespace: string;
  inDefault: boolean;
  protection: "add-on" | "default" | null;
  /** On a set whose policies each read their own exclusion parameter: the policies that exclude it. */
  policies?: string[];
}

export default defineCommand<ExcludeListOptions, ExcludeListDeps>({
  path: ["exclude", "list"],
  summary: "List an assignment's excluded namespaces, with the initiative defaults marked",
  description:
    "Shows the namespaces the assignment excludes from every policy of the initiative: the assignment's own list, or the default of the initiative version it uses (read from Azure) when it sets none.",
  arguments: [{ name: "assignment", description: "assignment name, display name or full id (asked on a terminal when omitted)" }],
  options: [...scopeOptionSpecs],
  outputs: ["table", "json", "yaml", "tsv"],
  examples: ["akspol exclude list pss-baseline --subscription contoso-prod", "akspol exclude list pss-restricted --subscription contoso-dev -o json"],
  parse(input) {
    return { ...parseScopeSelection(input), assignment: input.args.assignment as string | undefined };
  },
  async run(options, ctx) {
    requireScriptable(ctx, options.assignment);
    const target = await loadTarget(ctx, options);
    const parameters = effectiveParameters(target.entry.assignment, target.definition);
    const parameter = parameters.find((p) => p.name === excludedNamespacesParameter);
    const current = (parameter?.value as string[] | undefined) ?? [];
    const defaults = Array.isArray(parameter?.defaultValue) ? (parameter?.defaultValue as string[]) : [];
    // Sets whose policies each read their own parameter (the benchmark, akspol's custom initiatives, issue 17).
    const perPolicy = parameter ? [] : memberNamespaces(target.entry.assignment, target.definition);
    const rows: Row[] = parameter
      ? current.map((namespace) => ({ namespace, inDefault: defaults.includes(namespace), protection: protectionOf(namespace, defaults) ?? null }))
      : heldNamespaces(perPolicy).map((held) => ({ namespace: held.value, inDefault: held.inDefault ?? false, protection: held.protection ?? null, policies: held.policies }));
    if (ctx.format === "table") {
      ctx.io.info(
        !parameter && perPolicy.length > 0
          ? `${target.entry.assignment.name}'s policies each read their own excluded namespaces (${perPolicy.map((entry) => entry.parameter).join(", ")}).`
          : parameter?.source === "default"
            ? `${target.entry.assignment.name} does not set excludedNamespaces; it follows the default of ${target.entry.kind} ${target.definition.version ?? ""}.`
            : `${target.entry.assignment.name} sets its own excludedNamespaces.`,
      );
    }
    await printList(
      ctx.io,
      ctx.format,
      [
        { header: "Namespace", value: (row) => row.namespace },
        { header: "Initiative default", value: (row) => (row.protection === "add-on" ? "yes (the add-on excludes it anyway)" : row.inDefault ? "yes" : "no") },
        ...(perPolicy.length > 0 ? [{ header: "Policies", value: (row: Row) => (row.policies?.length === perPolicy.length ? "all" : (row.policies ?? []).join(", ")) }] : []),
      ],
      rows,
      {
        schemaVersion: 1,
        assignmentId: target.entry.assignment.id,
        source: parameter?.source ?? "default",
        initiativeVersion: target.definition.version,
        excludedNamespaces: current,
        defaultExcludedNamespaces: defaults,
        ...(perPolicy.length > 0 ? { perPolicy: perPolicy.map(({ defaults: _defaults, ...entry }) => entry) } : {}),
      },
    );
    return 0;
  },
});
