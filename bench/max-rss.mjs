// Preload (node --import) that writes the process's peak resident set size in bytes to the file
// named by MAX_RSS_FILE at exit, and its CPU time (user + system, every thread) in microseconds to
// CPU_FILE when that is set. Used to hold `check`'s memory bound on the built binary.
import { writeFileSync } from "node:fs";

process.on("exit", () => {
  const usage = process.resourceUsage();
  if (process.env.MAX_RSS_FILE) writeFileSync(process.env.MAX_RSS_FILE, String(usage.maxRSS * 1024));
  if (process.env.CPU_FILE) writeFileSync(process.env.CPU_FILE, String(usage.userCPUTime + usage.systemCPUTime));
});
