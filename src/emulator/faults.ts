// Fault injection for the next N requests matching a method and a path pattern (test hooks).

/**
 * "expired-token": ARM's 401 ExpiredAuthenticationToken (a token that expired mid-run).
 * "hold": the request is processed and committed, then its response is withheld for latencyMs
 * (default 10 minutes): a write that landed while the client is still waiting, for kill tests.
 */
export type FaultKind = "429" | "503" | "500" | "drop" | "latency" | "expired-token" | "hold";

export interface FaultSpec {
  method?: string;
  /** Regular expression, case-insensitive, matched against the normalized path. */
  pathPattern: string;
  count: number;
  kind: FaultKind;
  retryAfterSeconds?: number;
  retryAfterMs?: number;
  latencyMs?: number;
}

interface ActiveFault {
  spec: FaultSpec;
  pattern: RegExp;
  remaining: number;
}

export class FaultInjector {
  private faults: ActiveFault[] = [];

  add(spec: FaultSpec): void {
    if (!["429", "503", "500", "drop", "latency", "expired-token", "hold"].includes(spec.kind)) throw new Error(`Unknown fault kind '${spec.kind}'`);
    if (!Number.isInteger(spec.count) || spec.count < 1) throw new Error("count must be a positive integer");
    this.faults.push({ spec, pattern: new RegExp(spec.pathPattern, "i"), remaining: spec.count });
  }

  clear(): void {
    this.faults = [];
  }

  /** Takes the first fault that matches, counting it down. */
  take(method: string, path: string): FaultSpec | undefined {
    const fault = this.faults.find((candidate) => (candidate.spec.method === undefined || candidate.spec.method.toUpperCase() === method) && candidate.pattern.test(path));
    if (fault === undefined) return undefined;
    fault.remaining--;
    if (fault.remaining === 0) this.faults = this.faults.filter((candidate) => candidate !== fault);
    return fault.spec;
  }
}

export interface RequestLogEntry {
  method: string;
  path: string;
  apiVersion: string | null;
  status: number;
  durationMs: number;
  principal: string | null;
  /** Emulator clock at the start of the request (ISO). */
  time: string;
  /**
   * Real start and end of the request in ms (performance.timeOrigin + performance.now(), so monotonic
   * within one emulator process and unaffected by the emulator clock): intervals for in-flight counts.
   */
  startMs: number;
  endMs: number;
  /** Which TLS connection carried the request (numbered in accept order), to count connections. */
  connection: number;
}

/** ARM requests only (no hook or token calls), kept in memory. */
export class RequestLog {
  private entries: RequestLogEntry[] = [];
  private static readonly LIMIT = 200_000;

  add(entry: RequestLogEntry): void {
    this.entries.push(entry);
    if (this.entries.length > RequestLog.LIMIT) this.entries.splice(0, this.entries.length - RequestLog.LIMIT);
  }

  all(): RequestLogEntry[] {
    return [...this.entries];
  }

  reset(): void {
    this.entries = [];
  }
}
