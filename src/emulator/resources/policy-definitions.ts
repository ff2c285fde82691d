// policyDefinitions and policySetDefinitions: built-ins (tenant level, read-only, every listed version)
// and custom ones at subscription and management-group scope.
import { randomInt } from "node:crypto";
import { servedApiVersions, atLeast, checkResourceTypeVersion, definitionPropertyNames } from "../api-versions.js";
import { ArmError, badRequest, notFound } from "../errors.js";
import type { ArmRequest, ArmResponse, EmulatorContext } from "../context.js";
import { builtins } from "../builtins.js";
import { ancestorKeys } from "../hierarchy.js";
import { authorize, type EmulatorPrincipalRecord } from "../rbac.js";
import { eq, keyOf, segmentsOf, type ParsedScope } from "../scopes.js";
import type { Batch, StateReader } from "../store.js";
import { compareVersions, majorPattern, resolveVersion } from "../versions.js";
import {
  assertMethod,
  checkSubscriptionOf,
  isValidPolicyResourceName,
  member,
  pageOf,
  pageSize,
  parseFilter,
  projectProperties,
  rejectUnknownMembers,
  requireObjectBody,
  requireScopeExists,
  systemDataFor,
} from "./common.js";

export type DefinitionKind = "policyDefinitions" | "policySetDefinitions";

export interface ResolvedDefinition {
  kind: DefinitionKind;
  id: string;
  builtIn: boolean;
  /** Version → full ARM JSON at that version. */
  versions: Map<string, any>;
  latest: string;
}

const TYPE = { policyDefinitions: "Microsoft.Authorization/policyDefinitions", policySetDefinitions: "Microsoft.Authorization/policySetDefinitions" } as const;
const VERSION_TYPE = { policyDefinitions: "Microsoft.Authorization/policyDefinitions/versions", policySetDefinitions: "Microsoft.Authorization/policySetDefinitions/versions" } as const;

export function definitionKindOf(segment: string): DefinitionKind | undefined {
  if (eq(segment, "policyDefinitions")) return "policyDefinitions";
  if (eq(segment, "policySetDefinitions")) return "policySetDefinitions";
  return undefined;
}

function label(kind: DefinitionKind): string {
  return kind === "policyDefinitions" ? "policy definition" : "policy set definition";
}

function notFoundError(kind: DefinitionKind, name: string): ArmError {
  return kind === "policyDefinitions"
    ? notFound("PolicyDefinitionNotFound", `The policy definition '${name}' could not be found.`)
    : notFound("PolicySetDefinitionNotFound", `The policy set definition '${name}' could not be found.`);
}

/** Resolves a definition id (built-in or custom) to all its versions. */
export function resolveDefinition(reader: StateReader, id: string): ResolvedDefinition | undefined {
  const segments = segmentsOf(id);
  if (segments.length < 4) return undefined;
  const [providers, namespace, typeSegment, name] = segments.slice(-4);
  const kind = definitionKindOf(typeSegment);
  if (kind === undefined || !eq(providers, "providers") || !eq(namespace, "Microsoft.Authorization")) return undefined;
  const scopeSegments = segments.slice(0, -4);
  // A built-in seeded into the store (replaying an ARM example) wins over the files in src/data.
  if (scopeSegments.length === 0 && reader.get(keyOf(id)) === undefined) {
    const builtin = builtins(reader)[kind].get(name.toLowerCase());
    if (builtin !== undefined) return { kind, id: `/providers/${TYPE[kind]}/${builtin.name}`, builtIn: true, versions: builtin.versions, latest: builtin.latest };
  }
  const record = reader.get(keyOf(id));
  if (record === undefined || !eq(record.type, TYPE[kind])) return undefined;
  const versions = new Map<string, any>();
  for (const version of reader.list(VERSION_TYPE[kind])) {
    if (keyOf(version.body.definitionId) === keyOf(id)) versions.set(version.body.version, version.body.resource);
  }
  if (versions.size === 0) versions.set(record.body.properties.version ?? "1.0.0", record.body);
  const latest = resolveVersion(versions.keys())!;
  return { kind, id: record.body.id, builtIn: scopeSegments.length === 0, versions, latest };
}

