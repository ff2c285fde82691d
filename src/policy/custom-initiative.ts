// The custom initiative akspol makes from a pod-security initiative (issue 17): the same member
// policies at the same definition versions with the same defaults, but each member reads its own
// excluded namespaces (and, where its definition takes them, label selector, excluded containers and
// images) from a parameter of its own, so an exclusion can apply to some policies only. Pure.
import { createHash } from "node:crypto";
import { UsageError } from "../errors.js";
import { akspolCustomSource, CUSTOM_SET_KIND, CUSTOM_SET_METADATA, flattenDefinition, memberOfDefinition, parameterReference, type DefinitionDocument, type MemberKey } from "../effective/index.js";
import { parseScope } from "../azure/ids.js";
import { setDefinitionId, type SetDefinitionDocument } from "../azure/set-definitions.js";
import { version as akspolVersion } from "../version.js";
import { memberAccepts, memberParameterDeclaration, type ExclusionField } from "./per-policy.js";

export const PER_POLICY_FIELDS: readonly ExclusionField[] = ["excludedNamespaces", "labelSelector", "excludedContainers", "excludedImages"];

export { CUSTOM_SET_METADATA, CUSTOM_SET_KIND } from "../effective/index.js";

export interface CustomInitiativeSource {
  /** The built-in set it was made from. */
  id: string;
  version: string;
}

/** The parameter one member reads one exclusion from: `NoHostPathVolume-excludedNamespaces`. */
export function perPolicyParameterName(referenceId: string, field: ExclusionField): string {
  return `${referenceId}-${field}`;
}

/** The built-in set and version an akspol custom initiative was made from; undefined for any other set. */
export function akspolSourceOf(set: { metadata?: unknown; properties?: { metadata?: unknown } } | undefined): CustomInitiativeSource | undefined {
  return akspolCustomSource(set?.properties?.metadata ?? set?.metadata);
}

/**
 * `base` + `suffix`, within ARM's length limit for the resource: when too long, `base` is cut and
 * ends in 8 hex characters of its SHA-256, so the name stays unique and stable.
 */
export function derivedName(base: string, suffix: string, max: number): string {
  const plain = `${base}${suffix}`;
  if (plain.length <= max) return plain;
  const hash = createHash("sha256").update(base).digest("hex").slice(0, 8);
  return `${base.slice(0, Math.max(1, max - suffix.length - 9))}-${hash}${suffix}`;
}

/** Assignment names: 24 characters at a management group, 64 elsewhere (ARM's limits). */
export function assignmentNameLimit(scope: string): number {
  return /\/managementGroups\//i.test(scope) ? 24 : 64;
}

export function customSetName(family: string, assignmentName: string): string {
  return derivedName(`akspol-${family}-${assignmentName}`.replace(/[<>*%&:\\?.+/\s]/g, "-"), "", 64);
}

/**
 * Where the custom set lives: set definitions exist only at a management group or a subscription,
 * so the assignment's scope when it is one, else the subscription containing it; or the scope the
 * person names (`--definition-scope`), which must be one of those and contain the assignment's scope.
 */
export function definitionScopeFor(assignmentScope: string, requested?: string): string {
  if (requested) {
    let kind: string;
    try {
      kind = parseScope(requested).kind;
    } catch {
      kind = "unknown";
    }
    if (kind !== "managementGroup" && kind !== "subscription") {
      throw new UsageError(`--definition-scope '${requested}' is not a management group or subscription: policy set definitions exist only there.`, {
        suggestion: "Pass /subscriptions/<id> or /providers/Microsoft.Management/managementGroups/<name>.",
      });
    }
    if (kind === "subscription" && !assignmentScope.toLowerCase().startsWith(requested.toLowerCase())) {
      throw new UsageError(`--definition-scope '${requested}' does not contain the assignment's scope ${assignmentScope}: an assignment can use only a definition at or above its scope.`, {
        suggestion: "Name the assignment's subscription or a management group above it.",
      });
    }
    return requested.replace(/\/$/, "");
  }
  const info = parseScope(assignmentScope);
  if (info.kind === "managementGroup") return assignmentScope;
  return `/subscriptions/${info.subscriptionId}`;
}

/**
 * The custom set: every parameter of the built-in but the shared `excludedNamespaces`, which becomes
 * one `<referenceId>-excludedNamespaces` per member with the same default; plus, for each member
 * whose definition takes them, `<referenceId>-labelSelector|excludedContainers|excludedImages` with
 * the definition's own declaration (so the default is the definition's: nothing changes until set).
 */
