import type { Context } from "../../src/context.js";
import { defineCommand } from "../../src/cli/command.js";
import { NotFoundError } from "../../src/cli/errors.js";
import { printList, printRecord } from "../../src/cli/output.js";
import { parseScopeSelection, scopeOptionSpecs, type ScopeSelection } from "../../src/cli/scope-options.js";
import { loadTarget, requireScriptable } from "../shared/edit-flow.js";
import { memberReferenceIds } from "../../src/policy/edit.js";
import { effectiveEffect, effectiveParameters, type EffectiveParameter } from "../../src/policy/parameters.js";

/** The slice of the context the command uses (main passes the whole context; a test may build just this). */
export type ParamsGetDeps = Pick<Context, "azure" | "format" | "globals" | "io" | "prompter" | "subscriptions">;

export interface ParamsGetOptions extends ScopeSelection {
  assignment?: string;
  name?: string;
}

function show(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}

export default defineCommand<ParamsGetOptions, ParamsGetDeps>({
  path: ["params", "get"],
  summary: "Show an assignment's initiative parameters: value in force, where it comes from, default",
  description:
    "Lists every parameter the assigned initiative version declares (read from Azure) with the value in force and whether the assignment sets it or the initiative default applies; also the enforcement mode and the effect of each policy (per-policy overrides included).",
  arguments: [
    { name: "assignment", description: "assignment name, display name or full id (asked on a terminal when omitted)" },
    { name: "name", description: "only this parameter" },
  ],
  options: [...scopeOptionSpecs],
  outputs: ["table", "json", "yaml", "tsv"],
  examples: ["akspol params get pss-baseline --subscription contoso-prod", "akspol params get pss-baseline effect --subscription contoso-prod -o json"],
  parse(input) {
    return { ...parseScopeSelection(input), assignment: input.args.assignment as string | undefined, name: input.args.name as string | undefined };
  },
  async run(options, ctx) {
    requireScriptable(ctx, options.assignment);
    const { entry, definition } = await loadTarget(ctx, options);
    const { assignment } = entry;
    const parameters = effectiveParameters(assignment, definition);
    if (options.name) {
      const parameter = parameters.find((p) => p.name.toLowerCase() === options.name!.toLowerCase());
      if (!parameter) {
        throw new NotFoundError(`The initiative declares no parameter '${options.name}'.`, { suggestion: `Its parameters: ${parameters.map((p) => p.name).join(", ")}.` });
      }
      await printRecord(ctx.io, ctx.format, { schemaVersion: 1, assignmentId: assignment.id, ...parameter }, () =>
        typeof parameter.value === "string" ? parameter.value : JSON.stringify(parameter.value, null, 2),
      );
      return 0;
    }
    const policies = memberReferenceIds(definition).map((referenceId) => ({ referenceId, effect: effectiveEffect(assignment, definition, referenceId) }));
    if (ctx.format === "table") {
      ctx.io.info(`${assignment.name}: ${entry.kind} ${definition.version ?? ""}, enforcement ${assignment.enforcementMode ?? "Default"}`);
      const overridden = policies.filter((policy) => policy.effect !== effectiveEffect({ parameters: assignment.parameters }, definition));
      if (overridden.length > 0) ctx.io.info(`Per-policy effect overrides: ${overridden.map((policy) => `${policy.referenceId}=${policy.effect}`).join(", ")}`);
    }
    await printList<EffectiveParameter>(
      ctx.io,
      ctx.format,
      [
        { header: "Name", value: (row) => row.name },
        { header: "Type", value: (row) => row.type, optional: true },
        { header: "Value", value: (row) => show(row.value) },
        { header: "Source", value: (row) => row.source },
        { header: "Default", value: (row) => show(row.defaultValue), optional: true },
      ],
      parameters,
      {
        schemaVersion: 1,
        assignmentId: assignment.id,
        initiativeVersion: definition.version,
        enforcementMode: assignment.enforcementMode ?? "Default",
        parameters,
        overrides: assignment.overrides ?? [],
        policies,
      },
    );
    return 0;
  },
});
