// The effective model's pure functions: what an assignment enforces per member (through the set's
// parameter wiring, overrides, enforcement mode, pinned versions) and the outcome per namespace
// across carriers, Deployment Safeguards and exemptions.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { BUILTIN_DEFINITIONS, BUILTIN_INITIATIVES } from "../../src/check/builtins.js";
import {
  ANY_OTHER_NAMESPACE,
  MEMBERS,
  builtInSetCarriesMembers,
  effectiveOutcomes,
  enforcementOf,
  memberOutcome,
  parseMemberKeys,
  safeguardsId,
  safeguardsMembers,
  withoutSafeguardsAssignment,
  type AssignmentDocument,
  type ClusterSources,
  type DefinitionDocument,
  type SafeguardsSetting,
} from "../../src/effective/index.js";

const more = (name: string): DefinitionDocument => JSON.parse(readFileSync(new URL(`../../src/data/azure-builtins/more/policySetDefinitions/${name}.json`, import.meta.url), "utf8"));
const BENCHMARK = more("1f3afdf9-d0c9-4c3d-847f-89da613e70a8");
const SAFEGUARDS = more("c047ea8e-9c78-49b2-958b-37e56d291a44");
const CLUSTER = "/subscriptions/s1/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/aks1";
const NOW = new Date("2026-05-01T00:00:00Z");

const assignment = (name: string, policyDefinitionId: string, properties: Record<string, unknown> = {}): AssignmentDocument => ({
  id: `/subscriptions/s1/providers/Microsoft.Authorization/policyAssignments/${name}`,
  name,
  properties: { scope: "/subscriptions/s1", policyDefinitionId, ...properties },
});
const enforce = (document: AssignmentDocument, definition: DefinitionDocument) => enforcementOf({ assignment: document, definition, memberDefinitions: BUILTIN_DEFINITIONS as DefinitionDocument[] });
const byMember = <T extends { member: string }>(list: T[]) => Object.fromEntries(list.map((item) => [item.member, item]));

const baseline = enforce(
  assignment("pss-baseline", BUILTIN_INITIATIVES.baseline.id as string, { parameters: { effect: { value: "Deny" }, excludedNamespaces: { value: ["kube-system", "monitoring"] } } }),
  BUILTIN_INITIATIVES.baseline as DefinitionDocument,
);
const benchmarkAssignment = assignment("mcsb", BENCHMARK.id as string, {
  overrides: [{ kind: "policyEffect", value: "Deny", selectors: [{ kind: "policyDefinitionReferenceId", in: ["privilegedContainersShouldBeAvoided"] }] }],
});
const benchmark = enforce(benchmarkAssignment, BENCHMARK);
const cluster = (extra: Partial<ClusterSources> = {}): ClusterSources => ({
  clusterId: CLUSTER,
  clusterName: "aks1",
  azurePolicyEnabled: true,
  assignments: [baseline, benchmark],
  exemptions: [],
  ...extra,
});

