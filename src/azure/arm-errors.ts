import type { PipelinePolicy, PipelineRequest } from "@azure/core-rest-pipeline";

/**
 * The generated SDKs' paged operations throw "Pagination failed with unexpected statusCode 409" and
 * drop ARM's error body (they keep only the request). This policy remembers the body of each failed
 * response by its request, so an error can still name ARM's code and message.
 */
const bodies = new WeakMap<object, string>();

export const errorBodyPolicy: PipelinePolicy = {
  name: "akspolErrorBodyPolicy",
  async sendRequest(request, next) {
    const response = await next(request);
    if (response.status >= 400 && typeof response.bodyAsText === "string") bodies.set(request, response.bodyAsText);
    return response;
  },
};

/** ARM's `{"error":{code,message}}` for an SDK error, when its response could be read. */
export function armErrorBody(error: { request?: PipelineRequest | object; response?: { bodyAsText?: string | null } }): { code?: string; message?: string } | undefined {
  const text = error.response?.bodyAsText ?? (error.request ? bodies.get(error.request) : undefined);
  if (!text) return undefined;
  try {
    return (JSON.parse(text) as { error?: { code?: string; message?: string } }).error;
  } catch {
    return undefined;
  }
}

type ErrorLike = { statusCode?: number; code?: string; message?: string; request?: PipelineRequest | object; response?: { bodyAsText?: string | null } };

/** ARM's error code of an SDK error (from the body when the SDK replaced it). */
export function armErrorCode(error: unknown): string | undefined {
  const shape = error as ErrorLike | undefined;
  if (!shape || typeof shape !== "object") return undefined;
  return armErrorBody(shape)?.code ?? shape.code;
}

/**
 * Codes with which ARM refuses an api-version a cloud does not serve: 404 InvalidResourceType from
 * ARM's front door, 400 NoRegisteredProviderFound from resource-provider types such as managed
 * clusters, 400 InvalidApiVersionParameter from Microsoft.Resources.
 */
const UNSERVED_VERSION = /^(InvalidResourceType|NoRegisteredProviderFound|InvalidApiVersionParameter)$/i;

/** The HTTP status of an SDK or REST error (undefined for errors that never reached ARM). */
export function statusOf(error: unknown): number | undefined {
  const status = (error as ErrorLike | undefined)?.statusCode;
  return typeof status === "number" ? status : undefined;
}

/** A 404 that means the resource does not exist (not an unserved api-version or a missing route). */
export function isNotFound(error: unknown): boolean {
  if (statusOf(error) !== 404) return false;
  return !UNSERVED_VERSION.test(armErrorCode(error) ?? "");
}

/**
 * ARM refused the caller: 403 (AuthorizationFailed and its kin). With `unauthenticated`, also 401
 * (a token the resource provider does not accept, as the management-groups API answers a
 * subscription-level principal).
 */
export function isForbidden(error: unknown, options: { unauthenticated?: boolean } = {}): boolean {
  const status = statusOf(error);
  return status === 403 || (options.unauthenticated === true && status === 401);
}

/** Another writer got there first: 409 Conflict, or 412 Precondition Failed (see isPreconditionFailed). */
export function isConflict(error: unknown): boolean {
  const status = statusOf(error);
  return status === 409 || status === 412;
}

/** 412: the If-Match ETag sent with a write no longer matches the resource (it changed since it was read). */
export function isPreconditionFailed(error: unknown): boolean {
  return statusOf(error) === 412;
}

/** The same test for a raw REST response (status as text, parsed body). */
export function isMissingResponse(status: string, body: unknown): boolean {
  if (status !== "404") return false;
  const code = (body as { error?: { code?: string } } | undefined)?.error?.code ?? "";
  return !UNSERVED_VERSION.test(code);
}

export interface UnservedApiVersion {
  /** The resource type ARM names ('policyAssignments', 'managedClusters'). */
  type?: string;
  version?: string;
  supported: string[];
}

/** Reads type, refused version and the supported list out of ARM's message, when it is one of those errors. */
export function unservedApiVersion(code: string | undefined, message: string): UnservedApiVersion | undefined {
  if (!code || !UNSERVED_VERSION.test(code)) return undefined;
  const type = /resource type '([^']+)'/i.exec(message)?.[1] ?? /for type '([^']+)'/i.exec(message)?.[1];
  const version = /api[- ]version '([^']+)'/i.exec(message)?.[1];
  const list = /supported (?:api-)?versions are '([^']+)'/i.exec(message)?.[1];
  const supported = list
    ? list
        .split(",")
        .map((item) => item.trim())
        .filter(Boolean)
    : [];
  return { type, version, supported };
}
