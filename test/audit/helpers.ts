// The audit tenant for tests: the seed, then the two changes that happen after it in real life
// (a custom set drops a member an exemption names; an assignment is deleted under its exemption).
import { PolicyClient } from "@azure/arm-policy";
import { startTestEmulator, type TestEmulator } from "../helpers/emulator.js";
import { AUDIT_TENANT, auditSeed, auditTenantAfterSeed } from "../../src/emulator/audit-seed.js";
import { runCli, type CliRun, type RunCliOptions } from "../helpers/cli.js";

export const NOW = new Date("2026-06-01T12:00:00Z");

export async function startAuditTenant(): Promise<TestEmulator> {
  const emu = await startTestEmulator({ seed: auditSeed(NOW), now: NOW });
  await emu.hooks.seed(auditTenantAfterSeed.customSetWithoutLegacy());
  const client = new PolicyClient(emu.credentialFor("admin"), AUDIT_TENANT.subscriptions.devA.id, emu.clientOptions);
  const id = auditTenantAfterSeed.deleteAssignment;
  const scope = id.replace(/\/providers\/Microsoft\.Authorization\/policyAssignments\/[^/]+$/, "");
  await client.policyAssignments.delete(scope, id.split("/").pop() as string);
  return emu;
}

export const clock = { now: () => NOW };

export function audit(emu: TestEmulator, argv: string[], options: RunCliOptions = {}): Promise<CliRun> {
  return runCli(["audit", ...argv], { emulatorDir: emu.stateDir, clock, ...options });
}

export const healthySubscriptions = [AUDIT_TENANT.subscriptions.prodA, AUDIT_TENANT.subscriptions.prodB, AUDIT_TENANT.subscriptions.devA].map((s) => s.id).join(",");
