// policyExemptions at any scope (docs/reference/arm-contract.md §5). Creating one also needs
// Microsoft.Authorization/policyAssignments/exempt/action on the assignment it exempts.
import { MODELLED_EXEMPTION_PROPERTIES, servedApiVersions, atLeast, checkResourceTypeVersion, exemptionPropertyNames } from "../api-versions.js";
import { ArmError, badRequest, invalidRequestContent, notFound } from "../errors.js";
import type { ArmRequest, ArmResponse, EmulatorContext } from "../context.js";
import { isAtOrUnder } from "../hierarchy.js";
import { authorize, isAllowed, type EmulatorPrincipalRecord } from "../rbac.js";
import { eq, keyOf, splitExtensionId, type ParsedScope } from "../scopes.js";
import type { Batch, StateReader } from "../store.js";
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
import { effectiveVersion, resolveDefinition } from "./policy-definitions.js";
import { scopeQuery } from "./policy-assignments.js";

export const EXEMPTION_TYPE = "Microsoft.Authorization/policyExemptions";
const ACTION = "Microsoft.Authorization/policyExemptions";
const EXEMPT_ACTION = "Microsoft.Authorization/policyAssignments/exempt/action";
const CATEGORIES = ["Waiver", "Mitigated"];

export function exemptionId(scope: string, name: string): string {
  return `${scope}/providers/${EXEMPTION_TYPE}/${name}`;
}

function notFoundError(name: string): ArmError {
  return notFound("PolicyExemptionNotFound", `The policy exemption '${name}' is not found.`);
}

function invalidRequest(message: string): ArmError {
  return badRequest("InvalidCreatePolicyExemptionRequest", `The policy exemption request is invalid. ${message}`);
}

export function presentExemption(stored: any, apiVersion: string): any {
  return projectProperties(stored, exemptionPropertyNames(apiVersion), MODELLED_EXEMPTION_PROPERTIES);
}

interface ExemptionWrite {
  scope: ParsedScope;
  name: string;
  body: any;
  apiVersion: string;
  caller: EmulatorPrincipalRecord;
  now: Date;
  /** false for bulk seeding, which bypasses RBAC. */
  checkAccess: boolean;
}

