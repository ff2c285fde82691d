// Helpers shared by the resource handlers: paging, filters, systemData, scope checks, field checks.
import { ArmError, badRequest, invalidRequestContent, notFound } from "../errors.js";
import type { ArmRequest, EmulatorContext } from "../context.js";
import { MANAGED_CLUSTER_TYPE, RESOURCE_GROUP_TYPE, SUBSCRIPTION_TYPE } from "../hierarchy.js";
import { eq, keyOf, resourceGroupId, subscriptionScopeId, type ParsedScope } from "../scopes.js";
import type { EmulatorPrincipalRecord } from "../rbac.js";
import type { StateReader } from "../store.js";

export const DEFAULT_PAGE_SIZE = 500;

/** `$top`: 1 to 1,000 (spec TopParameter); absent → the operation's default page size. */
export function pageSize(request: ArmRequest, fallback = DEFAULT_PAGE_SIZE): number {
  const raw = request.query.get("$top");
  if (raw === undefined || raw === "") return fallback;
  const top = Number(raw);
  if (!Number.isInteger(top) || top < 1 || top > 1000) {
    throw badRequest("InvalidQueryParameterValue", `The value '${raw}' of query parameter '$top' is out of range. The value must be between 1 and 1000.`);
  }
  return top;
}

/**
 * One page of `items` (already filtered, in a stable order) with a nextLink that carries the filter and
 * the position, since the SDKs follow nextLink verbatim (docs/reference/arm-contract.md §2.6).
 */
export function pageOf<T>(request: ArmRequest, context: EmulatorContext, items: T[], keyOfItem: (item: T) => string, size: number): { value: T[]; nextLink?: string } {
  const token = request.query.get("$skiptoken");
  let start = 0;
  if (token !== undefined && token !== "") {
    let after: string;
    try {
      after = Buffer.from(token, "base64url").toString("utf8");
    } catch {
      throw badRequest("InvalidSkipToken", "The skip token is invalid.");
    }
    start = items.findIndex((item) => keyOfItem(item) > after);
    if (start === -1) start = items.length;
  }
  const value = items.slice(start, start + size);
  if (start + size >= items.length) return { value };
  const next = new URLSearchParams();
  for (const [name, parameter] of request.query) if (name !== "$skiptoken") next.set(name, parameter);
  next.set("$skiptoken", Buffer.from(keyOfItem(value[value.length - 1]), "utf8").toString("base64url"));
  return { value, nextLink: `${context.endpoint}${request.path}?${next.toString().replace(/\+/g, "%20")}` };
}

export type ScopeFilter = { kind: "none" } | { kind: "atScope" } | { kind: "atExactScope" } | { kind: "equals"; field: string; value: string };

export interface ParsedFilter {
  scope: ScopeFilter;
  excludeExpired: boolean;
}

/**
 * Parses the `$filter` forms the policy RP documents. Combining clauses with `and` is not documented
 * (unverified); the emulator accepts one scope clause plus `excludeExpired()` for exemptions.
 */
export function parseFilter(raw: string | undefined, equalsFields: string[], allowExcludeExpired: boolean): ParsedFilter {
  const result: ParsedFilter = { scope: { kind: "none" }, excludeExpired: false };
  if (raw === undefined || raw.trim() === "") return result;
  const clauses = raw.split(/\s+and\s+/i).map((clause) => clause.trim());
  for (const clause of clauses) {
    const equals = /^([A-Za-z]+)\s+-?eq\s+'(.*)'$/i.exec(clause);
    if (/^atScope\(\)$/i.test(clause) && result.scope.kind === "none") result.scope = { kind: "atScope" };
    else if (/^atExactScope\(\)$/i.test(clause) && result.scope.kind === "none") result.scope = { kind: "atExactScope" };
    else if (/^excludeExpired\(\)$/i.test(clause) && allowExcludeExpired && !result.excludeExpired) result.excludeExpired = true;
    else if (equals !== null && equalsFields.some((field) => eq(field, equals[1])) && result.scope.kind === "none") {
      result.scope = { kind: "equals", field: equalsFields.find((field) => eq(field, equals[1]))!, value: equals[2] };
    } else {
      // Unverified code: ARM's exact code for an unsupported $filter was not found in any source.
      throw badRequest(
        "InvalidFilterInQueryString",
        `The filter '${raw}' is not supported. Supported filters are ${[
          "atScope()",
          "atExactScope()",
          ...(allowExcludeExpired ? ["excludeExpired()"] : []),
          ...equalsFields.map((field) => `${field} eq '{value}'`),
        ].join(", ")}.`,
      );
    }
  }
  return result;
}

/** systemData as ARM keeps it for a change made by an app-only caller. */
export function systemDataFor(caller: EmulatorPrincipalRecord, now: Date, previous?: any): any {
  const at = now.toISOString();
  return {
    createdBy: previous?.createdBy ?? caller.clientId,
    createdByType: previous?.createdByType ?? "Application",
    createdAt: previous?.createdAt ?? at,
    lastModifiedBy: caller.clientId,
    lastModifiedByType: "Application",
    lastModifiedAt: at,
  };
}

