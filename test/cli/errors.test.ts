import { describe, expect, it } from "vitest";
import { RestError, createHttpHeaders } from "@azure/core-rest-pipeline";
import { AuthError, CancelledError, ConflictError, ExitCode, GateFailedError, NotFoundError, PartialFailureError, UsageError, toAkspolError } from "../../src/cli/errors.js";

function restError(status: number, code: string, message: string): RestError {
  return new RestError(message, {
    code,
    statusCode: status,
    response: {
      status,
      headers: createHttpHeaders({ "x-ms-request-id": "req-123" }),
      bodyAsText: JSON.stringify({ error: { code, message } }),
      request: {} as never,
    },
  });
}

describe("error to exit code map", () => {
  it.each([
    [new UsageError("x"), ExitCode.usage, 2],
    [new NotFoundError("x"), ExitCode.notFound, 3],
    [new AuthError("x"), ExitCode.auth, 4],
    [new ConflictError("x"), ExitCode.conflict, 5],
    [new GateFailedError("x"), ExitCode.gateFailed, 6],
    [new PartialFailureError("x"), ExitCode.partialFailure, 7],
    [new CancelledError(), ExitCode.cancelled, 130],
    [new Error("boom"), ExitCode.failure, 1],
  ])("%s exits with the documented code", (error, expected, number) => {
    expect(toAkspolError(error).exitCode).toBe(expected);
    expect(expected).toBe(number);
  });

  it("names the missing action, the scope and the role for AuthorizationFailed", () => {
    const error = toAkspolError(
      restError(
        403,
        "AuthorizationFailed",
        "The client 'reader' with object id 'abc' does not have authorization to perform action 'Microsoft.Authorization/policyAssignments/write' over scope '/subscriptions/1/providers/Microsoft.Authorization/policyAssignments/pss' or the scope is invalid.",
      ),
    );
    expect(error).toBeInstanceOf(AuthError);
    expect(error.message).toContain("Microsoft.Authorization/policyAssignments/write");
    expect(error.message).toContain("/subscriptions/1/providers/Microsoft.Authorization/policyAssignments/pss");
    expect(error.suggestion).toContain("Resource Policy Contributor");
    expect(error.requestId).toBe("req-123");
  });

  it("treats LinkedAuthorizationFailed as a permission error too", () => {
    const error = toAkspolError(
      restError(
        403,
        "LinkedAuthorizationFailed",
        "The client has permission to perform action 'Microsoft.Authorization/policyExemptions/write' on scope 'x'; however, it does not have permission to perform action 'Microsoft.Authorization/policyAssignments/exempt/action' on the linked scope(s) 'y'.",
      ),
    );
    expect(error.exitCode).toBe(4);
    expect(error.suggestion).toContain("Resource Policy Contributor");
  });

  it.each([
    [401, "ExpiredAuthenticationToken", 4],
    [404, "PolicyAssignmentNotFound", 3],
    [400, "InvalidPolicyParameters", 2],
    [409, "Conflict", 5],
    [500, "InternalServerError", 1],
    [429, "TooManyRequests", 1],
  ])("maps HTTP %i %s to exit %i", (status, code, exit) => {
    expect(toAkspolError(restError(status, code, "m")).exitCode).toBe(exit);
  });

  it("keys on the body's code for list calls whose message the SDK replaced", () => {
    const error = new RestError("Pagination failed with unexpected statusCode 404", {
      statusCode: 404,
      response: {
        status: 404,
        headers: createHttpHeaders(),
        bodyAsText: JSON.stringify({ error: { code: "ResourceGroupNotFound", message: "Resource group 'x' could not be found." } }),
        request: {} as never,
      },
    });
    const mapped = toAkspolError(error);
    expect(mapped).toBeInstanceOf(NotFoundError);
    expect(mapped.message).toContain("ResourceGroupNotFound");
    expect(mapped.message).toContain("Resource group 'x' could not be found.");
  });

  it("says which sign-in to run when no credential is available", () => {
    const unavailable = Object.assign(new Error("Azure CLI could not be found."), { name: "CredentialUnavailableError" });
    const mapped = toAkspolError(unavailable);
    expect(mapped.exitCode).toBe(4);
    expect(mapped.suggestion).toContain("az login");
    const aggregate = Object.assign(new Error("ChainedTokenCredential authentication failed."), { name: "AggregateAuthenticationError" });
    expect(toAkspolError(aggregate).suggestion).toContain("az login");
  });

  it("turns a prompt's Ctrl+C into a cancellation", () => {
    expect(toAkspolError(Object.assign(new Error("x"), { name: "ExitPromptError" })).exitCode).toBe(130);
  });
});
