import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { startTestEmulator, type TestEmulator } from "../helpers/emulator.js";
import { Journal } from "../../src/journal/journal.js";
import { DEMO, baselineId, prod, storedAssignment } from "./fixtures.js";
import { binary } from "./binary.js";
import { runCli } from "../helpers/cli.js";

let emu: TestEmulator;
beforeEach(async () => {
  emu = await startTestEmulator({ seed: "demo" });
});
afterEach(async () => emu.close());

const stripAnsi = (text: string) => text.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, "").replace(/\u001b[()][A-Z0-9]/g, "");
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The real binary on a pseudo-terminal against the emulator: what it has shown, and a wait for a pattern on it (no clock of its own but a generous bound). */
async function startTerminal(argv: string[], stateDir: string) {
  const { spawn } = await import("@lydell/node-pty");
  const home = mkdtempSync(join(tmpdir(), "akspol-home-"));
  const terminal = spawn(process.execPath, [binary, ...argv], {
    name: "xterm-256color",
    cols: 160,
    rows: 40,
    env: { PATH: process.env.PATH ?? "", HOME: home, AKSPOL_EMULATOR: emu.stateDir, AKSPOL_STATE_DIR: stateDir, TERM: "xterm-256color" },
  });
  let shown = "";
  terminal.onData((data) => (shown += data));
  const exited = new Promise<number>((resolve) => terminal.onExit(({ exitCode }) => resolve(exitCode)));
  const screen = () => stripAnsi(shown);
  const waitFor = async (pattern: RegExp, timeoutMs = 300_000) => {
    const deadline = Date.now() + timeoutMs;
    while (!pattern.test(screen())) {
      if (Date.now() > deadline) throw new Error(`Timed out waiting for ${pattern}; screen:\n${screen().slice(-2000)}`);
      await sleep(50);
    }
  };
  return { terminal, screen, waitFor, exited };
}

describe("interactive exclude add through a pseudo-terminal (the real binary)", () => {
  test("a person picks the subscription and assignment, types a namespace (a bad one first), confirms; the emulator has it", async () => {
    const stateDir = mkdtempSync(join(tmpdir(), "akspol-state-"));
    const { terminal, screen, waitFor, exited } = await startTerminal(["exclude", "add"], stateDir);
    const type = async (text: string) => {
      for (const character of text) {
        terminal.write(character);
        await sleep(15);
      }
    };
    try {
      await waitFor(/Which subscription\?/);
      await waitFor(/contoso-prod/);
      // contoso-dev is listed first (sorted by name): one down, then enter.
      terminal.write("\u001b[B");
      await waitFor(/❯ contoso-prod/);
      terminal.write("\r");
      await waitFor(/Which assignment\?/);
      await waitFor(/pss-baseline/);
      terminal.write("\r");
      await waitFor(/Namespaces to exclude/);
      await type("Monitoring");
      terminal.write("\r");
      await waitFor(/upper-case letters/);
      await type("\u007f".repeat(10));
      await type("monitoring");
      terminal.write("\r");
      await waitFor(/Apply this change\?/);
      expect(screen()).toMatch(/\+ monitoring/);
      expect(screen()).toMatch(/2 clusters below the subscription/);
      await type("y");
      terminal.write("\r");
      await waitFor(/Applied and verified/);
      await waitFor(/15 to 20 minutes/);
      expect(await exited).toBe(0);
    } finally {
      terminal.kill();
    }
    const stored = await storedAssignment(emu, baselineId);
    expect(stored.properties.parameters.excludedNamespaces.value).toEqual(["kube-system", "gatekeeper-system", "azure-arc", "azure-extensions-usage-system", "monitoring"]);
    const [entry] = await new Journal(stateDir).entries();
    expect(entry).toMatchObject({ status: "applied", summary: "exclude add monitoring" });
  });
});

describe("interactive exclude remove through a pseudo-terminal (the real binary)", () => {
  test("on the cloud security benchmark a person ticks a per-policy namespace and a label exclusion among those held (defaults cannot be ticked), confirms; the emulator has neither", async () => {
    const stateDir = mkdtempSync(join(tmpdir(), "akspol-state-"));
    for (const argv of [
      ["SecurityCenterBuiltIn", "monitoring", "--policies", "NoPrivilegedContainers"],
      ["SecurityCenterBuiltIn", "--label-selector", "app=node-exporter", "--policies", "BlockUsingHostNetwork"],
    ]) {
      const added = await runCli(["exclude", "add", ...argv, "--subscription", prod, "--yes"], { emulatorDir: emu.stateDir, stateDir });
      expect(added.code, added.stderr).toBe(0);
    }
    const { terminal, screen, waitFor, exited } = await startTerminal(["exclude", "remove", "SecurityCenterBuiltIn", "--subscription", "contoso-prod"], stateDir);
    try {
      await waitFor(/Exclusions to remove/);
      // The cursor starts on the first choice that can be ticked: the defaults before it are disabled.
      await waitFor(/❯\s*◯ namespace monitoring\s+privilegedContainersShouldBeAvoided/);
      expect(screen()).toMatch(/namespace kube-system\s+all policies .*the add-on excludes it anyway \(--force\)/);
      terminal.write(" ");
      await waitFor(/❯\s*◉ namespace monitoring/);
      terminal.write("\u001b[B");
      await waitFor(/❯\s*◯ label app=node-exporter\s+AllowedHostNetworkingAndPortsInKubernetesCluster/);
      terminal.write(" ");
      await waitFor(/❯\s*◉ label app=node-exporter/);
      terminal.write("\r");
      await waitFor(/Apply this change\?/);
      expect(screen()).toMatch(/- monitoring/);
      expect(screen()).toMatch(/AllowedHostNetworkingAndPortsInKubernetesClusterLabelSelector: \{"matchExpressions":\[\{"key":"app","operator":"NotIn","values":\["node-exporter"\]\}\]\} -> \{\}/);
      terminal.write("y");
      terminal.write("\r");
      await waitFor(/Applied and verified/);
      expect(await exited).toBe(0);
    } finally {
      terminal.kill();
    }
    const parameters = (await storedAssignment(emu, DEMO.carriers.benchmark.id)).properties.parameters;
    expect(parameters.privilegedContainerNamespaceExclusion.value).not.toContain("monitoring");
    expect(parameters.AllowedHostNetworkingAndPortsInKubernetesClusterLabelSelector.value).toEqual({});
    const entries = await new Journal(stateDir).entries();
    expect(entries.find((entry) => entry.summary.startsWith("exclude remove"))).toMatchObject({ status: "applied", summary: "exclude remove monitoring --label-selector app=node-exporter" });
  });
});
