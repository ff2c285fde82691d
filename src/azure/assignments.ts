import type { Override, PolicyAssignment } from "@azure/arm-policy";
import type { Client } from "@azure-rest/core-client";
import type { TokenCredential } from "@azure/core-auth";
import { isNotFound } from "./arm-errors.js";
import { apiVersions } from "./clouds.js";
import { segments, splitAuthorizationId, subscriptionOfScope, type ScopeTarget } from "./ids.js";
import type { AzureSession } from "./session.js";
import { UsageError } from "../errors.js";

/** The SDK's model of an assignment: the shape every command and the core work with. */
export type { Override, PolicyAssignment };

/** `$expand` for assignment reads: the definition versions an assignment resolves to. */
const expandVersions = "LatestDefinitionVersion, EffectiveDefinitionVersion";

/**
 * One list call per target. A subscription or resource group is listed unfiltered, which ARM defines
 * as everything that applies there (inherited from management groups) plus everything assigned below
 * it; a management group or a cluster is listed with atScope() (itself and its ancestors).
 */
export async function listAssignmentsAt(session: AzureSession, target: ScopeTarget): Promise<PolicyAssignment[]> {
  const subscriptionId = "subscriptionId" in target ? target.subscriptionId : undefined;
  const client = await session.policyClient(subscriptionId);
  const results: PolicyAssignment[] = [];
  const options = { expand: expandVersions };
  let pages: AsyncIterable<PolicyAssignment>;
  switch (target.kind) {
    case "subscription":
      pages = client.policyAssignments.list(options);
      break;
    case "resourceGroup":
      pages = client.policyAssignments.listForResourceGroup(target.resourceGroup, options);
      break;
    case "managementGroup":
      pages = client.policyAssignments.listForManagementGroup(target.managementGroup, { ...options, filter: "atScope()" });
      break;
    case "cluster":
      pages = client.policyAssignments.listForResource(target.resourceGroup, "Microsoft.ContainerService", "", "managedClusters", target.name, {
        ...options,
        filter: "atScope()",
      });
      break;
  }
  for await (const assignment of pages) results.push(assignment);
  return results;
}

function assignmentParts(assignmentId: string): { scope: string; name: string } {
  const parts = splitAuthorizationId(assignmentId, "policyAssignments");
  if (!parts) throw new UsageError(`'${assignmentId}' is not a policy assignment id.`);
  return parts;
}

/**
 * Reads one assignment by full id (with the version expansions); undefined when it does not exist.
 * Read as raw JSON, so that a write can send back every property ARM returned (see below).
 */
export async function readAssignment(session: AzureSession, assignmentId: string): Promise<PolicyAssignment | undefined> {
  const document = await readAssignmentDocument(session, assignmentId);
  return document && toAssignmentModel(document as AssignmentDocument);
}

/**
 * PATCH the overrides of an assignment: PolicyAssignmentUpdate carries overrides, and sending only
 * them leaves everything else as it is.
 */
export async function updateAssignmentOverrides(session: AzureSession, assignmentId: string, overrides: Override[]): Promise<void> {
  const parts = assignmentParts(assignmentId);
  const client = await session.policyClient(subscriptionOfScope(parts.scope));
  await client.policyAssignments.update(parts.scope, parts.name, { overrides });
}

/**
 * PUT an assignment as `intended` (an SDK-shaped full body) on top of the raw document `current` was
 * read as, so that every property ARM returned survives unless the plan changed it.
 */
export async function putAssignment(session: AzureSession, assignmentId: string, current: PolicyAssignment, intended: PolicyAssignment): Promise<void> {
  const document = documentOf(current);
  if (!document) throw new Error("internal: an assignment is written only from the raw document it was read as");
  await putAssignmentAs(session, assignmentId, document, intended);
}

/**
 * Assignment reads and writes as raw ARM JSON (docs/issues/11.md). The SDK's serializer keeps only the
 * properties its models know, so a PUT built from an SDK model silently drops what the service added
 * since (e.g. `selfServeExemptionSettings`), and a property dropped on a PUT may be cleared. A write
 * here starts from the document ARM returned at the api-version in use and changes only the intended
 * properties, leaving out what the spec marks read-only. Commands still see the SDK's model shape.
 */