export function buildPerPolicySet(builtIn: DefinitionDocument, source: CustomInitiativeSource): NonNullable<SetDefinitionDocument["properties"]> {
  const flat = flattenDefinition(builtIn);
  const shared = Object.entries(flat.parameters ?? {});
  const namespaces = shared.find(([name]) => name.toLowerCase() === "excludednamespaces");
  if (!namespaces) throw new UsageError(`The set ${source.id} has no excludedNamespaces parameter to split per policy.`);
  const parameters: Record<string, unknown> = Object.fromEntries(shared.filter(([name]) => name !== namespaces[0]).map(([name, declaration]) => [name, structuredClone(declaration)]));
  const references = (flat.policyDefinitions ?? []).map((reference) => {
    const copy = structuredClone(reference) as typeof reference & Record<string, unknown>;
    for (const readOnly of ["latestDefinitionVersion", "effectiveDefinitionVersion"]) delete copy[readOnly];
    const member = memberOfDefinition(reference.policyDefinitionId);
    const referenceId = reference.policyDefinitionReferenceId ?? "";
    if (!member) return copy;
    copy.parameters = { ...(copy.parameters ?? {}) };
    for (const field of PER_POLICY_FIELDS) {
      const wired = Object.entries(copy.parameters).find(([name]) => name.toLowerCase() === field.toLowerCase());
      if (field === "excludedNamespaces") {
        if (!wired || parameterReference(wired[1]?.value)?.toLowerCase() !== "excludednamespaces") continue;
      } else if (wired || !memberAccepts(member.key as MemberKey, field)) continue;
      const name = perPolicyParameterName(referenceId, field);
      const declaration = field === "excludedNamespaces" ? structuredClone(namespaces[1]) : memberParameterDeclaration(member.key as MemberKey, field);
      if (!declaration) continue;
      const metadata = { ...((declaration as { metadata?: Record<string, unknown> }).metadata ?? {}) };
      metadata.displayName = `${referenceId}: ${String(metadata.displayName ?? field)}`;
      parameters[name] = { ...declaration, metadata };
      if (wired) delete copy.parameters[wired[0]];
      copy.parameters[field] = { value: `[parameters('${name}')]` };
    }
    return copy;
  });
  const metadata: Record<string, unknown> = {
    ...(flat as { metadata?: Record<string, unknown> }).metadata,
    [CUSTOM_SET_METADATA.managedBy]: "akspol",
    [CUSTOM_SET_METADATA.kind]: CUSTOM_SET_KIND,
    [CUSTOM_SET_METADATA.version]: akspolVersion,
    [CUSTOM_SET_METADATA.sourceId]: source.id,
    [CUSTOM_SET_METADATA.sourceVersion]: source.version,
  };
  const properties: NonNullable<SetDefinitionDocument["properties"]> = {
    displayName: `${flat.displayName ?? source.id} (per-policy exclusions, akspol)`,
    description: `Made by akspol from the built-in ${source.id} version ${source.version}: the same policies at the same definition versions and defaults, with per-policy exclusion parameters.`,
    metadata,
    version: source.version,
    parameters: parameters as NonNullable<SetDefinitionDocument["properties"]>["parameters"],
    policyDefinitions: references as NonNullable<SetDefinitionDocument["properties"]>["policyDefinitions"],
  };
  const groups = (flat as { policyDefinitionGroups?: unknown }).policyDefinitionGroups;
  if (Array.isArray(groups) && groups.length > 0) properties.policyDefinitionGroups = structuredClone(groups);
  return properties;
}

/**
 * The assignment's parameters for the custom set: every value as it was, except the shared
 * `excludedNamespaces`, which each member's own parameter takes over (only when the assignment set it;
 * otherwise every member keeps following the same default).
 */
export function convertedParameters(parameters: Record<string, { value?: unknown } | undefined>, set: NonNullable<SetDefinitionDocument["properties"]>): Record<string, { value?: unknown }> {
  const result: Record<string, { value?: unknown }> = {};
  let shared: { value?: unknown } | undefined;
  for (const [name, entry] of Object.entries(parameters)) {
    if (!entry) continue;
    if (name.toLowerCase() === "excludednamespaces") shared = entry;
    else result[name] = structuredClone(entry);
  }
  if (shared) {
    for (const reference of set.policyDefinitions ?? []) {
      const wired = parameterReference(reference.parameters?.excludedNamespaces?.value);
      if (wired) result[wired] = structuredClone(shared);
    }
  }
  return result;
}

export function customSetIdFor(scope: string, name: string): string {
  return setDefinitionId(scope, name);
}
