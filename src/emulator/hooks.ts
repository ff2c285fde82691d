// Test hooks under /_emulator/ (loopback only; not part of ARM). Documented in the README section The ARM emulator.
import type { EmulatorClock } from "./clock.js";
import type { FaultInjector, FaultSpec, RequestLog } from "./faults.js";
import type { HoldSpec, RequestHolds } from "./holds.js";
import { issueAccessToken, type IdentityContext } from "./identity.js";
import { addRoleAssignment, principalKey, removeRoleAssignments, type EmulatorPrincipalRecord, type RoleAssignmentRecord } from "./rbac.js";
import { configureResourceGraphQuota } from "./resource-graph/handler.js";
import { keyOf, segmentsOf } from "./scopes.js";
import { stageSeed, type SeedDocument } from "./seed.js";
import type { Store } from "./store.js";

export interface HooksState {
  store: Store;
  clock: EmulatorClock;
  faults: FaultInjector;
  requestLog: RequestLog;
  holds: RequestHolds;
  tenantId: string;
  identity: () => IdentityContext;
  setLatency(ms: number): void;
}

export interface HookResponse {
  status: number;
  body?: unknown;
}

class HookError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

export function isLoopback(address: string | undefined): boolean {
  return address === "127.0.0.1" || address === "::1" || address === "::ffff:127.0.0.1" || (address?.startsWith("127.") ?? false);
}

export async function handleHook(method: string, path: string, query: URLSearchParams, body: any, state: HooksState): Promise<HookResponse> {
  try {
    return await route(method, segmentsOf(path).slice(1), query, body, state);
  } catch (error) {
    const status = error instanceof HookError ? error.status : 400;
    return { status, body: { error: { code: "EmulatorHookError", message: error instanceof Error ? error.message : String(error) } } };
  }
}

async function route(method: string, segments: string[], query: URLSearchParams, body: any, state: HooksState): Promise<HookResponse> {
  const [resource, argument, extra] = segments.map((segment) => segment.toLowerCase());
  const { store } = state;
  switch (`${method} ${resource}${argument === undefined ? "" : "/" + (resource === "role-assignments" || resource === "holds" ? "*" : argument)}${extra === undefined ? "" : "/" + extra}`) {
    case "GET requests":
      return { status: 200, body: { value: state.requestLog.all() } };
    case "DELETE requests":
      state.requestLog.reset();
      return { status: 204 };
    case "GET stats":
      // What the emulator's own work costs: records visited by list calls since start.
      return { status: 200, body: { recordsVisited: store.recordsVisited } };
    case "POST faults":
      state.faults.add(body as FaultSpec);
      return { status: 204 };
    case "DELETE faults":
      state.faults.clear();
      return { status: 204 };
    case "POST holds":
      return { status: 201, body: { id: state.holds.add(body as HoldSpec) } };
    case "GET holds/*": {
      const hold = state.holds.state(segments[1] as string);
      if (!hold) throw new HookError(404, `No hold '${segments[1]}'`);
      return { status: 200, body: hold };
    }
    case "POST holds/*/release":
      if (!state.holds.release(segments[1] as string)) throw new HookError(404, `No hold '${segments[1]}'`);
      return { status: 204 };
    case "DELETE holds":
      state.holds.releaseAll();
      return { status: 204 };
    case "POST seed": {
      const batch = store.batch();
      stageSeed(batch, body as SeedDocument, { tenantId: state.tenantId, now: state.clock.now() });
      await batch.commit();
      return { status: 204 };
    }
    case "GET clock":
      return { status: 200, body: { now: state.clock.now().toISOString() } };
    case "PUT clock": {
      const date = new Date(body?.now);
      if (Number.isNaN(date.getTime())) throw new HookError(400, "Body must be {now: ISO date}");
      await state.clock.set(date);
      return { status: 200, body: { now: state.clock.now().toISOString() } };
    }
    case "POST clock/advance": {
      if (typeof body?.ms !== "number") throw new HookError(400, "Body must be {ms: number}");
      await state.clock.advance(body.ms);
      return { status: 200, body: { now: state.clock.now().toISOString() } };
    }
    case "PUT latency":
      if (typeof body?.ms !== "number" || body.ms < 0) throw new HookError(400, "Body must be {ms: number >= 0}");
      state.setLatency(body.ms);
      return { status: 204 };
    case "PUT resource-graph/quota":
      if (typeof body?.queries !== "number" || typeof body?.windowMs !== "number") throw new HookError(400, "Body must be {queries: number, windowMs: number}");
      configureResourceGraphQuota(store, { queries: body.queries, windowMs: body.windowMs });
      return { status: 204 };
    case "POST role-assignments": {
      const assignment = body as RoleAssignmentRecord;
      if (store.get(principalKey(String(assignment?.principal))) === undefined) throw new HookError(404, `Unknown principal '${String(assignment?.principal)}'`);
      const batch = store.batch();
      addRoleAssignment(batch, assignment);
      await batch.commit();
      return { status: 204 };
    }
    case "DELETE role-assignments/*": {
      const batch = store.batch();
      const removed = removeRoleAssignments(batch, decodeURIComponent(segments[1]));
      await batch.commit();
      return { status: 200, body: { removed } };
    }
    case "GET resources": {
      const id = query.get("id");
      if (id !== null) {
        const record = store.get(keyOf(id));
        return record === undefined ? { status: 404, body: { error: { code: "NotFound", message: `No resource '${id}'` } } } : { status: 200, body: record.body };
      }
      const type = query.get("type");
      const records = type === null ? [] : store.list(type);
      return { status: 200, body: { value: records.map((record) => record.body) } };
    }
    case "POST tokens": {
      // Mints a token for a principal with any lifetime (negative = already expired), for 401 tests.
      const principal = store.get(principalKey(String(body?.principal)))?.body as EmulatorPrincipalRecord | undefined;
      if (principal === undefined) throw new HookError(404, `Unknown principal '${String(body?.principal)}'`);
      const identity = state.identity();
      const token = issueAccessToken(
        { ...identity, tenantId: body.tenantId ?? identity.tenantId },
        principal.name,
        principal.clientId,
        principal.objectId,
        body.audience ?? identity.endpoint,
        body.expiresInSeconds ?? 3599,
      );
      return { status: 200, body: { accessToken: token } };
    }
    default:
      throw new HookError(404, `No emulator hook '${method} /_emulator/${segments.join("/")}'`);
  }
}
