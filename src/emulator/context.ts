// What every ARM handler receives: the parsed request and the emulator's shared state.
import type { EmulatorClock } from "./clock.js";
import type { EmulatorPrincipalRecord } from "./rbac.js";
import type { Store } from "./store.js";

export interface ArmRequest {
  method: string;
  /** Normalized path (repeated slashes collapsed, no trailing slash), caller's casing. */
  path: string;
  segments: string[];
  /** Query parameters, decoded, keyed by lower-cased name (`api-version`, `$filter`, ...). */
  query: Map<string, string>;
  apiVersion: string | undefined;
  body: any;
  caller: EmulatorPrincipalRecord;
  /** The If-Match header (optimistic concurrency on resources with an eTag). */
  ifMatch?: string;
  /** The tenant the caller's token was issued in (`tid`). */
  tokenTenant?: string;
}

export interface ArmResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Durability of the change this response acknowledges; the response waits for it. */
  commit?: Promise<void>;
}

export interface EmulatorContext {
  store: Store;
  clock: EmulatorClock;
  tenantId: string;
  endpoint: string;
}
