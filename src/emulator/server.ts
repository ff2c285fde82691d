// The HTTPS front: one server for ARM, the identity endpoints and the test hooks. It normalizes
// paths and queries, authenticates, injects faults, adds ARM's headers and logs ARM requests.
import { randomUUID, timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import type { EmulatorClock } from "./clock.js";
import type { ArmRequest, ArmResponse, EmulatorContext } from "./context.js";
import { ArmError, invalidRequestContent } from "./errors.js";
import type { FaultInjector, RequestLog } from "./faults.js";
import type { RequestHolds } from "./holds.js";
import { handleHook, isLoopback, type HooksState } from "./hooks.js";
import { acceptedAudiences, handleIdentity, isIdentityPath, type IdentityContext } from "./identity.js";
import { findPrincipalByClientId, type EmulatorPrincipalRecord } from "./rbac.js";
import { routeArmRequest } from "./router.js";
import { normalizePath, parseScope } from "./scopes.js";
import type { Store } from "./store.js";
import { findTenant, managementGroupTenant, subscriptionTenant } from "./tenants.js";
import type { TokenClaims } from "./tokens.js";
import { keyOf, subscriptionScopeId } from "./scopes.js";

export interface ServerState {
  store: Store;
  clock: EmulatorClock;
  faults: FaultInjector;
  requestLog: RequestLog;
  holds: RequestHolds;
  tenantId: string;
  latencyMs: number;
  quiet: boolean;
  /** Required on /_emulator/ calls unless the emulator was started with open hooks (undefined). */
  hookToken: string | undefined;
  endpoint: () => string;
  identity: () => IdentityContext;
  hooks: HooksState;
}

const MAX_BODY_BYTES = 64 * 1024 * 1024;

/** Percent-decodes each path segment (keeping encoded slashes inside their segment), then normalizes. */
export function decodePath(rawPath: string): string {
  const segments = rawPath.split("/").map((segment) => {
    try {
      return decodeURIComponent(segment).replace(/\//g, "%2F");
    } catch {
      return segment;
    }
  });
  return normalizePath(segments.join("/"));
}

/** Decodes a query string whether or not its names and values were percent-encoded. */
export function decodeQuery(rawQuery: string): Map<string, string> {
  const result = new Map<string, string>();
  for (const part of rawQuery.split("&")) {
    if (part === "") continue;
    const equals = part.indexOf("=");
    const rawName = equals === -1 ? part : part.slice(0, equals);
    const rawValue = equals === -1 ? "" : part.slice(equals + 1);
    const decode = (text: string): string => {
      try {
        return decodeURIComponent(text);
      } catch {
        return text;
      }
    };
    result.set(decode(rawName).toLowerCase(), decode(rawValue));
  }
  return result;
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new ArmError(413, "RequestEntityTooLarge", "The request body is too large."));
        request.destroy();
        return;
      }
      chunks.push(chunk);
    });
    request.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    request.on("error", reject);
  });
}

function send(response: ServerResponse, status: number, body: unknown, headers: Record<string, string>): void {
  if (response.destroyed) return;
  const payload = body === undefined ? "" : JSON.stringify(body);
  response.writeHead(status, {
    ...headers,
    ...(body === undefined ? { "content-length": "0" } : { "content-type": "application/json; charset=utf-8", "content-length": String(Buffer.byteLength(payload)) }),
  });
  response.end(payload);
}

/** Remaining-request headers, as ARM sends them (counts per hour; decremented per request). */
class RateCounters {
  private windowStart = Date.now();
  private readonly used = new Map<string, number>();

  headers(kind: "reads" | "writes", tenantLevel: boolean): Record<string, string> {
    if (Date.now() - this.windowStart > 3_600_000) {
      this.windowStart = Date.now();
      this.used.clear();
    }
    const name = `x-ms-ratelimit-remaining-${tenantLevel ? "tenant" : "subscription"}-${kind}`;
    const used = (this.used.get(name) ?? 0) + 1;
    this.used.set(name, used);
    const limit = kind === "reads" ? 12000 : 1200;
    return { [name]: String(Math.max(0, limit - used)), [`x-ms-ratelimit-remaining-${tenantLevel ? "tenant" : "subscription"}-global-${kind}`]: String(Math.max(0, limit * 2 - used)) };
  }
}