describe("what an assignment enforces per member", () => {
  it("knows the nine members by the definitions of the two initiatives", () => {
    expect(MEMBERS.map((member) => member.key).sort()).toEqual([
      "AllowedSeccompProfiles",
      "AllowedUsersGroups",
      "AllowedVolumeTypes",
      "BlockUsingHostNetwork",
      "BlockUsingHostProcessIDAndIPC",
      "ContainerCapabilities",
      "NoHostPathVolume",
      "NoPrivilegeEscalation",
      "NoPrivilegedContainers",
    ]);
    expect(builtInSetCarriesMembers(BENCHMARK.id as string)).toBe(true);
    expect(builtInSetCarriesMembers("/providers/Microsoft.Authorization/policySetDefinitions/00000000-0000-0000-0000-000000000000")).toBe(false);
    expect(builtInSetCarriesMembers("/subscriptions/s1/providers/Microsoft.Authorization/policySetDefinitions/custom")).toBeUndefined();
  });

  it("baseline: the set's effect and excludedNamespaces parameters, set by the assignment, are the levers", () => {
    expect(baseline.definition.family).toBe("baseline");
    expect(baseline.members.map((member) => member.member)).toEqual(["NoPrivilegedContainers", "BlockUsingHostNetwork", "BlockUsingHostProcessIDAndIPC", "ContainerCapabilities", "NoHostPathVolume"]);
    const hostNetwork = byMember(baseline.members).BlockUsingHostNetwork!;
    expect(hostNetwork).toMatchObject({ effect: "deny", excludedNamespaces: ["kube-system", "monitoring"], definitionVersion: "6.2.0", template: "host-network-ports/v3", status: "ok" });
    expect(hostNetwork.origins.effect).toEqual({ kind: "parameter", parameter: "effect", source: "assignment" });
    expect(hostNetwork.origins.excludedNamespaces).toEqual({ kind: "parameter", parameter: "excludedNamespaces", source: "assignment" });
    expect(hostNetwork.origins.labelSelector).toEqual({ kind: "definition-default" });
    expect(hostNetwork.templateParameters).toMatchObject({ allowHostNetwork: false, minPort: 0, maxPort: 0 });
  });

  it("benchmark: seven members, each with its own per-policy parameters and constants, at the pinned versions", () => {
    expect(benchmark.definition.family).toBe("benchmark");
    expect(benchmark.members).toHaveLength(7);
    const members = byMember(benchmark.members);
    expect(members.NoPrivilegedContainers).toMatchObject({ referenceId: "privilegedContainersShouldBeAvoided", effect: "deny", definitionVersion: "9.2.0" });
    expect(members.NoPrivilegedContainers!.origins.effect).toEqual({ kind: "override", index: 0 });
    expect(members.NoPrivilegedContainers!.origins.excludedNamespaces).toEqual({ kind: "parameter", parameter: "privilegedContainerNamespaceExclusion", source: "default" });
    expect(members.NoPrivilegedContainers!.excludedNamespaces).toContain("mdc");
    expect(members.AllowedUsersGroups!.templateParameters.runAsUser).toEqual({ rule: "MustRunAsNonRoot", ranges: [] });
    expect(members.AllowedUsersGroups!.effect).toBe("audit");
    expect(members.BlockUsingHostNetwork!.origins.effect).toEqual({ kind: "parameter", parameter: "AllowedHostNetworkingAndPortsInKubernetesClusterEffect", source: "default" });
  });

  it("an override that disables one member disables only that member", () => {
    const disabled = enforce(
      assignment("pss", BUILTIN_INITIATIVES.baseline.id as string, {
        parameters: { effect: { value: "Deny" } },
        overrides: [{ kind: "policyEffect", value: "Disabled", selectors: [{ kind: "policyDefinitionReferenceId", in: ["NoHostPathVolume"] }] }],
      }),
      BUILTIN_INITIATIVES.baseline as DefinitionDocument,
    );
    const members = byMember(disabled.members);
    expect(members.NoHostPathVolume).toMatchObject({ effect: "disabled", origins: { effect: { kind: "override", index: 0 } } });
    expect(members.NoPrivilegedContainers!.effect).toBe("deny");
  });

  it("a definitionVersion override moves a member to another pinned version", () => {
    const moved = enforce(
      assignment("pss", BUILTIN_INITIATIVES.baseline.id as string, {
        overrides: [{ kind: "definitionVersion", value: "7.*.*", selectors: [{ kind: "policyDefinitionReferenceId", in: ["BlockUsingHostNetwork"] }] }],
      }),
      BUILTIN_INITIATIVES.baseline as DefinitionDocument,
    );
    expect(byMember(moved.members).BlockUsingHostNetwork).toMatchObject({ definitionVersionPin: "7.*.*", definitionVersion: "7.0.0", template: "host-network-ports/v4" });
  });

  it("a single-definition assignment carries its one member; its own parameters are the levers", () => {
    const hostNetworkDefinition = (BUILTIN_DEFINITIONS as DefinitionDocument[]).find((d) => d.name === "82985f06-dc18-4a48-bc1c-b9f4f0098cfe" && d.properties?.version === "6.2.0")!;
    const single = enforce(
      assignment("no-host-network", hostNetworkDefinition.id as string, { parameters: { effect: { value: "deny" }, excludedNamespaces: { value: ["ingress"] } } }),
      hostNetworkDefinition,
    );
    expect(single.definition).toMatchObject({ kind: "definition", family: "definition" });
    expect(single.members).toHaveLength(1);
    expect(single.members[0]).toMatchObject({ member: "BlockUsingHostNetwork", effect: "deny", excludedNamespaces: ["ingress"] });
    expect(single.members[0]!.origins.excludedNamespaces).toEqual({ kind: "parameter", parameter: "excludedNamespaces", source: "assignment" });
  });

  it("a member definition version that is not available makes the member unknown, never silently passed", () => {
    const unknown = enforcementOf({
      assignment: assignment("pss", BUILTIN_INITIATIVES.baseline.id as string, { parameters: { effect: { value: "Deny" } } }),
      definition: BUILTIN_INITIATIVES.baseline as DefinitionDocument,
      memberDefinitions: [],
    });
    expect(unknown.members.every((member) => member.status === "unknown")).toBe(true);
    expect(unknown.members[0]).toMatchObject({ effect: "deny", unknownReason: expect.stringMatching(/not available/) });
  });

  it("Deployment Safeguards' set pins newer majors and passes warn", () => {
    const safeguards = enforce(assignment("sg", SAFEGUARDS.id as string, { parameters: { warn: { value: true } } }), SAFEGUARDS);
    expect(safeguards.definition.family).toBe("safeguards");
    expect(safeguards.members).toHaveLength(9);
    expect(byMember(safeguards.members).BlockUsingHostNetwork).toMatchObject({ definitionVersion: "7.0.0", warn: true, effect: "audit" });
  });
});

