import { alwaysExcludedNamespaces } from "./catalog.js";

/**
 * Kubernetes namespace names for `excludedNamespaces`: RFC 1123 labels (lower-case alphanumerics and
 * '-', starting and ending alphanumeric, at most 63 characters). Gatekeeper's match also accepts a
 * single leading or trailing '*' (prefix/suffix glob), so we accept it too, with a warning.
 * https://kubernetes.io/docs/concepts/overview/working-with-objects/names/#dns-label-names
 * https://open-policy-agent.github.io/gatekeeper/website/docs/howto#the-match-field
 */
const label = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const labelFragment = /^[-a-z0-9]+$/;
export const maxNamespaceLength = 63;

export type NamespaceCheck = { ok: true; name: string; warning?: string } | { ok: false; error: string };

export function checkNamespace(raw: string): NamespaceCheck {
  const name = raw.trim();
  if (name === "") return { ok: false, error: "a namespace name cannot be empty" };
  if (name.length > maxNamespaceLength) {
    return { ok: false, error: `'${name}' is ${name.length} characters long; a Kubernetes namespace has at most ${maxNamespaceLength}` };
  }
  const starCount = (name.match(/\*/g) ?? []).length;
  if (starCount > 0) {
    const leading = name.startsWith("*");
    const trailing = name.endsWith("*");
    const fragment = name.replace(/^\*|\*$/g, "");
    if (starCount > 1 || (!leading && !trailing) || fragment === "" || !labelFragment.test(fragment)) {
      return { ok: false, error: `'${name}' is not a namespace name or pattern: Gatekeeper accepts one '*' at the start or the end of a name (e.g. 'team-*')` };
    }
    const meaning = leading ? `ends with '${fragment}'` : `starts with '${fragment}'`;
    return { ok: true, name, warning: `'${name}' is a wildcard: Gatekeeper excludes every namespace that ${meaning}, including ones created later.` };
  }
  if (name !== name.toLowerCase() && label.test(name.toLowerCase())) {
    return { ok: false, error: `'${name}' has upper-case letters; Kubernetes namespace names are lower case ('${name.toLowerCase()}')` };
  }
  if (!label.test(name)) {
    return { ok: false, error: `'${name}' is not a valid Kubernetes namespace name (lower-case letters, digits and '-', starting and ending with a letter or digit)` };
  }
  return { ok: true, name };
}

export interface NamespaceList {
  names: string[];
  errors: string[];
  warnings: string[];
}

/** Splits "a, b c" style input, validates every name, drops duplicates (keeping first order). */
export function parseNamespaces(inputs: readonly string[]): NamespaceList {
  const result: NamespaceList = { names: [], errors: [], warnings: [] };
  for (const raw of inputs.flatMap((input) => input.split(/[\s,]+/)).filter((part) => part.trim() !== "")) {
    const check = checkNamespace(raw);
    if (!check.ok) {
      result.errors.push(check.error);
      continue;
    }
    if (result.names.includes(check.name)) continue;
    result.names.push(check.name);
    if (check.warning) result.warnings.push(check.warning);
  }
  return result;
}

/** For an inquirer `validate`: true, or the first problem in the typed text. */
export function validateNamespaceInput(text: string): true | string {
  const parsed = parseNamespaces([text]);
  if (parsed.errors.length > 0) return parsed.errors[0] as string;
  if (parsed.names.length === 0) return "type at least one namespace (separate several with spaces or commas)";
  return true;
}

export type ProtectionKind = "add-on" | "default";

/**
 * The protected namespaces are exactly the default list of the initiative version the assignment
 * uses (read from Azure). kube-system, gatekeeper-system and azure-arc the add-on excludes anyway;
 * any other default (azure-extensions-usage-system) would become subject to the initiative.
 */
export function protectionOf(namespace: string, defaults: readonly string[]): ProtectionKind | undefined {
  if (!defaults.includes(namespace)) return undefined;
  return alwaysExcludedNamespaces.includes(namespace) ? "add-on" : "default";
}

export function removalRefusal(namespace: string, defaults: readonly string[]): string | undefined {
  switch (protectionOf(namespace, defaults)) {
    case "add-on":
      return `'${namespace}' is in the initiative's default exclusions and the Azure Policy add-on excludes it anyway: removing it changes nothing on the cluster and would only mislead whoever reads the assignment.`;
    case "default":
      return `'${namespace}' is in the initiative's default exclusions: removing it makes its pods subject to the initiative.`;
    default:
      return undefined;
  }
}
