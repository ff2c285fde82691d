// Initiative-level behaviour: effective parameters, effect, overrides, enforcement mode, exemptions,
// namespaces and the unknown status, through resolveInitiative and evaluateWorkloads.
import { describe, expect, it } from "vitest";
import { BUILTIN_INITIATIVES, evaluateWorkloads, resolveBuiltinInitiative, resolveInitiative, type CheckResult } from "../../src/check/index.js";
import { VIOLATING, compliantSpec, violating, workload } from "./helpers.js";

const byRef = (results: CheckResult[]) => Object.fromEntries(results.map((r) => [r.policy.referenceId, r]));
const BASELINE_REFS = ["NoPrivilegedContainers", "BlockUsingHostNetwork", "BlockUsingHostProcessIDAndIPC", "ContainerCapabilities", "NoHostPathVolume"];
const RESTRICTED_REFS = [
  "NoPrivilegedContainers",
  "NoPrivilegeEscalation",
  "BlockUsingHostNetwork",
  "BlockUsingHostProcessIDAndIPC",
  "ContainerCapabilities",
  "AllowedVolumeTypes",
  "AllowedUsersGroups",
  "AllowedSeccompProfiles",
];

describe("effective parameters of the built-in initiatives", () => {
  it("baseline defaults: members, versions, templates and the values the initiative passes", () => {
    const initiative = resolveBuiltinInitiative("baseline");
    expect(initiative.members.map((m) => [m.referenceId, m.definitionVersion, m.template, m.status])).toEqual([
      ["NoPrivilegedContainers", "9.2.0", "container-no-privilege/v2", "ok"],
      ["BlockUsingHostNetwork", "6.2.0", "host-network-ports/v3", "ok"],
      ["BlockUsingHostProcessIDAndIPC", "5.2.0", "block-host-namespace/v2", "ok"],
      ["ContainerCapabilities", "6.2.0", "container-allowed-capabilities/v3", "ok"],
      ["NoHostPathVolume", "6.3.0", "allowed-host-paths/v4", "ok"],
    ]);
    const members = Object.fromEntries(initiative.members.map((m) => [m.referenceId, m]));
    expect(members.BlockUsingHostNetwork?.parameters).toEqual({ allowHostNetwork: false, minPort: 0, maxPort: 0, excludedContainers: [], excludedImages: [] });
    expect(members.NoHostPathVolume?.parameters).toEqual({ allowedHostPaths: [], windowsAllowedHostPaths: [], excludedContainers: [], excludedImages: [] });
    expect(members.NoHostPathVolume?.approximation).toMatch(/allowed-host-paths v3/);
    expect(members.ContainerCapabilities?.parameters.allowedCapabilities).toHaveLength(14);
    for (const member of initiative.members) {
      expect(member.effect).toBe("audit");
      expect(member.match).toEqual({ excludedNamespaces: ["kube-system", "gatekeeper-system", "azure-arc", "azure-extensions-usage-system"], namespaces: [], labelSelector: {} });
    }
  });

  it("restricted defaults: users/groups rules, volume types and seccomp profiles", () => {
    const members = Object.fromEntries(resolveBuiltinInitiative("restricted").members.map((m) => [m.referenceId, m]));
    expect(Object.keys(members)).toEqual(RESTRICTED_REFS);
    expect(members.AllowedUsersGroups?.parameters).toEqual({
      runAsUser: { rule: "MustRunAsNonRoot", ranges: [] },
      runAsGroup: { rule: "MustRunAs", ranges: [{ min: 1, max: 65535 }] },
      supplementalGroups: { rule: "MustRunAs", ranges: [{ min: 1, max: 65535 }] },
      fsGroup: { rule: "MustRunAs", ranges: [{ min: 1, max: 65535 }] },
      excludedContainers: [],
      excludedImages: [],
    });
    expect(members.AllowedVolumeTypes?.parameters).toEqual({
      volumes: ["configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim", "projected", "secret"],
      excludedImages: [],
    });
    expect(members.AllowedSeccompProfiles?.parameters.allowedProfiles).toEqual(["runtime/default", "docker/default"]);
    expect(members.NoPrivilegeEscalation?.definitionVersion).toBe("7.2.0");
  });

  it("assignment values replace set defaults and reach every member (effect case-insensitively)", () => {
    const initiative = resolveBuiltinInitiative("baseline", {
      effect: "Deny",
      excludedNamespaces: ["legacy"],
      allowedHostPaths: { paths: [{ pathPrefix: "/var/log", readOnly: true }] },
    });
    for (const member of initiative.members) {
      expect(member.effect).toBe("deny");
      expect(member.match.excludedNamespaces).toEqual(["legacy"]);
    }
    const hostPaths = initiative.members.find((m) => m.referenceId === "NoHostPathVolume");
    expect(hostPaths?.parameters.allowedHostPaths).toEqual([{ pathPrefix: "/var/log", readOnly: true }]);
  });

  it("the allowedHostPaths parameter changes the verdict: an allowed prefix mounted read-only passes", () => {
    const spec = violating("NoHostPathVolume");
    const denyAll = byRef(evaluateWorkloads([workload(spec)], resolveBuiltinInitiative("baseline")));
    expect(denyAll.NoHostPathVolume?.status).toBe("violation");
    const allowLogs = resolveBuiltinInitiative("baseline", { allowedHostPaths: { paths: [{ pathPrefix: "/var/log", readOnly: true }] } });
    expect(byRef(evaluateWorkloads([workload(spec)], allowLogs)).NoHostPathVolume?.violations.map((v) => v.code)).toEqual(["host-path-read-only"]);
    (spec as any).containers[0].volumeMounts[1].readOnly = true;
    expect(byRef(evaluateWorkloads([workload(spec)], allowLogs)).NoHostPathVolume?.status).toBe("pass");
  });

  it("restricted allowedCapabilities and requiredDropCapabilities parameters reach ContainerCapabilities", () => {
    const spec = compliantSpec();
    (spec as any).containers[0].securityContext.capabilities = { add: ["NET_ADMIN"] };
    const defaults = byRef(evaluateWorkloads([workload(spec)], resolveBuiltinInitiative("restricted")));
    expect(defaults.ContainerCapabilities?.violations.map((v) => v.code)).toEqual(["capability-add"]);
    const custom = resolveBuiltinInitiative("restricted", { allowedCapabilities: ["NET_ADMIN"], requiredDropCapabilities: ["NET_RAW"] });
    expect(byRef(evaluateWorkloads([workload(spec)], custom)).ContainerCapabilities?.violations.map((v) => v.code)).toEqual(["capability-drop"]);
  });
});

