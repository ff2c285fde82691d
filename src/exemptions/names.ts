import { createHash } from "node:crypto";

/**
 * Exemption names. The 2022-07-01-preview spec gives no pattern; the TypeSpec for 2026-01-01-preview
 * (docs/reference/arm-contract.md §5) adds this one, and ARM caps policy resource names at 64 characters.
 */
export const exemptionNamePattern = /^[^<>*%&:\\?.+/]*[^<>*%&:\\?.+/ ]+$/;
export const exemptionNameMaxLength = 64;

/** Returns a message saying what is wrong, or undefined when the name is valid. */
export function nameProblem(name: string): string | undefined {
  if (name.length === 0) return "the name is empty";
  if (name.length > exemptionNameMaxLength) return `the name is ${name.length} characters long; ARM allows at most ${exemptionNameMaxLength}`;
  if (/[<>*%&:\\?.+/]/.test(name)) return "the name contains one of < > * % & : \\ ? . + / which ARM does not allow";
  if (name.endsWith(" ")) return "the name ends with a space, which ARM does not allow";
  if (!exemptionNamePattern.test(name)) return "the name does not match ARM's pattern ^[^<>*%&:\\?.+/]*[^<>*%&:\\?.+/ ]+$";
  // Control characters survive ARM's pattern but break URLs and terminals.
  if (/[\u0000-\u001f\u007f]/.test(name)) return "the name contains a control character";
  return undefined;
}

function sanitize(part: string): string {
  return part
    .replace(/[<>*%&:\\?.+/\s\u0000-\u001f\u007f]+/g, "-")
    .replace(/-{2,}/g, "-")
    .replace(/^-+|-+$/g, "");
}

/**
 * The default name: `<cluster>-<assignment>-<policies joined by '-' | all>`, made safe for ARM.
 * When that is longer than 64 characters it is cut and ends with 8 hex characters of a SHA-256 of
 * the full name, so two different long names stay different and the same input always gives the
 * same name (apply and re-runs find it again).
 */
export function defaultExemptionName(cluster: string, assignment: string, policies: readonly string[] | undefined): string {
  const policyPart = policies && policies.length > 0 ? [...policies].sort((a, b) => a.localeCompare(b)).join("-") : "all";
  const full = [cluster, assignment, policyPart].map(sanitize).filter(Boolean).join("-");
  if (full.length <= exemptionNameMaxLength) return full;
  const hash = createHash("sha256").update(full.toLowerCase()).digest("hex").slice(0, 8);
  const head = full.slice(0, exemptionNameMaxLength - hash.length - 1).replace(/-+$/, "");
  return `${head}-${hash}`;
}
