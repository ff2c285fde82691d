// npm run bench: every benchmark, one after the other. Needs the build (npm run build).
import { execFileSync } from "node:child_process";

for (const script of ["bench/cli.mjs", "bench/check.mjs", "bench/engines.mjs"]) {
  console.log(`\n## node ${script}\n`);
  execFileSync(process.execPath, [script], { stdio: "inherit" });
}
