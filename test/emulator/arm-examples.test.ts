// Replays the official x-ms-examples (test/fixtures/arm/examples, copied from azure-rest-api-specs):
// each example's request goes in against a world seeded with what the example presupposes, and the
// response must carry the example's status and fields. Server-generated values (instanceId,
// systemData, identity ids, service-added metadata) are compared loosely.
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { SeedDocument } from "../../src/emulator/seed.js";
import { startTestEmulator } from "../helpers/emulator.js";
import { armRequest } from "../helpers/arm-request.js";

const root = fileURLToPath(new URL("../fixtures/arm/examples/", import.meta.url));
const examples = readdirSync(root).flatMap((group) => readdirSync(join(root, group)).map((file) => ({ group, file, example: JSON.parse(readFileSync(join(root, group, file), "utf8")) })));
const SERVER_GENERATED = new Set(["instanceId", "systemData", "principalId", "tenantId", "createdBy", "createdOn", "updatedBy", "updatedOn", "clientId"]);
// The emulator serves the versions the issue lists; the one 2025-11-01 example is replayed at 2025-03-01.
const SERVED_VERSION: Record<string, string> = { "2025-11-01": "2025-03-01" };

function walkStrings(value: unknown, visit: (text: string) => void): void {
  if (typeof value === "string") visit(value);
  else if (Array.isArray(value)) value.forEach((item) => walkStrings(item, visit));
  else if (value !== null && typeof value === "object") Object.values(value).forEach((item) => walkStrings(item, visit));
}

function parameterType(value: unknown): string {
  if (Array.isArray(value)) return "Array";
  if (typeof value === "boolean") return "Boolean";
  if (typeof value === "number") return Number.isInteger(value) ? "Integer" : "Float";
  if (value !== null && typeof value === "object") return "Object";
  return "String";
}

const scopeOfId = (id: string, type: string) => id.slice(0, id.toLowerCase().lastIndexOf(`/providers/microsoft.authorization/${type.toLowerCase()}/`));
const nameOfId = (id: string) => id.slice(id.lastIndexOf("/") + 1);

/** The request path an example describes. */
function requestOf(group: string, example: any): { method: string; path: string; body?: unknown; expectStatus: string[] } {
  const p = example.parameters;
  const apiVersion = SERVED_VERSION[p["api-version"]] ?? p["api-version"];
  const query = new URLSearchParams({ "api-version": apiVersion });
  if (p.$filter) query.set("$filter", p.$filter);
  if (p.$expand) query.set("$expand", p.$expand);
  const qs = `?${query.toString().replace(/\+/g, "%20")}`;
  const op: string = example.operationId ?? "";
  const statuses = Object.keys(example.responses);
  const type = group;
  const resourceName = p.policyAssignmentName ?? p.policyExemptionName;
  const scoped = p.scope !== undefined ? `/${p.scope}/providers/Microsoft.Authorization/${type}/${resourceName}` : p.policyAssignmentId !== undefined ? `/${p.policyAssignmentId}` : undefined;
  const listBase =
    p.managementGroupId !== undefined
      ? `/providers/Microsoft.Management/managementGroups/${p.managementGroupId}`
      : p.resourceName !== undefined
        ? `/subscriptions/${p.subscriptionId}/resourceGroups/${p.resourceGroupName}/providers/${p.resourceProviderNamespace}/${p.parentResourcePath}/${p.resourceType}/${p.resourceName}`
        : p.resourceGroupName !== undefined
          ? `/subscriptions/${p.subscriptionId}/resourceGroups/${p.resourceGroupName}`
          : `/subscriptions/${p.subscriptionId}`;
  if (group === "managedClusters") {
    const base = p.resourceGroupName ? `/subscriptions/${p.subscriptionId}/resourceGroups/${p.resourceGroupName}` : `/subscriptions/${p.subscriptionId}`;
    return { method: "GET", path: `${base}/providers/Microsoft.ContainerService/managedClusters${p.resourceName ? `/${p.resourceName}` : ""}${qs}`, expectStatus: ["200"] };
  }
  if (group === "policySetDefinitions" || group === "policyDefinitions") {
    const name = p.policySetDefinitionName ?? p.policyDefinitionName;
    const builtIn = /BuiltIn/.test(op);
    const base = builtIn || p.subscriptionId === undefined || /GetBuiltIn/.test(op) ? "" : `/subscriptions/${p.subscriptionId}`;
    return { method: "GET", path: `${base}/providers/Microsoft.Authorization/${type}${name ? `/${name}` : ""}${qs}`, expectStatus: ["200"] };
  }
  if (scoped !== undefined) {
    if (statuses.includes("201")) return { method: "PUT", path: scoped + qs, body: p.parameters, expectStatus: statuses };
    if (/Update/.test(op) || (p.parameters !== undefined && statuses[0] === "200" && /update/i.test(example.title ?? "")))
      return { method: "PATCH", path: scoped + qs, body: p.parameters, expectStatus: ["200"] };
    if (statuses.includes("204")) return { method: "DELETE", path: scoped + qs, expectStatus: ["200", "204"] };
    return { method: "GET", path: scoped + qs, expectStatus: ["200"] };
  }
  return { method: "GET", path: `${listBase}/providers/Microsoft.Authorization/${type}${qs}`, expectStatus: ["200"] };
}

