// After tsc: make the entry point executable (tsc does not keep file modes) and copy the embedded
// Azure built-ins whole into dist (tsc copies only the JSON files that are imported).
import { chmodSync, cpSync, existsSync } from "node:fs";
const bin = new URL("../dist/src/bin.js", import.meta.url);
if (existsSync(bin)) chmodSync(bin, 0o755);
cpSync(new URL("../src/data/azure-builtins/", import.meta.url), new URL("../dist/src/data/azure-builtins/", import.meta.url), { recursive: true });
