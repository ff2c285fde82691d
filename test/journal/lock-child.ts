// One contender for a resource lock, run as its own process by lock.test.ts.
// Usage: node --experimental-strip-types --import ./test/helpers/register-ts.mjs test/journal/lock-child.ts <stateDir> <resourceId> <markerFile>
// Inside the lock it creates <markerFile> with O_EXCL: if another holder is inside too, that fails and it prints OVERLAP.
import { open, unlink } from "node:fs/promises";
import { withResourceLock } from "../../src/journal/lock.js";

const [stateDir, resourceId, marker] = process.argv.slice(2) as [string, string, string];
await withResourceLock({ stateDir, resourceId, timeoutMs: 120_000, onStale: (message) => process.stdout.write(`STALE ${message}\n`) }, async () => {
  try {
    const handle = await open(marker, "wx");
    await handle.close();
  } catch {
    process.stdout.write("OVERLAP\n");
    return;
  }
  // Stay inside long enough for the other contenders to try their takeover.
  await new Promise((resolve) => setTimeout(resolve, 50));
  await unlink(marker);
});
process.stdout.write("DONE\n");