/** What the example presupposes: containers, definitions, and the resources its responses show. */
function worldOf(group: string, example: any, request: { method: string }): SeedDocument {
  const subscriptions = new Set<string>();
  const groups = new Map<string, string>();
  const managementGroups = new Set<string>();
  walkStrings(example, (text) => {
    for (const match of text.matchAll(/\/?subscriptions\/([0-9a-f-]{36})(?:\/resourceGroups\/([^/]+))?/gi)) {
      subscriptions.add(match[1]);
      if (match[2]) groups.set(`${match[1]}/${match[2]}`, match[2]);
    }
    for (const match of text.matchAll(/managementGroups\/([^/]+)/gi)) managementGroups.add(match[1]);
  });
  const p = example.parameters;
  if (p.subscriptionId) subscriptions.add(p.subscriptionId);
  if (p.resourceGroupName && p.subscriptionId) groups.set(`${p.subscriptionId}/${p.resourceGroupName}`, p.resourceGroupName);
  if (p.managementGroupId) managementGroups.add(p.managementGroupId);
  const seed: SeedDocument = {
    managementGroups: [...managementGroups].map((name) => ({ name })),
    subscriptions: [...subscriptions].map((subscriptionId) => ({ subscriptionId, displayName: subscriptionId })),
    resourceGroups: [...groups].map(([key, name]) => ({ subscriptionId: key.slice(0, 36), name })),
    managedClusters: [],
    policyDefinitions: [],
    policySetDefinitions: [],
    policyAssignments: [],
    policyExemptions: [],
  };
  const responseBodies = Object.values(example.responses)
    .map((response: any) => response.body)
    .filter(Boolean);
  const resources: any[] = responseBodies.flatMap((body: any) => (Array.isArray(body.value) ? body.value : [body]));
  if (group === "managedClusters") {
    for (const cluster of resources) {
      const [, subscriptionId, resourceGroup] = /subscriptions\/([^/]+)\/resourcegroups\/([^/]+)/i.exec(cluster.id)!;
      subscriptions.add(subscriptionId);
      seed.subscriptions = [...subscriptions].map((id) => ({ subscriptionId: id, displayName: id }));
      if (!seed.resourceGroups!.some((item) => item.name === resourceGroup)) seed.resourceGroups!.push({ subscriptionId, name: resourceGroup });
      seed.managedClusters!.push({ subscriptionId, resourceGroup, name: cluster.name, location: cluster.location, kubernetesVersion: cluster.properties?.kubernetesVersion });
    }
    return seed;
  }
  // Definitions: declared with the parameters that assignments pass, sets holding the reference ids used.
  const parametersOf = new Map<string, Record<string, any>>();
  const referenceIdsOf = new Map<string, Set<string>>();
  const addDefinition = (id: string) => {
    if (!parametersOf.has(id)) parametersOf.set(id, {});
    if (!referenceIdsOf.has(id)) referenceIdsOf.set(id, new Set());
  };
  const assignments = [
    ...resources.filter((item) => /policyAssignments/i.test(item.type ?? "")),
    ...(group === "policyAssignments" && p.parameters?.properties?.policyDefinitionId
      ? [{ id: request.method === "PUT" ? `/${p.scope}/providers/Microsoft.Authorization/policyAssignments/${p.policyAssignmentName}` : "", properties: p.parameters.properties }]
      : []),
  ];
  for (const assignment of assignments) {
    const definitionId = assignment.properties.policyDefinitionId;
    addDefinition(definitionId);
    for (const [name, value] of Object.entries<any>(assignment.properties.parameters ?? {})) parametersOf.get(definitionId)![name] = { type: parameterType(value.value) };
    for (const message of assignment.properties.nonComplianceMessages ?? []) if (message.policyDefinitionReferenceId) referenceIdsOf.get(definitionId)!.add(message.policyDefinitionReferenceId);
  }
  const exemptions = [
    ...resources.filter((item) => /policyExemptions/i.test(item.type ?? "")),
    ...(group === "policyExemptions" && request.method === "PUT" && p.parameters?.properties ? [{ properties: p.parameters.properties }] : []),
  ];
  const assignmentIds = new Map<string, Set<string>>();
  for (const exemption of exemptions) {
    const set = assignmentIds.get(exemption.properties.policyAssignmentId) ?? new Set<string>();
    for (const referenceId of exemption.properties.policyDefinitionReferenceIds ?? []) set.add(referenceId);
    assignmentIds.set(exemption.properties.policyAssignmentId, set);
  }
  for (const [assignmentId, referenceIds] of assignmentIds) {
    if (assignments.some((assignment) => assignment.id.toLowerCase() === assignmentId.toLowerCase())) continue;
    const scope = scopeOfId(assignmentId, "policyAssignments");
    const definitionId = `${scope.startsWith("/subscriptions") ? scope.split("/").slice(0, 3).join("/") : scope}/providers/Microsoft.Authorization/policySetDefinitions/exempted-${nameOfId(assignmentId)}`;
    addDefinition(definitionId);
    referenceIds.forEach((referenceId) => referenceIdsOf.get(definitionId)!.add(referenceId));
    seed.policyAssignments!.push({ scope, name: nameOfId(assignmentId), properties: { policyDefinitionId: definitionId } });
  }
  for (const definition of resources.filter((item) => /policy(Set)?Definitions/i.test(item.type ?? ""))) {
    const isSet = /policySetDefinitions/i.test(definition.type);
    const scope = scopeOfId(definition.id, isSet ? "policySetDefinitions" : "policyDefinitions") || "/";
    for (const reference of definition.properties.policyDefinitions ?? []) addDefinition(reference.policyDefinitionId);
    // One seeded write per listed version, oldest first, so the newest is the definition's current one.
    const versions: string[] = [...(definition.properties.versions ?? [definition.properties.version ?? "1.0.0"])].reverse();
    for (const version of versions) {
      (isSet ? seed.policySetDefinitions! : seed.policyDefinitions!).push({ scope, name: definition.name, properties: { ...structuredClone(definition.properties), version } });
    }
    parametersOf.delete(definition.id);
  }
  const sets = [...parametersOf.keys()].filter((id) => /policySetDefinitions/i.test(id));
  const members = new Set<string>([...parametersOf.keys()].filter((id) => !/policySetDefinitions/i.test(id)));
  const memberId = "/subscriptions/00000000-0000-0000-0000-000000000000/providers/Microsoft.Authorization/policyDefinitions/example-member";
  for (const id of [...members, ...(seed.policySetDefinitions!.flatMap((set: any) => set.properties.policyDefinitions.map((reference: any) => reference.policyDefinitionId)) as string[])]) {
    if (
      seed.policyDefinitions!.some(
        (definition) => `${definition.scope === "/" ? "" : definition.scope}/providers/Microsoft.Authorization/policyDefinitions/${definition.name}`.toLowerCase() === id.toLowerCase(),
      )
    )
      continue;
    const scope = scopeOfId(id, "policyDefinitions") || "/";
    if (scope !== "/" && scope.startsWith("/subscriptions/") && !subscriptions.has(scope.split("/")[2])) seed.subscriptions!.push({ subscriptionId: scope.split("/")[2], displayName: "x" });
    seed.policyDefinitions!.push({
      scope,
      name: nameOfId(id),
      properties: { mode: "All", parameters: parametersOf.get(id) ?? {}, policyRule: { if: { field: "type", equals: "x" }, then: { effect: "audit" } } },
    });
  }
  if (sets.length > 0) {
    if (!seed.subscriptions!.some((item) => item.subscriptionId === "00000000-0000-0000-0000-000000000000"))
      seed.subscriptions!.push({ subscriptionId: "00000000-0000-0000-0000-000000000000", displayName: "members" });
    seed.policyDefinitions!.unshift({
      scope: "/subscriptions/00000000-0000-0000-0000-000000000000",
      name: "example-member",
      properties: { mode: "All", policyRule: { if: { field: "type", equals: "x" }, then: { effect: "audit" } } },
    });
  }
  for (const id of sets) {
    const referenceIds = [...(referenceIdsOf.get(id) ?? [])];
    const parameters = parametersOf.get(id)!;
    seed.policySetDefinitions!.unshift({
      scope: scopeOfId(id, "policySetDefinitions") || "/",
      name: nameOfId(id),
      properties: {
        parameters,
        policyDefinitions: (referenceIds.length > 0 ? referenceIds : ["member"]).map((referenceId) => ({ policyDefinitionId: memberId, policyDefinitionReferenceId: referenceId })),
      },
    });
  }
  // The resources a GET, PATCH, DELETE or list presupposes.
  if (request.method !== "PUT") {
    for (const assignment of resources.filter((item) => /policyAssignments/i.test(item.type ?? ""))) {
      const { latestDefinitionVersion, effectiveDefinitionVersion, instanceId, scope, ...properties } = assignment.properties;
      void [latestDefinitionVersion, effectiveDefinitionVersion, instanceId];
      const before = request.method === "PATCH" ? { ...properties, overrides: undefined, resourceSelectors: undefined } : properties;
      seed.policyAssignments!.push({
        scope: scope ?? scopeOfId(assignment.id, "policyAssignments"),
        name: assignment.name,
        ...(assignment.location && request.method !== "PATCH" ? { location: assignment.location } : {}),
        ...(assignment.identity && request.method !== "PATCH" ? { identity: { type: assignment.identity.type } } : {}),
        properties: before,
      });
    }
    for (const exemption of resources.filter((item) => /policyExemptions/i.test(item.type ?? ""))) {
      const properties = request.method === "PATCH" ? { ...exemption.properties, resourceSelectors: undefined } : exemption.properties;
      seed.policyExemptions!.push({
        scope: scopeOfId(exemption.id, "policyExemptions"),
        name: exemption.name,
        properties: { ...properties, assignmentScopeValidation: properties.assignmentScopeValidation ?? "DoNotValidate" },
      });
    }
  }
  return seed;
}