/** The version an assignment or reference pinned with `pattern` uses, or undefined when none matches. */
export function effectiveVersion(definition: ResolvedDefinition, pattern: string | undefined): string | undefined {
  return resolveVersion(definition.versions.keys(), pattern);
}

export function defaultVersionPattern(definition: ResolvedDefinition): string {
  return majorPattern(definition.latest);
}

function withVersionsList(definition: ResolvedDefinition, body: any): any {
  const copy = structuredClone(body);
  copy.properties.versions = [...definition.versions.keys()].sort(compareVersions).reverse();
  return copy;
}

/** Adds latest/effective versions to each member reference of a set ($expand on set definitions). */
function expandReferences(reader: StateReader, body: any, expand: string | undefined): any {
  if (expand === undefined || body.properties?.policyDefinitions === undefined) return body;
  const wanted = expand.split(",").map((item) => item.trim().toLowerCase());
  for (const reference of body.properties.policyDefinitions) {
    const member = resolveDefinition(reader, reference.policyDefinitionId);
    if (member === undefined) continue;
    if (wanted.includes("latestdefinitionversion")) reference.latestDefinitionVersion = member.latest;
    if (wanted.includes("effectivedefinitionversion")) reference.effectiveDefinitionVersion = effectiveVersion(member, reference.definitionVersion);
  }
  return body;
}

function present(request: ArmRequest, reader: StateReader, apiVersion: string, definition: ResolvedDefinition, body: any): any {
  const projected = projectProperties(withVersionsList(definition, body), definitionPropertyNames(apiVersion, definition.kind === "policySetDefinitions"));
  if (definition.kind === "policySetDefinitions" && atLeast(apiVersion, "2023-04-01")) {
    return expandReferences(reader, projected, request.query.get("$expand"));
  }
  if (definition.kind === "policySetDefinitions" && !atLeast(apiVersion, "2023-04-01")) {
    for (const reference of projected.properties.policyDefinitions ?? []) delete reference.definitionVersion;
  }
  return projected;
}

function presentVersion(request: ArmRequest, reader: StateReader, apiVersion: string, definition: ResolvedDefinition, version: string): any {
  const body = present(request, reader, apiVersion, definition, definition.versions.get(version));
  delete body.properties.versions;
  return { properties: body.properties, id: `${definition.id}/versions/${version}`, type: VERSION_TYPE[definition.kind], name: version, ...(body.systemData ? { systemData: body.systemData } : {}) };
}

