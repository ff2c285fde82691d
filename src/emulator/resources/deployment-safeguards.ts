// Deployment Safeguards of a managed cluster: the extension resource
// {clusterId}/providers/Microsoft.ContainerService/deploymentSafeguards/default (GET, PUT, DELETE).
// Stable 2025-04-01 has level (Warn, Enforce), excludedNamespaces and read-only
// systemExcludedNamespaces; 2025-05-02-preview adds podSecurityStandardsLevel. Writes carry an eTag:
// a PUT or DELETE whose If-Match differs is refused with 412, as ARM does for eTag resources.
// Unverified: AKS serves the PUT as a long-running operation; the emulator completes it at once.
// Unverified: the exact system namespaces AKS lists and the error codes of invalid values.
import { randomUUID } from "node:crypto";
import { ArmError, badRequest, notFound } from "../errors.js";
import type { ArmRequest, ArmResponse, EmulatorContext } from "../context.js";
import { authorize } from "../rbac.js";
import { keyOf, managedClusterId } from "../scopes.js";
import type { Batch } from "../store.js";
import { requireObjectBody, requireResourceGroup, requireSubscription, systemDataFor } from "./common.js";

export const SAFEGUARDS_TYPE = "Microsoft.ContainerService/deploymentSafeguards";
export const SAFEGUARDS_API_VERSIONS = ["2025-04-01", "2025-05-02-preview", "2025-07-01"] as const;
const PREVIEW_WITH_PSS = new Set(["2025-05-02-preview", "2025-07-01"]);
const LEVELS = ["Warn", "Enforce"];
const PSS_LEVELS = ["Privileged", "Baseline", "Restricted"];
/** What AKS reports as always excluded (Unverified: the list is AKS's to change). */
export const SYSTEM_EXCLUDED_NAMESPACES = ["kube-system", "calico-system", "tigera-system", "gatekeeper-system"];
const READ = "Microsoft.ContainerService/managedClusters/read";
const WRITE = "Microsoft.ContainerService/managedClusters/write";
const NAMESPACE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export function safeguardsResourceId(clusterId: string): string {
  return `${clusterId}/providers/${SAFEGUARDS_TYPE}/default`;
}

function checkVersion(apiVersion: string | undefined): string {
  if (apiVersion === undefined) throw badRequest("MissingApiVersionParameter", "The api-version query parameter (?api-version=) is required for all requests.");
  if (!(SAFEGUARDS_API_VERSIONS as readonly string[]).includes(apiVersion)) {
    throw badRequest(
      "NoRegisteredProviderFound",
      `No registered resource provider found for location 'westeurope' and API version '${apiVersion}' for type 'deploymentSafeguards'. The supported api-versions are '${SAFEGUARDS_API_VERSIONS.join(", ")}'.`,
    );
  }
  return apiVersion;
}

/** The resource as the api-version shows it (the preview adds podSecurityStandardsLevel). */
function present(stored: any, apiVersion: string): any {
  const properties = { ...stored.properties };
  if (!PREVIEW_WITH_PSS.has(apiVersion)) delete properties.podSecurityStandardsLevel;
  return { ...stored, properties };
}

export interface SafeguardsSeed {
  clusterId: string;
  level: string;
  excludedNamespaces?: string[];
  podSecurityStandardsLevel?: string;
}

export function buildSafeguards(seed: SafeguardsSeed, caller: Parameters<typeof systemDataFor>[0], now: Date, previous?: any): any {
  const id = safeguardsResourceId(seed.clusterId);
  return {
    id,
    name: "default",
    type: SAFEGUARDS_TYPE,
    eTag: `"${randomUUID()}"`,
    systemData: systemDataFor(caller, now, previous?.systemData),
    properties: {
      provisioningState: "Succeeded",
      level: seed.level,
      excludedNamespaces: seed.excludedNamespaces ?? [],
      systemExcludedNamespaces: [...SYSTEM_EXCLUDED_NAMESPACES],
      ...(seed.podSecurityStandardsLevel !== undefined ? { podSecurityStandardsLevel: seed.podSecurityStandardsLevel } : {}),
    },
  };
}

export function stageSafeguards(batch: Batch, resource: any): void {
  batch.put(keyOf(resource.id), { type: SAFEGUARDS_TYPE, id: resource.id, body: resource });
}

