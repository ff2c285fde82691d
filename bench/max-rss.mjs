// Preload (node --import) that writes the process's peak resident set size in bytes to the file
// named by MAX_RSS_FILE at exit. Used to hold `check`'s memory bound on the built binary.
import { writeFileSync } from "node:fs";

process.on("exit", () => {
  if (process.env.MAX_RSS_FILE) writeFileSync(process.env.MAX_RSS_FILE, String(process.resourceUsage().maxRSS * 1024));
});
