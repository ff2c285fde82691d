import type { PolicyDefinition, PolicyDefinitionVersion, PolicySetDefinition, PolicySetDefinitionVersion } from "@azure/arm-policy";
import type { AzureSession } from "./session.js";
import { parseScope, segments } from "./ids.js";

export type { PolicyDefinition, PolicyDefinitionVersion, PolicySetDefinition, PolicySetDefinitionVersion };

/**
 * Policy set definitions (initiatives) and policy definitions: built-in ones (tenant level), and
 * custom ones at a subscription or a management group, at their latest or at a given version.
 * A definition is read here as well as a set, since a pod-security member may be assigned on its own.
 */
export type DefinitionResource = PolicySetDefinition | PolicySetDefinitionVersion | PolicyDefinition | PolicyDefinitionVersion;

export interface DefinitionLocation {
  kind: "policySetDefinitions" | "policyDefinitions";
  name: string;
  /** undefined for built-ins and subscription definitions. */
  managementGroup?: string;
  /** undefined for built-ins and management-group definitions. */
  subscriptionId?: string;
}

/** Where a policy set definition, or a single policy definition, lives; undefined for any other id. */
export function locateDefinition(id: string): DefinitionLocation | undefined {
  const parts = segments(id);
  const lower = parts.map((part) => part.toLowerCase());
  const index = Math.max(lower.lastIndexOf("policysetdefinitions"), lower.lastIndexOf("policydefinitions"));
  if (index < 2 || lower[index - 1] !== "microsoft.authorization" || !parts[index + 1]) return undefined;
  const kind = lower[index] === "policysetdefinitions" ? "policySetDefinitions" : "policyDefinitions";
  const name = parts[index + 1] as string;
  const scopeParts = parts.slice(0, index - 2); // drop "providers/Microsoft.Authorization"
  if (scopeParts.length === 0) return { kind, name };
  const info = parseScope(`/${scopeParts.join("/")}`);
  return { kind, name, managementGroup: info.managementGroup, subscriptionId: info.subscriptionId };
}

export function isPolicySetId(id: string | undefined): boolean {
  return !!id && /\/providers\/microsoft\.authorization\/policysetdefinitions\//i.test(id);
}

/**
 * One GET of the definition at `location`: its latest version when `version` is undefined, else that
 * version ("2.4.0"). `subscriptionHint` picks the client (and so the tenant's token) for a built-in.
 */
export async function readDefinition(session: AzureSession, location: DefinitionLocation, version?: string, subscriptionHint?: string): Promise<DefinitionResource> {
  const client = await session.policyClient(location.subscriptionId ?? subscriptionHint);
  const { name, managementGroup, subscriptionId } = location;
  if (location.kind === "policySetDefinitions") {
    if (version === undefined) {
      if (managementGroup) return client.policySetDefinitions.getAtManagementGroup(managementGroup, name);
      if (subscriptionId) return client.policySetDefinitions.get(name);
      return client.policySetDefinitions.getBuiltIn(name);
    }
    const versions = client.policySetDefinitionVersions;
    if (managementGroup) return versions.getAtManagementGroup(managementGroup, name, version);
    if (subscriptionId) return versions.get(name, version);
    return versions.getBuiltIn(name, version);
  }
  if (version === undefined) {
    if (managementGroup) return client.policyDefinitions.getAtManagementGroup(managementGroup, name);
    if (subscriptionId) return client.policyDefinitions.get(name);
    return client.policyDefinitions.getBuiltIn(name);
  }
  const versions = client.policyDefinitionVersions;
  if (managementGroup) return versions.getAtManagementGroup(managementGroup, name, version);
  if (subscriptionId) return versions.get(name, version);
  return versions.getBuiltIn(name, version);
}