describe.each([
  ["baseline", BASELINE_REFS],
  ["restricted", RESTRICTED_REFS],
] as const)("%s: each member alone", (name, refs) => {
  it("a compliant pod passes every member", () => {
    const results = evaluateWorkloads([workload(compliantSpec())], resolveBuiltinInitiative(name));
    expect(results.map((r) => r.status)).toEqual(refs.map(() => "pass"));
  });

  describe.each(refs.filter((ref) => ref in VIOLATING))("%s", (ref) => {
    const run = (initiative = resolveBuiltinInitiative(name), options: Parameters<typeof workload>[1] = {}) => byRef(evaluateWorkloads([workload(violating(ref), options)], initiative))[ref]!;

    it("is violated by its defect only, audited by default", () => {
      const results = evaluateWorkloads([workload(violating(ref))], resolveBuiltinInitiative(name));
      expect(results.filter((r) => r.status === "violation").map((r) => r.policy.referenceId)).toEqual([ref]);
      expect(run().outcome).toBe("audit");
    });
    it("is not applied in an excluded namespace, and applied once the namespace is no longer excluded", () => {
      expect(run(undefined, { namespace: "azure-extensions-usage-system" }).notApplicableReason).toBe("excluded-namespace");
      expect(run(resolveBuiltinInitiative(name, { excludedNamespaces: [] }), { namespace: "azure-extensions-usage-system" }).status).toBe("violation");
      expect(run(resolveBuiltinInitiative(name, { excludedNamespaces: ["team-*"] }), { namespace: "team-a" }).notApplicableReason).toBe("excluded-namespace");
    });
    it("is never applied in the add-on's system namespaces, even when not excluded", () => {
      for (const namespace of ["kube-system", "gatekeeper-system", "azure-arc"]) {
        const result = run(resolveBuiltinInitiative(name, { excludedNamespaces: [] }), { namespace });
        expect(result.status).toBe("not-applicable");
        expect(result.notApplicableReason).toBe("system-namespace");
      }
    });
    it("applies only in the listed namespaces when namespaces is set", () => {
      const initiative = resolveBuiltinInitiative(name, { namespaces: ["prod"] });
      expect(run(initiative, { namespace: "apps" }).notApplicableReason).toBe("namespace-not-included");
      expect(run(initiative, { namespace: "prod" }).status).toBe("violation");
    });
    it("follows a policyEffect override selecting it, and ignores one selecting others", () => {
      const setDefinition = BUILTIN_INITIATIVES[name];
      const select = (kind: "in" | "notIn") =>
        resolveInitiative({
          setDefinition,
          assignment: { overrides: [{ kind: "policyEffect", value: "Deny", selectors: [{ kind: "policyDefinitionReferenceId", [kind]: [ref] }] }] },
        });
      expect(run(select("in")).outcome).toBe("deny");
      expect(run(select("in")).outcomeText).toBe("the Pod is refused");
      expect(run(select("notIn")).outcome).toBe("audit");
      const disabled = resolveBuiltinInitiative(name, { effect: "Disabled" });
      expect(run(disabled)).toMatchObject({ status: "violation", outcome: "none", noOutcomeReason: "effect-disabled" });
    });
    it("has no outcome under DoNotEnforce or an exemption covering it", () => {
      const doNotEnforce = resolveInitiative({ setDefinition: BUILTIN_INITIATIVES[name], assignment: { enforcementMode: "DoNotEnforce", parameters: { effect: { value: "deny" } } } });
      expect(run(doNotEnforce)).toMatchObject({ status: "violation", outcome: "none", noOutcomeReason: "do-not-enforce" });
      const exempted = resolveBuiltinInitiative(name, { effect: "deny" }, { exemptions: [{ name: "waiver-1", policyDefinitionReferenceIds: [ref] }] });
      expect(run(exempted)).toMatchObject({ outcome: "none", noOutcomeReason: "exempted", outcomeText: "nothing: exempted by waiver-1" });
      const otherExempted = resolveBuiltinInitiative(name, { effect: "deny" }, { exemptions: [{ name: "w", policyDefinitionReferenceIds: ["SomethingElse"] }] });
      expect(run(otherExempted).outcome).toBe("deny");
    });
    it("skips Windows pods (except AllowedVolumeTypes, which has no Windows skip)", () => {
      const spec = { ...violating(ref), nodeSelector: { "kubernetes.io/os": "windows" } };
      const result = byRef(evaluateWorkloads([workload(spec)], resolveBuiltinInitiative(name)))[ref]!;
      expect(result.status).toBe(ref === "AllowedVolumeTypes" ? "violation" : "pass");
    });
  });
});

