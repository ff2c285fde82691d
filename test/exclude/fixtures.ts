import { PolicyClient, type PolicyAssignment } from "@azure/arm-policy";
import { DEMO } from "../../src/emulator/demo-seed.js";
import type { TestEmulator } from "../helpers/emulator.js";

export { DEMO };
export const prod = DEMO.subscriptions.prod.id;
export const baselineId = DEMO.assignments.baseline.id;
export const restrictedId = DEMO.assignments.restricted.id;
export const richName = "pss-rich";
export const richId = `/subscriptions/${prod}/resourceGroups/rg-aks-prod/providers/Microsoft.Authorization/policyAssignments/${richName}`;

/** An assignment with every field set, to prove an edit leaves them exactly as they were. */
export async function createRichAssignment(emu: TestEmulator): Promise<void> {
  const client = new PolicyClient(emu.credentialFor("admin"), prod, emu.clientOptions);
  const body: PolicyAssignment = {
    displayName: "Rich baseline",
    description: "every field set",
    policyDefinitionId: DEMO.policySetDefinitions.baseline,
    definitionVersion: "1.*.*",
    location: "westeurope",
    identity: { type: "SystemAssigned" },
    notScopes: [`/subscriptions/${prod}/resourceGroups/rg-aks-prod/providers/Microsoft.ContainerService/managedClusters/aks-prod-neu`],
    parameters: {
      effect: { value: "deny" },
      namespaces: { value: [] },
      allowedHostPaths: { value: { paths: [{ pathPrefix: "/var/log", readOnly: true }] } },
    },
    enforcementMode: "DoNotEnforce",
    nonComplianceMessages: [{ message: "general" }, { message: "host network", policyDefinitionReferenceId: "BlockUsingHostNetwork" }],
    resourceSelectors: [{ name: "weu", selectors: [{ kind: "resourceLocation", in: ["westeurope", "northeurope"] }] }],
    overrides: [{ kind: "policyEffect", value: "audit", selectors: [{ kind: "policyDefinitionReferenceId", in: ["NoHostPathVolume"] }] }],
    metadata: { owner: "platform", nested: { a: [1, 2] } },
  };
  await client.policyAssignments.create(`/subscriptions/${prod}/resourceGroups/rg-aks-prod`, richName, body);
}

/** The stored assignment without what ARM maintains (systemData; createdBy/On, updatedBy/On in metadata). */
export function comparable(stored: any): any {
  const copy = structuredClone(stored);
  delete copy.systemData;
  for (const key of ["createdBy", "createdOn", "updatedBy", "updatedOn"]) delete copy.properties.metadata?.[key];
  return copy;
}

export async function storedAssignment(emu: TestEmulator, id: string): Promise<any> {
  const resource = await emu.hooks.getResource(id);
  return resource?.body ?? resource;
}

export async function requestSummary(emu: TestEmulator): Promise<string[]> {
  return (await emu.hooks.requests()).map((entry) => `${entry.method} ${entry.path} ${entry.status}`);
}