/** Routes `{scope}/providers/Microsoft.Authorization/{policyDefinitions|policySetDefinitions}[/...]`. */
export function handleDefinitions(request: ArmRequest, context: EmulatorContext, scope: ParsedScope, kind: DefinitionKind, rest: string[]): ArmResponse {
  const apiVersion = checkResourceTypeVersion(request.apiVersion, "Microsoft.Authorization", kind, servedApiVersions(context.store).policy);
  const { store } = context;
  checkSubscriptionOf(store, scope);
  if (scope.kind !== "tenant" && scope.kind !== "subscription" && scope.kind !== "managementGroup") {
    throw badRequest("InvalidScope", `The ${label(kind)} scope '${scope.id}' is invalid. Definitions can be created at subscription or management group scope.`);
  }
  if (rest.length === 0) {
    assertMethod(request, ["GET"], true);
    return listDefinitions(request, context, scope, kind, apiVersion);
  }
  const name = rest[0];
  const id = `${scope.id}/providers/${TYPE[kind]}/${name}`;
  if (rest.length >= 2) {
    if (!eq(rest[1], "versions") || rest.length > 3)
      throw badRequest("InvalidResourceType", `The resource type '${kind}/${rest[1]}' could not be found in the namespace 'Microsoft.Authorization' for api version '${apiVersion}'.`);
    if (!atLeast(apiVersion, "2023-04-01")) {
      throw badRequest(
        "InvalidResourceType",
        `The resource type '${kind}/versions' could not be found in the namespace 'Microsoft.Authorization' for api version '${apiVersion}'. The supported api-versions are '2023-04-01,2024-04-01,2024-05-01,2025-03-01'.`,
      );
    }
    if (request.method === "DELETE" && rest.length === 3) return deleteVersion(request, context, scope, kind, name, id, rest[2]);
    assertMethod(request, ["GET"], rest.length === 2);
    const definition = resolveDefinition(store, id);
    if (definition === undefined) throw notFoundError(kind, name);
    if (!definition.builtIn) authorize(store, request.caller, `${TYPE[kind]}/read`, id);
    if (rest.length === 2) {
      const versions = [...definition.versions.keys()].sort(compareVersions).reverse();
      const page = pageOf(request, context, versions, (version) => version, pageSize(request));
      return { status: 200, body: { value: page.value.map((version) => presentVersion(request, store, apiVersion, definition, version)), ...(page.nextLink ? { nextLink: page.nextLink } : {}) } };
    }
    const version = [...definition.versions.keys()].find((candidate) => candidate === rest[2]);
    if (version === undefined) {
      throw notFound(kind === "policyDefinitions" ? "PolicyDefinitionVersionNotFound" : "PolicySetDefinitionVersionNotFound", `The ${label(kind)} '${name}' version '${rest[2]}' could not be found.`);
    }
    return { status: 200, body: presentVersion(request, store, apiVersion, definition, version) };
  }

  switch (request.method) {
    case "GET": {
      const definition = resolveDefinition(store, id);
      if (scope.kind !== "tenant") authorize(store, request.caller, `${TYPE[kind]}/read`, id);
      // A built-in is also found through a subscription or management-group path, as in ARM.
      const found = definition ?? resolveDefinition(store, `/providers/${TYPE[kind]}/${name}`);
      if (found === undefined) throw notFoundError(kind, name);
      return { status: 200, body: present(request, store, apiVersion, found, found.versions.get(found.latest)) };
    }
    case "PUT":
      return putDefinition(request, context, scope, kind, name, id, apiVersion);
    case "DELETE": {
      if (scope.kind === "tenant") throw badRequest("MissingSubscription", "The request did not have a subscription or a valid tenant level resource provider.");
      authorize(store, request.caller, `${TYPE[kind]}/delete`, id);
      const definition = resolveDefinition(store, id);
      if (definition === undefined) return { status: 204 };
      const batch = store.batch();
      batch.delete(keyOf(id));
      for (const version of definition.versions.keys()) batch.delete(keyOf(`${id}/versions/${version}`));
      return { status: 200, commit: batch.commit() };
    }
    default:
      throw new ArmError(405, "HttpMethodNotSupported", `The http method '${request.method}' is not supported for this resource.`);
  }
}

/**
 * `DELETE .../{policyDefinitions|policySetDefinitions}/{name}/versions/{version}` of a custom definition
 * (arm-policy 7: policySetDefinitionVersions.delete, 200 or 204). The definition then answers its newest
 * remaining version. Unverified: what ARM does when the last version is deleted (the emulator deletes
 * the definition) and whether it refuses a version an assignment uses (the emulator does not).
 */
function deleteVersion(request: ArmRequest, context: EmulatorContext, scope: ParsedScope, kind: DefinitionKind, name: string, id: string, version: string): ArmResponse {
  const { store } = context;
  if (scope.kind === "tenant") throw badRequest("MissingSubscription", "The request did not have a subscription or a valid tenant level resource provider.");
  authorize(store, request.caller, `${TYPE[kind]}/versions/delete`, id);
  const definition = resolveDefinition(store, id);
  if (definition === undefined || !definition.versions.has(version)) return { status: 204 };
  const apiVersion = request.apiVersion ?? "";
  const body = presentVersion(request, store, apiVersion, definition, version);
  const batch = store.batch();
  batch.delete(keyOf(`${id}/versions/${version}`));
  const remaining = [...definition.versions.keys()].filter((candidate) => candidate !== version);
  if (remaining.length === 0) batch.delete(keyOf(id));
  else {
    const latest = resolveVersion(remaining)!;
    const record = store.get(keyOf(id));
    batch.put(keyOf(id), { type: TYPE[kind], id, body: { ...record!.body, properties: structuredClone(definition.versions.get(latest).properties) } });
  }
  return { status: 200, body, commit: batch.commit() };
}

function putDefinition(request: ArmRequest, context: EmulatorContext, scope: ParsedScope, kind: DefinitionKind, name: string, id: string, apiVersion: string): ArmResponse {
  const { store } = context;
  if (scope.kind === "tenant") throw badRequest("MissingSubscription", "The request did not have a subscription or a valid tenant level resource provider.");
  authorize(store, request.caller, `${TYPE[kind]}/write`, id);
  requireScopeExists(store, scope);
  const batch = store.batch();
  const resource = stageDefinition(batch, { scope, kind, name, body: request.body, apiVersion, caller: request.caller, now: context.clock.now() });
  const resolved = resolveDefinition(batch, id)!;
  return { status: 201, body: present(request, batch, apiVersion, resolved, resource), commit: batch.commit() };
}

