import type { PolicyAssignment } from "../azure/assignments.js";

/**
 * Comparing assignment documents: what a PUT sends back (every writable field as read), and which
 * fields two reads differ in, ignoring what ARM maintains and what an edit touched. The write loop
 * (write.ts), undo and history's settlement use these to tell another writer's change from ours.
 */

/** Fields of metadata that ARM itself maintains: never compared, never sent back. */
export const armMaintainedMetadata = ["createdBy", "createdOn", "updatedBy", "updatedOn"];

/** The full PUT body: every writable field of the read assignment, minus what ARM maintains. */
export function writableCopy(assignment: PolicyAssignment): PolicyAssignment {
  const copy = structuredClone(assignment) as PolicyAssignment & Record<string, unknown>;
  for (const readOnly of ["id", "name", "type", "systemData", "scope", "instanceId", "latestDefinitionVersion", "effectiveDefinitionVersion"]) {
    delete copy[readOnly];
  }
  if (copy.metadata && typeof copy.metadata === "object") {
    const metadata = { ...(copy.metadata as Record<string, unknown>) };
    for (const key of armMaintainedMetadata) delete metadata[key];
    copy.metadata = metadata;
  }
  return copy;
}

/** Whether two values are the same JSON, whatever the order of their object keys. */
export function sameJson(a: unknown, b: unknown): boolean {
  return canonicalJson(a) === canonicalJson(b);
}

/** JSON with object keys sorted, for order-insensitive comparison of documents. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) => {
    if (inner && typeof inner === "object" && !Array.isArray(inner)) {
      return Object.fromEntries(Object.entries(inner as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)));
    }
    return inner;
  });
}

/** The assignment as compared between reads: without what ARM maintains and without the touched keys. */
export function comparableExcept(assignment: PolicyAssignment, touched: readonly string[]): string {
  const copy = writableCopy(assignment) as PolicyAssignment & Record<string, unknown>;
  const lowered = new Set(touched.map((key) => key.toLowerCase()));
  const parameters = Object.fromEntries(Object.entries(copy.parameters ?? {}).filter(([key]) => !lowered.has(key.toLowerCase())));
  copy.parameters = parameters;
  if (lowered.has("overrides")) delete copy.overrides;
  if (lowered.has("enforcementmode")) delete copy.enforcementMode;
  return canonicalJson(copy);
}

/** Names of the top-level fields (and parameters) that differ between two reads, ignoring the touched keys. */
export function changedFields(first: PolicyAssignment, second: PolicyAssignment, touched: readonly string[] = []): string[] {
  const a = JSON.parse(comparableExcept(first, touched)) as Record<string, unknown>;
  const b = JSON.parse(comparableExcept(second, touched)) as Record<string, unknown>;
  const fields = new Set([...Object.keys(a), ...Object.keys(b)]);
  const result: string[] = [];
  for (const field of fields) {
    if (field === "parameters") {
      const pa = (a.parameters ?? {}) as Record<string, unknown>;
      const pb = (b.parameters ?? {}) as Record<string, unknown>;
      for (const name of new Set([...Object.keys(pa), ...Object.keys(pb)])) if (!sameJson(pa[name], pb[name])) result.push(`parameters.${name}`);
    } else if (!sameJson(a[field], b[field])) result.push(field);
  }
  return result;
}
