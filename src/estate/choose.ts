import type { Context } from "../context.js";
import { chooseEngine, type EngineChoice, type EngineFacts } from "./engine.js";
import { estateSource, type EstateSource } from "./source.js";

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
export async function estateSourceFor(
  ctx: Pick<Context, "journal" | "clock" | "io" | "azure" | "globals">,
  choice: EngineChoice,
  facts: Omit<EngineFacts, "now" | "lastWriteAt">,
): Promise<EstateSource> {
  const { engine, reason } = chooseEngine(choice, { ...facts, now: ctx.clock.now(), lastWriteAt: choice === "auto" && !facts.cluster ? await lastWriteAt(ctx) : undefined });
  ctx.io.debug(`engine: ${engine} (${reason})`);
  return estateSource(engine, ctx.azure, ctx.globals.concurrency);
}
