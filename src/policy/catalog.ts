import baselineSet from "../data/azure-builtins/policySetDefinitions/a8640138-9b0a-4a28-b8cb-1666c838647d.json" with { type: "json" };
import restrictedSet from "../data/azure-builtins/policySetDefinitions/42b8ef37-b724-4e24-bbc8-7a7708edfe00.json" with { type: "json" };

/**
 * The two built-in pod-security initiatives, from the real definitions embedded in src/data
 * (copied from Azure/azure-policy; see its README). Used to recognise assignments and member policies.
 * Parameter defaults used for edits are always read from Azure, never from this copy.
 */
export type InitiativeKey = "baseline" | "restricted";

export interface MemberPolicy {
  referenceId: string;
  definitionId: string;
  definitionVersion?: string;
}

export interface InitiativeInfo {
  key: InitiativeKey;
  name: string;
  id: string;
  displayName: string;
  version: string;
  members: MemberPolicy[];
}

interface SetDefinitionJson {
  id: string;
  name: string;
  properties: {
    displayName: string;
    version: string;
    policyDefinitions: Array<{ policyDefinitionId: string; policyDefinitionReferenceId: string; definitionVersion?: string }>;
  };
}

function info(key: InitiativeKey, set: SetDefinitionJson): InitiativeInfo {
  return {
    key,
    name: set.name,
    id: set.id,
    displayName: set.properties.displayName,
    version: set.properties.version,
    members: set.properties.policyDefinitions.map((member) => ({
      referenceId: member.policyDefinitionReferenceId,
      definitionId: member.policyDefinitionId,
      definitionVersion: member.definitionVersion,
    })),
  };
}

export const initiatives: Record<InitiativeKey, InitiativeInfo> = {
  baseline: info("baseline", baselineSet as SetDefinitionJson),
  restricted: info("restricted", restrictedSet as SetDefinitionJson),
};

/** The nine member policy definition ids (lower case). */
export const memberDefinitionIds: ReadonlySet<string> = new Set(Object.values(initiatives).flatMap((initiative) => initiative.members.map((member) => member.definitionId.toLowerCase())));

export function initiativeByDefinitionId(policyDefinitionId: string | undefined): InitiativeInfo | undefined {
  if (!policyDefinitionId) return undefined;
  const lower = policyDefinitionId.toLowerCase();
  return Object.values(initiatives).find((initiative) => initiative.id.toLowerCase() === lower);
}

export function initiativeByKey(key: string): InitiativeInfo | undefined {
  return initiatives[key.toLowerCase() as InitiativeKey];
}

/** The namespaces the Azure Policy add-on always excludes, whatever the parameters say. */
export const alwaysExcludedNamespaces: readonly string[] = ["kube-system", "gatekeeper-system", "azure-arc"];
