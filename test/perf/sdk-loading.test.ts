// docs/issues/13.md: each Azure command loads only the SDK clients it uses (an SDK package costs start-up CPU).
// Traced on the built binary against the emulator: the module URLs the process resolved.
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestEmulator, type TestEmulator } from "../helpers/emulator.js";
import { syntheticTenant, type SyntheticTenant } from "../../src/emulator/synthetic-tenant.js";

const run = promisify(execFile);
const bin = new URL("../../dist/src/bin.js", import.meta.url).pathname;
const preload = new URL("../helpers/trace-imports.mjs", import.meta.url).pathname;

let emu: TestEmulator;
let tenant: SyntheticTenant;
let dir: string;
beforeAll(async () => {
  tenant = syntheticTenant({ subscriptions: 2, clustersPerSubscription: 2, assignments: 2, exemptions: 2 });
  emu = await startTestEmulator({ seed: tenant.seed });
  dir = mkdtempSync(join(tmpdir(), "akspol-sdk-trace-"));
});
afterAll(() => emu.close());

/** The @azure packages (arm-policy, arm-containerservice, ...) the built binary loaded for `argv`. */
async function sdkPackages(argv: string[]): Promise<string[]> {
  const trace = join(mkdtempSync(join(dir, "run-")), "imports.json");
  // Asynchronous: the emulator answers from this process.
  await run(process.execPath, ["--import", preload, bin, ...argv], {
    env: { PATH: process.env.PATH, HOME: dir, AKSPOL_STATE_DIR: join(dir, "state"), AKSPOL_EMULATOR: emu.stateDir, AKSPOL_VERIFY_SETTLE_MS: "0", TRACE_IMPORTS_FILE: trace },
  });
  const urls = JSON.parse(readFileSync(trace, "utf8")) as string[];
  return [...new Set(urls.flatMap((url) => /\/node_modules\/@azure\/(arm-[^/]+)\//.exec(url)?.[1] ?? []))].sort();
}

describe("Azure commands load only the SDK clients they use (built binary)", () => {
  it("exempt list: the subscription client only (exemptions go through the REST client); no containerservice, policy, insights or graph", async () => {
    expect(await sdkPackages(["exempt", "list", "--all-subscriptions", "--engine", "arm", "-o", "json"])).toEqual(["arm-resources-subscriptions"]);
  });

  it("find --engine arm: policy and subscriptions; no containerservice, policy insights or resource graph", async () => {
    expect(await sdkPackages(["find", "--all-subscriptions", "--engine", "arm", "-o", "json"])).toEqual(["arm-policy", "arm-resources-subscriptions"]);
  });

  it("exclude add <full id> --no-clusters: the policy client only", async () => {
    expect(await sdkPackages(["exclude", "add", tenant.assignments[0]!.id, "traced", "--no-clusters", "--yes", "-o", "json"])).toEqual(["arm-policy"]);
  });

  it("exempt apply with resourceGroup entries: containerservice for the cluster GET; no policy insights or resource graph", async () => {
    const cluster = tenant.clusters[0]!;
    const file = join(dir, "desired.yaml");
    writeFileSync(
      file,
      `owner: traced\nexemptions:\n  - name: traced-0\n    cluster: ${cluster.name}\n    subscription: ${cluster.subscriptionId}\n    resourceGroup: ${cluster.resourceGroup}\n    assignment: ${tenant.assignments[0]!.name}\n    policies: all\n    category: mitigated\n    expires: never\n    reason: sdk trace\n`,
    );
    const loaded = await sdkPackages(["exempt", "apply", "-f", file, "--yes", "-o", "json"]);
    expect(loaded).toContain("arm-containerservice");
    expect(loaded.filter((name) => name === "arm-policyinsights" || name === "arm-resourcegraph" || name === "arm-managementgroups")).toEqual([]);
  });
});
