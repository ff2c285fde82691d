// policyAssignments at management-group, subscription, resource-group and resource scope
// (docs/reference/arm-contract.md §3). PUT is a full replace answered 201; PATCH changes only what PolicyAssignmentUpdate holds.
import { randomUUID } from "node:crypto";
import { MODELLED_ASSIGNMENT_PROPERTIES, servedApiVersions, assignmentPropertyNames, atLeast, checkResourceTypeVersion } from "../api-versions.js";
import { ArmError, badRequest, invalidRequestContent, notFound } from "../errors.js";
import type { ArmRequest, ArmResponse, EmulatorContext } from "../context.js";
import { ancestorKeys } from "../hierarchy.js";
import { authorize, type EmulatorPrincipalRecord } from "../rbac.js";
import { eq, keyOf, type ParsedScope } from "../scopes.js";
import type { Batch, StateReader } from "../store.js";
import { isVersionPattern } from "../versions.js";
import {
  checkSubscriptionOf,
  isValidPolicyResourceName,
  member,
  pageOf,
  pageSize,
  parseFilter,
  projectProperties,
  isModelled,
  rejectUnknownMembers,
  requireObjectBody,
  requireScopeExists,
  systemDataFor,
} from "./common.js";
import { defaultVersionPattern, effectiveVersion, resolveDefinition } from "./policy-definitions.js";
import { validateParameterValues } from "./policy-parameters.js";

export const ASSIGNMENT_TYPE = "Microsoft.Authorization/policyAssignments";
const ACTION = "Microsoft.Authorization/policyAssignments";
const TOP_LEVEL = new Set(["id", "type", "name", "location", "identity", "properties", "systemData"]);
const ENFORCEMENT_MODES = ["Default", "DoNotEnforce", "Enroll"];

export function assignmentId(scope: string, name: string): string {
  return `${scope}/providers/${ASSIGNMENT_TYPE}/${name}`;
}

function missingSubscription(): ArmError {
  return badRequest("MissingSubscription", "The request did not have a subscription or a valid tenant level resource provider.");
}

function notFoundError(name: string): ArmError {
  return notFound("PolicyAssignmentNotFound", `The policy assignment '${name}' is not found.`);
}

/** Stored JSON as an api-version and `$expand` show it. */
export function presentAssignment(reader: StateReader, stored: any, apiVersion: string, expand: string | undefined): any {
  const body = projectProperties(stored, assignmentPropertyNames(apiVersion), MODELLED_ASSIGNMENT_PROPERTIES);
  const wanted = (expand ?? "").split(",").map((item) => item.trim().toLowerCase());
  const wantsLatest = wanted.includes("latestdefinitionversion");
  const wantsEffective = wanted.includes("effectivedefinitionversion");
  if (atLeast(apiVersion, "2023-04-01") && (wantsLatest || wantsEffective)) {
    const definition = resolveDefinition(reader, stored.properties.policyDefinitionId);
    if (definition !== undefined) {
      if (wantsLatest) body.properties.latestDefinitionVersion = definition.latest;
      if (wantsEffective) body.properties.effectiveDefinitionVersion = effectiveVersion(definition, stored.properties.definitionVersion);
    }
  }
  return body;
}

function checkName(scope: ParsedScope, name: string): void {
  const limit = scope.kind === "managementGroup" ? 24 : 64;
  if (name.length > limit) {
    throw badRequest("InvalidPolicyAssignmentName", `The policy assignment name '${name}' is invalid. The policy assignment name length must not exceed '${limit}' characters.`);
  }
  if (!isValidPolicyResourceName(name)) {
    throw badRequest(
      "InvalidPolicyAssignmentName",
      `The policy assignment name '${name}' is invalid. The name cannot end with a space and cannot contain '<', '>', '*', '%', '&', ':', '\\', '?', '.', '+' or '/'.`,
    );
  }
}