export function requireSubscription(reader: StateReader, subscriptionId: string): any {
  const record = reader.get(keyOf(subscriptionScopeId(subscriptionId)));
  if (record === undefined || record.type !== SUBSCRIPTION_TYPE) {
    throw notFound("SubscriptionNotFound", `The subscription '${subscriptionId}' could not be found.`);
  }
  return record.body;
}

export function requireResourceGroup(reader: StateReader, subscriptionId: string, name: string): any {
  const record = reader.get(keyOf(resourceGroupId(subscriptionId, name)));
  if (record === undefined || record.type !== RESOURCE_GROUP_TYPE) {
    throw notFound("ResourceGroupNotFound", `Resource group '${name}' could not be found.`);
  }
  return record.body;
}

/** ARM checks that a subscription exists before it checks access (a missing one is 404, not 403). */
export function checkSubscriptionOf(reader: StateReader, scope: ParsedScope): void {
  if (scope.subscriptionId !== undefined) requireSubscription(reader, scope.subscriptionId);
}

/** Existence of the scope a resource is written under or listed at (policy RP checks). */
export function requireScopeExists(reader: StateReader, scope: ParsedScope): void {
  if (scope.kind === "subscription" || scope.kind === "resourceGroup" || scope.kind === "resource") requireSubscription(reader, scope.subscriptionId!);
  if (scope.kind === "resourceGroup" || scope.kind === "resource") requireResourceGroup(reader, scope.subscriptionId!, scope.resourceGroup!);
  if (scope.kind === "resource" && eq(scope.resourceType, MANAGED_CLUSTER_TYPE)) {
    const record = reader.get(keyOf(scope.id));
    if (record === undefined) {
      throw notFound(
        "ResourceNotFound",
        `The Resource '${MANAGED_CLUSTER_TYPE}/${scope.resourceName}' under resource group '${scope.resourceGroup}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix`,
      );
    }
  }
}

/**
 * The policy RP rejects members it does not know at this api-version ("Could not find member").
 * With `modelled` (the members of every version the emulator models), only a member of another
 * version is rejected: one the emulator does not model at all stands for a property the service has
 * and the emulator lags behind on, and is kept (docs/issues/11.md: writes must not lose such properties).
 */
export function rejectUnknownMembers(object: any, known: Set<string>, typeName: string, path: string, modelled?: Set<string>): void {
  if (object === null || typeof object !== "object" || Array.isArray(object)) return;
  for (const name of Object.keys(object)) {
    if (object[name] === undefined) continue;
    if (modelled !== undefined && !isModelled(name, modelled)) continue;
    if (![...known].some((candidate) => candidate.toLowerCase() === name.toLowerCase())) {
      throw invalidRequestContent(`Could not find member '${name}' on object of type '${typeName}'. Path '${path === "" ? name : `${path}.${name}`}'`);
    }
  }
}

/** Reads a member case-insensitively, as the RP's deserializer does. */
export function member(object: any, name: string): any {
  if (object === null || typeof object !== "object") return undefined;
  if (name in object) return object[name];
  const found = Object.keys(object).find((key) => key.toLowerCase() === name.toLowerCase());
  return found === undefined ? undefined : object[found];
}

export function requireObjectBody(body: any): any {
  if (body === undefined || body === null || typeof body !== "object" || Array.isArray(body)) {
    throw invalidRequestContent("The request body must be a JSON object");
  }
  return body;
}

export function isModelled(name: string, modelled: Set<string>): boolean {
  return [...modelled].some((candidate) => candidate.toLowerCase() === name.toLowerCase());
}

/**
 * Project stored JSON onto the properties an api-version knows. With `modelled`, properties the
 * emulator does not model at any version are returned as stored.
 */
export function projectProperties(resource: any, known: Set<string>, modelled?: Set<string>): any {
  const copy = structuredClone(resource);
  if (copy.properties && typeof copy.properties === "object") {
    for (const name of Object.keys(copy.properties)) {
      if (known.has(name)) continue;
      if (modelled !== undefined && !isModelled(name, modelled)) continue;
      delete copy.properties[name];
    }
  }
  return copy;
}

export function assertMethod(request: ArmRequest, allowed: string[], collection: boolean): void {
  if (!allowed.includes(request.method)) {
    throw new ArmError(
      405,
      "HttpMethodNotSupported",
      collection ? `The http method '${request.method}' is not supported for a resource collection.` : `The http method '${request.method}' is not supported for this resource.`,
    );
  }
}

/** Names of policy resources: the spec pattern `^[^<>*%&:\?.+/]*[^<>*%&:\?.+/ ]+$`. */
export function isValidPolicyResourceName(name: string): boolean {
  return /^[^<>*%&:\\?.+/]*[^<>*%&:\\?.+/ ]+$/.test(name);
}
