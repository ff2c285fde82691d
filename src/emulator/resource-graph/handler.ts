// POST /providers/Microsoft.ResourceGraph/resources: Azure Resource Graph's query endpoint over the
// emulator's state. Request and response follow the 2024-04-01 spec (QueryRequest / QueryResponse):
// https://github.com/Azure/azure-rest-api-specs/tree/main/specification/resourcegraph
// Paging: https://learn.microsoft.com/azure/governance/resource-graph/concepts/work-with-data
// Throttling: https://learn.microsoft.com/azure/governance/resource-graph/concepts/guidance-for-throttled-requests
import { createHash } from "node:crypto";
import { ArmError, badRequest } from "../errors.js";
import type { ArmRequest, ArmResponse, EmulatorContext } from "../context.js";
import type { Store } from "../store.js";
import { evaluate, type Row } from "./evaluate.js";
import { KqlError, parseQuery } from "./parser.js";
import { resolveScope, tableRows, type AuthorizationScopeFilter } from "./tables.js";

export const RESOURCE_GRAPH_API_VERSIONS = ["2019-04-01", "2020-04-01-preview", "2021-03-01", "2021-06-01-preview", "2022-10-01", "2024-04-01"];
const FILTERS: AuthorizationScopeFilter[] = ["AtScopeAndBelow", "AtScopeAndAbove", "AtScopeExact", "AtScopeAboveAndBelow"];
/** The service's page size limit and the number of subscriptions one request may name. */
export const MAX_ROWS_PER_PAGE = 1000;
export const MAX_SUBSCRIPTIONS_PER_REQUEST = 1000;

export interface ResourceGraphQuota {
  /** Queries a principal may send per window (the service: 15). */
  queries: number;
  /** The window in milliseconds (the service: 5 seconds). */
  windowMs: number;
}

export const DEFAULT_QUOTA: ResourceGraphQuota = { queries: 15, windowMs: 5000 };

interface QuotaWindow {
  start: number;
  used: number;
}

/**
 * The rows of recent multi-page results, by query, scope, caller and store generation: the next pages
 * ($skipToken) are sliced from the result the first page computed, as long as nothing was written since,
 * instead of evaluating the query again over the whole scope for every page.
 */
const pagedResults = new WeakMap<Store, Map<string, Row[]>>();
const PAGED_RESULTS_KEPT = 16;

function rememberRows(store: Store, key: string, rows: Row[]): void {
  let results = pagedResults.get(store);
  if (results === undefined) {
    results = new Map();
    pagedResults.set(store, results);
  }
  results.delete(key);
  results.set(key, rows);
  while (results.size > PAGED_RESULTS_KEPT) results.delete(results.keys().next().value as string);
}

/** Per-emulator throttling state, kept beside its store so the server needs no new field. */
const quotas = new WeakMap<Store, { quota: ResourceGraphQuota; windows: Map<string, QuotaWindow> }>();

function quotaState(store: Store): { quota: ResourceGraphQuota; windows: Map<string, QuotaWindow> } {
  let state = quotas.get(store);
  if (state === undefined) {
    state = { quota: { ...DEFAULT_QUOTA }, windows: new Map() };
    quotas.set(store, state);
  }
  return state;
}

/** Sets the quota (tests, the bench) and starts every principal's window afresh. */
export function configureResourceGraphQuota(store: Store, quota: ResourceGraphQuota): void {
  if (!Number.isInteger(quota.queries) || quota.queries < 1 || !Number.isInteger(quota.windowMs) || quota.windowMs < 1) {
    throw new Error("A Resource Graph quota needs whole numbers: queries >= 1 and windowMs >= 1.");
  }
  const state = quotaState(store);
  state.quota = { ...quota };
  state.windows.clear();
}

export function resourceGraphQuota(store: Store): ResourceGraphQuota {
  return { ...quotaState(store).quota };
}

/** hh:mm:ss, the format of x-ms-user-quota-resets-after. */
function duration(ms: number): string {
  const seconds = Math.max(0, Math.ceil(ms / 1000));
  const pad = (value: number): string => String(value).padStart(2, "0");
  return `${pad(Math.floor(seconds / 3600))}:${pad(Math.floor((seconds % 3600) / 60))}:${pad(seconds % 60)}`;
}

