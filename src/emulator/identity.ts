// The Entra ID endpoints a client-credentials client needs, served on the emulator's own origin:
// OpenID discovery (what MSAL fetches when given an authorityHost with instance discovery disabled),
// the signing keys, and the v2.0 (and v1) token endpoints.
import { randomUUID } from "node:crypto";
import { eq, segmentsOf } from "./scopes.js";
import { findPrincipalByClientId } from "./rbac.js";
import type { StateReader } from "./store.js";
import { findTenant, principalInTenant } from "./tenants.js";
import { ARM_AUDIENCES, type TokenSigner } from "./tokens.js";

export const TOKEN_LIFETIME_SECONDS = 3599;

export interface IdentityResponse {
  status: number;
  body: unknown;
}

export interface IdentityContext {
  tenantId: string;
  authorityHost: string;
  endpoint: string;
  signer: TokenSigner;
  reader: StateReader;
}

/** True when the path is one of the identity endpoints (`/{tenant}/...`) of a tenant the emulator serves. */
export function isIdentityPath(path: string, isTenant: (segment: string) => boolean): boolean {
  const [first, second] = segmentsOf(path);
  return (
    (isTenant(first) || eq(first, "organizations") || eq(first, "common") || eq(first, "adfs")) && (eq(second, "v2.0") || eq(second, "oauth2") || eq(second, "discovery") || eq(second, ".well-known"))
  );
}

/**
 * ADFS-style routes under /adfs, for clients that only sign in to a custom cloud through ADFS (the
 * Azure CLI: `az cloud register --endpoint-active-directory <endpoint>/adfs`, then
 * `az login --service-principal --tenant adfs`). MSAL reads `/adfs/.well-known/openid-configuration`
 * for such an authority; both that and the v2.0 document are served, and tokens come from
 * `/adfs/oauth2/token` for the home tenant.
 */
function handleAdfs(method: string, route: string, rawBody: string, headers: Record<string, string | string[] | undefined>, context: IdentityContext): IdentityResponse {
  const base = `${context.authorityHost}/adfs`;
  const document = {
    ...openIdConfiguration(context, true),
    issuer: base,
    token_endpoint: `${base}/oauth2/token`,
    authorization_endpoint: `${base}/oauth2/authorize`,
    jwks_uri: `${base}/discovery/keys`,
    end_session_endpoint: `${base}/oauth2/logout`,
    device_authorization_endpoint: `${base}/oauth2/devicecode`,
    userinfo_endpoint: `${base}/userinfo`,
    access_token_issuer: `${base}/services/trust`,
  };
  if (method === "GET" && (route === ".well-known/openid-configuration" || route === "v2.0/.well-known/openid-configuration")) return { status: 200, body: document };
  if (method === "GET" && route === "discovery/keys") return { status: 200, body: context.signer.jwks() };
  if (method === "POST" && route === "oauth2/token") {
    const form = new URLSearchParams(rawBody);
    // MSAL sends a v2.0-style scope to ADFS 2019; an older client may send resource.
    return issueToken(form, headers, context, !form.has("scope") && form.has("resource"));
  }
  return aadError(404, "invalid_request", 90100, `The endpoint '/adfs/${route}' is not served by the emulator.`);
}

function aadError(status: number, error: string, code: number, description: string): IdentityResponse {
  const traceId = randomUUID();
  const correlationId = randomUUID();
  const timestamp = new Date().toISOString().replace("T", " ").replace("Z", "Z");
  return {
    status,
    body: {
      error,
      error_description: `AADSTS${code}: ${description} Trace ID: ${traceId} Correlation ID: ${correlationId} Timestamp: ${timestamp}`,
      error_codes: [code],
      timestamp,
      trace_id: traceId,
      correlation_id: correlationId,
      error_uri: "https://login.microsoftonline.com/error?code=" + code,
    },
  };
}

export function openIdConfiguration(context: IdentityContext, v2: boolean): object {
  const base = `${context.authorityHost}/${context.tenantId}`;
  return {
    token_endpoint: v2 ? `${base}/oauth2/v2.0/token` : `${base}/oauth2/token`,
    token_endpoint_auth_methods_supported: ["client_secret_post", "client_secret_basic"],
    jwks_uri: `${base}/discovery/v2.0/keys`,
    response_modes_supported: ["query", "fragment", "form_post"],
    subject_types_supported: ["pairwise"],
    id_token_signing_alg_values_supported: ["ES256"],
    response_types_supported: ["code", "id_token", "code id_token", "id_token token"],
    scopes_supported: ["openid", "profile", "email", "offline_access"],
    issuer: v2 ? `${base}/v2.0` : `${base}/`,
    request_uri_parameter_supported: false,
    userinfo_endpoint: `${base}/openid/userinfo`,
    authorization_endpoint: v2 ? `${base}/oauth2/v2.0/authorize` : `${base}/oauth2/authorize`,
    device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
    http_logout_supported: true,
    frontchannel_logout_supported: true,
    end_session_endpoint: v2 ? `${base}/oauth2/v2.0/logout` : `${base}/oauth2/logout`,
    claims_supported: ["sub", "iss", "aud", "exp", "iat", "nbf", "oid", "tid", "appid", "azp"],
    tenant_region_scope: "EU",
    cloud_instance_name: "emulator",
    cloud_graph_host_name: "graph.emulator",
    msgraph_host: "graph.emulator",
    rbac_url: context.endpoint,
  };
}

/** The audiences an ARM request's token may carry: ARM's own plus this emulator's endpoint. */
export function acceptedAudiences(endpoint: string): string[] {
  return [...ARM_AUDIENCES, endpoint, `${endpoint}/`];
}

