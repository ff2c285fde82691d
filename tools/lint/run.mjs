// `npm run lint` and `npm run format:check`: ESLint and Prettier from tools/lint (its own package, see
// package.json there), installed with `npm ci` on first use and again when its lock file changes.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import { fileURLToPath } from "node:url";

const here = fileURLToPath(new URL(".", import.meta.url));
const root = fileURLToPath(new URL("../../", import.meta.url));
const installed = `${here}node_modules/.package-lock.json`;
const stale = !existsSync(installed) || statSync(`${here}package-lock.json`).mtimeMs > statSync(installed).mtimeMs;
if (stale) execFileSync("npm", ["ci", "--prefix", here, "--no-audit", "--no-fund", "--loglevel=error"], { stdio: "inherit" });

const tool = process.argv[2];
const args = process.argv.slice(3);
const commands = {
  eslint: [`${here}node_modules/eslint/bin/eslint.js`, "--config", `${here}eslint.config.mjs`, ...args],
  prettier: [`${here}node_modules/prettier/bin/prettier.cjs`, ...args],
};
if (!(tool in commands)) {
  console.error(`usage: node tools/lint/run.mjs eslint|prettier [args...]`);
  process.exit(2);
}
const result = spawnSync(process.execPath, commands[tool], { cwd: root, stdio: "inherit" });
process.exit(result.status ?? 1);