describe.each(["NoPrivilegedContainers", "NoPrivilegeEscalation", "ContainerCapabilities"])("%s in init and ephemeral containers", (ref) => {
  it.each(["initContainers", "ephemeralContainers"])("a defect in %s is a violation naming that container", (list) => {
    const defective = (violating(ref) as any).containers[0];
    const spec = { ...compliantSpec(), [list]: [{ ...defective, name: "side" }] };
    const result = byRef(evaluateWorkloads([workload(spec)], resolveBuiltinInitiative("restricted")))[ref]!;
    expect(result.violations.map((v) => v.container)).toEqual(["side"]);
  });
});

describe("workload kinds", () => {
  it("explains a violation in a Deployment's template as admitted with its pods refused", () => {
    const initiative = resolveBuiltinInitiative("baseline", { effect: "deny" });
    const deny = byRef(evaluateWorkloads([workload(violating("NoPrivilegedContainers"), { kind: "Deployment" })], initiative)).NoPrivilegedContainers;
    expect(deny?.outcomeText).toBe("the Deployment is admitted; its pods are refused");
    const audit = byRef(evaluateWorkloads([workload(violating("NoPrivilegedContainers"), { kind: "CronJob" })], resolveBuiltinInitiative("baseline"))).NoPrivilegedContainers;
    expect(audit?.outcomeText).toBe("the CronJob is admitted; its pods are flagged as non-compliant");
  });
});

describe("exemptions and overrides", () => {
  it("an exemption without reference ids covers every member; an expired one covers none", () => {
    const all = resolveBuiltinInitiative("restricted", {}, { exemptions: [{ name: "all" }] });
    expect(all.members.every((m) => m.exemptedBy === "all")).toBe(true);
    const expired = resolveInitiative({
      setDefinition: BUILTIN_INITIATIVES.restricted,
      exemptions: [{ name: "old", expiresOn: "2020-01-01T00:00:00Z" }],
      now: new Date("2026-01-01T00:00:00Z"),
    });
    expect(expired.members.some((m) => m.exemptedBy)).toBe(false);
  });
  it("an override without selectors applies to every member; effect values are case-insensitive", () => {
    const initiative = resolveInitiative({ setDefinition: BUILTIN_INITIATIVES.baseline, assignment: { overrides: [{ kind: "policyEffect", value: "DENY" }] } });
    expect(initiative.members.map((m) => [m.effect, m.effectSource])).toEqual(initiative.members.map(() => ["deny", "override"]));
  });
  it("a definitionVersion override pinning a newer major makes the member unknown (its template is not published)", () => {
    const initiative = resolveInitiative({
      setDefinition: BUILTIN_INITIATIVES.baseline,
      assignment: { overrides: [{ kind: "definitionVersion", value: "7.*.*", selectors: [{ kind: "policyDefinitionReferenceId", in: ["BlockUsingHostNetwork"] }] }] },
    });
    const member = initiative.members.find((m) => m.referenceId === "BlockUsingHostNetwork");
    expect(member).toMatchObject({ status: "unknown", definitionVersion: "7.0.0", template: "host-network-ports/v4" });
  });
});