function audienceForScope(scope: string, endpoint: string): string | undefined {
  for (const candidate of scope.split(" ").filter((item) => item.length > 0)) {
    if (!candidate.endsWith("/.default")) continue;
    const resource = candidate.slice(0, -"/.default".length);
    const normalized = resource.replace(/\/+$/, "").toLowerCase();
    if (acceptedAudiences(endpoint).some((audience) => audience.replace(/\/+$/, "").toLowerCase() === normalized)) return resource;
  }
  return undefined;
}

export function handleIdentity(method: string, path: string, rawBody: string, headers: Record<string, string | string[] | undefined>, context: IdentityContext): IdentityResponse {
  const segments = segmentsOf(path);
  const [tenantSegment, ...rest] = segments;
  if (eq(tenantSegment, "adfs")) return handleAdfs(method, rest.join("/").toLowerCase(), rawBody, headers, context);
  const tenant = findTenant(context.reader as StateReader, tenantSegment);
  if (tenant === undefined) {
    return aadError(400, "invalid_request", 90002, `Tenant '${tenantSegment}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`);
  }
  const inTenant: IdentityContext = { ...context, tenantId: tenant.tenantId };
  const route = rest.join("/").toLowerCase();
  if (method === "GET" && route === "v2.0/.well-known/openid-configuration") return { status: 200, body: openIdConfiguration(inTenant, true) };
  if (method === "GET" && route === ".well-known/openid-configuration") return { status: 200, body: openIdConfiguration(inTenant, false) };
  if (method === "GET" && (route === "discovery/v2.0/keys" || route === "discovery/keys")) return { status: 200, body: context.signer.jwks() };
  if (method === "POST" && (route === "oauth2/v2.0/token" || route === "oauth2/token")) {
    return issueToken(new URLSearchParams(rawBody), headers, inTenant, route === "oauth2/token");
  }
  return aadError(404, "invalid_request", 90100, `The endpoint '${path}' is not served by the emulator.`);
}

function issueToken(form: URLSearchParams, headers: Record<string, string | string[] | undefined>, context: IdentityContext, v1: boolean): IdentityResponse {
  let clientId = form.get("client_id") ?? undefined;
  let clientSecret = form.get("client_secret") ?? undefined;
  const authorization = headers["authorization"];
  if (typeof authorization === "string" && authorization.toLowerCase().startsWith("basic ")) {
    const [id, secret] = Buffer.from(authorization.slice(6), "base64").toString("utf8").split(":");
    clientId ??= decodeURIComponent(id);
    clientSecret ??= decodeURIComponent(secret ?? "");
  }
  if (form.get("grant_type") !== "client_credentials") {
    return aadError(400, "unsupported_grant_type", 70003, `The app requested an unsupported grant type '${form.get("grant_type") ?? ""}'. The emulator supports client_credentials.`);
  }
  if (clientId === undefined) return aadError(400, "invalid_request", 900144, "The request body must contain the following parameter: 'client_id'.");
  const principal = findPrincipalByClientId(context.reader, clientId);
  if (principal === undefined || !principalInTenant(principal, context.tenantId)) {
    // The app has no service principal in this tenant: nobody consented to it there.
    return aadError(
      400,
      "unauthorized_client",
      700016,
      `Application with identifier '${clientId}' was not found in the directory '${context.tenantId}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`,
    );
  }
  if ((principal.consentMissingIn ?? []).some((tenant) => tenant.toLowerCase() === context.tenantId.toLowerCase())) {
    return aadError(
      400,
      "invalid_grant",
      65001,
      `The user or administrator has not consented to use the application with ID '${clientId}' named '${principal.name}'. Send an interactive authorization request for this user and resource.`,
    );
  }
  if (clientSecret === undefined) {
    return aadError(401, "invalid_client", 7000218, "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.");
  }
  if (clientSecret !== principal.clientSecret) {
    return aadError(
      401,
      "invalid_client",
      7000215,
      `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${clientId}'.`,
    );
  }
  const scope = v1 ? `${form.get("resource") ?? ""}/.default` : (form.get("scope") ?? "");
  const audience = audienceForScope(scope, context.endpoint);
  if (audience === undefined) {
    return aadError(
      400,
      "invalid_scope",
      70011,
      `The provided request must include a 'scope' input parameter. The provided value for the input parameter 'scope' is not valid. The scope '${scope}' is not valid.`,
    );
  }
  const token = issueAccessToken(context, principal.name, principal.clientId, principal.objectId, audience, TOKEN_LIFETIME_SECONDS);
  return {
    status: 200,
    body: v1
      ? {
          token_type: "Bearer",
          expires_in: String(TOKEN_LIFETIME_SECONDS),
          ext_expires_in: String(TOKEN_LIFETIME_SECONDS),
          expires_on: String(Math.floor(Date.now() / 1000) + TOKEN_LIFETIME_SECONDS),
          resource: audience,
          access_token: token,
        }
      : { token_type: "Bearer", expires_in: TOKEN_LIFETIME_SECONDS, ext_expires_in: TOKEN_LIFETIME_SECONDS, access_token: token },
  };
}

export function issueAccessToken(
  context: Pick<IdentityContext, "signer" | "authorityHost" | "tenantId">,
  name: string,
  clientId: string,
  objectId: string,
  audience: string,
  lifetimeSeconds: number,
): string {
  return context.signer.issue(
    {
      aud: audience,
      iss: `${context.authorityHost}/${context.tenantId}/v2.0`,
      appid: clientId,
      azp: clientId,
      oid: objectId,
      sub: objectId,
      tid: context.tenantId,
      app_displayname: name,
    },
    lifetimeSeconds,
  );
}
