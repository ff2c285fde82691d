// The subset of ARM template expressions policy definitions and sets use, and version pins.

export class ExpressionError extends Error {}

const PARAMETER_EXPRESSION = /^\[parameters\('([^']+)'\)((?:\.[A-Za-z_$][\w$]*|\['[^']*'\])*)\]$/;

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The parameter a value reads when it is exactly `[parameters('name')]`, else undefined. */
export function parameterReference(value: unknown): string | undefined {
  if (typeof value !== "string") return undefined;
  const match = PARAMETER_EXPRESSION.exec(value);
  return match && match[2] === "" ? match[1] : undefined;
}

/**
 * Replaces every `[parameters('name')]` (optionally followed by `.property` or `['property']`)
 * in a JSON value. `[[…` is an escaped literal `[…`. Any other expression throws.
 */
export function evaluateExpressions(value: unknown, parameters: Record<string, unknown>): unknown {
  if (typeof value === "string") return evaluateString(value, parameters);
  if (Array.isArray(value)) return value.map((item) => evaluateExpressions(item, parameters));
  if (isObject(value)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, evaluateExpressions(v, parameters)]));
  }
  return value;
}

function evaluateString(value: string, parameters: Record<string, unknown>): unknown {
  if (value.startsWith("[[")) return value.slice(1);
  if (!(value.startsWith("[") && value.endsWith("]"))) return value;
  const match = PARAMETER_EXPRESSION.exec(value);
  if (!match) throw new ExpressionError(value);
  const [, name, path] = match as unknown as [string, string, string];
  const key = Object.keys(parameters).find((candidate) => candidate.toLowerCase() === name.toLowerCase());
  if (key === undefined) throw new ExpressionError(`${value} (no parameter ${name})`);
  let result: unknown = parameters[key];
  for (const step of path.matchAll(/\.([A-Za-z_$][\w$]*)|\['([^']*)'\]/g)) {
    const property = step[1] ?? step[2] ?? "";
    result = isObject(result) ? result[property] : undefined;
  }
  return result;
}

/** Compares "9.2.0" and "1.0.0-preview" style versions numerically (pre-release tags ignored). */
export function compareVersions(a: string, b: string): number {
  const pa = a
    .split(/[.-]/)
    .slice(0, 3)
    .map((x) => Number.parseInt(x, 10) || 0);
  const pb = b
    .split(/[.-]/)
    .slice(0, 3)
    .map((x) => Number.parseInt(x, 10) || 0);
  for (let i = 0; i < 3; i++) {
    const diff = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (diff !== 0) return diff;
  }
  return 0;
}

/** Whether a version matches a pin (`9.*.*`, `2.4.0`); case-insensitive for `-preview` tags. */
export function versionMatches(pin: string, version: string): boolean {
  const want = pin.toLowerCase().split(".");
  const have = version.toLowerCase().split(".");
  return want.every((part, index) => part === "*" || part === have[index]);
}

/** The newest version matching the pin, or the newest of all without one. */
export function resolveVersion(pin: string | undefined, versions: readonly string[]): string | undefined {
  const candidates = versions.filter((version) => !pin || versionMatches(pin, version));
  return [...candidates].sort(compareVersions).at(-1);
}
