// Hints, the JSON report, the text rendering, SARIF and the exit-code rule.
import { describe, expect, it } from "vitest";
import { buildReport, evaluateWorkloads, hasFailingViolation, renderText, resolveBuiltinInitiative, resolveInitiative, BUILTIN_INITIATIVES, toSarif, type CheckResult } from "../../src/check/index.js";
import { VIOLATING, compliantSpec, violating, workload } from "./helpers.js";
import { version } from "../../src/version.js";

const violationsOf = (results: CheckResult[]) => results.filter((r) => r.status === "violation").flatMap((r) => r.violations);

describe("hints", () => {
  it("every built-in member's violation gets a specific manifest change", () => {
    for (const name of ["baseline", "restricted"] as const) {
      const initiative = resolveBuiltinInitiative(name);
      for (const ref of Object.keys(VIOLATING)) {
        for (const violation of violationsOf(evaluateWorkloads([workload(violating(ref))], initiative))) {
          expect(violation.hint.change, `${ref} ${violation.code}`).not.toMatch(/^change the manifest/);
        }
      }
    }
  });

  it.each([
    ["NoPrivilegedContainers", "set securityContext.privileged: false (or remove it) on container app"],
    ["BlockUsingHostNetwork", "remove hostNetwork: true from spec.template.spec"],
    ["BlockUsingHostProcessIDAndIPC", "remove hostPID: true from spec.template.spec"],
    ["ContainerCapabilities", "remove SYS_ADMIN from securityContext.capabilities.add on container app"],
    ["NoPrivilegeEscalation", "set securityContext.allowPrivilegeEscalation: false on container app"],
    ["AllowedSeccompProfiles", "set securityContext.seccompProfile type: RuntimeDefault on container app or in spec.template.spec.securityContext"],
  ])("%s in a Deployment: %s", (ref, change) => {
    const results = evaluateWorkloads([workload(violating(ref), { kind: "Deployment", namespace: "shop" })], resolveBuiltinInitiative("restricted"));
    const initiativeHasIt = results.some((r) => r.policy.referenceId === ref);
    const baseline = evaluateWorkloads([workload(violating(ref), { kind: "Deployment", namespace: "shop" })], resolveBuiltinInitiative("baseline"));
    const [violation] = violationsOf(initiativeHasIt ? results : baseline);
    expect(violation?.hint.change).toBe(change);
  });

  it("suggests the namespace exclusion and the exemption with the assignment and cluster names", () => {
    const initiative = resolveInitiative({ setDefinition: BUILTIN_INITIATIVES.baseline, assignment: { name: "pss-baseline" } });
    const [violation] = violationsOf(evaluateWorkloads([workload(violating("NoPrivilegedContainers"), { namespace: "shop" })], initiative, { cluster: "aks-prod" }));
    expect(violation?.hint.excludeNamespace).toBe("akspol exclude add pss-baseline shop");
    expect(violation?.hint.exempt).toBe(
      'akspol exempt create --cluster aks-prod --assignment pss-baseline --policies NoPrivilegedContainers --category waiver --expires +30d --reason "Pod web needs NoPrivilegedContainers"',
    );
  });

  it("host paths: no allowed path means another volume type; a read-only prefix means readOnly: true", () => {
    const [denyAll] = violationsOf(evaluateWorkloads([workload(violating("NoHostPathVolume"))], resolveBuiltinInitiative("baseline")));
    expect(denyAll?.hint.change).toMatch(/^replace hostPath volume host \(\/var\/log\) with another volume type/);
    const readOnly = resolveBuiltinInitiative("baseline", { allowedHostPaths: { paths: [{ pathPrefix: "/var", readOnly: true }] } });
    const [violation] = violationsOf(evaluateWorkloads([workload(violating("NoHostPathVolume"))], readOnly));
    expect(violation?.hint.change).toBe("set readOnly: true on the volumeMount of host in container app");
  });

  it("users and groups: names the field and the allowed range", () => {
    const spec = compliantSpec() as any;
    delete spec.securityContext.fsGroup;
    const [violation] = violationsOf(evaluateWorkloads([workload(spec)], resolveBuiltinInitiative("restricted")));
    expect(violation?.hint.change).toBe("set spec.securityContext.fsGroup to a GID in 1-65535");
  });
});

