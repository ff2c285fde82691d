// The baseline and restricted initiatives as akspol embeds them (src/data/azure-builtins, byte copies of
// Azure/azure-policy), per cloud: Government serves other content under the same ids and version labels
// (its members pinned one major higher, its effect parameter with other allowedValues), so a copy is
// known only together with its cloud.
import baseline from "../data/azure-builtins/policySetDefinitions/a8640138-9b0a-4a28-b8cb-1666c838647d.json" with { type: "json" };
import restricted from "../data/azure-builtins/policySetDefinitions/42b8ef37-b724-4e24-bbc8-7a7708edfe00.json" with { type: "json" };
import governmentBaseline from "../data/azure-builtins/gov/policySetDefinitions/a8640138-9b0a-4a28-b8cb-1666c838647d.json" with { type: "json" };
import governmentRestricted from "../data/azure-builtins/gov/policySetDefinitions/42b8ef37-b724-4e24-bbc8-7a7708edfe00.json" with { type: "json" };

interface EmbeddedSet {
  id: string;
  name: string;
  properties: Record<string, unknown> & { version: string; versions?: string[] };
}

/** The set as the SDK reads it (properties flattened), without its `versions` list. */
export type EmbeddedInitiative = Record<string, unknown> & {
  id: string;
  name: string;
  version: string;
  versions?: undefined;
  policyDefinitions?: Array<{ policyDefinitionReferenceId?: string; definitionVersion?: string }>;
};

/** By cloud name (src/azure/clouds.ts); a cloud akspol embeds nothing of has no entry. */
const embedded: Partial<Record<string, EmbeddedSet[]>> = {
  AzureCloud: [baseline, restricted] as EmbeddedSet[],
  AzureUSGovernment: [governmentBaseline, governmentRestricted] as EmbeddedSet[],
};

/**
 * The embedded copy of a built-in pod-security initiative at exactly `version` in `cloud`, shaped as
 * the SDK reads it (properties flattened); undefined for any other cloud, id or version. Its
 * `versions` list is left out: only Azure knows every version it serves.
 * Unverified: that Azure never changes a built-in's content under the same version label in one cloud.
 */
export function embeddedInitiative(cloud: string | undefined, id: string | undefined, version: string | undefined): EmbeddedInitiative | undefined {
  if (!cloud || !id || !version) return undefined;
  const found = embedded[cloud]?.find((set) => set.id.toLowerCase() === id.toLowerCase() && set.properties.version === version);
  if (!found) return undefined;
  const { versions: _versions, ...properties } = structuredClone(found.properties);
  return { ...properties, id: found.id, name: found.name } as EmbeddedInitiative;
}
