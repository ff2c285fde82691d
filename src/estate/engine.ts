import type { Engine } from "./source.js";

export type EngineChoice = Engine | "auto";
export const ENGINE_CHOICES: readonly EngineChoice[] = ["auto", "arm", "resource-graph"];

/** Above this many subscriptions, `auto` reads through Resource Graph. */
export const HANDFUL_OF_SUBSCRIPTIONS = 5;
/**
 * Resource Graph is an index fed from ARM's change notifications, so a write shows up there after a
 * delay (usually seconds, sometimes minutes; the service gives no bound). For this long after akspol's
 * own last write, `auto` reads ARM.
 */
export const RESOURCE_GRAPH_LAG_MS = 10 * 60_000;

export interface EngineFacts {
  allSubscriptions?: boolean;
  managementGroup?: boolean;
  /** Subscriptions the command reads (0 when it reads a scope other than subscriptions). */
  subscriptionCount: number;
  /** The command works on one cluster. */
  cluster?: boolean;
  /** When akspol last wrote (from its journal), if ever. */
  lastWriteAt?: Date;
  now: Date;
}

/** `--engine auto`: Resource Graph for the tenant-sized reads, ARM for a single cluster and right after a write. */
export function chooseEngine(choice: EngineChoice, facts: EngineFacts): { engine: Engine; reason: string } {
  if (choice !== "auto") return { engine: choice, reason: `--engine ${choice}` };
  if (facts.cluster) return { engine: "arm", reason: "one cluster: a few ARM reads" };
  if (facts.lastWriteAt && facts.now.getTime() - facts.lastWriteAt.getTime() < RESOURCE_GRAPH_LAG_MS) {
    return { engine: "arm", reason: `akspol wrote at ${facts.lastWriteAt.toISOString()}; Resource Graph may not show it yet` };
  }
  if (facts.allSubscriptions) return { engine: "resource-graph", reason: "--all-subscriptions" };
  if (facts.managementGroup) return { engine: "resource-graph", reason: "--management-group" };
  if (facts.subscriptionCount > HANDFUL_OF_SUBSCRIPTIONS) return { engine: "resource-graph", reason: `${facts.subscriptionCount} subscriptions` };
  return { engine: "arm", reason: `${facts.subscriptionCount || "one"} subscription${facts.subscriptionCount === 1 ? "" : "s"}` };
}
