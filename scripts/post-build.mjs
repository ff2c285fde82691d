// After tsc: make the entry point executable (tsc does not keep file modes), copy the embedded Azure
// built-ins whole into dist (tsc copies only the JSON files that are imported), and write the command
// catalog (dist/commands/catalog.json: every command's metadata and its module), so that --help and
// argv parsing load no command module (src/cli/command-catalog.ts).
import { chmodSync, cpSync, existsSync, readdirSync, writeFileSync } from "node:fs";
import { relative } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const bin = new URL("../dist/src/bin.js", import.meta.url);
if (existsSync(bin)) chmodSync(bin, 0o755);
cpSync(new URL("../src/data/azure-builtins/", import.meta.url), new URL("../dist/src/data/azure-builtins/", import.meta.url), { recursive: true });

const commandsDir = fileURLToPath(new URL("../dist/commands/", import.meta.url));
if (existsSync(commandsDir)) {
  const { commands } = await import(pathToFileURL(`${commandsDir}index.js`).href);
  const { catalogLines, CATALOG_FILE } = await import(new URL("../dist/src/cli/command-catalog.js", import.meta.url).href);
  // Which module defines each command: the one whose default export it is.
  const moduleOf = new Map();
  for (const entry of readdirSync(commandsDir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith(".js") || entry.name === "index.js") continue;
    const path = `${entry.parentPath}/${entry.name}`;
    const exported = (await import(pathToFileURL(path).href)).default;
    if (exported && typeof exported.run === "function") moduleOf.set(exported, `./${relative(commandsDir, path)}`);
  }
  const lines = catalogLines(commands, (spec) => {
    const module = moduleOf.get(spec);
    if (!module) throw new Error(`post-build: no module under commands/ has 'akspol ${spec.path.join(" ")}' as its default export`);
    return module;
  });
  writeFileSync(`${commandsDir}${CATALOG_FILE}`, `${JSON.stringify(lines, null, 1)}\n`);
}
