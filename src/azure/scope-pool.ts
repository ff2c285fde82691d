/**
 * One bounded pool for every read that spans several scopes (subscriptions, management groups,
 * tenants). A scope that answers 401/403/404/409, a server error or a network failure after the SDK's
 * retries is recorded as a failure and the read goes on with the others (docs/issues/11.md: one unregistered
 * subscription must not break a lookup in another). Failures are collected per run and reported by
 * the frame: listed in the output and turned into exit 7 (partial) or 4 (every scope refused).
 */
import { mapConcurrent } from "./concurrency.js";
import { armErrorBody } from "./arm-errors.js";
import { AuthError, PartialFailureError } from "../errors.js";

export interface ScopeFailure {
  /** The scope that could not be read: a subscription, management group or tenant id. */
  scope: string;
  /** ARM's error code (MissingSubscriptionRegistration, AuthorizationFailed, ...) or the HTTP status. */
  code: string;
  message: string;
}

interface Recorded extends ScopeFailure {
  permission: boolean;
  /** The answer was found elsewhere, so this failure does not make the result partial. */
  settled: boolean;
}

const PERMISSION_CODES = new Set(["authorizationfailed", "linkedauthorizationfailed", "invalidauthenticationtokentenant", "forbidden"]);

interface ErrorShape {
  name?: string;
  code?: string;
  statusCode?: number;
  message?: string;
  response?: { bodyAsText?: string | null };
}

function armError(error: ErrorShape): { code?: string; message?: string } {
  const body = armErrorBody(error as Parameters<typeof armErrorBody>[0]);
  return { code: body?.code ?? error.code, message: body?.message ?? error.message };
}

/**
 * Whether an error belongs to one scope (and so is reported, not fatal). A 400 (bad request, an
 * unserved api-version) and a 404 InvalidResourceType concern every scope alike: they are thrown.
 */
export function isScopeFailure(error: unknown): boolean {
  const shape = error as ErrorShape | undefined;
  if (!shape || typeof shape !== "object") return false;
  if (shape.name === "AuthenticationError" || shape.name === "AuthenticationRequiredError") return true;
  if (typeof shape.statusCode === "number") {
    const status = shape.statusCode;
    const code = armError(shape).code ?? "";
    if (status === 404 && /^(InvalidResourceType|NoRegisteredProviderFound|InvalidApiVersionParameter)$/i.test(code)) return false;
    return status === 401 || status === 403 || status === 404 || status === 409 || status === 429 || status >= 500;
  }
  return shape.name === "RestError" || shape.code === "ECONNRESET" || shape.code === "ETIMEDOUT";
}

export function describeFailure(scope: string, error: unknown): ScopeFailure & { permission: boolean } {
  const shape = error as ErrorShape;
  const { code, message } = armError(shape);
  const status = shape.statusCode;
  // Entra ID errors carry their AADSTS code in the message (consent: AADSTS65001, no app: AADSTS700016).
  const aadsts = /AADSTS\d+/.exec(message ?? "")?.[0];
  const finalCode = (status ? code : (aadsts ?? code)) ?? (status ? String(status) : (shape.name ?? "Error"));
  const firstLine = (message ?? String(error)).split("\n")[0] ?? "";
  return {
    scope,
    code: finalCode,
    message: firstLine,
    permission: status === 403 || status === 401 || PERMISSION_CODES.has(finalCode.toLowerCase()) || shape.name === "AuthenticationRequiredError" || shape.name === "AuthenticationError",
  };
}

/** The failures of one run, shared by every pool the run uses. */
export class ScopeFailures {
  private readonly recorded = new Map<string, Recorded>();
  private succeeded = 0;

  add(scope: string, error: unknown): ScopeFailure {
    const failure = describeFailure(scope, error);
    const key = scope.toLowerCase();
    if (!this.recorded.has(key)) this.recorded.set(key, { ...failure, settled: false });
    return failure;
  }

  /** A scope was read successfully (for the "every scope refused" rule). */
  succeed(): void {
    this.succeeded += 1;
  }

  /** Every failure so far, in the order they happened: for the output's "errors". */
  list(): ScopeFailure[] {
    return [...this.recorded.values()].map(({ scope, code, message }) => ({ scope, code, message }));
  }

  /** The answer was found in a scope that was read: the failures so far do not make it partial. */
  settle(): void {
    for (const failure of this.recorded.values()) failure.settled = true;
  }

  /** 0 when nothing unsettled failed; 4 when no scope could be read and each refused for permission; else 7. */
  exitCode(): 0 | 4 | 7 {
    const open = [...this.recorded.values()].filter((failure) => !failure.settled);
    if (open.length === 0) return 0;
    if (this.succeeded === 0 && open.every((failure) => failure.permission)) return 4;
    return 7;
  }

  /**
   * The answer may be in a scope that could not be read: exit 7 (or 4 when every scope refused for
   * permission), naming the scopes, instead of "not found".
   */
  unreachable(what: string): PartialFailureError | AuthError {
    const failures = this.list();
    const text = failures.map((failure) => `  ${failure.scope}: ${failure.code}: ${failure.message}`).join("\n");
    const message = `${what}; ${failures.length} scope(s) could not be read:\n${text}`;
    const suggestion = "Fix access to those scopes (register the resource provider, request a role), or narrow with --subscription.";
    return this.exitCode() === 4 ? new AuthError(message, { suggestion }) : new PartialFailureError(message, { suggestion });
  }

  get size(): number {
    return this.recorded.size;
  }
}

/**
 * Reads each item's scope with at most `limit` in flight. Scope failures are recorded in `failures`
 * and the item is left out of the result; any other error (a bug, a usage error) is thrown.
 */
export async function readScopes<T, R>(
  failures: ScopeFailures,
  items: readonly T[],
  scopeOf: (item: T) => string,
  limit: number,
  read: (item: T) => Promise<R>,
  options: { discovery?: boolean } = {},
): Promise<Array<{ item: T; value: R }>> {
  const settled = await mapConcurrent(items, limit, async (item) => {
    try {
      const value = await read(item);
      // Finding where to look (the subscriptions of a tenant) is not itself a scope that held the answer.
      if (!options.discovery) failures.succeed();
      return { ok: true as const, item, value };
    } catch (error) {
      if (!isScopeFailure(error)) throw error;
      failures.add(scopeOf(item), error);
      return { ok: false as const };
    }
  });
  return settled.flatMap((entry) => (entry.ok ? [{ item: entry.item, value: entry.value }] : []));
}
