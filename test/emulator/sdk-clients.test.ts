// The real Azure SDK clients against the emulator: each operation akspol uses, answered as ARM answers.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PolicyClient } from "@azure/arm-policy";
import { ContainerServiceClient } from "@azure/arm-containerservice";
import { SubscriptionClient } from "@azure/arm-resources-subscriptions";
import { ResourceManagementClient } from "@azure/arm-resources";
import { ManagementGroupsAPI } from "@azure/arm-managementgroups";
import { isRestError } from "@azure/core-rest-pipeline";
import { DEMO } from "../../src/emulator/demo-seed.js";
import { EXEMPTION_API_VERSIONS, MANAGED_CLUSTER_API_VERSIONS, POLICY_API_VERSIONS } from "../../src/emulator/api-versions.js";
import { startTestEmulator, type TestEmulator } from "../helpers/emulator.js";
import { exemptionPath, exemptionsRestClient } from "../helpers/exemptions-client.js";

const prod = DEMO.subscriptions.prod.id;
const dev = DEMO.subscriptions.dev.id;
const RESTRICTED = DEMO.policySetDefinitions.restricted;
const BASELINE = DEMO.policySetDefinitions.baseline;

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterable) items.push(item);
  return items;
}

async function restError(promise: Promise<unknown>): Promise<{ statusCode?: number; code?: string; message: string }> {
  try {
    await promise;
  } catch (error) {
    if (isRestError(error)) return error;
    throw error;
  }
  throw new Error("expected a RestError");
}

