// docs/issues/11.md, Azure Government: the Gov copies of both initiatives have the public ids and version
// labels but pin every member one major version higher. `check --assignment` resolves the members
// at the versions the assigned set pins, read from Azure (src/effective's reader), so it evaluates
// every member akspol has a Gatekeeper template for; the others stay `unknown` with the reason.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestEmulator, type TestEmulator } from "../helpers/emulator.js";
import { runCli } from "../helpers/cli.js";
import { DEMO } from "../../src/emulator/demo-seed.js";

let gov: TestEmulator;
const dir = mkdtempSync(join(tmpdir(), "akspol-gov-check-"));
beforeAll(async () => {
  gov = await startTestEmulator({ seed: "demo", cloud: "AzureUSGovernment" });
});
afterAll(async () => {
  await gov?.close();
  rmSync(dir, { recursive: true, force: true });
});

// One Deployment that breaks every evaluated member of both initiatives: privileged, an added
// capability outside the baseline list, a hostPath volume (no allowed paths; not an allowed volume
// type in restricted), running as root, no seccomp profile.
const manifest = join(dir, "everything.yaml");
writeFileSync(
  manifest,
  [
    "apiVersion: apps/v1",
    "kind: Deployment",
    "metadata:",
    "  name: everything",
    "  namespace: shop",
    "spec:",
    "  template:",
    "    spec:",
    "      containers:",
    "      - name: app",
    "        image: nginx",
    "        securityContext:",
    "          privileged: true",
    "          runAsUser: 0",
    "          capabilities: {add: [SYS_ADMIN]}",
    "        volumeMounts: [{name: host, mountPath: /host}]",
    "      volumes:",
    "      - name: host",
    "        hostPath: {path: /etc}",
    "",
  ].join("\n"),
);

interface Member {
  referenceId: string;
  definitionVersion: string;
  template: string;
  status: string;
  unknownReason?: string;
}
interface Result {
  policy: { referenceId: string };
  status: string;
}

async function checkGov(assignmentId: string) {
  const run = await runCli(["check", manifest, "--assignment", assignmentId, "--api-version", "2023-04-01", "--fail-on", "never", "-o", "json"], { emulatorDir: gov.stateDir });
  expect(run.code, run.stderr).toBe(0);
  const report = JSON.parse(run.stdout);
  const members: Member[] = report.initiative.members;
  const results: Result[] = report.results;
  const statusOf = (ref: string) => results.find((result) => result.policy.referenceId === ref)?.status ?? "pass";
  return { report, members, statusOf };
}

const versions = (members: Member[]) => Object.fromEntries(members.map((member) => [member.referenceId, member.definitionVersion]));
const evaluated = (members: Member[]) =>
  members
    .filter((member) => member.status === "ok")
    .map((member) => member.referenceId)
    .sort();
const unknown = (members: Member[]) => Object.fromEntries(members.filter((member) => member.status === "unknown").map((member) => [member.referenceId, member.unknownReason]));
const notPublished = (template: string) => `the Gatekeeper template ${template} is not published, so akspol cannot evaluate it`;

describe("check --assignment on an AzureUSGovernment-profile emulator", () => {
  it("baseline: the members are Government's (one major higher), 3 of 5 evaluated and each catches the violation; 2 unknown with the reason", async () => {
    const { report, members, statusOf } = await checkGov(DEMO.assignments.baseline.id);
    expect(report.assignment).toMatchObject({ name: "pss-baseline" });
    expect(report.initiative.version).toBe("1.4.0");
    // Read from Azure: the public cloud pins these members one major lower (NoPrivilegedContainers 9.x).
    expect(versions(members)).toEqual({
      NoPrivilegedContainers: "10.2.0",
      BlockUsingHostNetwork: "7.1.0",
      BlockUsingHostProcessIDAndIPC: "6.1.0",
      ContainerCapabilities: "7.2.0",
      NoHostPathVolume: "7.3.0",
    });
    expect(evaluated(members)).toEqual(["ContainerCapabilities", "NoHostPathVolume", "NoPrivilegedContainers"]);
    for (const ref of evaluated(members)) expect([ref, statusOf(ref)]).toEqual([ref, "violation"]);
    expect(unknown(members)).toEqual({
      BlockUsingHostNetwork: notPublished("host-network-ports/v4"),
      BlockUsingHostProcessIDAndIPC: notPublished("block-host-namespace/v3"),
    });
    expect(report.summary).toMatchObject({ workloads: 1, errors: 0, violation: 3, unknown: 2 });
  });

  it("restricted: 5 of 8 members evaluated, each catching the violation; 3 unknown with the reason", async () => {
    const { report, members, statusOf } = await checkGov(DEMO.assignments.restricted.id);
    expect(report.assignment).toMatchObject({ name: "pss-restricted" });
    expect(versions(members)).toEqual({
      NoPrivilegedContainers: "10.2.0",
      NoPrivilegeEscalation: "8.1.0",
      BlockUsingHostNetwork: "7.1.0",
      BlockUsingHostProcessIDAndIPC: "6.1.0",
      ContainerCapabilities: "7.2.0",
      AllowedVolumeTypes: "6.2.0",
      AllowedUsersGroups: "7.2.0",
      AllowedSeccompProfiles: "8.2.0",
    });
    expect(evaluated(members)).toEqual(["AllowedSeccompProfiles", "AllowedUsersGroups", "AllowedVolumeTypes", "ContainerCapabilities", "NoPrivilegedContainers"]);
    for (const ref of evaluated(members)) expect([ref, statusOf(ref)]).toEqual([ref, "violation"]);
    expect(unknown(members)).toEqual({
      NoPrivilegeEscalation: notPublished("container-no-privilege-escalation/v4"),
      BlockUsingHostNetwork: notPublished("host-network-ports/v4"),
      BlockUsingHostProcessIDAndIPC: notPublished("block-host-namespace/v3"),
    });
    expect(report.summary).toMatchObject({ workloads: 1, errors: 0, violation: 5, unknown: 3 });
  });
});
