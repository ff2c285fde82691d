// An exemption's category. ARM knows two, Waiver (the risk is accepted for a while) and Mitigated
// (it is handled another way); akspol reads either spelling from flags, desired-state files and ARM
// alike, whatever the case.
import type { ExemptionCategory } from "../azure/exemptions-client.js";

export type { ExemptionCategory };

/** How a category is written, for messages: "waiver or mitigated". */
export const categoryChoices = "waiver or mitigated";

/** "waiver", "Waiver", "MITIGATED" to ARM's spelling; undefined for anything else. */
export function parseCategory(text: string): ExemptionCategory | undefined {
  if (/^waiver$/i.test(text)) return "Waiver";
  if (/^mitigated$/i.test(text)) return "Mitigated";
  return undefined;
}
