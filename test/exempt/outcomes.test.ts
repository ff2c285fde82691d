// exempt apply says what failed: the file (exit 2, file:line), Azure or the network (7 with the ARM
// code: the subscriptions that could not be read are named, README "Exit codes"), permission (4). docs/issues/10.md: 503s, dropped connections
// and expired tokens used to be reported as "file is not valid", exit 2.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { DEMO } from "../../src/emulator/demo-seed.js";
import type { FaultSpec } from "../../src/emulator/hooks-client.js";
import { startHarness, type ExemptHarness } from "./helpers.js";

let h: ExemptHarness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());
beforeEach(async () => {
  await h.emulator.hooks.clearFaults();
  await h.emulator.hooks.resetRequests();
});

const file = (name: string, cluster = "aks-prod-neu", category = "waiver") =>
  `owner: platform-team\nexemptions:\n  - name: ${name}\n    cluster: ${cluster}\n    assignment: pss-baseline\n    policies: [BlockUsingHostNetwork]\n    category: ${category}\n    expires: 2030-04-15\n    reason: node exporter\n`;

// Faults on the reads that check the file against Azure (the cluster list), past the SDK's retries.
const clusterList = "/providers/Microsoft.ContainerService/managedClusters$";
const cases: Array<{ label: string; fault?: Omit<FaultSpec, "pathPattern" | "count">; text?: string; code: number; says: RegExp; notSays: RegExp }> = [
  { label: "503 from ARM", fault: { kind: "503", retryAfterMs: 1 }, code: 7, says: /ServiceUnavailable/, notSays: /not valid/ },
  { label: "dropped connection", fault: { kind: "drop" }, code: 7, says: /Could not reach Azure Resource Manager|socket hang up|ECONNRESET/i, notSays: /not valid/ },
  { label: "expired token", fault: { kind: "expired-token" }, code: 4, says: /ExpiredAuthenticationToken/, notSays: /not valid/ },
  {
    label: "invalid file",
    text: file("bad-category", "aks-prod-neu", "someday"),
    code: 2,
    says: /outcome-\d+\.yaml:7:15: category .someday. must be waiver or mitigated/,
    notSays: /ServiceUnavailable/,
  },
  { label: "unknown cluster in the file", text: file("ok-name", "aks-nowhere"), code: 2, says: /outcome-\d+\.yaml:4:\d+: no AKS cluster named 'aks-nowhere'/, notSays: /ServiceUnavailable/ },
];

describe("exempt apply: error classification", () => {
  it.each(cases.map((item, index) => [item.label, index] as const))("%s", async (_label, index) => {
    const item = cases[index]!;
    if (item.fault) await h.emulator.hooks.injectFault({ pathPattern: clusterList, count: 20, ...item.fault });
    const path = h.writeFile(`outcome-${index}.yaml`, item.text ?? file(`classified-${index}`));
    const run = await h.run(["exempt", "apply", "-f", path, "--yes"]);
    expect(run.code, run.stderr).toBe(item.code);
    expect(run.stderr).toMatch(item.says);
    expect(run.stderr).not.toMatch(item.notSays);
    expect(await h.exemptionWrites()).toEqual([]);
  });

  it("a write that fails for Azure's reasons in a batch where others succeed: exit 7 with the ARM code", async () => {
    const path = h.writeFile(
      "partial.yaml",
      `${file("partial-a")}  - name: partial-b\n    cluster: aks-dev\n    assignment: pss-restricted\n    policies: all\n    category: waiver\n    expires: 2030-04-15\n    reason: r\n`,
    );
    await h.emulator.hooks.injectFault({ method: "PUT", pathPattern: "policyExemptions/partial-b$", count: 20, kind: "503", retryAfterMs: 1 });
    const run = await h.run(["exempt", "apply", "-f", path, "--yes"]);
    expect(run.code, run.stderr).toBe(7);
    expect(run.stderr).toMatch(/partial-b.*ServiceUnavailable/);
  });
});

describe("exempt apply: two owners racing for one name", () => {
  it("never reports success to an owner that does not hold the exemption afterwards (6 races)", async () => {
    const { mkdtempSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const { join } = await import("node:path");
    const ownerFile = (owner: string, name: string) => h.writeFile(`${owner}-${name}.yaml`, file(name).replace("owner: platform-team", `owner: ${owner}`));
    for (let race = 0; race < 6; race += 1) {
      const name = `contested-${race}`;
      const owners = ["team-a", "team-b"];
      const results = await Promise.all(
        owners.map((owner) => h.run(["exempt", "apply", "-f", ownerFile(owner, name), "--yes"], { stateDir: mkdtempSync(join(tmpdir(), "akspol-race-")), env: { AKSPOL_VERIFY_SETTLE_MS: "1000" } })),
      );
      const stored = await h.emulator.hooks.getResource(`${DEMO.clusters.prodNeu.id}/providers/Microsoft.Authorization/policyExemptions/${name}`);
      const holder = (stored.body ?? stored).properties.metadata.akspolOwner;
      results.forEach((result, index) => {
        if (owners[index] === holder) expect(result.code, result.stderr).toBe(0);
        else {
          expect(result.code, `${owners[index]} (holder ${holder}): ${result.stderr}`).toBe(5);
          expect(result.stderr).toMatch(/contested-\d.*(created meanwhile by owner|changed by|belongs to owner)/);
        }
      });
    }
  });
});
