import type { PolicyAssignment } from "@azure/arm-policy";
import type { Client } from "@azure-rest/core-client";
import type { TokenCredential } from "@azure/core-auth";
import { apiVersions } from "./clouds.js";
import { segments } from "./ids.js";
import type { AzureSession } from "./session.js";

/**
 * Assignment reads and writes as raw ARM JSON (docs/issues/11.md). The SDK's serializer keeps only the
 * properties its models know, so a PUT built from an SDK model silently drops what the service added
 * since (e.g. `selfServeExemptionSettings`), and a property dropped on a PUT may be cleared. A write
 * here starts from the document ARM returned at the api-version in use and changes only the intended
 * properties, leaving out what the spec marks read-only. Commands still see the SDK's model shape.
 */
export type AssignmentDocument = {
  id?: string;
  name?: string;
  type?: string;
  location?: string;
  identity?: Record<string, unknown>;
  systemData?: Record<string, unknown>;
  properties?: Record<string, unknown>;
  [key: string]: unknown;
};

/** Read-only per the policyAssignments spec (2025-03-01): never sent back. */
const READ_ONLY_TOP = ["id", "name", "type", "systemData"];
const READ_ONLY_PROPERTIES = ["scope", "instanceId", "latestDefinitionVersion", "effectiveDefinitionVersion"];
const READ_ONLY_IDENTITY = ["principalId", "tenantId"];
/** The properties the SDK model carries (PolicyAssignmentProperties in the 2025-03-01 spec). */
const MODELLED_PROPERTIES = [
  "displayName", "policyDefinitionId", "definitionVersion", "latestDefinitionVersion", "effectiveDefinitionVersion", "scope", "notScopes",
  "parameters", "description", "metadata", "enforcementMode", "nonComplianceMessages", "resourceSelectors", "overrides", "assignmentType", "instanceId",
];

const documents = new WeakMap<object, AssignmentDocument>();
const clients = new WeakMap<TokenCredential, Promise<Client>>();

/** The raw document an SDK-shaped assignment was read from (when it was read here). */
export function documentOf(assignment: PolicyAssignment): AssignmentDocument | undefined {
  return documents.get(assignment);
}

/** The SDK model of a raw document (properties flattened, systemData dates as Date), remembering the document. */
export function toAssignmentModel(document: AssignmentDocument): PolicyAssignment {
  const systemData = document.systemData
    ? Object.fromEntries(
        Object.entries(document.systemData).map(([key, value]) => [key, /At$/.test(key) && typeof value === "string" ? new Date(value) : value]),
      )
    : undefined;
  const properties = document.properties ?? {};
  const model: Record<string, unknown> = { id: document.id, name: document.name, type: document.type, systemData };
  for (const key of MODELLED_PROPERTIES) if (key in properties) model[key] = properties[key];
  model.location = document.location;
  model.identity = document.identity;
  const assignment = model as PolicyAssignment;
  documents.set(assignment, structuredClone(document));
  return assignment;
}

/**
 * The PUT body for `intended` (an SDK-shaped full body, as the edit planner builds it) on top of the
 * document it was planned from: every property ARM returned survives unless the plan changed it.
 */
export function putBody(document: AssignmentDocument, intended: PolicyAssignment): AssignmentDocument {
  const body = structuredClone(document);
  for (const key of READ_ONLY_TOP) delete body[key];
  const properties: Record<string, unknown> = { ...(body.properties ?? {}) };
  for (const key of READ_ONLY_PROPERTIES) delete properties[key];
  const source = intended as unknown as Record<string, unknown>;
  for (const key of MODELLED_PROPERTIES) {
    if (READ_ONLY_PROPERTIES.includes(key)) continue;
    if (source[key] === undefined) delete properties[key];
    else properties[key] = source[key];
  }
  body.properties = properties;
  if (intended.location !== undefined) body.location = intended.location;
  if (body.identity && typeof body.identity === "object") {
    const identity = { ...body.identity };
    for (const key of READ_ONLY_IDENTITY) delete identity[key];
    body.identity = identity;
  }
  return body;
}

function client(session: AzureSession, scope: string): Promise<Client> {
  return (async () => {
    const credential = await session.credentialForScope(scope);
    let promise = clients.get(credential);
    if (!promise) {
      promise = (async () => {
        const { getClient } = await import("@azure-rest/core-client");
        const { cloud } = await session.connection();
        const options = (await session.clientOptions()) as Parameters<typeof getClient>[2];
        return getClient(cloud.resourceManager, credential, { ...options, credentials: { scopes: [cloud.scope] } });
      })();
      clients.set(credential, promise);
    }
    return promise;
  })();
}

function path(scope: string, name: string): string {
  return `/${segments(scope).join("/")}/providers/Microsoft.Authorization/policyAssignments/${encodeURIComponent(name)}`;
}

async function fail(response: { status: string; body: unknown; headers: Record<string, string> }): Promise<never> {
  const { createRestError } = await import("@azure-rest/core-client");
  throw createRestError(response as never);
}

/** GET at the api-version in use (--api-version or the SDK's), with the version expansions. */
export async function getAssignmentDocument(session: AzureSession, scope: string, name: string, expand?: string): Promise<AssignmentDocument> {
  const rest = await client(session, scope);
  const query: Record<string, string> = { "api-version": session.globals.apiVersion ?? apiVersions.policy };
  if (expand) query.$expand = expand;
  const response = await rest.pathUnchecked(path(scope, name)).get({ queryParameters: query });
  if (response.status !== "200") return fail(response);
  return response.body as AssignmentDocument;
}

export async function putAssignmentDocument(session: AzureSession, scope: string, name: string, body: AssignmentDocument): Promise<AssignmentDocument> {
  const rest = await client(session, scope);
  const response = await rest
    .pathUnchecked(path(scope, name))
    .put({ queryParameters: { "api-version": session.globals.apiVersion ?? apiVersions.policy }, body, contentType: "application/json" });
  if (response.status !== "200" && response.status !== "201") return fail(response);
  return response.body as AssignmentDocument;
}
