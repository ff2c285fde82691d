// The nine pod-security member definitions, the family of each set that carries them, and the
// namespaces the Azure Policy add-on never reviews. Built from the real built-ins in src/data.
import baselineSet from "../data/azure-builtins/policySetDefinitions/a8640138-9b0a-4a28-b8cb-1666c838647d.json" with { type: "json" };
import restrictedSet from "../data/azure-builtins/policySetDefinitions/42b8ef37-b724-4e24-bbc8-7a7708edfe00.json" with { type: "json" };
import carriersCatalogue from "../data/azure-builtins/pod-security-carriers.json" with { type: "json" };
import type { CarrierFamily, MemberKey } from "./types.js";

export interface MemberInfo {
  /** The reference id the two pod-security initiatives give the member (akspol's name for it). */
  key: MemberKey;
  /** The built-in definition's name (a GUID, lower case). */
  definitionName: string;
  definitionId: string;
  /** In the baseline initiative, the restricted one, or both. */
  initiatives: Array<"baseline" | "restricted">;
}

interface SetJson {
  name: string;
  properties: { policyDefinitions: Array<{ policyDefinitionId: string; policyDefinitionReferenceId: string }> };
}

function buildMembers(): MemberInfo[] {
  const byName = new Map<string, MemberInfo>();
  for (const [initiative, set] of [
    ["baseline", baselineSet],
    ["restricted", restrictedSet],
  ] as const) {
    for (const reference of (set as SetJson).properties.policyDefinitions) {
      const definitionName = lastSegment(reference.policyDefinitionId).toLowerCase();
      const known = byName.get(definitionName);
      if (known) known.initiatives.push(initiative);
      else {
        byName.set(definitionName, {
          key: reference.policyDefinitionReferenceId as MemberKey,
          definitionName,
          definitionId: reference.policyDefinitionId,
          initiatives: [initiative],
        });
      }
    }
  }
  return [...byName.values()];
}

/** The nine members, in the order the restricted then baseline initiatives list them. */
export const MEMBERS: readonly MemberInfo[] = buildMembers();

export const MEMBER_KEYS: readonly MemberKey[] = MEMBERS.map((member) => member.key);

/** The member a policy definition id (or name) is, whatever scope prefix or case it has. */
export function memberOfDefinition(definitionId: string | undefined): MemberInfo | undefined {
  if (!definitionId) return undefined;
  const name = lastSegment(definitionId).toLowerCase();
  // Only built-in definitions (tenant-level ids) are the members; a custom copy is not.
  if (definitionId.includes("/") && !/^\/providers\/microsoft\.authorization\/policydefinitions\//i.test(definitionId)) return undefined;
  return MEMBERS.find((member) => member.definitionName === name);
}

/** A member by its key, case-insensitively ("blockusinghostnetwork" works). */
export function memberByKey(key: string): MemberInfo | undefined {
  return MEMBERS.find((member) => member.key.toLowerCase() === key.toLowerCase());
}

/** Namespaces the Azure Policy add-on never reviews, whatever any assignment says. */
export const ALWAYS_EXCLUDED_NAMESPACES: readonly string[] = ["kube-system", "gatekeeper-system", "azure-arc"];

export const BASELINE_SET_NAME = "a8640138-9b0a-4a28-b8cb-1666c838647d";
export const RESTRICTED_SET_NAME = "42b8ef37-b724-4e24-bbc8-7a7708edfe00";
export const SAFEGUARDS_SET_NAME = "c047ea8e-9c78-49b2-958b-37e56d291a44";
export const BENCHMARK_SET_NAME = "1f3afdf9-d0c9-4c3d-847f-89da613e70a8";

interface CatalogueSet {
  cloud: string;
  id: string;
  displayName: string;
  version: string;
  members: Array<{ definition: string; podSecurityMember: string; referenceId: string }>;
}

/**
 * Built-in sets that carry at least one member (../shared/azure-builtins/pod-security-carriers.json,
 * public cloud and Azure Government). Lets discovery skip built-in sets that carry none without
 * reading them; sets missing from the catalogue (published later) are read to find out.
 */
const CARRIER_SETS: readonly CatalogueSet[] = (carriersCatalogue as { sets: CatalogueSet[] }).sets;
const carrierSetNames = new Set(CARRIER_SETS.map((set) => lastSegment(set.id).toLowerCase()));

/**
 * Whether a built-in set (by id) carries members, by the catalogue: true or false; undefined for a
 * custom set, which must be read to find out. A built-in set published after the catalogue's
 * snapshot (Azure/azure-policy f4a50bac, 2026-04-29) is taken not to carry them, so discovery never
 * reads the dozens of unrelated built-in sets a tenant assigns; refresh the catalogue to add one.
 */
export function builtInSetCarriesMembers(setId: string): boolean | undefined {
  if (!isBuiltInId(setId)) return undefined;
  return carrierSetNames.has(lastSegment(setId).toLowerCase());
}

export function familyOf(definitionId: string, kind: "set" | "definition"): CarrierFamily {
  if (kind === "definition") return "definition";
  if (!isBuiltInId(definitionId)) return "custom-set";
  switch (lastSegment(definitionId).toLowerCase()) {
    case BASELINE_SET_NAME:
      return "baseline";
    case RESTRICTED_SET_NAME:
      return "restricted";
    case SAFEGUARDS_SET_NAME:
      return "safeguards";
    case BENCHMARK_SET_NAME:
      return "benchmark";
    default:
      return "builtin-set";
  }
}

export function isBuiltInId(id: string): boolean {
  return /^\/providers\/microsoft\.authorization\/policy(set)?definitions\//i.test(id);
}

export function isSetDefinitionId(id: string | undefined): boolean {
  return !!id && /\/providers\/microsoft\.authorization\/policysetdefinitions\//i.test(id);
}

export function lastSegment(id: string): string {
  return id.split("/").filter(Boolean).pop() ?? "";
}

/** The keys akspol stamps into the metadata of the custom initiatives it makes (issue 17; src/policy/custom-initiative.ts). */
export const CUSTOM_SET_METADATA = {
  managedBy: "managedBy",
  version: "akspolVersion",
  kind: "akspolKind",
  sourceId: "akspolSourceSetId",
  sourceVersion: "akspolSourceVersion",
} as const;
export const CUSTOM_SET_KIND = "per-policy-initiative";

/** The built-in set and version an akspol custom initiative was made from; undefined for any other set. */
export function akspolCustomSource(metadata: unknown): { id: string; version: string } | undefined {
  if (!metadata || typeof metadata !== "object") return undefined;
  const fields = metadata as Record<string, unknown>;
  if (fields[CUSTOM_SET_METADATA.managedBy] !== "akspol" || fields[CUSTOM_SET_METADATA.kind] !== CUSTOM_SET_KIND) return undefined;
  const id = fields[CUSTOM_SET_METADATA.sourceId];
  const version = fields[CUSTOM_SET_METADATA.sourceVersion];
  return typeof id === "string" && typeof version === "string" ? { id, version } : undefined;
}

/** "akspol per-policy initiative from baseline 1.4.0": how lists name an akspol custom initiative. */
export function akspolCustomLabel(source: { id: string; version: string }): string {
  const family = familyOf(source.id, "set");
  return `akspol per-policy initiative from ${family === "builtin-set" ? lastSegment(source.id) : family} ${source.version}`;
}
