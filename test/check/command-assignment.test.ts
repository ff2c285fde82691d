// `akspol check --assignment` against the ARM emulator (demo seed): the assignment's effect and
// excluded namespaces are read from Azure, and with --cluster the cluster's exemptions apply.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { OutputFormat } from "../../src/cli/output.js";
import { runCli } from "../helpers/cli.js";
import { flagsOf } from "./helpers.js";
import { startTestEmulator, type TestEmulator } from "../helpers/emulator.js";

let emu: TestEmulator;
const dir = mkdtempSync(join(tmpdir(), "akspol-check-az-"));
beforeAll(async () => {
  emu = await startTestEmulator({ seed: "demo" });
});
afterAll(async () => {
  await emu?.close();
  rmSync(dir, { recursive: true, force: true });
});

const manifest = (name: string, namespace: string, podSpec: string) => {
  const path = join(dir, `${name}.yaml`);
  writeFileSync(path, `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: ${name}\n  namespace: ${namespace}\nspec:\n  template:\n    spec:\n${podSpec}`);
  return path;
};
const PRIVILEGED = "      containers:\n      - name: app\n        image: nginx\n        securityContext: {privileged: true}\n";
const HOST_NETWORK = "      hostNetwork: true\n      containers:\n      - name: exporter\n        image: node-exporter\n";

/** `akspol check` with --assignment against the emulator, through main(). */
function run(inputs: string[], options: Record<string, unknown>, subscription: string, format: OutputFormat = "json") {
  return runCli(["check", ...inputs, ...flagsOf(options), "--subscription", subscription, "-o", format], { emulatorDir: emu.stateDir });
}

const result = (stdout: string, ref: string) => JSON.parse(stdout).results.find((r: { policy: { referenceId: string } }) => r.policy.referenceId === ref);

describe("akspol check --assignment (emulator)", () => {
  it("uses the assignment's Deny effect: a privileged Deployment's pods are refused, exit 6", async () => {
    const out = await run([manifest("web", "shop", PRIVILEGED)], { assignment: "pss-baseline" }, "contoso-prod");
    expect(out.code, out.stderr).toBe(6);
    const report = JSON.parse(out.stdout);
    expect(report.assignment).toMatchObject({ name: "pss-baseline" });
    expect(report.initiative.version).toBe("1.4.0");
    expect(result(out.stdout, "NoPrivilegedContainers")).toMatchObject({
      outcome: "deny",
      outcomeText: "the Deployment is admitted; its pods are refused",
      violations: [{ hint: { excludeNamespace: "akspol exclude add pss-baseline shop" } }],
    });
  });

  it("with --cluster, the cluster's exemption for BlockUsingHostNetwork removes that outcome only", async () => {
    const input = manifest("exporter", "monitoring", HOST_NETWORK);
    const without = await run([input], { assignment: "pss-baseline" }, "contoso-prod");
    expect(without.code).toBe(6);
    expect(result(without.stdout, "BlockUsingHostNetwork").outcome).toBe("deny");
    const withCluster = await run([input], { assignment: "pss-baseline", cluster: "aks-prod-weu" }, "contoso-prod");
    expect(withCluster.code, withCluster.stderr).toBe(0);
    expect(result(withCluster.stdout, "BlockUsingHostNetwork")).toMatchObject({
      status: "violation",
      outcome: "none",
      noOutcomeReason: "exempted",
      outcomeText: "nothing: exempted by aks-prod-weu-hostnetwork",
    });
    const privileged = await run([manifest("web2", "shop", PRIVILEGED)], { assignment: "pss-baseline", cluster: "aks-prod-weu" }, "contoso-prod");
    expect(result(privileged.stdout, "NoPrivilegedContainers").outcome).toBe("deny");
  });

  it("honours the assignment's excluded namespaces and ignores an expired exemption", async () => {
    const excluded = await run([manifest("agent", "monitoring", PRIVILEGED)], { assignment: "pss-restricted", cluster: "aks-dev" }, "contoso-dev");
    expect(excluded.code, excluded.stderr).toBe(0);
    expect(result(excluded.stdout, "NoPrivilegedContainers")).toMatchObject({ status: "not-applicable", notApplicableReason: "excluded-namespace" });
    const audited = await run([manifest("legacy", "shop", PRIVILEGED)], { assignment: "pss-restricted", cluster: "aks-dev", failOn: "audit" }, "contoso-dev");
    expect(audited.code).toBe(6);
    expect(result(audited.stdout, "NoPrivilegedContainers")).toMatchObject({ outcome: "audit" });
  });

  it("exits 3 for an assignment that does not exist", async () => {
    const out = await run([manifest("x", "shop", PRIVILEGED)], { assignment: "nope" }, "contoso-prod");
    expect(out.code).toBe(3);
    expect(out.stderr).toContain("nope");
  });
});
