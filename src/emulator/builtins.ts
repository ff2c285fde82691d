// The built-in policy definitions and initiatives the emulator serves, read from the real JSON in
// src/data/azure-builtins (see docs/reference/builtins.md). Every version a file's `versions` list names
// is served. Restricted 2.4.0 is rebuilt from 2.5.0: the two differ only in the AllowedVolumeTypes
// literal list. Definition versions that no file holds (e.g. AllowedHostPaths 6.1.1) are served with
// the content of the nearest version that a file holds, relabelled; that content is NOT Azure's.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { compareVersions } from "./versions.js";
import { cloudProfileOf } from "./api-versions.js";
import type { StateReader } from "./store.js";

export interface BuiltinDefinition {
  kind: "policyDefinitions" | "policySetDefinitions";
  name: string;
  /** Version string → full ARM JSON of that version ({properties, id, type, name}). */
  versions: Map<string, any>;
  latest: string;
}

const RESTRICTED = "42b8ef37-b724-4e24-bbc8-7a7708edfe00";
const RESTRICTED_2_4_0_VOLUME_TYPES = ["configMap", "emptyDir", "projected", "secret", "downwardAPI", "persistentVolumeClaim"];

function dataDirectory(): string {
  // src/emulator → src/data (vitest, strip-types); dist/src/emulator → dist/src/data or the sources.
  // tsc copies only the JSON files the include globs reach, so prefer a copy with latest/ in it.
  const candidates = ["../data/azure-builtins", "../../../src/data/azure-builtins"].map((relative) => fileURLToPath(new URL(relative, import.meta.url)));
  const found =
    candidates.find((candidate) => existsSync(join(candidate, "more", "policySetDefinitions"))) ??
    candidates.find((candidate) => existsSync(join(candidate, "policyDefinitions", "latest"))) ??
    candidates.find((candidate) => existsSync(join(candidate, "policySetDefinitions")));
  if (found === undefined) throw new Error(`Built-in policy data not found (looked in ${candidates.join(", ")})`);
  return found;
}

function readJsonFiles(dir: string): any[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((file) => file.endsWith(".json"))
    .map((file) => JSON.parse(readFileSync(join(dir, file), "utf8")));
}

/**
 * The document under another version label. Shallow: the big arrays (policyDefinitions of the
 * benchmark and NIST sets, served under dozens of labels) are shared, never mutated.
 */
function withVersion(document: any, type: string, version: string): any {
  const properties = { ...document.properties, version };
  if (properties.metadata && typeof properties.metadata === "object" && "version" in properties.metadata) {
    properties.metadata = { ...properties.metadata, version };
  }
  return { properties, id: document.id, type, name: document.name };
}

function collect(kind: BuiltinDefinition["kind"], documents: any[]): Map<string, BuiltinDefinition> {
  const type = `Microsoft.Authorization/${kind}`;
  const byName = new Map<string, Map<string, any>>();
  for (const document of documents) {
    const versions = byName.get(document.name.toLowerCase()) ?? new Map<string, any>();
    versions.set(document.properties.version, withVersion(document, type, document.properties.version));
    byName.set(document.name.toLowerCase(), versions);
  }
  const result = new Map<string, BuiltinDefinition>();
  for (const [key, files] of byName) {
    const held = [...files.keys()].sort(compareVersions);
    const latest = held[held.length - 1];
    const listed: string[] = files.get(latest).properties.versions ?? [latest];
    const versions = new Map<string, any>();
    for (const version of listed) {
      if (files.has(version)) {
        versions.set(version, files.get(version));
        continue;
      }
      if (kind === "policySetDefinitions" && key === RESTRICTED && version === "2.4.0") {
        const restricted = withVersion(structuredClone(files.get(latest)), type, "2.4.0");
        const reference = restricted.properties.policyDefinitions.find((ref: any) => ref.policyDefinitionReferenceId === "AllowedVolumeTypes");
        reference.parameters.allowedVolumeTypes.value = [...RESTRICTED_2_4_0_VOLUME_TYPES];
        versions.set(version, restricted);
        continue;
      }
      // Not faithful: no file holds this version; serve the nearest held version under its label.
      const major = version.split(".")[0];
      const sameMajor = held.filter((candidate) => candidate.split(".")[0] === major);
      const source = (sameMajor.length > 0 ? sameMajor : held)[0];
      versions.set(version, withVersion(files.get(source), type, version));
    }
    for (const version of versions.keys()) versions.get(version).properties.versions = [...listed];
    result.set(key, { kind, name: files.get(latest).name, versions, latest: listed.slice().sort(compareVersions).at(-1)! });
  }
  return result;
}

export interface BuiltinCatalog {
  policyDefinitions: Map<string, BuiltinDefinition>;
  policySetDefinitions: Map<string, BuiltinDefinition>;
}

let cached: BuiltinCatalog | undefined;
let cachedGov: BuiltinCatalog | undefined;

/**
 * The built-ins the emulator serves: the public cloud's, or with the AzureUSGovernment profile the
 * Government copies of the two initiatives and their members (same ids, members one major higher).
 */
export function builtins(reader?: Pick<StateReader, "get">): BuiltinCatalog {
  if (reader !== undefined && cloudProfileOf(reader) === "AzureUSGovernment") return govBuiltins();
  return publicBuiltins();
}

function govBuiltins(): BuiltinCatalog {
  if (cachedGov !== undefined) return cachedGov;
  const dir = join(dataDirectory(), "gov");
  cachedGov = {
    policyDefinitions: collect("policyDefinitions", readJsonFiles(join(dir, "policyDefinitions"))),
    policySetDefinitions: collect("policySetDefinitions", readJsonFiles(join(dir, "policySetDefinitions"))),
  };
  return cachedGov;
}

function publicBuiltins(): BuiltinCatalog {
  if (cached !== undefined) return cached;
  const dir = dataDirectory();
  const definitions = [...readJsonFiles(join(dir, "policyDefinitions")), ...readJsonFiles(join(dir, "policyDefinitions", "latest")), ...readJsonFiles(join(dir, "policyDefinitions", "previous"))];
  cached = {
    policyDefinitions: collect("policyDefinitions", definitions),
    // more/: other built-in sets that carry the members (Deployment Safeguards, the Microsoft cloud
    // security benchmark, NIST SP 800-53 Rev. 5, CIS Kubernetes), for discovery of every carrier.
    policySetDefinitions: collect("policySetDefinitions", [...readJsonFiles(join(dir, "policySetDefinitions")), ...readJsonFiles(join(dir, "more", "policySetDefinitions"))]),
  };
  return cached;
}