interface DefinitionWrite {
  scope: ParsedScope;
  kind: DefinitionKind;
  name: string;
  body: any;
  apiVersion: string;
  caller: EmulatorPrincipalRecord;
  now: Date;
  /** Seeding only: a tenant-level definition served as a built-in (for replaying ARM's examples). */
  seededBuiltIn?: boolean;
}

/** Validates a custom definition PUT and stages it with its version record (PUT route and seeding). */
export function stageDefinition(batch: Batch, write: DefinitionWrite): any {
  const { scope, kind, name, apiVersion } = write;
  const tenantBuiltIn = write.seededBuiltIn === true && scope.kind === "tenant";
  if (scope.kind !== "subscription" && scope.kind !== "managementGroup" && !tenantBuiltIn) {
    throw badRequest("InvalidScope", `The ${label(kind)} scope '${scope.id}' is invalid. Custom definitions live at subscription or management group scope.`);
  }
  const id = `${scope.id}/providers/${TYPE[kind]}/${name}`;
  if (!isValidPolicyResourceName(name) || name.length > 128) {
    throw badRequest(kind === "policyDefinitions" ? "InvalidPolicyDefinitionName" : "InvalidPolicySetDefinitionName", `The ${label(kind)} name '${name}' is invalid.`);
  }
  const body = requireObjectBody(write.body);
  rejectUnknownMembers(body, new Set(["id", "type", "name", "properties", "systemData"]), kind === "policyDefinitions" ? "PolicyDefinition" : "PolicySetDefinition", "");
  const properties = structuredClone(member(body, "properties") ?? {});
  rejectUnknownMembers(
    properties,
    definitionPropertyNames(apiVersion, kind === "policySetDefinitions"),
    kind === "policyDefinitions" ? "PolicyDefinitionProperties" : "PolicySetDefinitionProperties",
    "properties",
  );
  delete properties.versions;
  properties.policyType = tenantBuiltIn ? "BuiltIn" : "Custom";
  properties.version = properties.version ?? "1.0.0";
  properties.parameters = properties.parameters ?? {};
  properties.metadata = properties.metadata ?? {};
  if (kind === "policyDefinitions") {
    properties.mode = properties.mode ?? "Indexed";
    if (properties.policyRule === undefined || properties.policyRule === null || typeof properties.policyRule !== "object") {
      throw badRequest("InvalidPolicyRule", `The policy definition '${name}' rule is invalid. The policy rule must be a JSON object with 'if' and 'then'.`);
    }
  } else {
    const references = properties.policyDefinitions;
    if (!Array.isArray(references) || references.length === 0) {
      throw badRequest("InvalidCreatePolicySetDefinitionRequest", `The policy set definition '${name}' request is invalid. At least one policy definition must be referenced.`);
    }
    const seen = new Set<string>();
    for (const reference of references) {
      if (typeof reference?.policyDefinitionId !== "string") {
        throw badRequest(
          "InvalidRequestContent",
          "The request content was invalid and could not be deserialized: 'Required property 'policyDefinitionId' not found in JSON. Path 'properties.policyDefinitions'.'.",
        );
      }
      const target = resolveDefinition(batch, reference.policyDefinitionId);
      if (target === undefined || target.kind !== "policyDefinitions") {
        throw badRequest("PolicyDefinitionNotFound", `The policy set definition '${name}' request is invalid. The policy definition '${reference.policyDefinitionId}' could not be found.`);
      }
      reference.policyDefinitionReferenceId ??= String(randomInt(1e12, 9e12));
      if (atLeast(apiVersion, "2023-04-01")) reference.definitionVersion ??= majorPattern(target.latest);
      if (seen.has(reference.policyDefinitionReferenceId.toLowerCase())) {
        throw badRequest(
          "InvalidCreatePolicySetDefinitionRequest",
          `The policy set definition '${name}' request is invalid. The policy definition reference id '${reference.policyDefinitionReferenceId}' is used more than once.`,
        );
      }
      seen.add(reference.policyDefinitionReferenceId.toLowerCase());
    }
  }
  const existing = batch.get(keyOf(id));
  const resource: any = { properties, id, type: TYPE[kind], name };
  if (!tenantBuiltIn) resource.systemData = systemDataFor(write.caller, write.now, existing?.body?.systemData);
  batch.put(keyOf(id), { type: TYPE[kind], id, body: resource });
  const versionId = `${id}/versions/${properties.version}`;
  batch.put(keyOf(versionId), { type: VERSION_TYPE[kind], id: versionId, body: { definitionId: id, version: properties.version, resource } });
  return resource;
}

