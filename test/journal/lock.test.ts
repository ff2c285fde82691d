// The resource lock: a dead owner's lock and an empty or garbled one are taken over, by exactly
// one of several processes racing for it, and never while a live owner holds it.
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { normalizeId } from "../../src/azure/ids.js";
import { withResourceLock } from "../../src/journal/lock.js";

const resourceId = "/subscriptions/11111111-1111-4111-8111-111111111111/providers/Microsoft.Authorization/policyAssignments/pss-baseline";
const root = fileURLToPath(new URL("../../", import.meta.url));

function lockFile(stateDir: string): string {
  const key = createHash("sha256").update(normalizeId(resourceId)).digest("hex").slice(0, 32);
  mkdirSync(join(stateDir, "locks"), { recursive: true });
  return join(stateDir, "locks", `${key}.lock`);
}

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string; pid: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr, pid: child.pid ?? 0 }));
  });
}

const contender = (stateDir: string, marker: string) =>
  run(["--experimental-strip-types", "--no-warnings", "--import", "./test/helpers/register-ts.mjs", "test/journal/lock-child.ts", stateDir, resourceId, marker]);

async function race(stateDir: string, contenders: number) {
  const marker = join(stateDir, "inside");
  const results = await Promise.all(Array.from({ length: contenders }, () => contender(stateDir, marker)));
  for (const result of results) expect(result.code, result.stderr).toBe(0);
  const output = results.map((result) => result.stdout).join("");
  return { output, takeovers: output.split("\n").filter((line) => line.startsWith("STALE")) };
}

describe("resource lock takeover", () => {
  it("of several processes racing for a dead owner's lock, exactly one takes it over and they never overlap", async () => {
    const dead = await run(["-e", ""]); // a pid that has exited
    for (let round = 0; round < 3; round += 1) {
      const stateDir = mkdtempSync(join(tmpdir(), "akspol-lock-race-"));
      const file = lockFile(stateDir);
      writeFileSync(file, JSON.stringify({ pid: dead.pid, host: hostname(), time: new Date().toISOString(), resourceId }));
      const { output, takeovers } = await race(stateDir, 4);
      expect(output).not.toContain("OVERLAP");
      expect(output.match(/DONE/g)).toHaveLength(4);
      expect(takeovers).toHaveLength(1);
      expect(takeovers[0]).toContain(`its owner (pid ${dead.pid}) is no longer running`);
      expect(existsSync(file)).toBe(false);
    }
  });

  it.each([
    ["empty", "", "it is empty"],
    ["not JSON", '{"pid":', "it does not name an owner"],
  ])("treats an %s lock file as stale, with a message, instead of waiting 120 s", async (_label, content, reason) => {
    const stateDir = mkdtempSync(join(tmpdir(), "akspol-lock-empty-"));
    writeFileSync(lockFile(stateDir), content);
    const { output, takeovers } = await race(stateDir, 3);
    expect(output).not.toContain("OVERLAP");
    expect(takeovers).toHaveLength(1);
    expect(takeovers[0]).toContain(reason);
  });

  it("never takes over the lock of a live owner: the second holder waits for the first", async () => {
    const stateDir = mkdtempSync(join(tmpdir(), "akspol-lock-live-"));
    const order: string[] = [];
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let entered!: () => void;
    const inside = new Promise<void>((resolve) => (entered = resolve));
    const first = withResourceLock({ stateDir, resourceId }, async () => {
      order.push("first in");
      entered();
      await held;
      order.push("first out");
    });
    await inside;
    const second = withResourceLock(
      {
        stateDir,
        resourceId,
        onWait: () => {
          order.push("second waits");
          release();
        },
      },
      async () => {
        order.push("second in");
      },
    );
    await Promise.all([first, second]);
    expect(order).toEqual(["first in", "second waits", "first out", "second in"]);
  });
});