/** Every field the example shows is in the emulator's answer with the same value (loosely for server-generated ones). */
function expectLike(expected: unknown, actual: unknown, path: string, skip: Set<string>): void {
  if (expected === null || typeof expected !== "object") {
    if (typeof expected === "string" && typeof actual === "string" && /^\/(subscriptions|providers)\//i.test(expected)) expect(actual.toLowerCase(), path).toBe(expected.toLowerCase());
    else expect(actual, path).toEqual(expected);
    return;
  }
  if (Array.isArray(expected)) {
    expect(Array.isArray(actual), path).toBe(true);
    expect((actual as unknown[]).length, path).toBe(expected.length);
    expected.forEach((item, index) => expectLike(item, (actual as unknown[])[index], `${path}[${index}]`, skip));
    return;
  }
  expect(actual !== null && typeof actual === "object", path).toBe(true);
  for (const [key, value] of Object.entries(expected)) {
    if (SERVER_GENERATED.has(key) || skip.has(key)) {
      if (key !== "systemData" && !skip.has(key)) expect((actual as any)[key], `${path}.${key}`).toBeDefined();
      continue;
    }
    expectLike(value, (actual as any)[key], `${path}.${key}`, skip);
  }
}

describe("official ARM examples replayed against the emulator", () => {
  it.each(examples.map((item) => [`${item.group}/${item.file}`, item] as const))("%s", async (_name, { group, example }) => {
    const request = requestOf(group, example);
    // A fresh world per example: examples reuse names with different content.
    const world = await startTestEmulator({ seed: { ...worldOf(group, example, request), tenantId: "4bee2b8a-1bee-47c2-90e9-404241551135" } });
    try {
      const admin = (await world.credentialFor("admin").getToken(`${world.endpoint}/.default`))!.token;
      const response = await armRequest(world.endpoint, world.caCert, request.method, request.path, { token: admin, body: request.body });
      expect(request.expectStatus, JSON.stringify(response.body)).toContain(String(response.status));
      const expected = example.responses[String(response.status)];
      const skip = new Set<string>(group === "managedClusters" ? ["properties", "systemData", "eTag", "sku", "tags", "identity", "kind", "extendedLocation"] : []);
      if (request.method === "PUT" && request.body && !(request.body as any).properties?.metadata) skip.add("metadata");
      if (expected.body === undefined) {
        expect(response.body).toBeUndefined();
      } else if (Array.isArray(expected.body.value)) {
        for (const item of expected.body.value) {
          const match = response.body.value.find((candidate: any) => candidate.id.toLowerCase() === item.id.toLowerCase());
          expect(match, `${item.id} in the list`).toBeDefined();
          expectLike(item, match, item.id, skip);
        }
        if (group !== "policySetDefinitions") expect(response.body.value).toHaveLength(expected.body.value.length);
      } else {
        expectLike(expected.body, response.body, "body", skip);
      }
      // Writes that answer both 201 and 200: the second PUT is the update.
      if (request.method === "PUT" && example.responses["200"] && example.responses["201"]) {
        const again = await armRequest(world.endpoint, world.caCert, "PUT", request.path, { token: admin, body: request.body });
        expect(again.status).toBe(200);
      }
      if (request.method === "DELETE") {
        const again = await armRequest(world.endpoint, world.caCert, "DELETE", request.path, { token: admin });
        expect(again.status).toBe(204);
      }
    } finally {
      await world.close();
    }
  });
});
