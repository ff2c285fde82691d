import type { Context } from "../context.js";
import { chooseEngine, ENGINE_CHOICES, type EngineChoice, type EngineFacts } from "../estate/engine.js";
import { estateSource, type EstateSource } from "../estate/source.js";
import type { OptionSpec, ParsedInput } from "./command.js";
import { stringOption } from "./command.js";

/** `--engine`, shared by the commands that read many subscriptions (find, exempt list, audit, workloads). */
export const engineOptionSpec: OptionSpec = {
  flags: "--engine <engine>",
  description: "read through ARM (per scope), Azure Resource Graph (a few queries for the whole estate), or auto",
  choices: ENGINE_CHOICES,
  default: "auto",
};

export function parseEngineChoice(input: ParsedInput): EngineChoice {
  return (stringOption(input, "engine") ?? "auto") as EngineChoice;
}

/** When akspol last wrote, from its journal (undefined when it never has or the journal is unreadable). */
async function lastWriteAt(ctx: Pick<Context, "journal">): Promise<Date | undefined> {
  try {
    const records = await ctx.journal().records();
    const last = records[records.length - 1];
    return last ? new Date(last.time) : undefined;
  } catch {
    return undefined;
  }
}

/** Picks the engine (README "Resource Graph") and says which with --debug. */
export async function estateSourceFor(ctx: Pick<Context, "journal" | "clock" | "io" | "azure" | "globals">, choice: EngineChoice, facts: Omit<EngineFacts, "now" | "lastWriteAt">): Promise<EstateSource> {
  const { engine, reason } = chooseEngine(choice, { ...facts, now: ctx.clock.now(), lastWriteAt: choice === "auto" && !facts.cluster ? await lastWriteAt(ctx) : undefined });
  ctx.io.debug(`engine: ${engine} (${reason})`);
  return estateSource(engine, ctx.azure, ctx.globals.concurrency);
}
