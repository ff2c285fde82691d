import { createHash } from "node:crypto";
import { mkdir, open, readFile, rename, unlink } from "node:fs/promises";
import { hostname } from "node:os";
import { join } from "node:path";
import { ConflictError } from "../cli/errors.js";
import { normalizeId } from "../azure/ids.js";

/**
 * Serializes edits of one resource on one machine. The lock is a file created with O_EXCL holding
 * the owner's pid; a lock whose owner process is dead (same host) is taken over. ARM has no ETag for
 * assignments, so this plus read-verify-retry is what keeps concurrent akspol runs from losing edits.
 */
export interface LockOptions {
  stateDir: string;
  resourceId: string;
  timeoutMs?: number;
  onWait?: (owner: LockOwner) => void;
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

async function readOwner(file: string): Promise<LockOwner | undefined> {
  try {
    return JSON.parse(await readFile(file, "utf8")) as LockOwner;
  } catch {
    return undefined;
  }
}

export async function withResourceLock<T>(options: LockOptions, fn: () => Promise<T>): Promise<T> {
  const dir = join(options.stateDir, "locks");
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const key = createHash("sha256").update(normalizeId(options.resourceId)).digest("hex").slice(0, 32);
  const file = join(dir, `${key}.lock`);
  const me: LockOwner = { pid: process.pid, host: hostname(), time: new Date().toISOString(), resourceId: options.resourceId };
  const deadline = Date.now() + (options.timeoutMs ?? 120_000);
  let announced = false;
  for (let attempt = 0; ; attempt += 1) {
    try {
      const handle = await open(file, "wx", 0o600);
      try {
        await handle.writeFile(JSON.stringify(me));
        await handle.sync();
      } finally {
        await handle.close();
      }
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const owner = await readOwner(file);
      if (owner && owner.host === me.host && !isAlive(owner.pid)) {
        // Take over a dead owner's lock: rename first so only one waiter wins the takeover.
        const stale = `${file}.stale-${process.pid}-${attempt}`;
        try {
          await rename(file, stale);
          await unlink(stale);
        } catch {
          // another waiter took it over first
        }
        continue;
      }
      if (Date.now() > deadline) {
        throw new ConflictError(`Another akspol process (pid ${owner?.pid ?? "?"}) holds the lock for ${options.resourceId}.`, {
          suggestion: `Wait for it to finish; if no akspol is running, delete ${file}.`,
        });
      }
      if (!announced && owner) {
        options.onWait?.(owner);
        announced = true;
      }
      await new Promise((resolve) => setTimeout(resolve, 25 + Math.random() * 75));
    }
  }
  try {
    return await fn();
  } finally {
    const owner = await readOwner(file);
    if (owner?.pid === process.pid) await unlink(file).catch(() => undefined);
  }
}
