import type { IO } from "./io.js";
import type { Prompter } from "./prompter.js";
import type { OutputFormat } from "./output.js";
import { renderJson, renderYaml } from "./output.js";
import { AkspolError, CancelledError, UsageError } from "./errors.js";

/**
 * The one confirmation rule (README "Writes: plan, confirmation, dry run"). A command declares in its
 * metadata that it writes (`writes: true`); the frame then, for every such command alike:
 * - without a terminal (or with --no-input) and without --yes or --dry-run: refuses before the command
 *   runs, exit 2, naming --yes (see refuseUnconfirmedWrite);
 * - with --dry-run: prints the plan as the command's result on stdout (-o json/yaml: the plan object)
 *   and writes nothing;
 * - on a terminal without --yes: shows the plan on stderr and asks; "no" is exit 130, nothing written;
 * - with --yes: shows the plan on stderr as status (not with -q) and writes.
 * The command computes the plan and calls ctx.confirmWrite(plan) before its first write request.
 */

/** One request the write will send, in words. */
export interface PlannedRequest {
  method: "PUT" | "PATCH" | "DELETE";
  /** The resource id the request goes to. */
  resource: string;
  /** What the request does, in one line. */
  summary: string;
  /** The touched values (or the resource) before and after; null when it does not exist on that side. */
  before?: unknown;
  after?: unknown;
}

export interface WritePlan {
  /** The requests the write will send (empty when there is nothing to change). */
  requests: PlannedRequest[];
  /** The plan as people read it (stderr before the prompt, stdout in a dry run). */
  text: string;
  /** The command's plan object for -o json/yaml; the frame adds schemaVersion, dryRun and requests. */
  data?: Record<string, unknown>;
  /** The question on a terminal, e.g. "Apply this change?". */
  question: string;
}

/** The documented plan object of a dry run (-o json). */
export function planObject(plan: WritePlan, command: string): Record<string, unknown> {
  return { schemaVersion: 1, ...plan.data, command, dryRun: true, requests: plan.requests };
}

export interface ConfirmDeps {
  io: IO;
  prompter: Prompter;
  format: OutputFormat;
  yes: boolean;
  dryRun: boolean;
  /** "exempt create": for the plan object and the refusal message. */
  command: string;
  /** Whether the command declared that it writes; confirmWrite refuses to run for one that did not. */
  declaredWrites: boolean;
}

/** The frame's check before a declared writer runs: no way to confirm and no --yes means exit 2. */
export function refuseUnconfirmedWrite(deps: Pick<ConfirmDeps, "io" | "yes" | "dryRun" | "command">): void {
  if (deps.yes || deps.dryRun || deps.io.canPrompt) return;
  const why = deps.io.noInput ? "--no-input was given" : "there is no terminal to ask on";
  throw new UsageError(`'akspol ${deps.command}' writes to Azure and needs confirmation, but ${why}.`, {
    suggestion: "Pass --yes to apply without asking, or --dry-run to print the plan and write nothing.",
  });
}

/**
 * Returns true when the write may go ahead, false for a dry run (the plan was printed as the result;
 * the command returns 0 without writing). Throws CancelledError when the person says no.
 */
export async function confirmWrite(deps: ConfirmDeps, plan: WritePlan): Promise<boolean> {
  if (!deps.declaredWrites) {
    throw new AkspolError(`Internal error: 'akspol ${deps.command}' writes but its command metadata does not declare 'writes: true'.`);
  }
  const { io } = deps;
  if (deps.dryRun) {
    const data = deps.format === "json" || deps.format === "yaml";
    // With -o json/yaml the plan object is the result; the plan as people read it is status then.
    if (data) io.info(plan.text);
    if (deps.format === "json") io.out(renderJson(planObject(plan, deps.command)));
    else if (deps.format === "yaml") io.out(await renderYaml(planObject(plan, deps.command)));
    else io.out(plan.text);
    io.info("Dry run: nothing was written.");
    return false;
  }
  if (deps.yes) {
    io.info(plan.text);
    return true;
  }
  refuseUnconfirmedWrite(deps);
  // The plan belongs with the prompt, on stderr, even with -q: it is what the person agrees to.
  io.writeErr(`${plan.text}\n`);
  if (!(await deps.prompter.confirm(plan.question, { default: false }))) throw new CancelledError();
  return true;
}
