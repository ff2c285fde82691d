// Namespace matching as Gatekeeper does it.

/** Gatekeeper namespace patterns allow one `*` at the start or the end (`kube-*`, `*-system`). */
export function namespaceMatches(pattern: string, namespace: string): boolean {
  if (pattern === "*") return true;
  if (pattern.endsWith("*")) return namespace.startsWith(pattern.slice(0, -1));
  if (pattern.startsWith("*")) return namespace.endsWith(pattern.slice(1));
  return pattern === namespace;
}