function buildIdentity(requested: any, previous: any, tenantId: string): any {
  if (requested === undefined || requested === null) return undefined;
  if (typeof requested !== "object") throw invalidRequestContent("Error converting value to type 'Identity'. Path 'identity'");
  rejectUnknownMembers(requested, new Set(["type", "principalId", "tenantId", "userAssignedIdentities"]), "Identity", "identity");
  const type = member(requested, "type");
  if (eq(type, "None")) return { type: "None" };
  if (eq(type, "SystemAssigned")) {
    const keep = eq(previous?.type, "SystemAssigned");
    return { type: "SystemAssigned", principalId: keep ? previous.principalId : randomUUID(), tenantId };
  }
  if (eq(type, "UserAssigned")) {
    const identities = member(requested, "userAssignedIdentities");
    if (identities === null || typeof identities !== "object" || Object.keys(identities).length !== 1) {
      throw badRequest("InvalidRequestContent", "The request content was invalid and could not be deserialized: 'Policy assignments support a maximum of one user assigned identity.'.");
    }
    const result: Record<string, any> = {};
    for (const resourceId of Object.keys(identities)) {
      const old = previous?.userAssignedIdentities?.[resourceId];
      result[resourceId] = { principalId: old?.principalId ?? randomUUID(), clientId: old?.clientId ?? randomUUID() };
    }
    return { type: "UserAssigned", userAssignedIdentities: result };
  }
  throw invalidRequestContent(`Error converting value "${String(type)}" to type 'ResourceIdentityType'. Path 'identity.type'`);
}

interface AssignmentWrite {
  scope: ParsedScope;
  name: string;
  body: any;
  apiVersion: string;
  caller: EmulatorPrincipalRecord;
  now: Date;
  tenantId: string;
}

/**
 * Validates a PUT body and returns the resource to store (shared by the PUT route and bulk seeding).
 */
