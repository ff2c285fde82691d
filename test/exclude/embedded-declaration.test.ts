// docs/issues/13.md: `exclude add` reads the set definition only when it needs the default namespace list.
// When the assignment already sets the parameter, the declaration of a built-in initiative akspol embeds
// at exactly the version the assignment uses, in the session's cloud, stands in for the read. Government
// serves other content under the same ids and version labels, so the copy is chosen by cloud too, and a
// connection that does not say its cloud reads from Azure.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestEmulator, type TestEmulator } from "../helpers/emulator.js";
import { runCli } from "../helpers/cli.js";
import { DEMO } from "../../src/emulator/demo-seed.js";
import { embeddedInitiative } from "../../src/policy/embedded-initiatives.js";

const BASELINE = "/providers/Microsoft.Authorization/policySetDefinitions/a8640138-9b0a-4a28-b8cb-1666c838647d";
const RESTRICTED = "/providers/Microsoft.Authorization/policySetDefinitions/42b8ef37-b724-4e24-bbc8-7a7708edfe00";
const SET_DEFINITION = /policySetDefinitions/i;

describe("embeddedInitiative", () => {
  it("answers only for an embedded cloud, initiative id and exact version", () => {
    const publicBaseline = embeddedInitiative("AzureCloud", BASELINE.toUpperCase(), "1.4.0");
    expect(publicBaseline?.version).toBe("1.4.0");
    expect(publicBaseline?.versions).toBeUndefined(); // only Azure knows every version it serves
    expect(embeddedInitiative("AzureCloud", RESTRICTED, "2.5.0")?.id).toBe(RESTRICTED);
    expect(embeddedInitiative("AzureCloud", RESTRICTED, "2.4.0")).toBeUndefined();
    expect(embeddedInitiative("AzureCloud", BASELINE, "1.3.0")).toBeUndefined();
    expect(embeddedInitiative("AzureChinaCloud", BASELINE, "1.4.0")).toBeUndefined();
    expect(embeddedInitiative(undefined, BASELINE, "1.4.0")).toBeUndefined();
    expect(embeddedInitiative("AzureCloud", "/providers/Microsoft.Authorization/policySetDefinitions/1f3afdf9-d0c9-4c3d-847f-89da613e70a8", "1.4.0")).toBeUndefined();
  });

  it("keeps Government's copy apart: same id and version label, members pinned one major higher", () => {
    const member = (cloud: "AzureCloud" | "AzureUSGovernment") =>
      embeddedInitiative(cloud, BASELINE, "1.4.0")?.policyDefinitions?.find((reference) => reference.policyDefinitionReferenceId === "NoPrivilegedContainers")?.definitionVersion;
    expect(member("AzureCloud")).toBe("9.*.*");
    expect(member("AzureUSGovernment")).toBe("10.*.*");
  });
});

describe("exclude add without the set definition read", () => {
  let publicCloud: TestEmulator;
  let government: TestEmulator;
  const dirs: string[] = [];
  beforeAll(async () => {
    [publicCloud, government] = await Promise.all([startTestEmulator({ seed: "demo" }), startTestEmulator({ seed: "demo", cloud: "AzureUSGovernment" })]);
  });
  afterAll(async () => {
    await Promise.all([publicCloud?.close(), government?.close()]);
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  async function add(emulator: TestEmulator, namespace: string, emulatorDir = emulator.stateDir) {
    await emulator.hooks.resetRequests();
    // 2023-04-01: the newest policy api-version Government serves, and the first that answers effectiveDefinitionVersion.
    const argv = ["exclude", "add", DEMO.assignments.baseline.id, namespace, "--no-clusters", "--api-version", "2023-04-01", "--yes", "-o", "json"];
    const run = await runCli(argv, { emulatorDir });
    expect(run.code, run.stderr).toBe(0);
    return { log: await emulator.hooks.requests(), output: JSON.parse(run.stdout) };
  }

  it.each([
    ["public", () => publicCloud],
    ["Government", () => government],
  ])("%s cloud: the first add reads the default list; once the parameter is set, GET, PUT and the verifying GET", async (_cloud, emulator) => {
    const first = await add(emulator(), "first-ns");
    expect(first.log.filter((entry) => SET_DEFINITION.test(entry.path)).length).toBeGreaterThanOrEqual(1);
    const defaults = first.output.before.excludedNamespaces as string[];
    expect(first.output.after.excludedNamespaces).toEqual([...defaults, "first-ns"]);

    const second = await add(emulator(), "second-ns");
    expect(second.log.map((entry) => entry.method)).toEqual(["GET", "PUT", "GET"]);
    expect(second.output.after.excludedNamespaces).toEqual([...defaults, "first-ns", "second-ns"]);
  });

  it("a connection file that does not say its cloud (an older emulator) reads the set definition", async () => {
    const dir = mkdtempSync(join(tmpdir(), "akspol-no-cloud-"));
    dirs.push(dir);
    const { cloud: _cloud, ...connection } = JSON.parse(readFileSync(join(publicCloud.stateDir, "connection.json"), "utf8"));
    writeFileSync(join(dir, "connection.json"), JSON.stringify(connection), { mode: 0o600 });
    await add(publicCloud, "before-ns");
    const run = await add(publicCloud, "no-cloud-ns", dir);
    expect(run.log.filter((entry) => SET_DEFINITION.test(entry.path)).length).toBeGreaterThanOrEqual(1);
    expect(run.log.filter((entry) => entry.method === "PUT")).toHaveLength(1);
  });
});
