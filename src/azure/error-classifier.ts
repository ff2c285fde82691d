import { armErrorBody, isConflict, isForbidden, unservedApiVersion, type UnservedApiVersion } from "./arm-errors.js";
import { AkspolError, AuthError, CancelledError, ConflictError, NotFoundError, UsageError } from "../errors.js";

/**
 * The error classifier: any error (ARM's REST errors, identity errors, a cancelled prompt) becomes one
 * of the typed errors of src/errors.ts, whose exit code README "Exit codes" lists. `main` prints the
 * message, the suggestion, and the raw cause only with --debug. The predicates the code branches on
 * (isNotFound, isForbidden, isConflict) are beside it in arm-errors.ts.
 */
const roleForAction = (action: string): string => {
  const lower = action.toLowerCase();
  if (lower.startsWith("microsoft.authorization/policy")) return "Resource Policy Contributor";
  if (lower.endsWith("/read")) return "Reader";
  return "a role that grants it";
};

interface RestLikeError {
  name?: string;
  message?: string;
  code?: string;
  statusCode?: number;
  request?: { url?: string; method?: string };
  response?: { headers?: { get(name: string): string | undefined }; bodyAsText?: string | null };
  details?: unknown;
}

function isRestLike(error: unknown): error is RestLikeError {
  return typeof error === "object" && error !== null && ((error as { name?: string }).name === "RestError" || typeof (error as RestLikeError).statusCode === "number");
}

/** Reads the action and scope out of ARM's AuthorizationFailed message. */
export function parseAuthorizationFailure(message: string): { action?: string; scope?: string } {
  // LinkedAuthorizationFailed names the action that IS allowed first; the missing one is on the linked scope.
  const linked = /does not have permission to perform action\(s\) '([^']+)' on the linked scope\(s\) '([^']+)'/i.exec(message);
  if (linked) return { action: linked[1], scope: linked[2] };
  const action = /action '([^']+)'/i.exec(message)?.[1];
  const scope = /scope '([^']+)'/i.exec(message)?.[1];
  return { action, scope };
}

