// Preloaded into a benchmarked akspol process (NODE_OPTIONS=--require): writes its peak resident set
// size in bytes to $AKSPOL_BENCH_RSS_FILE when it exits.
const { writeFileSync } = require("node:fs");
process.on("exit", () => {
  if (process.env.AKSPOL_BENCH_RSS_FILE) writeFileSync(process.env.AKSPOL_BENCH_RSS_FILE, String(process.resourceUsage().maxRSS * 1024));
});