export function createRequestHandler(state: ServerState): (request: IncomingMessage, response: ServerResponse) => void {
  const counters = new RateCounters();
  return (request, response) => {
    handle(state, counters, request, response).catch((error: unknown) => {
      if (!state.quiet) process.stderr.write(`emulator: internal error: ${error instanceof Error ? error.stack : String(error)}\n`);
      send(response, 500, { error: { code: "InternalServerError", message: "The emulator failed to process the request." } }, {});
    });
  };
}

async function handle(state: ServerState, counters: RateCounters, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const started = performance.now();
  const rawUrl = request.url ?? "/";
  const queryStart = rawUrl.indexOf("?");
  const path = decodePath(queryStart === -1 ? rawUrl : rawUrl.slice(0, queryStart));
  const query = decodeQuery(queryStart === -1 ? "" : rawUrl.slice(queryStart + 1));
  const method = (request.method ?? "GET").toUpperCase();

  if (/^\/_emulator(\/|$)/i.test(path)) {
    if (!isLoopback(request.socket.remoteAddress)) {
      send(response, 403, { error: { code: "Forbidden", message: "Emulator hooks answer loopback callers only." } }, {});
      return;
    }
    if (!hookTokenMatches(state.hookToken, request.headers["x-emulator-hook-token"])) {
      send(
        response,
        401,
        { error: { code: "HookTokenRequired", message: "Emulator hooks need the x-emulator-hook-token header with the hookToken from connection.json (or an emulator started with --open-hooks)." } },
        {},
      );
      return;
    }
    const raw = await readBody(request);
    let body: unknown;
    try {
      body = raw === "" ? undefined : JSON.parse(raw);
    } catch {
      send(response, 400, { error: { code: "EmulatorHookError", message: "Body is not JSON" } }, {});
      return;
    }
    const result = await handleHook(method, path, new URLSearchParams(queryStart === -1 ? "" : rawUrl.slice(queryStart + 1)), body, state.hooks);
    send(response, result.status, result.body, {});
    return;
  }

  const requestId = randomUUID();
  const correlation = typeof request.headers["x-ms-correlation-request-id"] === "string" ? request.headers["x-ms-correlation-request-id"] : requestId;
  const baseHeaders: Record<string, string> = {
    "cache-control": "no-cache",
    pragma: "no-cache",
    expires: "-1",
    "x-ms-request-id": requestId,
    "x-ms-correlation-request-id": correlation,
    "x-ms-routing-request-id": `EMULATOR:${new Date().toISOString().replace(/[-:]/g, "").slice(0, 15)}Z:${requestId}`,
    "strict-transport-security": "max-age=31536000; includeSubDomains",
    "x-content-type-options": "nosniff",
  };
  const clientRequestId = request.headers["x-ms-client-request-id"];
  if (typeof clientRequestId === "string") baseHeaders["x-ms-client-request-id"] = clientRequestId;

  const fault = state.faults.take(method, path);
  if (fault !== undefined && fault.kind === "latency") await sleep(fault.latencyMs ?? 1000);
  if (state.latencyMs > 0) await sleep(state.latencyMs);

  // Identity endpoints: not ARM, not logged.
  if (isIdentityPath(path, (segment) => findTenant(state.store, segment) !== undefined)) {
    if (fault?.kind === "drop") {
      request.socket.destroy();
      return;
    }
    const raw = await readBody(request);
    if (fault !== undefined && fault.kind !== "latency") {
      sendFault(response, fault, baseHeaders);
      return;
    }
    const result = handleIdentity(method, path, raw, request.headers, state.identity());
    send(response, result.status, result.body, { "cache-control": "no-store, no-cache", pragma: "no-cache" });
    return;
  }

  const time = state.clock.now().toISOString();
  let caller: EmulatorPrincipalRecord | undefined;
  let status = 0;
  const apiVersion = query.get("api-version");
  try {
    const authenticated = authenticate(state, request.headers.authorization);
    caller = authenticated.principal;
    const tokenTenant = String(authenticated.claims.tid);
    checkTokenTenant(state, path, authenticated.claims);
    if (fault?.kind === "drop") {
      request.socket.destroy();
      return;
    }
    const raw = await readBody(request);
    // A test's hold keeps the request here, unprocessed, until the test releases it.
    await state.holds.wait(method, path, raw.trim() === "" ? undefined : safeJson(raw));
    if (fault?.kind === "expired-token") {
      throw new ArmError(
        401,
        "ExpiredAuthenticationToken",
        `The access token expiry UTC time '${new Date(Date.now() - 60_000).toISOString()}' is earlier than current UTC time '${new Date().toISOString()}'.`,
        {
          headers: wwwAuthenticate(state, "The access token has expired."),
        },
      );
    }
    if (fault !== undefined && fault.kind !== "latency" && fault.kind !== "hold") {
      status = sendFault(response, fault, baseHeaders);
      return;
    }
    let body: unknown;
    if (raw.trim() !== "") {
      try {
        body = JSON.parse(raw);
      } catch (error) {
        throw invalidRequestContent(error instanceof Error ? error.message : "invalid JSON");
      }
    }
    const segments = path.split("/").filter((segment) => segment.length > 0);
    const ifMatch = typeof request.headers["if-match"] === "string" ? request.headers["if-match"] : undefined;
    const armRequest: ArmRequest = { method, path, segments, query, apiVersion, body, caller, tokenTenant, ifMatch };
    const context: EmulatorContext = { store: state.store, clock: state.clock, tenantId: state.tenantId, endpoint: state.endpoint() };
    const result: ArmResponse = await routeArmRequest(armRequest, context);
    if (result.commit !== undefined) await result.commit;
    status = result.status;
    if (fault?.kind === "hold") await holdResponse(response, fault.latencyMs ?? 600_000);
    send(response, result.status, result.body, { ...baseHeaders, ...rateHeaders(counters, method, path), ...(result.headers ?? {}) });
  } catch (error) {
    if (!(error instanceof ArmError)) throw error;
    status = error.status;
    send(response, error.status, error.body(), { ...baseHeaders, ...rateHeaders(counters, method, path), ...error.headers });
  } finally {
    const ended = performance.now();
    state.requestLog.add({
      method,
      path,
      apiVersion: apiVersion ?? null,
      status,
      durationMs: Math.round((ended - started) * 100) / 100,
      principal: caller?.name ?? null,
      time,
      connection: connectionNumber(request.socket),
      startMs: performance.timeOrigin + started,
      endMs: performance.timeOrigin + ended,
    });
  }
}