function listDefinitions(request: ArmRequest, context: EmulatorContext, scope: ParsedScope, kind: DefinitionKind, apiVersion: string): ArmResponse {
  const { store } = context;
  if (scope.kind !== "tenant") authorize(store, request.caller, `${TYPE[kind]}/read`, scope.id);
  const filter = parseFilter(request.query.get("$filter"), ["policyType", "category"], false);
  const definitions: ResolvedDefinition[] = [];
  const includeBuiltIns = filter.scope.kind !== "atExactScope";
  if (includeBuiltIns) {
    for (const builtin of builtins(store)[kind].values()) {
      const id = `/providers/${TYPE[kind]}/${builtin.name}`;
      if (store.get(keyOf(id)) === undefined) definitions.push(resolveDefinition(store, id)!);
    }
    for (const record of store.list(TYPE[kind])) {
      if (keyOf(record.body.id).startsWith("/providers/microsoft.authorization/")) definitions.push(resolveDefinition(store, record.body.id)!);
    }
  }
  if (scope.kind !== "tenant") {
    const scopes = filter.scope.kind === "atExactScope" ? [keyOf(scope.id)] : ancestorKeys(store, scope.id);
    for (const record of store.list(TYPE[kind])) {
      const definitionScope = keyOf(record.body.id.slice(0, record.body.id.toLowerCase().lastIndexOf("/providers/microsoft.authorization/")));
      if (scopes.includes(definitionScope)) definitions.push(resolveDefinition(store, record.body.id)!);
    }
  }
  const matching = definitions.filter((definition) => {
    if (filter.scope.kind !== "equals") return true;
    const properties = definition.versions.get(definition.latest).properties;
    if (filter.scope.field === "policyType") return eq(properties.policyType, filter.scope.value);
    return eq(properties.metadata?.category, filter.scope.value);
  });
  const page = pageOf(request, context, matching, (definition) => keyOf(definition.id), pageSize(request));
  return {
    status: 200,
    body: {
      value: page.value.map((definition) => present(request, store, apiVersion, definition, definition.versions.get(definition.latest))),
      ...(page.nextLink ? { nextLink: page.nextLink } : {}),
    },
  };
}

/** `POST {scope}/providers/Microsoft.Authorization/listPolicy[Set]DefinitionVersions`: every version of every definition. */
export function handleListAllVersions(request: ArmRequest, context: EmulatorContext, scope: ParsedScope, kind: DefinitionKind): ArmResponse {
  const apiVersion = checkResourceTypeVersion(
    request.apiVersion,
    "Microsoft.Authorization",
    `${kind}/versions`,
    servedApiVersions(context.store).policy.filter((version) => atLeast(version, "2023-04-01")),
  );
  assertMethod(request, ["POST"], true);
  const { store } = context;
  const definitions: ResolvedDefinition[] = [];
  if (scope.kind === "tenant") {
    for (const builtin of builtins(store)[kind].values()) definitions.push(resolveDefinition(store, `/providers/${TYPE[kind]}/${builtin.name}`)!);
  } else {
    authorize(store, request.caller, `${TYPE[kind]}/read`, scope.id);
    for (const record of store.list(TYPE[kind])) {
      if (keyOf(record.body.id).startsWith(keyOf(scope.id) + "/providers/")) definitions.push(resolveDefinition(store, record.body.id)!);
    }
  }
  const value = definitions.flatMap((definition) =>
    [...definition.versions.keys()]
      .sort(compareVersions)
      .reverse()
      .map((version) => presentVersion(request, store, apiVersion, definition, version)),
  );
  return { status: 200, body: { value } };
}
