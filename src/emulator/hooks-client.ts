// A client for the emulator's /_emulator/ test hooks, usable in-process or from another process
// given the endpoint and the CA certificate (PEM).
import { request as httpsRequest } from "node:https";
import type { FaultSpec, RequestLogEntry } from "./faults.js";
import type { HoldSpec, HoldState } from "./holds.js";
import type { RoleSpec } from "./rbac.js";
import type { SeedDocument } from "./seed.js";

export type { FaultSpec, RequestLogEntry } from "./faults.js";

export class EmulatorHooksClient {
  readonly endpoint: string;
  private readonly ca: string;

  private readonly hookToken: string | undefined;

  /** `hookToken` is connection.json's `hookToken`; omit it only for an emulator started with --open-hooks. */
  constructor(endpoint: string, caPem: string, hookToken?: string) {
    this.endpoint = endpoint.replace(/\/+$/, "");
    this.ca = caPem;
    this.hookToken = hookToken;
  }

  private call(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
    const url = new URL(`${this.endpoint}/_emulator/${path}`);
    const payload = body === undefined ? undefined : JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const request = httpsRequest(
        url,
        {
          method,
          ca: this.ca,
          agent: false,
          headers: {
            ...(this.hookToken === undefined ? {} : { "x-emulator-hook-token": this.hookToken }),
            ...(payload === undefined ? {} : { "content-type": "application/json", "content-length": Buffer.byteLength(payload) }),
          },
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on("data", (chunk: Buffer) => chunks.push(chunk));
          response.on("end", () => {
            const text = Buffer.concat(chunks).toString("utf8");
            const parsed = text === "" ? undefined : JSON.parse(text);
            const status = response.statusCode ?? 0;
            if (status >= 400 && status !== 404) {
              reject(new Error(`Emulator hook ${method} ${path} failed (${status}): ${parsed?.error?.message ?? text}`));
              return;
            }
            resolve({ status, body: parsed });
          });
          response.on("error", reject);
        },
      );
      request.on("error", reject);
      request.end(payload);
    });
  }

  private async expectOk(method: string, path: string, body?: unknown): Promise<any> {
    const result = await this.call(method, path, body);
    if (result.status === 404) throw new Error(`Emulator hook ${method} ${path}: ${result.body?.error?.message ?? "not found"}`);
    return result.body;
  }

  /** ARM requests since the last reset (not hooks, not token calls). */
  async requests(): Promise<RequestLogEntry[]> {
    return (await this.expectOk("GET", "requests")).value;
  }

  /** The emulator's own work counters (records visited by list calls since start). */
  async stats(): Promise<{ recordsVisited: number }> {
    return this.expectOk("GET", "stats");
  }

  async resetRequests(): Promise<void> {
    await this.expectOk("DELETE", "requests");
  }

  /** Non-GET ARM requests. */
  async writes(): Promise<RequestLogEntry[]> {
    // Policy Insights queries are POSTs to .../queryResults that only read.
    return (await this.requests()).filter((entry) => entry.method !== "GET" && !/\/queryResults$/i.test(entry.path));
  }

  async injectFault(fault: FaultSpec): Promise<void> {
    await this.expectOk("POST", "faults", fault);
  }

  async clearFaults(): Promise<void> {
    await this.expectOk("DELETE", "faults");
  }

  /** Adds everything in `doc` to the current state in one durable batch. */
  /** Holds the next `count` (default 1) matching ARM requests before they are processed; returns the hold's id. */
  async hold(spec: HoldSpec): Promise<string> {
    return (await this.expectOk("POST", "holds", spec)).id;
  }

  /** The requests a hold has held so far (method, path, JSON body) and whether it was released. */
  async holdState(id: string): Promise<HoldState> {
    return this.expectOk("GET", `holds/${encodeURIComponent(id)}`);
  }

  /** Waits until the hold has held `count` requests (default 1): a condition, not a time. */
  async waitUntilHeld(id: string, count = 1): Promise<HoldState> {
    for (;;) {
      const state = await this.holdState(id);
      if (state.held.length >= count) return state;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /** Lets the held requests go on (and ends the hold). */
  async release(id: string): Promise<void> {
    await this.expectOk("POST", `holds/${encodeURIComponent(id)}/release`);
  }

  async seed(doc: SeedDocument): Promise<void> {
    await this.expectOk("POST", "seed", doc);
  }

  async getClock(): Promise<Date> {
    return new Date((await this.expectOk("GET", "clock")).now);
  }

  async setClock(date: Date): Promise<void> {
    await this.expectOk("PUT", "clock", { now: date.toISOString() });
  }

  async advanceClock(ms: number): Promise<void> {
    await this.expectOk("POST", "clock/advance", { ms });
  }

  async addRoleAssignment(assignment: { principal: string; role: RoleSpec; scope: string }): Promise<void> {
    await this.expectOk("POST", "role-assignments", assignment);
  }

  async removeRoleAssignments(principalName: string): Promise<void> {
    await this.expectOk("DELETE", `role-assignments/${encodeURIComponent(principalName)}`);
  }

  /** The raw stored ARM JSON of a resource, or undefined. */
  async getResource(id: string): Promise<any | undefined> {
    const result = await this.call("GET", `resources?id=${encodeURIComponent(id)}`);
    return result.status === 404 ? undefined : result.body;
  }

  /** Raw stored ARM JSON of every resource of a type, e.g. Microsoft.Authorization/policyAssignments. */
  async listResources(type?: string): Promise<any[]> {
    if (type === undefined) {
      const types = [
        "Microsoft.Management/managementGroups",
        "Microsoft.Resources/subscriptions",
        "Microsoft.Resources/resourceGroups",
        "Microsoft.ContainerService/managedClusters",
        "Microsoft.Authorization/policyDefinitions",
        "Microsoft.Authorization/policySetDefinitions",
        "Microsoft.Authorization/policyAssignments",
        "Microsoft.Authorization/policyExemptions",
      ];
      return (await Promise.all(types.map((item) => this.listResources(item)))).flat();
    }
    return (await this.expectOk("GET", `resources?type=${encodeURIComponent(type)}`)).value;
  }

  /** Resource Graph throttling: `queries` per `windowMs` per principal (the service: 15 per 5 s). */
  async setResourceGraphQuota(quota: { queries: number; windowMs: number }): Promise<void> {
    await this.expectOk("PUT", "resource-graph/quota", quota);
  }

  async setLatency(ms: number): Promise<void> {
    await this.expectOk("PUT", "latency", { ms });
  }

  /** Mints an access token for a principal; a negative lifetime gives an expired token. */
  async issueToken(principal: string, options: { expiresInSeconds?: number; audience?: string; tenantId?: string } = {}): Promise<string> {
    return (await this.expectOk("POST", "tokens", { principal, ...options })).accessToken;
  }
}
