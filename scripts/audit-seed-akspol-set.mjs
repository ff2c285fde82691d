// Writes src/emulator/audit-seed-akspol-set.json: the custom initiative akspol's conversion
// (buildPerPolicySet, src/policy/custom-initiative.ts) makes from the built-in restricted initiative
// at 2.4.0, the older version the emulator serves, for the audit seed's AKS403 carrier. The emulator
// imports no product code, so the seed holds the conversion's output as data; test/audit/seed.test.ts
// checks that it still equals what the conversion makes. Run after `npm run build`:
//   node scripts/audit-seed-akspol-set.mjs
import { writeFileSync } from "node:fs";

const RESTRICTED = "42b8ef37-b724-4e24-bbc8-7a7708edfe00";
const VERSION = "2.4.0";
const { builtins } = await import(new URL("../dist/src/emulator/builtins.js", import.meta.url).href);
const { buildPerPolicySet } = await import(new URL("../dist/src/policy/custom-initiative.js", import.meta.url).href);
const builtIn = builtins().policySetDefinitions.get(RESTRICTED)?.versions.get(VERSION);
if (!builtIn) throw new Error(`The emulator serves no restricted ${VERSION}`);
const properties = buildPerPolicySet(builtIn, { id: builtIn.id, version: VERSION });
writeFileSync(new URL("../src/emulator/audit-seed-akspol-set.json", import.meta.url), `${JSON.stringify(properties, null, 2)}\n`);
