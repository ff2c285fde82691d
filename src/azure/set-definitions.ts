import { apiVersions } from "./clouds.js";
import { segments } from "./ids.js";
import { armRestClient, fail } from "./assignment-documents.js";
import type { AzureSession } from "./session.js";

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
    policyDefinitions?: Array<{ policyDefinitionId?: string; policyDefinitionReferenceId?: string; definitionVersion?: string; parameters?: Record<string, { value?: unknown }>; groupNames?: string[] }>;
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
  if (response.status !== "200") return fail(response);
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
  if (response.status !== "200" && response.status !== "201") return fail(response);
  return response.body as SetDefinitionDocument;
}

/** DELETE; false when there was none (204). */
export async function deleteSetDefinitionDocument(session: AzureSession, id: string): Promise<boolean> {
  const rest = await armRestClient(session, id);
  const response = await rest.pathUnchecked(id).delete({ queryParameters: { "api-version": apiVersion(session) } });
  if (response.status === "204") return false;
  if (response.status !== "200") return fail(response);
  return true;
}

/** DELETE of one version of a custom set (policySetDefinitionVersions.delete); false when there was none. */
export async function deleteSetDefinitionVersion(session: AzureSession, id: string, version: string): Promise<boolean> {
  const rest = await armRestClient(session, id);
  const response = await rest.pathUnchecked(`${id}/versions/${encodeURIComponent(version)}`).delete({ queryParameters: { "api-version": apiVersion(session) } });
  if (response.status === "204") return false;
  if (response.status !== "200") return fail(response);
  return true;
}
