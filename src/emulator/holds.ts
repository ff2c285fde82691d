// Holds (test hooks): the next N ARM requests matching a method and a path pattern wait, before the
// emulator processes them, until the test releases them. With them a test sets the order in which
// concurrent requests land (one writer's PUT after another's whole edit) instead of hoping that a
// latency makes it likely. Documented in the README section The ARM emulator.

export interface HoldSpec {
  method?: string;
  /** Regular expression, case-insensitive, matched against the normalized path. */
  pathPattern: string;
  /** How many matching requests to hold (default 1); later ones pass. */
  count?: number;
}

/** A request waiting in a hold: what a test needs to tell the contenders apart. */
export interface HeldRequest {
  method: string;
  path: string;
  body: unknown;
}

export interface HoldState {
  id: string;
  /** Requests held so far (waiting, or let go by a release). */
  held: HeldRequest[];
  released: boolean;
}

interface ActiveHold {
  id: string;
  spec: HoldSpec;
  pattern: RegExp;
  remaining: number;
  held: HeldRequest[];
  released: boolean;
  waiters: Array<() => void>;
}

export class RequestHolds {
  private readonly holds = new Map<string, ActiveHold>();
  private next = 1;

  add(spec: HoldSpec): string {
    const count = spec.count ?? 1;
    if (!Number.isInteger(count) || count < 1) throw new Error("count must be a positive integer");
    if (typeof spec.pathPattern !== "string") throw new Error("pathPattern must be a regular expression (string)");
    const id = `hold-${this.next++}`;
    this.holds.set(id, { id, spec, pattern: new RegExp(spec.pathPattern, "i"), remaining: count, held: [], released: false, waiters: [] });
    return id;
  }

  state(id: string): HoldState | undefined {
    const hold = this.holds.get(id);
    return hold && { id, held: [...hold.held], released: hold.released };
  }

  /** Lets every request the hold has (and would have) held go, and ends the hold. */
  release(id: string): boolean {
    const hold = this.holds.get(id);
    if (!hold) return false;
    hold.released = true;
    hold.remaining = 0;
    for (const wake of hold.waiters.splice(0)) wake();
    return true;
  }

  /** Releases every hold (the emulator closes, or a test resets). */
  releaseAll(): void {
    for (const id of this.holds.keys()) this.release(id);
  }

  /** Waits while a hold matches this request; resolves at once when none does. */
  wait(method: string, path: string, body: unknown): Promise<void> {
    for (const hold of this.holds.values()) {
      if (hold.remaining === 0) continue;
      if (hold.spec.method !== undefined && hold.spec.method.toUpperCase() !== method) continue;
      if (!hold.pattern.test(path)) continue;
      hold.remaining -= 1;
      hold.held.push({ method, path, body });
      return new Promise((resolve) => hold.waiters.push(resolve));
    }
    return Promise.resolve();
  }
}