/** Counts the query against the caller's window; throws 429 when the window's quota is spent. */
function takeQuota(store: Store, principal: string): Record<string, string> {
  const { quota, windows } = quotaState(store);
  const now = Date.now();
  let window = windows.get(principal);
  if (window === undefined || now - window.start >= quota.windowMs) {
    window = { start: now, used: 0 };
    windows.set(principal, window);
  }
  const resetsAfter = window.start + quota.windowMs - now;
  if (window.used >= quota.queries) {
    // Unverified: the error code of ARG's 429 body; the headers are documented.
    throw new ArmError(
      429,
      "RateLimiting",
      `Please provide below info when asking for support: the client has sent more than ${quota.queries} queries in ${quota.windowMs / 1000} seconds. Retry after the time given in the x-ms-user-quota-resets-after header.`,
      {
        headers: { "retry-after": String(Math.max(1, Math.ceil(resetsAfter / 1000))), "x-ms-user-quota-remaining": "0", "x-ms-user-quota-resets-after": duration(resetsAfter) },
      },
    );
  }
  window.used++;
  return { "x-ms-user-quota-remaining": String(quota.queries - window.used), "x-ms-user-quota-resets-after": duration(resetsAfter) };
}

/** The service's BadRequest for a query it cannot parse or run (shape as the service sends it; unverified in detail). */
function invalidQuery(error: KqlError): ArmError {
  return new ArmError(400, "BadRequest", "Please provide below info when asking for support: the query is invalid.", {
    details: [
      { code: "InvalidQuery", message: "Query is invalid. Please refer to the documentation for the Azure Resource Graph service and fix the error before retrying." },
      { code: error.kind, message: error.message, line: error.line, characterPositionInLine: error.column, token: error.token } as never,
    ],
  });
}

function stringList(value: unknown, name: string): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || value.some((item) => typeof item !== "string")) throw badRequest("InvalidRequestContent", `The request content was invalid: '${name}' must be an array of strings.`);
  return value as string[];
}

function wholeNumber(value: unknown, name: string, min: number, max: number): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    throw badRequest("InvalidRequestContent", `The request content was invalid: '${name}' must be a whole number from ${min} to ${max}.`);
  }
  return value;
}

interface SkipToken {
  offset: number;
  fingerprint: string;
}

function fingerprint(parts: unknown[]): string {
  return createHash("sha256").update(JSON.stringify(parts)).digest("base64url").slice(0, 16);
}

function readSkipToken(token: string, expected: string): SkipToken {
  try {
    const parsed = JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as SkipToken;
    if (typeof parsed.offset === "number" && parsed.fingerprint === expected) return parsed;
  } catch {
    // fall through
  }
  throw badRequest("BadRequest", "The $skipToken is invalid or belongs to another query; send the query and scope it was returned with.");
}

function columnType(value: unknown): string {
  if (typeof value === "string") return "string";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "real";
  if (typeof value === "boolean") return "boolean";
  return "object";
}

/** resultFormat "table": columns with types and rows as arrays. */
function asTable(rows: Row[], columnNames: string[]): { columns: Array<{ name: string; type: string }>; rows: unknown[][] } {
  return {
    columns: columnNames.map((name) => ({ name, type: columnType(rows.find((row) => row[name] !== null && row[name] !== undefined)?.[name]) })),
    rows: rows.map((row) => columnNames.map((name) => row[name] ?? null)),
  };
}

