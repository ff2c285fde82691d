import { describe, expect, it } from "vitest";
import { isConflict, isForbidden, isNotFound, isPreconditionFailed, statusOf } from "../../src/azure/arm-errors.js";

/** An SDK RestError as the generated clients throw it: status, ARM's code, and the response body. */
function restError(statusCode: number, code?: string): unknown {
  const body = code ? JSON.stringify({ error: { code, message: `${code}.` } }) : undefined;
  return Object.assign(new Error(`${statusCode}`), { name: "RestError", statusCode, code, response: { bodyAsText: body } });
}

describe("ARM error predicates (src/azure/arm-errors.ts): what the code branches on", () => {
  it.each([
    ["404 ResourceNotFound", restError(404, "ResourceNotFound"), true],
    ["404 PolicyAssignmentNotFound", restError(404, "PolicyAssignmentNotFound"), true],
    ["404 without a body", restError(404), true],
    ["404 InvalidResourceType (an api-version the cloud does not serve, not a missing resource)", restError(404, "InvalidResourceType"), false],
    ["403 AuthorizationFailed", restError(403, "AuthorizationFailed"), false],
    ["a network error", Object.assign(new Error("ECONNREFUSED"), { code: "ECONNREFUSED" }), false],
    ["not an error", undefined, false],
  ])("isNotFound: %s -> %s", (_name, error, expected) => {
    expect(isNotFound(error)).toBe(expected);
  });

  it("isForbidden: 403; 401 only when the caller counts a refused token as a refusal", () => {
    expect(isForbidden(restError(403, "AuthorizationFailed"))).toBe(true);
    expect(isForbidden(restError(401, "InvalidAuthenticationToken"))).toBe(false);
    expect(isForbidden(restError(401, "InvalidAuthenticationToken"), { unauthenticated: true })).toBe(true);
    expect(isForbidden(restError(404, "ResourceNotFound"), { unauthenticated: true })).toBe(false);
  });

  it("isConflict: 409 and 412; isPreconditionFailed: 412 only (a stale If-Match ETag)", () => {
    expect([409, 412, 400, 404].map((status) => isConflict(restError(status)))).toEqual([true, true, false, false]);
    expect([409, 412].map((status) => isPreconditionFailed(restError(status)))).toEqual([false, true]);
  });

  it("statusOf reads the status of SDK errors only", () => {
    expect(statusOf(restError(429, "TooManyRequests"))).toBe(429);
    expect(statusOf(new Error("plain"))).toBeUndefined();
    expect(statusOf({ statusCode: "404" })).toBeUndefined();
  });
});