export function buildExemption(reader: StateReader, write: ExemptionWrite): { resource: any; created: boolean } {
  const { scope, name, apiVersion, caller, now } = write;
  if (name.length > 64 || !isValidPolicyResourceName(name)) {
    // Unverified code: the RP's code for an invalid exemption name was not found in any source.
    throw badRequest(
      "InvalidPolicyExemptionName",
      `The policy exemption name '${name}' is invalid. The name must be 1 to 64 characters, must not end with a space and must not contain '<', '>', '*', '%', '&', ':', '\\', '?', '.', '+' or '/'.`,
    );
  }
  const body = requireObjectBody(write.body);
  rejectUnknownMembers(body, new Set(["id", "type", "name", "properties", "systemData"]), "PolicyExemption", "");
  const requested = member(body, "properties");
  if (requested === undefined || requested === null || typeof requested !== "object") {
    throw invalidRequestContent("Required property 'properties' not found in JSON. Path ''");
  }
  const known = exemptionPropertyNames(apiVersion);
  rejectUnknownMembers(requested, known, "PolicyExemptionProperties", "properties", MODELLED_EXEMPTION_PROPERTIES);
  const policyAssignmentId = member(requested, "policyAssignmentId");
  if (typeof policyAssignmentId !== "string" || policyAssignmentId === "") {
    throw invalidRequestContent("Required property 'policyAssignmentId' not found in JSON. Path 'properties'");
  }
  const categoryValue = member(requested, "exemptionCategory");
  if (categoryValue === undefined) throw invalidRequestContent("Required property 'exemptionCategory' not found in JSON. Path 'properties'");
  const category = CATEGORIES.find((candidate) => eq(candidate, categoryValue));
  if (category === undefined) {
    // The RP deserializes the category into an enum; the exact wording is unverified.
    throw invalidRequestContent(`Error converting value "${String(categoryValue)}" to type 'ExemptionCategory'. Path 'properties.exemptionCategory'`);
  }
  const expiresOn = member(requested, "expiresOn");
  if (expiresOn !== undefined && expiresOn !== null && (typeof expiresOn !== "string" || Number.isNaN(Date.parse(expiresOn)))) {
    throw invalidRequestContent(`Could not convert string to DateTime: ${String(expiresOn)}. Path 'properties.expiresOn'`);
  }
  const referenceIds = member(requested, "policyDefinitionReferenceIds");
  if (referenceIds !== undefined && referenceIds !== null && (!Array.isArray(referenceIds) || referenceIds.some((item) => typeof item !== "string"))) {
    throw invalidRequestContent("Error converting value to type 'String[]'. Path 'properties.policyDefinitionReferenceIds'");
  }
  // Azure Policy's documented limits (exemption structure); the error code is unverified.
  for (const [field, limit] of [
    ["displayName", 128],
    ["description", 512],
  ] as const) {
    const text = member(requested, field);
    if (typeof text === "string" && text.length > limit) {
      throw badRequest("InvalidPolicyExemption", `The policy exemption '${name}' ${field} is too long: ${text.length} characters; the maximum is ${limit}.`);
    }
  }
  const scopeValidation = member(requested, "assignmentScopeValidation") ?? "Default";
  if (!["Default", "DoNotValidate"].some((candidate) => eq(candidate, scopeValidation))) {
    throw invalidRequestContent(`Error converting value "${String(scopeValidation)}" to type 'AssignmentScopeValidation'. Path 'properties.assignmentScopeValidation'`);
  }

  const id = exemptionId(scope.id, name);
  const previous = reader.get(keyOf(id))?.body;
  if (previous !== undefined && !eq(previous.properties.policyAssignmentId, policyAssignmentId)) {
    throw badRequest(
      "InvalidPolicyAssignmentIdUpdate",
      `The policy exemption '${name}' cannot be updated: its policy assignment id '${previous.properties.policyAssignmentId}' cannot be changed to '${policyAssignmentId}'.`,
    );
  }
  const assignmentParts = splitExtensionId(policyAssignmentId, "policyAssignments");
  const assignment = assignmentParts === undefined ? undefined : reader.get(keyOf(policyAssignmentId))?.body;
  if (assignment === undefined) throw invalidRequest(`The policy assignment '${policyAssignmentId}' could not be found.`);
  if (write.checkAccess && !isAllowed(reader, caller.name, EXEMPT_ACTION, assignment.id)) {
    // ARM's linked-scope refusal: the exemption write itself is allowed, the action on the assignment is not.
    throw new ArmError(
      403,
      "LinkedAuthorizationFailed",
      `The client '${caller.clientId}' with object id '${caller.objectId}' has permission to perform action '${ACTION}/write' on scope '${scope.id}'; however, it does not have permission to perform action(s) '${EXEMPT_ACTION}' on the linked scope(s) '${assignment.id}' (respectively) or the linked scope(s) are invalid.`,
    );
  }
  if (eq(scopeValidation, "Default") && !isAtOrUnder(reader, scope.id, assignment.properties.scope)) {
    throw invalidRequest(`The policy exemption scope '${scope.id}' must be at or under the policy assignment scope '${assignment.properties.scope}'.`);
  }
  if (Array.isArray(referenceIds) && referenceIds.length > 0) {
    const definition = resolveDefinition(reader, assignment.properties.policyDefinitionId);
    const version = definition === undefined ? undefined : effectiveVersion(definition, assignment.properties.definitionVersion);
    const known =
      definition?.kind === "policySetDefinitions" && version !== undefined
        ? (definition.versions.get(version).properties.policyDefinitions as any[]).map((reference) => String(reference.policyDefinitionReferenceId).toLowerCase())
        : [];
    const unknown = referenceIds.filter((referenceId: string) => !known.includes(referenceId.toLowerCase()));
    if (unknown.length > 0) {
      throw badRequest(
        "InvalidPolicyDefinitionReference",
        `The policy exemption request is invalid. The policy definition reference id(s) '${unknown.join(", ")}' could not be found in the policy set definition '${assignment.properties.policyDefinitionId}' assigned by '${assignment.id}'.`,
      );
    }
  }

  const properties: Record<string, unknown> = {};
  for (const key of Object.keys(requested)) {
    // A property the emulator does not model is kept as sent (see rejectUnknownMembers).
    if (!isModelled(key, MODELLED_EXEMPTION_PROPERTIES)) {
      if (requested[key] !== undefined) properties[key] = requested[key];
      continue;
    }
    const canonical = [...known].find((candidate) => eq(candidate, key));
    if (canonical !== undefined && requested[key] !== undefined) properties[canonical] = requested[key];
  }
  properties.policyAssignmentId = policyAssignmentId;
  properties.exemptionCategory = category;
  if (atLeast(apiVersion, "2022-07-01")) properties.assignmentScopeValidation = eq(scopeValidation, "Default") ? "Default" : "DoNotValidate";
  if (typeof expiresOn === "string") properties.expiresOn = new Date(expiresOn).toISOString();
  properties.metadata = member(requested, "metadata") ?? {};
  const resource = {
    properties,
    systemData: systemDataFor(caller, now, previous?.systemData),
    id,
    type: EXEMPTION_TYPE,
    name,
  };
  return { resource, created: previous === undefined };
}

export function stageExemption(batch: Batch, resource: any): void {
  batch.put(keyOf(resource.id), { type: EXEMPTION_TYPE, id: resource.id, body: resource });
}