describe("report", () => {
  const initiative = resolveBuiltinInitiative("baseline", { effect: "Deny" });
  const results = evaluateWorkloads([workload(violating("NoPrivilegedContainers")), workload(compliantSpec(), { name: "ok" })], initiative);
  const report = buildReport({ initiative, results, notEvaluated: [{ file: "test.yaml", line: 9, column: 1, kind: "Service", name: "svc", reason: "not a workload kind" }], workloads: 2 });

  it("summarises statuses and outcomes", () => {
    expect(report.summary).toEqual({ workloads: 2, notEvaluated: 1, errors: 0, pass: 9, violation: 1, unknown: 0, notApplicable: 0, deny: 1, audit: 0, none: 0 });
    expect(report.initiative.members.map((m) => m.effect)).toEqual(["deny", "deny", "deny", "deny", "deny"]);
    expect(JSON.parse(JSON.stringify(report)).results).toHaveLength(10);
  });

  it("fails at or above --fail-on", () => {
    expect(hasFailingViolation(report, "deny")).toBe(true);
    expect(hasFailingViolation(report, "never")).toBe(false);
    const audited = resolveBuiltinInitiative("baseline");
    const auditReport = buildReport({ initiative: audited, results: evaluateWorkloads([workload(violating("NoPrivilegedContainers"))], audited), notEvaluated: [], workloads: 1 });
    expect(hasFailingViolation(auditReport, "deny")).toBe(false);
    expect(hasFailingViolation(auditReport, "audit")).toBe(true);
  });

  it("renders violations, unknowns and objects not evaluated as text", () => {
    const text = renderText(report);
    expect(text).toContain("test.yaml:1  Pod web  namespace apps (from the manifest)  container app");
    expect(text).toContain("DENY  NoPrivilegedContainers");
    expect(text).toContain("test.yaml:9  Service svc: not evaluated (not a workload kind)");
    expect(text).toContain("2 workloads checked: 1 violation (1 denied, 0 audited, 0 without effect), 0 unknown, 9 passed, 0 not applicable; 1 object not evaluated.");
  });

  it("says when the assignment is DoNotEnforce", () => {
    const doNotEnforce = resolveInitiative({ setDefinition: BUILTIN_INITIATIVES.baseline, assignment: { name: "a", enforcementMode: "DoNotEnforce" } });
    const text = renderText(buildReport({ initiative: doNotEnforce, results: evaluateWorkloads([workload(violating("NoPrivilegedContainers"))], doNotEnforce), notEvaluated: [], workloads: 1 }));
    expect(text).toContain("Enforcement mode DoNotEnforce");
    expect(text).toContain("NO EFFECT  NoPrivilegedContainers");
    expect(text).toContain("nothing: the assignment's enforcement mode is DoNotEnforce");
  });
});

describe("SARIF", () => {
  it("levels follow the outcome and unknown members are open results, never passes", () => {
    const initiative = resolveInitiative({
      setDefinition: {
        name: "custom",
        properties: {
          displayName: "Custom",
          policyDefinitions: [
            { policyDefinitionId: "/providers/Microsoft.Authorization/policyDefinitions/95edb821-ddaf-4404-9732-666045e056b4", policyDefinitionReferenceId: "Privileged", definitionVersion: "9.*.*" },
            { policyDefinitionId: "/providers/Microsoft.Authorization/policyDefinitions/00000000-0000-0000-0000-000000000000", policyDefinitionReferenceId: "Mystery" },
          ],
        },
      },
    });
    const results = evaluateWorkloads([workload(violating("NoPrivilegedContainers"))], initiative);
    const sarif = toSarif(buildReport({ initiative, results, notEvaluated: [], workloads: 1 })) as any;
    expect(sarif.runs[0].tool.driver).toMatchObject({ name: "akspol", version });
    // The set passes no effect, so the definition's own default applies: Deny for this one.
    expect(sarif.runs[0].results.map((r: any) => [r.ruleId, r.level, r.kind ?? "fail"])).toEqual([
      ["Privileged", "error", "fail"],
      ["Mystery", "none", "open"],
    ]);
    expect(sarif.runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri).toBe("test.yaml");
  });
});