export function buildAssignment(reader: StateReader, write: AssignmentWrite): any {
  const { scope, name, apiVersion, caller, now } = write;
  checkName(scope, name);
  const body = requireObjectBody(write.body);
  rejectUnknownMembers(body, TOP_LEVEL, "PolicyAssignment", "");
  const known = assignmentPropertyNames(apiVersion);
  const requested = member(body, "properties");
  if (requested === undefined || requested === null || typeof requested !== "object") {
    throw invalidRequestContent("Required property 'properties' not found in JSON. Path ''");
  }
  rejectUnknownMembers(requested, known, "PolicyAssignmentProperties", "properties", MODELLED_ASSIGNMENT_PROPERTIES);
  const policyDefinitionId = member(requested, "policyDefinitionId");
  if (typeof policyDefinitionId !== "string" || policyDefinitionId === "") {
    throw invalidRequestContent("Required property 'policyDefinitionId' not found in JSON. Path 'properties'");
  }
  const definition = resolveDefinition(reader, policyDefinitionId);
  if (definition === undefined) {
    const isSet = /\/policySetDefinitions\//i.test(policyDefinitionId);
    throw badRequest(
      isSet ? "PolicySetDefinitionNotFound" : "PolicyDefinitionNotFound",
      `The policy assignment create request is invalid. The ${isSet ? "policy set definition" : "policy definition"} '${policyDefinitionId}' could not be found.`,
    );
  }
  let definitionVersion: string | undefined = member(requested, "definitionVersion");
  if (definitionVersion !== undefined && (typeof definitionVersion !== "string" || !isVersionPattern(definitionVersion))) {
    // Unverified code: the RP's code for a malformed definitionVersion was not found in any source.
    throw badRequest("InvalidPolicyDefinitionVersion", `The policy assignment '${name}' definition version '${String(definitionVersion)}' is invalid. Use a version such as '1.0.0' or '1.*.*'.`);
  }
  definitionVersion ??= defaultVersionPattern(definition);
  const version = effectiveVersion(definition, definitionVersion);
  if (version === undefined) {
    throw badRequest("PolicyDefinitionVersionNotFound", `The policy assignment '${name}' references version '${definitionVersion}' of '${policyDefinitionId}', which does not exist.`);
  }
  const parameters = member(requested, "parameters") ?? {};
  if (parameters === null || typeof parameters !== "object" || Array.isArray(parameters)) {
    throw invalidRequestContent("Error converting value to type 'ParameterValues'. Path 'properties.parameters'");
  }
  validateParameterValues(name, policyDefinitionId, definition.versions.get(version).properties.parameters ?? {}, parameters, version);
  validateOverrides(reader, name, policyDefinitionId, definitionVersion, member(requested, "overrides"));
  const enforcementMode = member(requested, "enforcementMode") ?? "Default";
  const mode = ENFORCEMENT_MODES.find((candidate) => eq(candidate, enforcementMode));
  if (mode === undefined) throw invalidRequestContent(`Error converting value "${String(enforcementMode)}" to type 'EnforcementMode'. Path 'properties.enforcementMode'`);
  const nonComplianceMessages = member(requested, "nonComplianceMessages");
  if (nonComplianceMessages !== undefined && (!Array.isArray(nonComplianceMessages) || nonComplianceMessages.some((item) => typeof item?.message !== "string"))) {
    throw invalidRequestContent("Required property 'message' not found in JSON. Path 'properties.nonComplianceMessages'");
  }
  const notScopes = member(requested, "notScopes") ?? [];
  if (!Array.isArray(notScopes) || notScopes.some((item) => typeof item !== "string")) {
    throw invalidRequestContent("Error converting value to type 'String[]'. Path 'properties.notScopes'");
  }

  const id = assignmentId(scope.id, name);
  const previous = reader.get(keyOf(id))?.body;
  const userMetadata = member(requested, "metadata") ?? {};
  const metadata = {
    ...userMetadata,
    createdBy: previous?.properties?.metadata?.createdBy ?? caller.objectId,
    createdOn: previous?.properties?.metadata?.createdOn ?? now.toISOString(),
    updatedBy: previous === undefined ? null : caller.objectId,
    updatedOn: previous === undefined ? null : now.toISOString(),
  };
  const properties: Record<string, unknown> = {};
  // Copy what the caller sent that this version knows and that is not read-only.
  for (const key of Object.keys(requested)) {
    // A property the emulator does not model is kept as sent (see rejectUnknownMembers).
    if (!isModelled(key, MODELLED_ASSIGNMENT_PROPERTIES)) {
      if (requested[key] !== undefined) properties[key] = requested[key];
      continue;
    }
    const canonical = [...known].find((candidate) => eq(candidate, key));
    if (canonical === undefined || ["scope", "instanceId", "latestDefinitionVersion", "effectiveDefinitionVersion"].includes(canonical)) continue;
    if (requested[key] !== undefined) properties[canonical] = requested[key];
  }
  Object.assign(properties, {
    policyDefinitionId,
    definitionVersion,
    scope: scope.id,
    notScopes,
    parameters,
    enforcementMode: mode,
    metadata,
    instanceId: previous?.properties?.instanceId ?? randomUUID(),
  });
  const resource: any = { properties, id, type: ASSIGNMENT_TYPE, name };
  const location = member(body, "location");
  if (location !== undefined && location !== null) resource.location = location;
  const identity = buildIdentity(member(body, "identity"), previous?.identity, write.tenantId);
  if (identity !== undefined) resource.identity = identity;
  resource.systemData = systemDataFor(caller, now, previous?.systemData);
  return resource;
}

/**
 * ARM validates an override's effect against the allowedValues of the effect parameter of each member
 * it selects (an effect a member cannot take, such as Modify on a Deny/Audit policy, is refused).
 * Unverified: the error code; case-insensitive comparison.
 */