/** `{scope}/providers/Microsoft.Authorization/policyExemptions[/{name}]` */
export function handlePolicyExemptions(request: ArmRequest, context: EmulatorContext, scope: ParsedScope, rest: string[]): ArmResponse {
  const apiVersion = checkResourceTypeVersion(request.apiVersion, "Microsoft.Authorization", "policyExemptions", servedApiVersions(context.store).exemptions);
  const { store } = context;
  if (scope.kind === "tenant") throw badRequest("MissingSubscription", "The request did not have a subscription or a valid tenant level resource provider.");
  checkSubscriptionOf(store, scope);
  if (rest.length === 0) {
    if (request.method !== "GET") throw new ArmError(405, "HttpMethodNotSupported", `The http method '${request.method}' is not supported for a resource collection.`);
    return listExemptions(request, context, scope, apiVersion);
  }
  if (rest.length > 1)
    throw badRequest("InvalidResourceType", `The resource type 'policyExemptions/${rest[1]}' could not be found in the namespace 'Microsoft.Authorization' for api version '${apiVersion}'.`);
  const name = rest[0];
  const id = exemptionId(scope.id, name);
  const key = keyOf(id);
  switch (request.method) {
    case "GET": {
      authorize(store, request.caller, `${ACTION}/read`, id);
      const record = store.get(key);
      if (record === undefined) throw notFoundError(name);
      return { status: 200, body: presentExemption(record.body, apiVersion) };
    }
    case "PUT": {
      authorize(store, request.caller, `${ACTION}/write`, id);
      requireScopeExists(store, scope);
      const { resource, created } = buildExemption(store, { scope, name, body: request.body, apiVersion, caller: request.caller, now: context.clock.now(), checkAccess: true });
      const batch = store.batch();
      stageExemption(batch, resource);
      return { status: created ? 201 : 200, body: presentExemption(resource, apiVersion), commit: batch.commit() };
    }
    case "PATCH": {
      if (!atLeast(apiVersion, "2022-07-01")) {
        throw new ArmError(405, "HttpMethodNotSupported", `The http method 'PATCH' is not supported for policy exemptions at api version '${apiVersion}'.`);
      }
      authorize(store, request.caller, `${ACTION}/write`, id);
      const record = store.get(key);
      if (record === undefined) throw notFoundError(name);
      const body = requireObjectBody(request.body);
      rejectUnknownMembers(body, new Set(["properties"]), "PolicyExemptionUpdate", "");
      const properties = member(body, "properties");
      rejectUnknownMembers(properties, new Set(["resourceSelectors", "assignmentScopeValidation"]), "PolicyExemptionUpdateProperties", "properties");
      const updated = structuredClone(record.body);
      const selectors = member(properties, "resourceSelectors");
      if (selectors !== undefined) updated.properties.resourceSelectors = selectors;
      const validation = member(properties, "assignmentScopeValidation");
      if (validation !== undefined) {
        const canonical = ["Default", "DoNotValidate"].find((candidate) => eq(candidate, validation));
        if (canonical === undefined) throw invalidRequestContent(`Error converting value "${String(validation)}" to type 'AssignmentScopeValidation'. Path 'properties.assignmentScopeValidation'`);
        updated.properties.assignmentScopeValidation = canonical;
      }
      updated.systemData = systemDataFor(request.caller, context.clock.now(), record.body.systemData);
      const batch = store.batch();
      stageExemption(batch, updated);
      return { status: 200, body: presentExemption(updated, apiVersion), commit: batch.commit() };
    }
    case "DELETE": {
      authorize(store, request.caller, `${ACTION}/delete`, id);
      const record = store.get(key);
      if (record === undefined) return { status: 204 };
      const batch = store.batch();
      batch.delete(key);
      // Spec: 200 is schema-less ("OK"), so no body.
      return { status: 200, commit: batch.commit() };
    }
    default:
      throw new ArmError(405, "HttpMethodNotSupported", `The http method '${request.method}' is not supported for this resource.`);
  }
}

function listExemptions(request: ArmRequest, context: EmulatorContext, scope: ParsedScope, apiVersion: string): ArmResponse {
  const { store } = context;
  authorize(store, request.caller, `${ACTION}/read`, scope.id);
  requireScopeExists(store, scope);
  const filter = parseFilter(request.query.get("$filter"), ["policyAssignmentId"], true);
  const now = context.clock.now().getTime();
  const matching = store.listInScopes(EXEMPTION_TYPE, scopeQuery(store, scope, filter.scope.kind)).filter((record) => {
    if (filter.scope.kind === "equals" && !eq(record.body.properties.policyAssignmentId, filter.scope.value)) return false;
    if (filter.excludeExpired && record.body.properties.expiresOn !== undefined && Date.parse(record.body.properties.expiresOn) <= now) return false;
    return true;
  });
  const page = pageOf(request, context, matching, (record) => keyOf(record.id), pageSize(request));
  return {
    status: 200,
    body: { value: page.value.map((record) => presentExemption(record.body, apiVersion)), ...(page.nextLink ? { nextLink: page.nextLink } : {}) },
  };
}