/** Withholds a response until the time is up or the client goes away (a killed client ends the hold). */
async function holdResponse(response: ServerResponse, ms: number): Promise<void> {
  const abort = new AbortController();
  const stop = (): void => abort.abort();
  response.once("close", stop);
  try {
    await sleep(ms, undefined, { signal: abort.signal });
  } catch {
    // the client disconnected
  } finally {
    response.off("close", stop);
  }
}

function hookTokenMatches(expected: string | undefined, given: string | string[] | undefined): boolean {
  if (expected === undefined) return true;
  if (typeof given !== "string") return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

const connectionNumbers = new WeakMap<object, number>();
let connectionsSeen = 0;
function connectionNumber(socket: object): number {
  let number = connectionNumbers.get(socket);
  if (number === undefined) {
    connectionsSeen += 1;
    number = connectionsSeen;
    connectionNumbers.set(socket, number);
  }
  return number;
}

function rateHeaders(counters: RateCounters, method: string, path: string): Record<string, string> {
  const scope = parseScope(path);
  const tenantLevel = !/^\/subscriptions\//i.test(path) || scope?.kind === "tenant";
  return counters.headers(method === "GET" ? "reads" : "writes", tenantLevel);
}

function sendFault(response: ServerResponse, fault: { kind: string; retryAfterSeconds?: number; retryAfterMs?: number }, headers: Record<string, string>): number {
  const retry: Record<string, string> = {};
  if (fault.retryAfterSeconds !== undefined) retry["retry-after"] = String(fault.retryAfterSeconds);
  if (fault.retryAfterMs !== undefined) {
    retry["retry-after-ms"] = String(fault.retryAfterMs);
    retry["x-ms-retry-after-ms"] = String(fault.retryAfterMs);
  }
  if (fault.kind === "429") {
    // ARM throttling: 429 plus Retry-After; the body code is what third-party logs show (unverified).
    send(
      response,
      429,
      { error: { code: "SubscriptionRequestsThrottled", message: "Number of requests exceeded the limit. Please retry after the time given in the Retry-After header." } },
      { ...headers, "retry-after": retry["retry-after"] ?? "1", ...retry },
    );
    return 429;
  }
  if (fault.kind === "503") {
    send(
      response,
      503,
      { error: { code: "ServiceUnavailable", message: "The service is temporarily unavailable. Please retry." } },
      { ...headers, "retry-after": retry["retry-after"] ?? "1", ...retry },
    );
    return 503;
  }
  send(response, 500, { error: { code: "InternalServerError", message: "Encountered internal server error. Please try again." } }, { ...headers, ...retry });
  return 500;
}

function wwwAuthenticate(state: ServerState, description: string): Record<string, string> {
  const identity = state.identity();
  return {
    "www-authenticate": `Bearer authorization_uri="${identity.authorityHost}/${state.tenantId}", error="invalid_token", error_description="${description}"`,
  };
}

/**
 * ARM's 401 for a token of another tenant than the subscription's (or management group's): the
 * message names the authority to get a token from, and the header points at it.
 */
function checkTokenTenant(state: ServerState, path: string, claims: TokenClaims): void {
  const segments = path.split("/").filter((segment) => segment.length > 0);
  let expected: string | undefined;
  if (segments[0]?.toLowerCase() === "subscriptions" && segments[1] !== undefined && state.store.get(keyOf(subscriptionScopeId(segments[1]))) !== undefined) {
    expected = subscriptionTenant(state.store, segments[1]);
  } else if (segments[0]?.toLowerCase() === "providers" && segments[1]?.toLowerCase() === "microsoft.management" && segments[2]?.toLowerCase() === "managementgroups" && segments[3] !== undefined) {
    expected = managementGroupTenant(state.store, segments[3]);
  }
  if (expected === undefined || expected.toLowerCase() === String(claims.tid).toLowerCase()) return;
  const authority = `${state.identity().authorityHost}/${expected}`;
  throw new ArmError(
    401,
    "InvalidAuthenticationTokenTenant",
    `The access token is from the wrong issuer '${claims.iss}'. It must match the tenant '${state.identity().authorityHost}/${expected}/' associated with this subscription. Please use the authority (URL) '${authority}' to get the token. Note, if the subscription is transferred to another tenant there is no impact to the services, but information about new tenant could take time to propagate (up to an hour). If you just transferred your subscription and see this error message, please try back later.`,
    { headers: { "www-authenticate": `Bearer authorization_uri="${authority}", error="invalid_token", error_description="The access token is from the wrong issuer."` } },
  );
}

/** ARM's 401s: AuthenticationFailed (no header), InvalidAuthenticationToken, ExpiredAuthenticationToken. */
function authenticate(state: ServerState, header: string | undefined): { principal: EmulatorPrincipalRecord; claims: TokenClaims } {
  if (header === undefined || header.trim() === "") {
    throw new ArmError(401, "AuthenticationFailed", "Authentication failed. The 'Authorization' header is missing.", {
      headers: wwwAuthenticate(state, "The authentication failed because of missing 'Authorization' header."),
    });
  }
  const match = /^Bearer\s+(\S+)$/i.exec(header.trim());
  if (match === null) {
    throw new ArmError(401, "AuthenticationFailed", "Authentication failed. The 'Authorization' header is provided in an invalid format.", {
      headers: wwwAuthenticate(state, "The authentication failed because of an invalid 'Authorization' header."),
    });
  }
  const identity = state.identity();
  const check = identity.signer.check(match[1], acceptedAudiences(identity.endpoint));
  if (!check.ok) {
    if (check.reason === "expired") {
      const expiry = new Date(check.claims!.exp * 1000).toISOString();
      throw new ArmError(401, "ExpiredAuthenticationToken", `The access token expiry UTC time '${expiry}' is earlier than current UTC time '${new Date().toISOString()}'.`, {
        headers: wwwAuthenticate(state, "The access token has expired."),
      });
    }
    if (check.reason === "audience") {
      throw new ArmError(
        401,
        "InvalidAuthenticationTokenAudience",
        `The access token has been obtained for wrong audience or resource '${String(check.claims?.aud)}'. It should exactly match with one of the allowed audiences '${acceptedAudiences(identity.endpoint).join("','")}'.`,
        {
          headers: wwwAuthenticate(state, "The access token has been obtained for wrong audience."),
        },
      );
    }
    throw new ArmError(401, "InvalidAuthenticationToken", check.reason === "signature" ? "The access token has an invalid signature." : "The access token is invalid.", {
      headers: wwwAuthenticate(state, "The access token is invalid."),
    });
  }
  const principal = findPrincipalByClientId(state.store, check.claims.appid);
  if (principal === undefined) {
    throw new ArmError(401, "InvalidAuthenticationToken", "The access token is invalid: its application is not in the directory.", {
      headers: wwwAuthenticate(state, "The access token is invalid."),
    });
  }
  return { principal, claims: check.claims };
}

/** The body as JSON for a hold's report, or the text when it is not JSON. */
function safeJson(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}
