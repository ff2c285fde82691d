import type { PolicyDefinition, PolicyDefinitionVersion, PolicySetDefinition, PolicySetDefinitionVersion } from "@azure/arm-policy";
import type { AzureSession } from "./session.js";
import { parseScope, segments } from "./ids.js";
import { apiVersions } from "./clouds.js";
import { armRestClient, failedResponse } from "./assignments.js";

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

/**
 * Custom policy set definitions as raw ARM JSON (issue 17: akspol's per-policy initiatives). They
 * live only at a subscription or a management group (`{scope}/providers/Microsoft.Authorization/
 * policySetDefinitions/{name}`); a PUT with a new `properties.version` adds that version, and the
 * set's GET answers its latest version (policySetDefinitions.json, 2025-03-01).
 */
export type SetDefinitionDocument = {
  id?: string;
  name?: string;
  type?: string;
  systemData?: Record<string, unknown>;
  properties?: Record<string, unknown> & {
    displayName?: string;
    description?: string;
    version?: string;
    versions?: string[];
    metadata?: Record<string, unknown>;
    parameters?: Record<string, { type?: string; defaultValue?: unknown; allowedValues?: unknown[]; metadata?: Record<string, unknown> }>;
    policyDefinitions?: Array<{
      policyDefinitionId?: string;
      policyDefinitionReferenceId?: string;
      definitionVersion?: string;
      parameters?: Record<string, { value?: unknown }>;
      groupNames?: string[];
    }>;
  };
};

export function setDefinitionId(scope: string, name: string): string {
  return `/${segments(scope).join("/")}/providers/Microsoft.Authorization/policySetDefinitions/${name}`;
}

/** Splits a custom set definition id into its scope and name (undefined for a built-in or another id). */
export function splitSetDefinitionId(id: string): { scope: string; name: string } | undefined {
  const match = /^(.+)\/providers\/Microsoft\.Authorization\/policySetDefinitions\/([^/]+)$/i.exec(id);
  if (!match?.[1] || !match[2] || !/^\/(subscriptions|providers\/Microsoft\.Management\/managementGroups)\//i.test(match[1])) return undefined;
  return { scope: match[1], name: match[2] };
}

function apiVersion(session: AzureSession): string {
  return session.globals.apiVersion ?? apiVersions.policy;
}

/** GET of the set (its latest version); undefined when it does not exist. */
export async function getSetDefinitionDocument(session: AzureSession, id: string): Promise<SetDefinitionDocument | undefined> {
  const rest = await armRestClient(session, id);
  const response = await rest.pathUnchecked(id).get({ queryParameters: { "api-version": apiVersion(session) } });
  if (response.status === "404") return undefined;
  if (response.status !== "200") return failedResponse(response);
  return response.body as SetDefinitionDocument;
}

/** PUT (create, replace, or add the version the body names). */
export async function putSetDefinitionDocument(session: AzureSession, id: string, body: SetDefinitionDocument): Promise<SetDefinitionDocument> {
  const rest = await armRestClient(session, id);
  const sent: SetDefinitionDocument = { properties: structuredClone(body.properties ?? {}) };
  // Read-only: never sent back.
  delete sent.properties?.versions;
  delete sent.properties?.policyType;
  const response = await rest.pathUnchecked(id).put({ queryParameters: { "api-version": apiVersion(session) }, body: sent, contentType: "application/json" });
  if (response.status !== "200" && response.status !== "201") return failedResponse(response);
  return response.body as SetDefinitionDocument;
}

/** DELETE; false when there was none (204). */
export async function deleteSetDefinitionDocument(session: AzureSession, id: string): Promise<boolean> {
  const rest = await armRestClient(session, id);
  const response = await rest.pathUnchecked(id).delete({ queryParameters: { "api-version": apiVersion(session) } });
  if (response.status === "204") return false;
  if (response.status !== "200") return failedResponse(response);
  return true;
}

/** DELETE of one version of a custom set (policySetDefinitionVersions.delete); false when there was none. */
export async function deleteSetDefinitionVersion(session: AzureSession, id: string, version: string): Promise<boolean> {
  const rest = await armRestClient(session, id);
  const response = await rest.pathUnchecked(`${id}/versions/${encodeURIComponent(version)}`).delete({ queryParameters: { "api-version": apiVersion(session) } });
  if (response.status === "204") return false;
  if (response.status !== "200") return failedResponse(response);
  return true;
}