describe("unknown status", () => {
  const custom = (references: object[], parameters = {}) =>
    resolveInitiative({
      setDefinition: {
        id: "/subscriptions/s/providers/Microsoft.Authorization/policySetDefinitions/custom",
        name: "custom",
        properties: { displayName: "Custom", parameters, policyDefinitions: references as never },
      },
    });

  it("a member whose definition akspol does not know is reported unknown, never passed", () => {
    const initiative = custom([
      { policyDefinitionId: "/providers/Microsoft.Authorization/policyDefinitions/df49d893-a74c-421d-bc95-c663042e5b80", policyDefinitionReferenceId: "ReadOnlyRoot" },
      { policyDefinitionId: "/providers/Microsoft.Authorization/policyDefinitions/95edb821-ddaf-4404-9732-666045e056b4", policyDefinitionReferenceId: "Privileged", definitionVersion: "9.*.*" },
    ]);
    const results = byRef(evaluateWorkloads([workload(compliantSpec())], initiative));
    expect(results.ReadOnlyRoot).toMatchObject({ status: "unknown", outcome: "none" });
    expect(results.ReadOnlyRoot?.unknownReason).toMatch(/df49d893/);
    expect(results.Privileged?.status).toBe("pass");
  });
  it("a pinned version akspol does not have is unknown", () => {
    const initiative = custom([
      { policyDefinitionId: "/providers/Microsoft.Authorization/policyDefinitions/95edb821-ddaf-4404-9732-666045e056b4", policyDefinitionReferenceId: "Privileged", definitionVersion: "8.*.*" },
    ]);
    expect(initiative.members[0]).toMatchObject({ status: "unknown" });
    expect(initiative.members[0]?.unknownReason).toMatch(/8\.\*\.\* is not available/);
  });
  it("an unpinned reference takes the newest version, as ARM does (unknown where its template is unpublished)", () => {
    const initiative = custom([{ policyDefinitionId: "/providers/Microsoft.Authorization/policyDefinitions/1c6e92c9-99f0-4e55-9cf2-0c234dc48f99", policyDefinitionReferenceId: "Escalation" }]);
    expect(initiative.members[0]).toMatchObject({ status: "unknown", definitionVersion: "8.0.0", template: "container-no-privilege-escalation/v4" });
  });
  it("a value expression akspol cannot evaluate makes the member unknown", () => {
    const initiative = custom([
      {
        policyDefinitionId: "/providers/Microsoft.Authorization/policyDefinitions/95edb821-ddaf-4404-9732-666045e056b4",
        definitionVersion: "9.*.*",
        policyDefinitionReferenceId: "P",
        parameters: { excludedImages: { value: "[concat(parameters('a'), parameters('b'))]" } },
      },
    ]);
    expect(initiative.members[0]?.status).toBe("unknown");
    expect(initiative.members[0]?.unknownReason).toMatch(/concat/);
  });
  it("a custom initiative can pass a labelSelector; pods whose labels do not match are not reviewed", () => {
    const initiative = custom([
      {
        policyDefinitionId: "/providers/Microsoft.Authorization/policyDefinitions/95edb821-ddaf-4404-9732-666045e056b4",
        definitionVersion: "9.*.*",
        policyDefinitionReferenceId: "P",
        parameters: { labelSelector: { value: { matchExpressions: [{ key: "tier", operator: "In", values: ["web"] }] } } },
      },
    ]);
    const spec = violating("NoPrivilegedContainers");
    expect(evaluateWorkloads([workload(spec, { labels: { tier: "db" } })], initiative)[0]?.notApplicableReason).toBe("label-selector");
    expect(evaluateWorkloads([workload(spec, { labels: { tier: "web" } })], initiative)[0]?.status).toBe("violation");
  });
});