/** The ARM error code, also for paged calls whose message the SDK replaces. */
function restErrorCode(error: RestLikeError): string | undefined {
  if (error.code && error.code !== "REQUEST_SEND_ERROR") return error.code;
  const body = error.response?.bodyAsText;
  if (body) {
    try {
      return (JSON.parse(body) as { error?: { code?: string } }).error?.code;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

function restErrorMessage(error: RestLikeError): string {
  const remembered = armErrorBody(error as Parameters<typeof armErrorBody>[0])?.message;
  if (remembered) return remembered;
  const body = error.response?.bodyAsText;
  if (body) {
    try {
      const message = (JSON.parse(body) as { error?: { message?: string } }).error?.message;
      if (message) return message;
    } catch {
      // not JSON: fall through
    }
  }
  return error.message ?? "request failed";
}

/**
 * Classifies any error into an AkspolError with the right exit code and a next step.
 * Azure SDK errors are recognised by shape and name, never by `instanceof` across packages.
 */
export function toAkspolError(error: unknown): AkspolError {
  if (error instanceof AkspolError) return error;
  const name = (error as { name?: string } | undefined)?.name;
  if (name === "ExitPromptError" || name === "AbortPromptError" || name === "AbortError") {
    return new CancelledError();
  }
  if (name === "ParameterValueError") {
    // src/policy/parameter-values.ts: a value its declaration does not allow; nothing was written.
    return new UsageError((error as Error).message, { suggestion: (error as { suggestion?: string }).suggestion, cause: error });
  }
  if (name === "CredentialUnavailableError") {
    return new AuthError(`No Azure sign-in is available: ${firstLine((error as Error).message)}`, {
      cause: error,
      suggestion: "Sign in with 'az login' (then akspol uses --auth cli), or choose a flow with --auth device-code|browser|service-principal|managed-identity|workload-identity.",
    });
  }
  if (name === "AggregateAuthenticationError") {
    return new AuthError("No Azure sign-in is available: none of the DefaultAzureCredential sources (environment, managed identity, Azure CLI, ...) worked.", {
      cause: error,
      suggestion:
        "Run 'az login' (or 'az login --tenant <id>'), or choose a flow: --auth device-code, --auth browser, --auth service-principal with AZURE_CLIENT_SECRET, --auth managed-identity, --auth workload-identity.",
    });
  }
  if (name === "AuthenticationError" || name === "AuthenticationRequiredError") {
    return new AuthError(`Azure sign-in failed: ${tokenEndpointError(error) ?? firstLine((error as Error).message)}`, {
      cause: error,
      suggestion: "Check --tenant, --auth and the client id/secret, or run 'az login' again.",
    });
  }
  if (isRestLike(error)) {
    const code = restErrorCode(error);
    const message = restErrorMessage(error);
    const requestId = error.response?.headers?.get("x-ms-request-id");
    const status = error.statusCode;
    const unserved = unservedApiVersion(code, message);
    if (unserved && (status === 404 || status === 400)) return unservedVersionError(unserved, message, error, requestId);
    if (code === "AuthorizationFailed" || code === "LinkedAuthorizationFailed" || isForbidden(error)) {
      const { action, scope } = parseAuthorizationFailure(message);
      const role = action ? roleForAction(action) : "Resource Policy Contributor";
      return new AuthError(action ? `Permission denied: the signed-in principal may not perform '${action}'${scope ? ` on '${scope}'` : ""}.` : `Permission denied: ${message}`, {
        cause: error,
        requestId,
        suggestion: `Ask for the built-in role '${role}' at that scope (or a custom role with the action), then run the command again.`,
      });
    }
    if (status === 401 || code === "AuthenticationFailed" || code === "InvalidAuthenticationToken" || code === "ExpiredAuthenticationToken") {
      return new AuthError(`Azure rejected the access token (${code ?? status}): ${message}`, {
        cause: error,
        requestId,
        suggestion: "Sign in again ('az login', or check --tenant and --cloud).",
      });
    }
    if (status === 404) {
      return new NotFoundError(`Not found (${code ?? 404}): ${message}`, { cause: error, requestId });
    }
    if (status === 400) {
      return new UsageError(`Azure refused the request (${code ?? 400}): ${message}`, { cause: error, requestId });
    }
    if (isConflict(error)) {
      return new ConflictError(`Conflict (${code ?? status}): ${message}`, { cause: error, requestId });
    }
    if (status === 429) {
      return new AkspolError(`Azure is throttling requests (429) and retries did not get through: ${message}`, {
        cause: error,
        requestId,
        suggestion: "Wait a minute and run the command again.",
      });
    }
    if (code === "ECONNREFUSED" || code === "ENOTFOUND" || code === "REQUEST_SEND_ERROR") {
      return new AkspolError(`Could not reach Azure Resource Manager: ${firstLine(error.message ?? "")}`, {
        cause: error,
        suggestion: "Check the network, proxy (HTTPS_PROXY) and --cloud; with --emulator, is 'akspol emulator' running?",
      });
    }
    return new AkspolError(`Azure request failed (${code ?? status ?? "error"}): ${message}`, { cause: error, requestId });
  }
  if (error instanceof Error) return new AkspolError(error.message, { cause: error });
  return new AkspolError(String(error));
}

/**
 * The token endpoint's own words: OAuth's `error` and `error_description`, from identity's
 * errorResponse or MSAL's errorCode/errorMessage (the cause), also when the body was not an OAuth
 * error (a 500's `{error: {code, message}}` printed "[object Object]").
 */
function tokenEndpointError(error: unknown): string | undefined {
  const { statusCode, errorResponse, cause } = error as {
    statusCode?: number;
    errorResponse?: { error?: unknown; errorDescription?: unknown };
    cause?: { errorCode?: unknown; errorMessage?: unknown };
  };
  const text = (value: unknown, field: "code" | "message"): string | undefined => {
    if (typeof value === "string" && value.trim()) return value;
    const inner = (value as Record<string, unknown> | undefined)?.[field];
    return typeof inner === "string" && inner.trim() ? inner : undefined;
  };
  const rawCode = errorResponse?.error ?? cause?.errorCode;
  const code = text(rawCode, "code");
  const description = text(rawCode, "message") && typeof rawCode === "object" ? text(rawCode, "message") : text(errorResponse?.errorDescription ?? cause?.errorMessage, "message");
  if (!code && !description) return undefined;
  return `the token endpoint answered${statusCode ? ` ${statusCode}` : ""}${code ? ` ${code}` : ""}${description ? `: ${firstLine(description)}` : ""}`;
}

/**
 * A cloud that does not serve the api-version akspol sent (sovereign clouds lag, README "Sovereign
 * clouds and api-versions"): a usage error naming the versions it serves and the flag that picks one.
 */
function unservedVersionError(unserved: UnservedApiVersion, message: string, cause: unknown, requestId: string | undefined): UsageError {
  const type = unserved.type ?? "this resource type";
  const newest =
    [...unserved.supported]
      .filter((version) => !version.includes("preview"))
      .sort()
      .at(-1) ?? [...unserved.supported].sort().at(-1);
  const exemptions = /policyExemptions/i.test(type);
  const policy = /^policy(Assignments|Definitions|SetDefinitions)/i.test(type);
  const flag = exemptions ? "--exemptions-api-version" : policy ? "--api-version" : undefined;
  const served = unserved.supported.length ? ` (it serves: ${unserved.supported.join(", ")})` : "";
  return new UsageError(`This cloud does not serve api-version ${unserved.version ?? "?"} for ${type}${served}.`, {
    cause,
    requestId,
    suggestion: flag ? `Pass ${flag} ${newest ?? "<a version it serves>"} (README "Sovereign clouds and api-versions").` : `akspol has no override for ${type}; ARM said: ${firstLine(message)}`,
  });
}

function firstLine(text: string): string {
  return text.split("\n")[0] ?? text;
}
