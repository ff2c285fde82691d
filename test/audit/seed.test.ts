// The audit seed's akspol custom initiative (src/emulator/audit-seed-akspol-set.json) is data, since
// the emulator imports no product code; this keeps it what akspol's conversion makes from restricted
// 2.4.0, so AKS403 on the audit tenant is raised on a set akspol could have written.
import { expect, test } from "vitest";
import { builtins } from "../../src/emulator/builtins.js";
import { buildPerPolicySet } from "../../src/policy/custom-initiative.js";
import { CUSTOM_SET_METADATA } from "../../src/effective/index.js";
import stored from "../../src/emulator/audit-seed-akspol-set.json" with { type: "json" };

const RESTRICTED = "42b8ef37-b724-4e24-bbc8-7a7708edfe00";

/** The set without the akspol version that wrote it (a set made by an older akspol stays valid). */
function withoutWriterVersion(properties: { metadata?: Record<string, unknown> }) {
  const copy = structuredClone(properties);
  delete copy.metadata?.[CUSTOM_SET_METADATA.version];
  return copy;
}

test("the audit seed's akspol custom initiative is what the conversion makes from the built-in restricted 2.4.0 (regenerate: npm run build && node scripts/audit-seed-akspol-set.mjs)", () => {
  const restricted = builtins().policySetDefinitions.get(RESTRICTED);
  expect([...(restricted?.versions.keys() ?? [])].sort()).toEqual(["2.4.0", "2.5.0"]);
  const builtIn = restricted?.versions.get("2.4.0");
  const made = buildPerPolicySet(builtIn, { id: builtIn.id, version: "2.4.0" });
  expect(withoutWriterVersion(stored)).toEqual(withoutWriterVersion(made as { metadata?: Record<string, unknown> }));
  expect(stored.metadata).toMatchObject({ managedBy: "akspol", akspolSourceSetId: `/providers/Microsoft.Authorization/policySetDefinitions/${RESTRICTED}`, akspolSourceVersion: "2.4.0" });
});