function validateOverrides(reader: StateReader, assignmentName: string, policyDefinitionId: string, definitionVersion: string | undefined, overrides: unknown): void {
  if (!Array.isArray(overrides)) return;
  const definition = resolveDefinition(reader, policyDefinitionId);
  if (definition === undefined) return;
  const version = effectiveVersion(definition, definitionVersion);
  if (version === undefined) return;
  const body = definition.versions.get(version);
  const members: Array<{ referenceId?: string; id: string; pin?: string }> =
    definition.kind === "policySetDefinitions"
      ? (body.properties.policyDefinitions ?? []).map((reference: any) => ({ referenceId: reference.policyDefinitionReferenceId, id: reference.policyDefinitionId, pin: reference.definitionVersion }))
      : [{ id: definition.id, pin: version }];
  for (const override of overrides) {
    if (!eq(String(member(override, "kind") ?? ""), "policyEffect")) continue;
    const value = member(override, "value");
    if (typeof value !== "string") continue;
    const selectors: any[] = Array.isArray(member(override, "selectors")) ? member(override, "selectors") : [];
    const selected = members.filter((candidate) =>
      selectors.every((selector) => {
        if (!eq(String(member(selector, "kind") ?? ""), "policyDefinitionReferenceId")) return true;
        const within: unknown = member(selector, "in");
        const without: unknown = member(selector, "notIn");
        if (Array.isArray(within)) return within.some((item) => eq(String(item), candidate.referenceId ?? ""));
        if (Array.isArray(without)) return !without.some((item) => eq(String(item), candidate.referenceId ?? ""));
        return true;
      }),
    );
    for (const target of selected) {
      const resolved = resolveDefinition(reader, target.id);
      const targetVersion = resolved === undefined ? undefined : effectiveVersion(resolved, target.pin);
      const allowed = targetVersion === undefined ? undefined : resolved!.versions.get(targetVersion)?.properties?.parameters?.effect?.allowedValues;
      if (Array.isArray(allowed) && !allowed.some((item: unknown) => typeof item === "string" && eq(item, value))) {
        throw badRequest(
          "InvalidPolicyOverrideValue",
          `The policy assignment '${assignmentName}' override value '${value}' is not allowed for policy definition '${target.id.split("/").pop()}'${target.referenceId ? ` (reference '${target.referenceId}')` : ""}. The allowed values are '${[...new Set(allowed.map((item: unknown) => String(item)))].join(", ")}'.`,
        );
      }
    }
  }
}

export function stageAssignment(batch: Batch, resource: any): void {
  batch.put(keyOf(resource.id), { type: ASSIGNMENT_TYPE, id: resource.id, body: resource });
}

/** `{scope}/providers/Microsoft.Authorization/policyAssignments[/{name}]` */
export function handlePolicyAssignments(request: ArmRequest, context: EmulatorContext, scope: ParsedScope, rest: string[]): ArmResponse {
  const apiVersion = checkResourceTypeVersion(request.apiVersion, "Microsoft.Authorization", "policyAssignments", servedApiVersions(context.store).policy);
  const { store } = context;
  if (scope.kind === "tenant") throw missingSubscription();
  checkSubscriptionOf(store, scope);
  if (rest.length === 0) {
    if (request.method !== "GET") throw new ArmError(405, "HttpMethodNotSupported", `The http method '${request.method}' is not supported for a resource collection.`);
    return listAssignments(request, context, scope, apiVersion);
  }
  if (rest.length > 1)
    throw badRequest("InvalidResourceType", `The resource type 'policyAssignments/${rest[1]}' could not be found in the namespace 'Microsoft.Authorization' for api version '${apiVersion}'.`);
  const name = rest[0];
  const id = assignmentId(scope.id, name);
  const key = keyOf(id);
  const expand = request.query.get("$expand");
  switch (request.method) {
    case "GET": {
      authorize(store, request.caller, `${ACTION}/read`, id);
      const record = store.get(key);
      if (record === undefined) throw notFoundError(name);
      return { status: 200, body: presentAssignment(store, record.body, apiVersion, expand) };
    }
    case "PUT": {
      authorize(store, request.caller, `${ACTION}/write`, id);
      requireScopeExists(store, scope);
      const resource = buildAssignment(store, { scope, name, body: request.body, apiVersion, caller: request.caller, now: context.clock.now(), tenantId: context.tenantId });
      const batch = store.batch();
      stageAssignment(batch, resource);
      // docs/reference/arm-contract.md §2.3: ARM answers every successful assignment PUT with 201, create or replace.
      return { status: 201, body: presentAssignment(store, resource, apiVersion, undefined), commit: batch.commit() };
    }
    case "PATCH": {
      authorize(store, request.caller, `${ACTION}/write`, id);
      const record = store.get(key);
      if (record === undefined) throw notFoundError(name);
      const body = requireObjectBody(request.body);
      rejectUnknownMembers(body, new Set(["location", "identity", "properties"]), "PolicyAssignmentUpdate", "");
      const properties = member(body, "properties");
      const patchable = atLeast(apiVersion, "2022-06-01") ? new Set(["resourceSelectors", "overrides"]) : new Set<string>();
      rejectUnknownMembers(properties, patchable, "PolicyAssignmentUpdateProperties", "properties");
      const updated = structuredClone(record.body);
      for (const field of patchable) {
        const value = member(properties, field);
        if (value !== undefined) updated.properties[field] = value;
      }
      validateOverrides(store, name, updated.properties.policyDefinitionId, updated.properties.definitionVersion, updated.properties.overrides);
      const location = member(body, "location");
      if (location !== undefined) updated.location = location;
      const identity = member(body, "identity");
      if (identity !== undefined) {
        const built = buildIdentity(identity, record.body.identity, context.tenantId);
        if (built === undefined) delete updated.identity;
        else updated.identity = built;
      }
      const now = context.clock.now();
      updated.properties.metadata = { ...updated.properties.metadata, updatedBy: request.caller.objectId, updatedOn: now.toISOString() };
      updated.systemData = systemDataFor(request.caller, now, record.body.systemData);
      const batch = store.batch();
      stageAssignment(batch, updated);
      return { status: 200, body: presentAssignment(store, updated, apiVersion, undefined), commit: batch.commit() };
    }
    case "DELETE": {
      authorize(store, request.caller, `${ACTION}/delete`, id);
      const record = store.get(key);
      // Spec: 204 "the policy assignment doesn't exist", with no body (docs/reference/arm-contract.md §2.4).
      if (record === undefined) return { status: 204 };
      const batch = store.batch();
      batch.delete(key);
      return { status: 200, body: presentAssignment(store, record.body, apiVersion, undefined), commit: batch.commit() };
    }
    default:
      throw new ArmError(405, "HttpMethodNotSupported", `The http method '${request.method}' is not supported for this resource.`);
  }
}

