// Tests state the ARM requests a command sends, not how long it takes: expectRequests compares the
// emulator's request log with the list a test expects, as GitHub CLI's httpmock Verify does, and
// fails naming every expected request that was not sent and every request that was not expected.
import { expect } from "vitest";
import type { EmulatorHooksClient, RequestLogEntry } from "../../src/emulator/hooks-client.js";

export interface ExpectedRequest {
  method: "GET" | "PUT" | "PATCH" | "DELETE" | "POST";
  /** The ARM path (compared case-insensitively, without the query), or a pattern for it. */
  path: string | RegExp;
  /** How many such requests (default 1). */
  times?: number;
}

function matches(entry: Pick<RequestLogEntry, "method" | "path">, expected: ExpectedRequest): boolean {
  if (entry.method.toUpperCase() !== expected.method) return false;
  return typeof expected.path === "string" ? entry.path.toLowerCase() === expected.path.toLowerCase() : expected.path.test(entry.path);
}

function describeExpected(expected: ExpectedRequest): string {
  return `${expected.method} ${String(expected.path)}`;
}

/**
 * The requests in the log, matched against the expected ones in any order (concurrent requests
 * arrive in any order): returns what is missing and what was not expected. Pure, for its own test.
 */
export function compareRequests(log: ReadonlyArray<Pick<RequestLogEntry, "method" | "path">>, expected: readonly ExpectedRequest[]): { missing: string[]; unexpected: string[] } {
  const remaining = [...log];
  const missing: string[] = [];
  for (const wanted of expected) {
    for (let time = 0; time < (wanted.times ?? 1); time += 1) {
      const index = remaining.findIndex((entry) => matches(entry, wanted));
      if (index === -1) missing.push(describeExpected(wanted));
      else remaining.splice(index, 1);
    }
  }
  return { missing, unexpected: remaining.map((entry) => `${entry.method} ${entry.path}`) };
}

/**
 * Fails unless the emulator received exactly the expected ARM requests since its log was last reset
 * (hooks and token requests are not in the log). Resets the log afterwards, so the next step of a
 * test states its own requests.
 */
export async function expectRequests(emulator: { hooks: EmulatorHooksClient }, expected: readonly ExpectedRequest[]): Promise<void> {
  const log = await emulator.hooks.requests();
  await emulator.hooks.resetRequests();
  expect(compareRequests(log, expected), "ARM requests").toEqual({ missing: [], unexpected: [] });
}
