import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

/**
 * The layering of docs/adding-a-command.md and CONVENTIONS.md ("Folders say what lives in them", "The
 * core knows no terminal"), checked over the source tree:
 * - only src/azure/ (ARM access, one module per resource type) and src/emulator/ (the fake service)
 *   import Azure SDK packages, even as types: everything else takes the models src/azure re-exports;
 * - nothing outside src/azure/ builds or calls an SDK client (the session's client factories);
 * - the core (src/policy, src/exemptions, src/effective, src/audit, src/workloads, src/check,
 *   src/estate, src/safeguards) imports nothing from src/cli/ nor from commands/: it returns plans and
 *   takes answers, and the interactive flows live in commands/shared/.
 */
const root = resolve(import.meta.dirname, "../..");
const mayUseSdk = ["src/azure/", "src/emulator/"];
const core = ["src/policy/", "src/exemptions/", "src/effective/", "src/audit/", "src/workloads/", "src/check/", "src/estate/", "src/safeguards/"];
/** AzureSession's factories of SDK clients (its own REST clients, exemptions() and safeguards(), are src/azure's typed modules). */
const sdkClientFactories = /\.(policyClient|containerClient|subscriptionClient|managementGroupsClient|policyInsightsClient)\s*\(/;

function sourceFiles(folder: string): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(join(root, folder), { withFileTypes: true })) {
    const path = `${folder}/${entry.name}`;
    if (entry.isDirectory()) files.push(...sourceFiles(path));
    else if (/\.ts$/.test(entry.name) && !entry.name.endsWith(".d.ts")) files.push(path);
  }
  return files;
}

/** The code without comments (a comment may name a package or a client). */
function withoutComments(text: string): string {
  return text
    .replace(/\/\*[\s\S]*?\*\//g, "")
    .split("\n")
    .filter((line) => !line.trim().startsWith("//"))
    .join("\n");
}

/** Every module a file loads: static imports and re-exports (also `import type`), dynamic import(), require(). */
function moduleSpecifiers(text: string): string[] {
  const code = withoutComments(text);
  const patterns = [/\bfrom\s*["']([^"']+)["']/g, /\bimport\s*\(\s*["']([^"']+)["']\s*\)/g, /\bimport\s+["']([^"']+)["']/g, /\brequire\s*\(\s*["']([^"']+)["']\s*\)/g];
  return patterns.flatMap((pattern) => [...code.matchAll(pattern)].map((match) => match[1] as string));
}

/** What a file may not do, by where it lives. */
function violations(file: string, text: string): string[] {
  const found: string[] = [];
  const inside = (folders: string[]) => folders.some((folder) => file.startsWith(folder));
  for (const specifier of moduleSpecifiers(text)) {
    if (/^@azure(-rest)?\//.test(specifier) && !inside(mayUseSdk)) found.push(`${file} imports ${specifier} (only src/azure/ and src/emulator/ may)`);
    if (!specifier.startsWith(".") || !inside(core)) continue;
    const target = relative(root, resolve(root, dirname(file), specifier))
      .split("\\")
      .join("/");
    if (target.startsWith("src/cli/") || target.startsWith("commands/")) found.push(`${file} imports ${target} (the core imports nothing from src/cli/ or commands/)`);
  }
  const call = sdkClientFactories.exec(withoutComments(text));
  if (call && !inside(mayUseSdk)) found.push(`${file} calls the SDK client factory ${call[1]}() (call a function of src/azure/ instead)`);
  return found;
}

describe("architecture: ARM access in src/azure, a core without a terminal", () => {
  it("the checks catch each kind of violation (type imports, split lines, dynamic imports, client calls, the core reaching into src/cli)", () => {
    expect(violations("commands/x.ts", 'import type {\n  PolicyAssignment,\n} from "@azure/arm-policy";')).toHaveLength(1);
    expect(violations("commands/x.ts", 'const { getClient } = await import("@azure-rest/core-client");')).toHaveLength(1);
    expect(violations("src/policy/x.ts", "const client = await session.policyClient(subscription);")).toHaveLength(1);
    expect(violations("src/policy/x.ts", 'import type { IO } from "../cli/io.js";')).toHaveLength(1);
    expect(violations("src/check/policies/x.ts", 'import { printRecord } from "../../cli/output.js";')).toHaveLength(1);
    expect(violations("src/exemptions/x.ts", 'export { run } from "../../commands/shared/edit-flow.js";')).toHaveLength(1);
    // Allowed: src/azure using the SDK, commands using src/cli, a comment naming a package.
    expect(violations("src/azure/x.ts", 'import type { PolicyClient } from "@azure/arm-policy";\nawait session.policyClient(id);')).toEqual([]);
    expect(violations("commands/x.ts", 'import { printRecord } from "../src/cli/output.js";')).toEqual([]);
    expect(violations("src/policy/x.ts", '// read through @azure/arm-policy: from "@azure/arm-policy"\nimport { x } from "../azure/assignments.js";')).toEqual([]);
  });

  it("no file outside src/azure and src/emulator imports an Azure SDK package or calls an SDK client; the core imports nothing from src/cli or commands", () => {
    const files = [...sourceFiles("src"), ...sourceFiles("commands")];
    expect(files.length).toBeGreaterThan(100);
    expect(files.some((file) => file.startsWith("src/policy/"))).toBe(true);
    const found = files.flatMap((file) => violations(file, readFileSync(join(root, file), "utf8")));
    expect(found).toEqual([]);
  });
});