function validate(body: any, apiVersion: string): SafeguardsSeed & { clusterId: "" } {
  const properties = requireObjectBody(body).properties;
  if (properties === undefined || properties === null || typeof properties !== "object" || Array.isArray(properties)) {
    throw badRequest("InvalidParameter", "The request body must have 'properties'.", "properties");
  }
  if (typeof properties.level !== "string" || !LEVELS.includes(properties.level)) {
    throw badRequest("InvalidParameter", `The value '${String(properties.level)}' of 'properties.level' is invalid. Allowed values are ${LEVELS.join(", ")}.`, "properties.level");
  }
  const excluded = properties.excludedNamespaces ?? [];
  if (!Array.isArray(excluded) || excluded.some((name: unknown) => typeof name !== "string" || !NAMESPACE.test(name) || name.length > 63)) {
    throw badRequest("InvalidParameter", "'properties.excludedNamespaces' must be a list of Kubernetes namespace names.", "properties.excludedNamespaces");
  }
  if (new Set(excluded).size !== excluded.length) throw badRequest("InvalidParameter", "'properties.excludedNamespaces' lists a namespace twice.", "properties.excludedNamespaces");
  const pss = properties.podSecurityStandardsLevel;
  if (pss !== undefined) {
    if (!PREVIEW_WITH_PSS.has(apiVersion)) {
      throw badRequest("InvalidParameter", `'properties.podSecurityStandardsLevel' is not supported in api-version '${apiVersion}'.`, "properties.podSecurityStandardsLevel");
    }
    if (typeof pss !== "string" || !PSS_LEVELS.includes(pss)) {
      throw badRequest(
        "InvalidParameter",
        `The value '${String(pss)}' of 'properties.podSecurityStandardsLevel' is invalid. Allowed values are ${PSS_LEVELS.join(", ")}.`,
        "properties.podSecurityStandardsLevel",
      );
    }
  }
  return { clusterId: "", level: properties.level, excludedNamespaces: excluded, podSecurityStandardsLevel: pss };
}

function checkIfMatch(request: ArmRequest, existing: any): void {
  if (request.ifMatch === undefined || request.ifMatch === "*") {
    if (request.ifMatch === "*" && existing === undefined) throw new ArmError(412, "PreconditionFailed", "The resource does not exist, so If-Match '*' fails.");
    return;
  }
  if (existing === undefined || existing.eTag !== request.ifMatch) {
    throw new ArmError(
      412,
      "PreconditionFailed",
      `The If-Match header '${request.ifMatch}' does not match the resource's current eTag${existing ? ` '${existing.eTag}'` : " (it does not exist)"}. Read it again and retry.`,
    );
  }
}

export function handleDeploymentSafeguards(request: ArmRequest, context: EmulatorContext, cluster: { subscriptionId: string; resourceGroup: string; name: string }, name: string): ArmResponse {
  const apiVersion = checkVersion(request.apiVersion);
  const { store } = context;
  const clusterId = managedClusterId(cluster.subscriptionId, cluster.resourceGroup, cluster.name);
  requireSubscription(store, cluster.subscriptionId);
  requireResourceGroup(store, cluster.subscriptionId, cluster.resourceGroup);
  authorize(store, request.caller, request.method === "GET" ? READ : WRITE, clusterId);
  if (store.get(keyOf(clusterId)) === undefined) {
    throw notFound("ResourceNotFound", `The Resource 'Microsoft.ContainerService/managedClusters/${cluster.name}' under resource group '${cluster.resourceGroup}' was not found.`);
  }
  if (name.toLowerCase() !== "default") throw badRequest("InvalidResourceName", `Deployment Safeguards has one resource per cluster, named 'default', not '${name}'.`);
  const id = safeguardsResourceId(clusterId);
  const existing = store.get(keyOf(id))?.body;
  switch (request.method) {
    case "GET":
      if (existing === undefined) throw notFound("NotFound", `Deployment Safeguards is not enabled on managed cluster '${cluster.name}'.`);
      return { status: 200, body: present(existing, apiVersion) };
    case "PUT": {
      checkIfMatch(request, existing);
      const seed = validate(request.body, apiVersion);
      // A stable api-version cannot see the PSS level, so a PUT through it keeps the stored one.
      const pss = PREVIEW_WITH_PSS.has(apiVersion) ? seed.podSecurityStandardsLevel : existing?.properties?.podSecurityStandardsLevel;
      const resource = buildSafeguards({ ...seed, clusterId, podSecurityStandardsLevel: pss }, request.caller, context.clock.now(), existing);
      const batch = store.batch();
      stageSafeguards(batch, resource);
      return { status: existing ? 200 : 201, body: present(resource, apiVersion), commit: batch.commit() };
    }
    case "DELETE": {
      checkIfMatch(request, existing);
      if (existing === undefined) return { status: 204 };
      const batch = store.batch();
      batch.delete(keyOf(id));
      return { status: 200, commit: batch.commit() };
    }
    default:
      throw new ArmError(405, "HttpMethodNotSupported", `The http method '${request.method}' is not supported for deploymentSafeguards.`);
  }
}