type AssignmentDocument = {
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
export const MODELLED_ASSIGNMENT_PROPERTIES = [
  "displayName",
  "policyDefinitionId",
  "definitionVersion",
  "latestDefinitionVersion",
  "effectiveDefinitionVersion",
  "scope",
  "notScopes",
  "parameters",
  "description",
  "metadata",
  "enforcementMode",
  "nonComplianceMessages",
  "resourceSelectors",
  "overrides",
  "assignmentType",
  "instanceId",
];

const documents = new WeakMap<object, AssignmentDocument>();
const clients = new WeakMap<TokenCredential, Promise<Client>>();

/** The raw document an SDK-shaped assignment was read from (when it was read here). */
function documentOf(assignment: PolicyAssignment): AssignmentDocument | undefined {
  return documents.get(assignment);
}

/** The SDK model of a raw document (properties flattened, systemData dates as Date), remembering the document. */
function toAssignmentModel(document: AssignmentDocument): PolicyAssignment {
  const systemData = document.systemData
    ? Object.fromEntries(Object.entries(document.systemData).map(([key, value]) => [key, /At$/.test(key) && typeof value === "string" ? new Date(value) : value]))
    : undefined;
  const properties = document.properties ?? {};
  const model: Record<string, unknown> = { id: document.id, name: document.name, type: document.type, systemData };
  for (const key of MODELLED_ASSIGNMENT_PROPERTIES) if (key in properties) model[key] = properties[key];
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
function putBody(document: AssignmentDocument, intended: PolicyAssignment): AssignmentDocument {
  const body = structuredClone(document);
  for (const key of READ_ONLY_TOP) delete body[key];
  const properties: Record<string, unknown> = { ...(body.properties ?? {}) };
  for (const key of READ_ONLY_PROPERTIES) delete properties[key];
  const source = intended as unknown as Record<string, unknown>;
  for (const key of MODELLED_ASSIGNMENT_PROPERTIES) {
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
async function getAssignmentDocument(session: AzureSession, scope: string, name: string, expand?: string): Promise<AssignmentDocument> {
  const rest = await client(session, scope);
  const query: Record<string, string> = { "api-version": session.globals.apiVersion ?? apiVersions.policy };
  if (expand) query.$expand = expand;
  const response = await rest.pathUnchecked(path(scope, name)).get({ queryParameters: query });
  if (response.status !== "200") return fail(response);
  return response.body as AssignmentDocument;
}

async function putAssignmentDocument(session: AzureSession, scope: string, name: string, body: AssignmentDocument): Promise<AssignmentDocument> {
  const rest = await client(session, scope);
  const response = await rest.pathUnchecked(path(scope, name)).put({ queryParameters: { "api-version": session.globals.apiVersion ?? apiVersions.policy }, body, contentType: "application/json" });
  if (response.status !== "200" && response.status !== "201") return fail(response);
  return response.body as AssignmentDocument;
}

/**
 * For the conversion to akspol's custom initiative (docs/issues/17.md): the raw document an assignment was read as,
 * kept in the journal so that a deleted assignment can be recreated exactly; undefined when the model
 * was not read here.
 */
export function assignmentDocument(assignment: PolicyAssignment): Record<string, unknown> | undefined {
  const document = documentOf(assignment);
  return document ? structuredClone(document) : undefined;
}

/** The raw document of an assignment by full id, or undefined when it does not exist. */
export async function readAssignmentDocument(session: AzureSession, assignmentId: string): Promise<Record<string, unknown> | undefined> {
  const parts = assignmentParts(assignmentId);
  try {
    return await getAssignmentDocument(session, parts.scope, parts.name, expandVersions);
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

/**
 * PUT `intended` at `assignmentId` (which may be another assignment than the one `document` was read
 * as: a conversion creates its new assignment from the old one's document, so every property ARM
 * returned is carried over), leaving out what the spec marks read-only. Answers the document ARM returned.
 */
export async function putAssignmentAs(session: AzureSession, assignmentId: string, document: Record<string, unknown>, intended?: PolicyAssignment): Promise<Record<string, unknown>> {
  const parts = assignmentParts(assignmentId);
  const source = document as AssignmentDocument;
  return putAssignmentDocument(session, parts.scope, parts.name, putBody(source, intended ?? toAssignmentModel(source)));
}

/** DELETE an assignment; false when there was none (ARM answers 204). */
export async function deleteAssignment(session: AzureSession, assignmentId: string): Promise<boolean> {
  const parts = assignmentParts(assignmentId);
  const rest = await client(session, parts.scope);
  const response = await rest.pathUnchecked(path(parts.scope, parts.name)).delete({ queryParameters: { "api-version": session.globals.apiVersion ?? apiVersions.policy } });
  if (response.status === "204") return false;
  if (response.status !== "200") return fail(response);
  return true;
}

/** A REST client for raw ARM JSON at a scope (the token of the scope's tenant), shared with set-definitions.ts. */
export const armRestClient = client;
export { fail as failedResponse };
