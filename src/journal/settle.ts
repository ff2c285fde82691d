import type { PolicyAssignment } from "../azure/assignments.js";
import type { AzureSession } from "../azure/session.js";
import type { PolicyExemption } from "../azure/exemptions-client.js";
import { splitAuthorizationId } from "../azure/ids.js";
import { NotFoundError } from "../errors.js";
import { armMaintainedMetadata, canonicalJson } from "../policy/assignment-compare.js";
import { readAssignment } from "../azure/assignments.js";
import type { JournalEntry } from "./journal.js";

/**
 * Comparing what akspol meant to write with what ARM holds. ARM adds and normalises fields, so the
 * comparison ignores them (docs/issues/10.md: killed exemption writes never settled because of these):
 *
 * - Policy assignments: only the touched parameters and fields are compared (`touchedValues`); an
 *   unset `enforcementMode` is "Default", unset `overrides` are []. ARM's `systemData`, `metadata`
 *   createdBy/createdOn/updatedBy/updatedOn and version fields are never compared.
 * - Policy exemptions: `properties` without `metadata` createdBy/createdOn/updatedBy/updatedOn;
 *   `assignmentScopeValidation` "Default" is what ARM fills in when the body has none (api-version
 *   2022-07-01 and later), so "Default" and absent are equal; `expiresOn` is compared as an instant
 *   (ARM answers "2026-05-01T00:00:00Z" as "2026-05-01T00:00:00.000Z" or with +00:00; unverified
 *   which one real ARM uses, the emulator answers toISOString()); empty lists and nulls equal absent.
 *   `id`, `name`, `type` and `systemData` are never compared.
 */

/** The values of the touched keys in an assignment document (raw: undefined when not set). */
export function touchedValues(document: PolicyAssignment | null | undefined, touched: readonly string[]): string {
  const values: Record<string, unknown> = {};
  for (const key of touched) {
    if (key === "enforcementMode") values[key] = document?.enforcementMode ?? "Default";
    else if (key === "overrides") values[key] = document?.overrides ?? [];
    else {
      const own = Object.entries(document?.parameters ?? {}).find(([name]) => name.toLowerCase() === key.toLowerCase());
      values[key] = own ? own[1]?.value : null;
    }
  }
  return canonicalJson(values);
}

/** An exemption as compared between reads and with what was written: null when absent. */
export function comparableExemption(exemption: Pick<PolicyExemption, "properties"> | null | undefined): string {
  if (!exemption) return "null";
  const properties = structuredClone(exemption.properties ?? {}) as unknown as Record<string, unknown>;
  if (properties.metadata && typeof properties.metadata === "object") {
    const metadata = { ...(properties.metadata as Record<string, unknown>) };
    for (const key of armMaintainedMetadata) delete metadata[key];
    properties.metadata = metadata;
  }
  if (typeof properties.assignmentScopeValidation === "string" && properties.assignmentScopeValidation.toLowerCase() === "default") delete properties.assignmentScopeValidation;
  if (typeof properties.expiresOn === "string") {
    const instant = Date.parse(properties.expiresOn);
    if (!Number.isNaN(instant)) properties.expiresOn = new Date(instant).toISOString();
  }
  for (const [key, value] of Object.entries(properties)) {
    if (value === null || value === undefined || (Array.isArray(value) && value.length === 0)) delete properties[key];
  }
  return canonicalJson(properties);
}

export async function readExemption(session: AzureSession, id: string): Promise<PolicyExemption | undefined> {
  const parts = splitAuthorizationId(id, "policyExemptions");
  if (!parts) throw new NotFoundError(`'${id}' is not a policy exemption id.`);
  const client = await session.exemptions();
  return client.get(parts.scope, parts.name);
}

export type Resolution = { status: "applied" | "not-applied"; current: unknown } | { status: "unknown"; note: string };

/** Compares what Azure holds now with the entry's before and intended after. */
export async function resolveAgainstAzure(session: AzureSession, entry: JournalEntry): Promise<Resolution> {
  if (entry.resourceKind === "policyExemption") {
    const current = (await readExemption(session, entry.resourceId)) ?? null;
    const now = comparableExemption(current);
    if (now === comparableExemption(entry.intendedAfter as PolicyExemption | null)) return { status: "applied", current };
    if (now === comparableExemption(entry.before as PolicyExemption | null)) return { status: "not-applied", current };
    return { status: "unknown", note: "the exemption matches neither the earlier nor the intended version (changed since)" };
  }
  if (entry.resourceKind === "deploymentSafeguards") {
    const { safeguardsExclusionsOf, readSafeguardsById } = await import("../safeguards/undo.js");
    const current = await readSafeguardsById(session, entry.resourceId);
    const now = safeguardsExclusionsOf(current);
    if (now === safeguardsExclusionsOf(entry.intendedAfter)) return { status: "applied", current };
    if (now === safeguardsExclusionsOf(entry.before)) return { status: "not-applied", current };
    return { status: "unknown", note: "the Safeguards exclusions match neither the earlier nor the intended list (changed since)" };
  }
  if (entry.resourceKind === "conversion") {
    // A whole conversion (issue 17): its steps are settled one by one; the conversion itself is finished by running it again.
    return { status: "unknown", note: `a conversion that was interrupted: run the same command again to finish it, or 'akspol undo ${entry.changeId}' to roll it back` };
  }
  if (entry.resourceKind === "policySetDefinition") {
    const { getSetDefinitionDocument } = await import("../azure/set-definitions.js");
    const id = entry.resourceId.replace(/\/versions\/[^/]+$/i, "");
    const version = /\/versions\/([^/]+)$/i.exec(entry.resourceId)?.[1];
    const current = (await getSetDefinitionDocument(session, id)) ?? null;
    const versions = current?.properties?.versions ?? (current?.properties?.version ? [current.properties.version] : []);
    const intended = (entry.intendedAfter as { properties?: { version?: string } } | null)?.properties?.version;
    const present = version ? versions.includes(version) : intended ? versions.includes(intended) : current !== null;
    const applied = entry.intendedAfter === null ? !present : present;
    return { status: applied ? "applied" : "not-applied", current };
  }
  const current = (await readAssignment(session, entry.resourceId)) ?? null;
  const touched = entry.touched ?? [];
  // A conversion's create and delete steps (issue 17): whether the assignment exists says it.
  if (entry.operation === "delete") return { status: current ? "not-applied" : "applied", current };
  if (entry.operation === "create" && entry.before === null) return { status: current ? "applied" : "not-applied", current };
  if (!current) return { status: "unknown", note: "the assignment no longer exists" };
  const now = touchedValues(current, touched);
  if (now === touchedValues(entry.intendedAfter as PolicyAssignment, touched)) return { status: "applied", current };
  if (now === touchedValues(entry.before as PolicyAssignment, touched)) return { status: "not-applied", current };
  return { status: "unknown", note: "the touched values match neither the earlier nor the intended ones (changed since)" };
}
