// akspol's version, read once from package.json: --version, the User-Agent, exemption metadata and
// the audit and SARIF reports all print this one value.
import { readFileSync } from "node:fs";

function readVersion(): string {
  // From the sources this module is src/version.ts; built, dist/src/version.js: package.json is one or
  // two folders up (the published package keeps it at its root, beside dist/).
  for (const candidate of ["../package.json", "../../package.json"]) {
    let text: string;
    try {
      text = readFileSync(new URL(candidate, import.meta.url), "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") continue;
      throw error;
    }
    const manifest = JSON.parse(text) as { name?: string; version?: string };
    if (manifest.name === "akspol" && manifest.version) return manifest.version;
  }
  throw new Error("internal: akspol's package.json was not found beside its code; reinstall akspol");
}

export const version = readVersion();