export function handleResourceGraph(request: ArmRequest, context: EmulatorContext): ArmResponse {
  if (request.method !== "POST") throw new ArmError(405, "HttpMethodNotSupported", `The http method '${request.method}' is not supported; Resource Graph queries are POSTed.`);
  if (request.apiVersion === undefined || !RESOURCE_GRAPH_API_VERSIONS.includes(request.apiVersion)) {
    throw badRequest("InvalidApiVersionParameter", `The api-version '${request.apiVersion ?? ""}' is invalid. The supported versions are '${RESOURCE_GRAPH_API_VERSIONS.join(",")}'.`);
  }
  const { store } = context;
  const quotaHeaders = takeQuota(store, request.caller.name.toLowerCase());
  try {
    const body = request.body;
    if (body === null || typeof body !== "object" || typeof body.query !== "string" || body.query.trim() === "") {
      throw badRequest("InvalidRequestContent", "The request content was invalid: 'query' is required and must be a string.");
    }
    const subscriptions = stringList(body.subscriptions, "subscriptions");
    const managementGroups = stringList(body.managementGroups, "managementGroups");
    if (subscriptions !== undefined && subscriptions.length > 0 && managementGroups !== undefined && managementGroups.length > 0) {
      throw badRequest("InvalidRequestContent", "The request content was invalid: give 'subscriptions' or 'managementGroups', not both.");
    }
    if (subscriptions !== undefined && subscriptions.length > MAX_SUBSCRIPTIONS_PER_REQUEST) {
      // Unverified code: the service limits a request to 1,000 subscriptions (clients batch them).
      throw badRequest("BadRequest", `A query may name at most ${MAX_SUBSCRIPTIONS_PER_REQUEST} subscriptions; this one names ${subscriptions.length}. Split them into batches.`);
    }
    const options = body.options ?? {};
    if (typeof options !== "object") throw badRequest("InvalidRequestContent", "The request content was invalid: 'options' must be an object.");
    const top = wholeNumber(options.$top, "options.$top", 1, MAX_ROWS_PER_PAGE);
    const skip = wholeNumber(options.$skip, "options.$skip", 0, Number.MAX_SAFE_INTEGER);
    const resultFormat = options.resultFormat ?? "objectArray";
    if (resultFormat !== "objectArray" && resultFormat !== "table")
      throw badRequest("InvalidRequestContent", `The request content was invalid: resultFormat '${String(resultFormat)}' is not 'objectArray' or 'table'.`);
    const filter = (options.authorizationScopeFilter ?? "AtScopeAndBelow") as AuthorizationScopeFilter;
    if (!FILTERS.includes(filter)) throw badRequest("InvalidRequestContent", `The request content was invalid: authorizationScopeFilter '${String(filter)}' is not one of ${FILTERS.join(", ")}.`);

    let parsed;
    try {
      parsed = parseQuery(body.query);
    } catch (error) {
      if (error instanceof KqlError) throw invalidQuery(error);
      throw error;
    }
    const tenantId = request.tokenTenant ?? context.tenantId;
    const print = fingerprint([body.query, subscriptions ?? null, managementGroups ?? null, filter]);
    let offset = 0;
    const following = typeof options.$skipToken === "string" && options.$skipToken !== "";
    if (following) offset = readSkipToken(options.$skipToken, print).offset;
    if (skip !== undefined) offset = skip;
    const resultKey = JSON.stringify([print, request.caller.name.toLowerCase(), tenantId.toLowerCase(), store.generation]);
    let rows = following ? pagedResults.get(store)?.get(resultKey) : undefined;
    if (rows === undefined) {
      const scope = resolveScope(store, request.caller, tenantId, subscriptions, managementGroups, filter);
      try {
        rows = evaluate(parsed, body.query, tableRows(store, parsed.table, scope, tenantId, request.caller));
      } catch (error) {
        if (error instanceof KqlError) throw invalidQuery(error);
        throw error;
      }
    }
    const size = top ?? MAX_ROWS_PER_PAGE;
    const page = rows.slice(offset, offset + size);
    const more = offset + page.length < rows.length;
    // Paging needs the id column; without it the service truncates instead (resultTruncated "true").
    const pageable = rows.length === 0 || "id" in rows[0]!;
    const columnNames = rows.length > 0 ? Object.keys(rows[0]!) : [];
    const response: Record<string, unknown> = {
      totalRecords: rows.length,
      count: page.length,
      resultTruncated: more && !pageable && top === undefined ? "true" : "false",
      data: resultFormat === "table" ? asTable(page, columnNames) : page,
      facets: [],
    };
    if (more && pageable) {
      response.$skipToken = Buffer.from(JSON.stringify({ offset: offset + page.length, fingerprint: print }), "utf8").toString("base64url");
      rememberRows(store, resultKey, rows);
    }
    return { status: 200, body: response, headers: quotaHeaders };
  } catch (error) {
    if (error instanceof ArmError) Object.assign(error.headers, quotaHeaders);
    throw error;
  }
}
