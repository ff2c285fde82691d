import { ENGINE_CHOICES, type EngineChoice } from "../estate/engine.js";
import type { OptionSpec, ParsedInput } from "./option-spec.js";
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