/**
 * Which stored scopes a list at `scope` returns, per the spec's $filter wording (docs/reference/arm-contract.md §3), as a
 * query of the store's scope index (Store.listInScopes), so a list never walks the whole store.
 */
export function scopeQuery(reader: StateReader, scope: ParsedScope, filterKind: string): { exact: string[]; under?: string } {
  const own = keyOf(scope.id);
  if (filterKind === "atExactScope") return { exact: [own] };
  const above = ancestorKeys(reader, scope.id);
  if (filterKind === "atScope" || scope.kind === "managementGroup") return { exact: above };
  // Unfiltered (and policyDefinitionId eq): what applies from above plus what sits below.
  return { exact: above, under: own };
}

function listAssignments(request: ArmRequest, context: EmulatorContext, scope: ParsedScope, apiVersion: string): ArmResponse {
  const { store } = context;
  authorize(store, request.caller, `${ACTION}/read`, scope.id);
  requireScopeExists(store, scope);
  const filter = parseFilter(request.query.get("$filter"), ["policyDefinitionId"], false);
  if (scope.kind === "managementGroup" && filter.scope.kind === "none") {
    // Azure/azure-rest-api-specs#22997: the management-group list refuses a request without $filter.
    // The code is unverified.
    throw badRequest(
      "InvalidFilterInQueryString",
      "The $filter query parameter is required when listing policy assignments at management group scope. Use atScope(), atExactScope() or policyDefinitionId eq '{value}'.",
    );
  }
  const size = pageSize(request);
  const matching = store.listInScopes(ASSIGNMENT_TYPE, scopeQuery(store, scope, filter.scope.kind)).filter((record) => {
    if (filter.scope.kind === "equals") return eq(record.body.properties.policyDefinitionId, filter.scope.value);
    return true;
  });
  const page = pageOf(request, context, matching, (record) => keyOf(record.id), size);
  const expand = request.query.get("$expand");
  return {
    status: 200,
    body: {
      value: page.value.map((record) => presentAssignment(store, record.body, apiVersion, expand)),
      ...(page.nextLink ? { nextLink: page.nextLink } : {}),
    },
  };
}
