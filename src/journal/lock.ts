import { createHash, randomBytes } from "node:crypto";
import { link, mkdir, open, readFile, unlink } from "node:fs/promises";
import { hostname } from "node:os";
import { join } from "node:path";
import { ConflictError } from "../errors.js";
import { normalizeId } from "../azure/ids.js";

/**
 * Serializes edits of one resource on one machine. The lock is a file holding the owner's pid,
 * published whole with link() (so a live owner's lock is never seen empty); a lock whose owner
 * process is dead (same host), or that is empty or unreadable (left by a crash of an older akspol,
 * or a full disk), is taken over. The takeover itself is guarded by a second file published the same
 * way, so of several waiters exactly one removes the stale lock and a fresh lock is never removed.
 * ARM has no ETag for assignments, so this plus read-verify-retry is what keeps concurrent akspol
 * runs on one machine from losing edits.
 */
export interface LockOptions {
  stateDir: string;
  resourceId: string;
  timeoutMs?: number;
  onWait?: (owner: LockOwner) => void;
  /** Told when a stale lock is taken over (why, and the file). */
  onStale?: (message: string) => void;
}

export interface LockOwner {
  pid: number;
  host: string;
  time: string;
  resourceId: string;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

type LockState = { kind: "missing" } | { kind: "owned"; raw: string; owner: LockOwner } | { kind: "unreadable"; raw: string; why: string };

async function inspect(file: string): Promise<LockState> {
  let raw: string;
  try {
    raw = await readFile(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return { kind: "missing" };
    return { kind: "unreadable", raw: "", why: `cannot be read (${code ?? "error"})` };
  }
  if (raw.trim() === "") return { kind: "unreadable", raw, why: "is empty" };
  try {
    const owner = JSON.parse(raw) as LockOwner;
    if (typeof owner?.pid === "number" && typeof owner.host === "string") return { kind: "owned", raw, owner };
  } catch {
    // fall through
  }
  return { kind: "unreadable", raw, why: "does not name an owner" };
}

/** Why a lock in this state may be taken over, or undefined while its owner may still be alive. */
function staleReason(state: LockState, host: string): string | undefined {
  if (state.kind === "unreadable") return `it ${state.why}`;
  if (state.kind === "owned" && state.owner.host === host && !isAlive(state.owner.pid)) return `its owner (pid ${state.owner.pid}) is no longer running`;
  return undefined;
}

/** Creates `file` holding `content`, atomically and only if it does not exist; false when it exists. */
async function publish(file: string, content: string): Promise<boolean> {
  const temp = `${file}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
  const handle = await open(temp, "wx", 0o600);
  try {
    await handle.writeFile(content);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await link(temp, file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw error;
  } finally {
    await unlink(temp).catch(() => undefined);
  }
}

/**
 * Removes a stale lock if it still holds exactly what was judged stale. Only the waiter that
 * publishes the takeover guard does it; a guard left by a dead waiter is itself stale.
 */
async function takeOver(file: string, stale: LockState, me: string, host: string): Promise<boolean> {
  const guard = `${file}.takeover`;
  if (!(await publish(guard, me))) {
    const guardState = await inspect(guard);
    if (guardState.kind === "owned" && staleReason(guardState, host) !== undefined) {
      // The waiter that was taking over died; its guard names it, so removing it cannot hurt a live one.
      const again = await inspect(guard);
      if (again.kind === "owned" && again.raw === guardState.raw) await unlink(guard).catch(() => undefined);
    }
    return false;
  }
  try {
    const now = await inspect(file);
    if (now.kind !== stale.kind || (now.kind !== "missing" && now.raw !== (stale as { raw: string }).raw)) return false;
    await unlink(file).catch(() => undefined);
    return true;
  } finally {
    await unlink(guard).catch(() => undefined);
  }
}

const pause = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 25 + Math.random() * 75));

export async function withResourceLock<T>(options: LockOptions, fn: () => Promise<T>): Promise<T> {
  const dir = join(options.stateDir, "locks");
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const key = createHash("sha256").update(normalizeId(options.resourceId)).digest("hex").slice(0, 32);
  const file = join(dir, `${key}.lock`);
  const host = hostname();
  const me: LockOwner = { pid: process.pid, host, time: new Date().toISOString(), resourceId: options.resourceId };
  const mine = JSON.stringify(me);
  const deadline = Date.now() + (options.timeoutMs ?? 120_000);
  let announced = false;
  for (;;) {
    if (await publish(file, mine)) break;
    const state = await inspect(file);
    if (state.kind === "missing") continue;
    const stale = staleReason(state, host);
    if (stale !== undefined) {
      if (await takeOver(file, state, mine, host)) options.onStale?.(`Took over the lock for ${options.resourceId}: ${stale} (${file}).`);
      else await pause();
      continue;
    }
    const owner = state.kind === "owned" ? state.owner : undefined;
    if (Date.now() > deadline) {
      throw new ConflictError(`Another akspol process (pid ${owner?.pid ?? "?"}${owner && owner.host !== host ? ` on ${owner.host}` : ""}) holds the lock for ${options.resourceId}.`, {
        suggestion: `Wait for it to finish; if no akspol is running, delete ${file}.`,
      });
    }
    if (!announced && owner) {
      options.onWait?.(owner);
      announced = true;
    }
    await pause();
  }
  try {
    return await fn();
  } finally {
    const state = await inspect(file);
    if (state.kind === "owned" && state.raw === mine) await unlink(file).catch(() => undefined);
  }
}