describe("Azure SDK clients against the emulator", () => {
  let emu: TestEmulator;
  let policy: PolicyClient;
  beforeAll(async () => {
    emu = await startTestEmulator({ seed: "demo" });
    policy = new PolicyClient(emu.credentialFor("admin"), prod, emu.clientOptions);
  });
  afterAll(() => emu.close());

  describe("policy assignments (arm-policy 7.0.1)", () => {
    it("creates with 201, replaces keeping instanceId and principalId, reads back with $expand", async () => {
      const scope = `/subscriptions/${prod}/resourceGroups/rg-shared`;
      const created = await policy.policyAssignments.create(scope, "restricted-shared", {
        displayName: "Restricted on shared",
        policyDefinitionId: RESTRICTED,
        parameters: { effect: { value: "Deny" } },
        location: "westeurope",
        identity: { type: "SystemAssigned" },
      });
      expect(created.id).toBe(`${scope}/providers/Microsoft.Authorization/policyAssignments/restricted-shared`);
      expect(created.scope).toBe(scope);
      expect(created.definitionVersion).toBe("2.*.*");
      expect(created.notScopes).toEqual([]);
      expect(created.enforcementMode).toBe("Default");
      expect(created.identity?.principalId).toMatch(/^[0-9a-f-]{36}$/);
      expect(created.metadata?.createdBy).toBe(emu.connection.principals[0].objectId);
      expect(created.systemData?.createdByType).toBe("Application");

      const replaced = await policy.policyAssignments.create(scope, "restricted-shared", {
        displayName: "Restricted on shared (v2)",
        policyDefinitionId: RESTRICTED,
        definitionVersion: "2.4.0",
        location: "westeurope",
        identity: { type: "SystemAssigned" },
      });
      expect(replaced.instanceId).toBe(created.instanceId);
      expect(replaced.identity?.principalId).toBe(created.identity?.principalId);
      expect(replaced.parameters).toEqual({});
      expect(replaced.metadata?.updatedBy).toBe(emu.connection.principals[0].objectId);

      const expanded = await policy.policyAssignments.get(scope, "restricted-shared", { expand: "LatestDefinitionVersion, EffectiveDefinitionVersion" });
      expect(expanded.latestDefinitionVersion).toBe("2.5.0");
      expect(expanded.effectiveDefinitionVersion).toBe("2.4.0");
      const plain = await policy.policyAssignments.get(scope, "restricted-shared");
      expect(plain.latestDefinitionVersion).toBeUndefined();
    });

    it("patches only identity, location, overrides and resourceSelectors", async () => {
      const updated = await policy.policyAssignments.update(DEMO.assignments.baseline.scope, "pss-baseline", {
        overrides: [{ kind: "policyEffect", value: "Audit", selectors: [{ kind: "policyDefinitionReferenceId", in: ["NoHostPathVolume"] }] }],
      });
      expect(updated.overrides?.[0].value).toBe("Audit");
      expect(updated.displayName).toBe("Pod security baseline (prod)");
      const stored = await emu.hooks.getResource(DEMO.assignments.baseline.id);
      expect(stored.properties.overrides).toHaveLength(1);
    });

    it("deletes with 200 and the body; a second delete is 204 without a body", async () => {
      const scope = `/subscriptions/${dev}`;
      await policy.policyAssignments.create(scope, "to-delete", { policyDefinitionId: BASELINE });
      const deleted = await policy.policyAssignments.delete(scope, "to-delete");
      expect(deleted.name).toBe("to-delete");
      const statuses: number[] = [];
      // arm-policy 7.0.1 throws a TypeError on the spec's empty 204 (docs/reference/arm-contract.md §2.4); read the status raw.
      await policy.policyAssignments.delete(scope, "to-delete", { onResponse: (response) => void statuses.push(response.status) }).catch(() => undefined);
      expect(statuses).toEqual([204]);
    });

    it("lists for subscription, resource group, management group and resource with filters", async () => {
      const bySubscription = await collect(policy.policyAssignments.list({ filter: "atScope()" }));
      expect(bySubscription.map((item) => item.name)).toContain("pss-baseline");
      const devClient = new PolicyClient(emu.credentialFor("admin"), dev, emu.clientOptions);
      // Unfiltered: what is assigned in the group plus what it inherits (the demo's single-definition assignment on the subscription).
      const byGroup = await collect(devClient.policyAssignments.listForResourceGroup("rg-aks-dev"));
      expect(byGroup.map((item) => item.name).sort()).toEqual(["no-privilege-escalation", "pss-restricted"]);
      const byResource = await collect(devClient.policyAssignments.listForResource("rg-aks-dev", "Microsoft.ContainerService", "", "managedClusters", "aks-dev"));
      expect(byResource.map((item) => item.name).sort()).toEqual(["no-privilege-escalation", "pss-restricted"]);
      await policy.policyAssignments.create(DEMO.managementGroupId, "mg-baseline", { policyDefinitionId: BASELINE });
      const byGroupMg = await collect(policy.policyAssignments.listForManagementGroup("contoso", { filter: "atScope()" }));
      expect(byGroupMg.map((item) => item.name)).toEqual(["mg-baseline"]);
      const byDefinition = await collect(devClient.policyAssignments.list({ filter: `policyDefinitionId eq '${RESTRICTED}'` }));
      expect(byDefinition.map((item) => item.name)).toEqual(["pss-restricted"]);
      // atScope() at a cluster reaches its resource group, subscription and the management groups above.
      const inherited = await collect(devClient.policyAssignments.listForResource("rg-aks-dev", "Microsoft.ContainerService", "", "managedClusters", "aks-dev", { filter: "atScope()" }));
      expect(inherited.map((item) => item.name).sort()).toEqual(["mg-baseline", "no-privilege-escalation", "pss-restricted"]);
      await policy.policyAssignments.delete(DEMO.managementGroupId, "mg-baseline");
    });
  });

  describe("definitions (arm-policy 7.0.1)", () => {
    it("serves the built-in initiatives with every version; restricted 2.4.0 differs only in volume types", async () => {
      const restricted = await policy.policySetDefinitions.getBuiltIn("42b8ef37-b724-4e24-bbc8-7a7708edfe00");
      expect(restricted.version).toBe("2.5.0");
      expect(restricted.versions).toEqual(["2.5.0", "2.4.0"]);
      const versions = await collect(policy.policySetDefinitionVersions.listBuiltIn("42b8ef37-b724-4e24-bbc8-7a7708edfe00"));
      expect(versions.map((item) => item.name)).toEqual(["2.5.0", "2.4.0"]);
      const old = await policy.policySetDefinitionVersions.getBuiltIn("42b8ef37-b724-4e24-bbc8-7a7708edfe00", "2.4.0");
      const volumes = (version: typeof old) => version.policyDefinitions?.find((reference) => reference.policyDefinitionReferenceId === "AllowedVolumeTypes")?.parameters?.allowedVolumeTypes.value;
      expect(volumes(old)).toEqual(["configMap", "emptyDir", "projected", "secret", "downwardAPI", "persistentVolumeClaim"]);
      const current = versions.find((item) => item.name === "2.5.0")!;
      expect(volumes(current)).toContain("csi");
      const strip = (value: unknown) => JSON.parse(JSON.stringify(value, (key, inner) => (key === "allowedVolumeTypes" || key === "version" || key === "id" || key === "name" ? undefined : inner)));
      expect(strip(old.policyDefinitions)).toEqual(strip(current.policyDefinitions));
      const builtIns = await collect(policy.policySetDefinitions.listBuiltIn());
      // The two initiatives and the other carriers in src/data/azure-builtins/more (NIST, benchmark, CIS, Safeguards).
      expect(builtIns.map((item) => item.name).sort()).toEqual([
        "179d1daa-458f-4e47-8086-2a68d0d6c38f",
        "1f3afdf9-d0c9-4c3d-847f-89da613e70a8",
        "42b8ef37-b724-4e24-bbc8-7a7708edfe00",
        "4fd005fd-51be-478f-a8fb-149d48b20d48",
        "a8640138-9b0a-4a28-b8cb-1666c838647d",
        "c047ea8e-9c78-49b2-958b-37e56d291a44",
      ]);
    });

    it("serves member definitions at their latest and pinned versions", async () => {
      const latest = await policy.policyDefinitions.getBuiltIn("82985f06-dc18-4a48-bc1c-b9f4f0098cfe");
      expect(latest.version).toBe("7.0.0");
      const pinned = await policy.policyDefinitionVersions.getBuiltIn("82985f06-dc18-4a48-bc1c-b9f4f0098cfe", "6.2.0");
      expect(Object.keys(pinned.parameters ?? {})).toContain("minPort");
      const all = await collect(policy.policyDefinitionVersions.listBuiltIn("098fc59e-46c7-4d99-9b16-64990e543d75"));
      expect(all.map((item) => item.name)).toEqual(["6.3.0", "6.2.0", "6.1.1"]);
    });

    it("creates, reads, lists and deletes custom definitions and sets", async () => {
      const definition = await policy.policyDefinitions.createOrUpdate("deny-all", {
        mode: "All",
        displayName: "Deny all",
        parameters: { effect: { type: "String", allowedValues: ["Deny", "Audit"], defaultValue: "Deny" } },
        policyRule: { if: { field: "type", equals: "x" }, then: { effect: "[parameters('effect')]" } },
      });
      expect(definition.policyType).toBe("Custom");
      const set = await policy.policySetDefinitions.createOrUpdate("custom-set", {
        displayName: "Custom set",
        policyDefinitions: [{ policyDefinitionId: definition.id!, policyDefinitionReferenceId: "denyAll" }],
      });
      expect(set.policyDefinitions?.[0].definitionVersion).toBe("1.*.*");
      expect((await policy.policySetDefinitions.get("custom-set")).displayName).toBe("Custom set");
      const customOnly = await collect(policy.policySetDefinitions.list({ filter: "policyType eq 'Custom'" }));
      expect(customOnly.map((item) => item.name)).toEqual(["custom-set"]);
      await policy.policySetDefinitions.delete("custom-set");
      await policy.policyDefinitions.delete("deny-all");
      const error = await restError(policy.policyDefinitions.get("deny-all"));
      expect([error.statusCode, error.code]).toEqual([404, "PolicyDefinitionNotFound"]);
    });
  });

  describe("exemptions (REST at a preview api-version)", () => {
    it("creates 201, updates 200, patches, lists with filters and deletes 200 then 204", async () => {
      const rest = exemptionsRestClient(emu.endpoint, emu.credentialFor("policy-contributor"), emu.caCert);
      const scope = DEMO.clusters.prodNeu.id;
      const path = exemptionPath(scope, "neu-privileged");
      const body = { properties: { policyAssignmentId: DEMO.assignments.baseline.id, policyDefinitionReferenceIds: ["NoPrivilegedContainers"], exemptionCategory: "Waiver", displayName: "neu" } };
      const created = await rest.pathUnchecked(path).put({ queryParameters: { "api-version": "2022-07-01-preview" }, body });
      expect(created.status).toBe("201");
      expect(created.body.properties.assignmentScopeValidation).toBe("Default");
      const updated = await rest.pathUnchecked(path).put({ queryParameters: { "api-version": "2022-07-01-preview" }, body: { properties: { ...body.properties, exemptionCategory: "Mitigated" } } });
      expect([updated.status, updated.body.properties.exemptionCategory]).toEqual(["200", "Mitigated"]);
      const patched = await rest.pathUnchecked(path).patch({ queryParameters: { "api-version": "2022-07-01-preview" }, body: { properties: { assignmentScopeValidation: "DoNotValidate" } } });
      expect(patched.body.properties.assignmentScopeValidation).toBe("DoNotValidate");
      const list = await rest
        .pathUnchecked(`/subscriptions/${prod}/providers/Microsoft.Authorization/policyExemptions`)
        .get({ queryParameters: { "api-version": "2022-07-01-preview", $filter: "excludeExpired()" } });
      expect(list.body.value.map((item: any) => item.name).sort()).toEqual(["aks-prod-weu-hostnetwork", "neu-privileged"]);
      const deleted = await rest.pathUnchecked(path).delete({ queryParameters: { "api-version": "2022-07-01-preview" } });
      expect([deleted.status, deleted.body]).toEqual(["200", undefined]);
      const again = await rest.pathUnchecked(path).delete({ queryParameters: { "api-version": "2022-07-01-preview" } });
      expect(again.status).toBe("204");
    });
  });

  describe("clusters, subscriptions, resource groups, management groups", () => {
    it("gets and lists managed clusters (arm-containerservice 25.5.0)", async () => {
      const clusters = new ContainerServiceClient(emu.credentialFor("reader"), dev, emu.clientOptions);
      const sandbox = await clusters.managedClusters.get("rg-sandbox", "aks-sandbox");
      expect(sandbox.addonProfiles?.azurepolicy.enabled).toBe(false);
      expect(sandbox.azurePortalFqdn).toContain("portal");
      const all = await collect(clusters.managedClusters.list());
      expect(all.map((item) => item.name).sort()).toEqual(["aks-dev", "aks-sandbox"]);
      const inGroup = await collect(clusters.managedClusters.listByResourceGroup("rg-aks-dev"));
      expect(inGroup.map((item) => item.name)).toEqual(["aks-dev"]);
      const error = await restError(clusters.managedClusters.get("rg-aks-dev", "missing"));
      expect([error.statusCode, error.code]).toEqual([404, "ResourceNotFound"]);
    });

    it("lists and gets subscriptions and resource groups", async () => {
      const subscriptions = new SubscriptionClient(emu.credentialFor("reader"), emu.clientOptions);
      const all = await collect(subscriptions.subscriptions.list());
      expect(all.map((item) => item.displayName).sort()).toEqual(["contoso-dev", "contoso-prod"]);
      expect((await subscriptions.subscriptions.get(prod)).state).toBe("Enabled");
      const resources = new ResourceManagementClient(emu.credentialFor("reader"), prod, emu.clientOptions);
      expect((await resources.resourceGroups.get("rg-aks-prod")).location).toBe("westeurope");
      const groups = await collect(resources.resourceGroups.list());
      expect(groups.map((item) => item.name)).toEqual(["rg-aks-prod", "rg-shared"]);
      const error = await restError(resources.resourceGroups.get("nope"));
      expect([error.statusCode, error.code]).toEqual([404, "ResourceGroupNotFound"]);
    });

    it("gets a management group with its whole hierarchy and lists descendants", async () => {
      const groups = new ManagementGroupsAPI(emu.credentialFor("reader"), { ...emu.clientOptions, credentialScopes: [`${emu.endpoint}/.default`] });
      const root = await groups.managementGroups.get(DEMO.tenantId, { expand: "children", recurse: true });
      expect(root.displayName).toBe("Tenant Root Group");
      const contoso = root.children?.find((child) => child.name === "contoso");
      expect(contoso?.children?.map((child) => child.displayName).sort()).toEqual(["contoso-dev", "contoso-prod"]);
      const descendants = await collect(groups.managementGroups.listDescendants("contoso"));
      expect(descendants.map((item) => item.name).sort()).toEqual([prod, dev]);
    });
  });

  describe("one round trip per api-version", () => {
    it.each(POLICY_API_VERSIONS)("policy %s", async (apiVersion) => {
      const client = new PolicyClient(emu.credentialFor("admin"), dev, { ...emu.clientOptions, apiVersion });
      const assignment = await client.policyAssignments.get(DEMO.assignments.restricted.scope, "pss-restricted");
      expect(assignment.policyDefinitionId).toBe(RESTRICTED);
      expect(assignment.definitionVersion).toBe(apiVersion >= "2023-04-01" ? "2.*.*" : undefined);
      const set = await client.policySetDefinitions.getBuiltIn("a8640138-9b0a-4a28-b8cb-1666c838647d");
      expect(set.version).toBe(apiVersion >= "2023-04-01" ? "1.4.0" : undefined);
    });

    it.each(EXEMPTION_API_VERSIONS)("exemptions %s", async (apiVersion) => {
      const rest = exemptionsRestClient(emu.endpoint, emu.credentialFor("admin"), emu.caCert);
      const response = await rest.pathUnchecked(exemptionPath(DEMO.exemptions.hostNetwork.scope, DEMO.exemptions.hostNetwork.name)).get({ queryParameters: { "api-version": apiVersion } });
      expect(response.status).toBe("200");
      expect(response.body.properties.policyDefinitionReferenceIds).toEqual(["BlockUsingHostNetwork"]);
      expect("assignmentScopeValidation" in response.body.properties).toBe(apiVersion !== "2020-07-01-preview");
    });

    it("managed clusters at every version from 2022-11-01 to the SDK's", async () => {
      for (const apiVersion of MANAGED_CLUSTER_API_VERSIONS) {
        const client = new ContainerServiceClient(emu.credentialFor("reader"), prod, { ...emu.clientOptions, apiVersion });
        expect((await client.managedClusters.get("rg-aks-prod", "aks-prod-weu")).name).toBe("aks-prod-weu");
      }
      const requests = await emu.hooks.requests();
      const versions = new Set(requests.filter((entry) => entry.path.endsWith("/aks-prod-weu")).map((entry) => entry.apiVersion));
      expect(versions.size).toBe(MANAGED_CLUSTER_API_VERSIONS.length);
    });
  });
});