describe("the outcome per namespace and member on a cluster", () => {
  it("a namespace excluded in the pod-security assignment is still denied through the benchmark, which decides", () => {
    const outcome = memberOutcome(cluster(), "monitoring", "NoPrivilegedContainers", NOW);
    expect(outcome.outcome).toBe("deny");
    expect(outcome.decidedBy).toMatchObject({ kind: "assignment", name: "mcsb", family: "benchmark", referenceId: "privilegedContainersShouldBeAvoided" });
    expect(outcome.verdicts.map((verdict) => [verdict.source.kind === "assignment" ? verdict.source.name : "sg", verdict.outcome])).toEqual([
      ["mcsb", "deny"],
      ["pss-baseline", "none"],
    ]);
    expect(outcome.verdicts[1]!.reason).toMatch(/excluded by parameter excludedNamespaces of pss-baseline/);
    expect(outcome.levers[0]).toMatchObject({ kind: "parameter", parameter: "privilegedContainerNamespaceExclusion", command: "akspol exclude add mcsb monitoring --policies NoPrivilegedContainers" });
  });

  it("deny beats warn beats audit; members only the benchmark carries at Audit are audited", () => {
    const outcomes = effectiveOutcomes(cluster(), { namespaces: ["web"], now: NOW });
    const web = byMember(outcomes.filter((outcome) => outcome.namespace === "web"));
    expect(web.BlockUsingHostNetwork!.outcome).toBe("deny");
    expect(web.BlockUsingHostNetwork!.decidedBy).toMatchObject({ name: "pss-baseline" });
    expect(web.AllowedUsersGroups!.outcome).toBe("audit");
    expect(web.AllowedUsersGroups!.decidedBy).toMatchObject({ name: "mcsb" });
    expect(outcomes.some((outcome) => outcome.namespace === ANY_OTHER_NAMESPACE)).toBe(true);
    expect(outcomes.find((outcome) => outcome.namespace === "kube-system")?.outcome).toBe("none");
  });

  it("DoNotEnforce turns deny into audit; a disabled add-on enforces nothing", () => {
    const doNotEnforce = enforce(
      assignment("pss-baseline", BUILTIN_INITIATIVES.baseline.id as string, { parameters: { effect: { value: "Deny" } }, enforcementMode: "DoNotEnforce" }),
      BUILTIN_INITIATIVES.baseline as DefinitionDocument,
    );
    expect(memberOutcome(cluster({ assignments: [doNotEnforce] }), "web", "BlockUsingHostNetwork", NOW).outcome).toBe("audit");
    expect(memberOutcome(cluster({ azurePolicyEnabled: false }), "web", "BlockUsingHostNetwork", NOW)).toMatchObject({ outcome: "none", reason: expect.stringMatching(/add-on is disabled/) });
  });

  it("an active exemption removes an assignment's outcome (assumed), an expired one does not", () => {
    const exemption = {
      id: `${CLUSTER}/providers/Microsoft.Authorization/policyExemptions/x`,
      name: "x",
      policyAssignmentId: baseline.assignment.id,
      policyDefinitionReferenceIds: ["BlockUsingHostNetwork"],
    };
    const active = memberOutcome(cluster({ assignments: [baseline], exemptions: [{ ...exemption, expiresOn: "2026-06-01T00:00:00Z" }] }), "web", "BlockUsingHostNetwork", NOW);
    expect(active).toMatchObject({ outcome: "none" });
    expect(active.verdicts[0]).toMatchObject({ exemptedBy: "x", reason: expect.stringMatching(/assumes the add-on honours exemptions/) });
    const expired = memberOutcome(cluster({ assignments: [baseline], exemptions: [{ ...exemption, expiresOn: "2026-04-01T00:00:00Z" }] }), "web", "BlockUsingHostNetwork", NOW);
    expect(expired.outcome).toBe("deny");
  });

  it("Deployment Safeguards: its level decides deny or warn, its exclusions lift it, its PSS level picks the members", () => {
    const setting: SafeguardsSetting = {
      id: safeguardsId(CLUSTER),
      clusterId: CLUSTER,
      level: "Warn",
      excludedNamespaces: ["legacy"],
      systemExcludedNamespaces: ["kube-system", "calico-system"],
      podSecurityStandardsLevel: "Restricted",
      apiVersion: "2025-05-02-preview",
    };
    const sources = cluster({ assignments: [], safeguards: setting });
    const warned = memberOutcome(sources, "web", "AllowedSeccompProfiles", NOW);
    expect(warned).toMatchObject({ outcome: "warn", decidedBy: { kind: "safeguards" } });
    expect(warned.levers[0]).toMatchObject({ kind: "safeguards-exclusion", command: "akspol safeguards exclude add web --cluster aks1" });
    expect(memberOutcome(sources, "legacy", "AllowedSeccompProfiles", NOW).outcome).toBe("none");
    expect(memberOutcome({ ...sources, safeguards: { ...setting, level: "Enforce" } }, "web", "NoPrivilegedContainers", NOW).outcome).toBe("deny");
    expect(safeguardsMembers({ podSecurityStandardsLevel: "Privileged" }).members).toEqual([]);
    expect(safeguardsMembers({})).toMatchObject({ assumed: true, level: "Baseline" });
    expect(safeguardsMembers({}).members).toHaveLength(5);
  });

  it("the Safeguards initiative's own assignment at the cluster is counted once, as the setting", () => {
    const atCluster = enforce({ ...assignment("sg", SAFEGUARDS.id as string), properties: { scope: CLUSTER, policyDefinitionId: SAFEGUARDS.id } }, SAFEGUARDS);
    const setting: SafeguardsSetting = { id: safeguardsId(CLUSTER), clusterId: CLUSTER, level: "Warn", excludedNamespaces: [], systemExcludedNamespaces: [], apiVersion: "2025-04-01" };
    expect(withoutSafeguardsAssignment([baseline, atCluster], CLUSTER, setting)).toEqual([baseline]);
    expect(withoutSafeguardsAssignment([baseline, atCluster], CLUSTER, undefined)).toHaveLength(2);
  });

  it("--policies values are member keys, case-insensitive", () => {
    expect(parseMemberKeys(["blockusinghostnetwork,NoHostPathVolume", "nope"])).toEqual({ members: ["BlockUsingHostNetwork", "NoHostPathVolume"], unknown: ["nope"] });
  });
});
