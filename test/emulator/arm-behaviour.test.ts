// ARM behaviour over raw HTTPS: authentication and authorization codes, validation and not-found
// codes, paging, filters, path and query tolerance, headers.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PolicyClient } from "@azure/arm-policy";
import { isRestError } from "@azure/core-rest-pipeline";
import { DEMO } from "../../src/emulator/demo-seed.js";
import { startTestEmulator, type TestEmulator } from "../helpers/emulator.js";
import { armRequest } from "../helpers/arm-request.js";

const prod = DEMO.subscriptions.prod.id;
const dev = DEMO.subscriptions.dev.id;
const BASELINE = DEMO.policySetDefinitions.baseline;
const RESTRICTED = DEMO.policySetDefinitions.restricted;
const API = "api-version=2025-03-01";
const EXEMPTION_API = "api-version=2022-07-01-preview";

describe("ARM behaviour", () => {
  let emu: TestEmulator;
  const tokens: Record<string, string> = {};
  const call = (method: string, path: string, options: { body?: unknown; principal?: string; rawBody?: string } = {}) =>
    armRequest(emu.endpoint, emu.caCert, method, path, { token: tokens[options.principal ?? "admin"], body: options.body, rawBody: options.rawBody });

  beforeAll(async () => {
    emu = await startTestEmulator({ seed: "demo" });
    for (const principal of ["admin", "reader", "policy-contributor"]) {
      tokens[principal] = (await emu.credentialFor(principal).getToken(`${emu.endpoint}/.default`))!.token;
    }
  });
  afterAll(() => emu.close());

  describe("authentication (401)", () => {
    const path = `/subscriptions/${prod}/providers/Microsoft.Authorization/policyAssignments?${API}`;
    it("answers a request without a token with AuthenticationFailed and WWW-Authenticate", async () => {
      const response = await armRequest(emu.endpoint, emu.caCert, "GET", path);
      expect([response.status, response.body.error.code]).toEqual([401, "AuthenticationFailed"]);
      expect(response.headers["www-authenticate"]).toMatch(/^Bearer authorization_uri="/);
    });
    it("answers a malformed or badly signed token with InvalidAuthenticationToken", async () => {
      const malformed = await armRequest(emu.endpoint, emu.caCert, "GET", path, { token: "not-a-jwt" });
      expect([malformed.status, malformed.body.error.code]).toEqual([401, "InvalidAuthenticationToken"]);
      const [header, payload] = tokens.admin.split(".");
      const forged = await armRequest(emu.endpoint, emu.caCert, "GET", path, { token: `${header}.${payload}.${Buffer.from("x".repeat(64)).toString("base64url")}` });
      expect([forged.status, forged.body.error.code]).toEqual([401, "InvalidAuthenticationToken"]);
      expect(forged.headers["www-authenticate"]).toContain("invalid_token");
    });
    it("answers an expired token with ExpiredAuthenticationToken", async () => {
      const expired = await emu.hooks.issueToken("admin", { expiresInSeconds: -60 });
      const response = await armRequest(emu.endpoint, emu.caCert, "GET", path, { token: expired });
      expect([response.status, response.body.error.code]).toEqual([401, "ExpiredAuthenticationToken"]);
      expect(response.headers["www-authenticate"]).toBeDefined();
    });
    it("tokens name the principal, carry the audience and expire", async () => {
      const claims = JSON.parse(Buffer.from(tokens.reader.split(".")[1], "base64url").toString("utf8"));
      expect(claims.app_displayname).toBe("reader");
      expect(claims.aud).toBe(emu.endpoint);
      expect(claims.exp - claims.iat).toBeGreaterThan(3000);
    });
    it("the token endpoint refuses a wrong secret and an unknown scope as Entra ID does", async () => {
      const admin = emu.connection.principals.find((item) => item.name === "admin")!;
      const form = (secret: string, scope: string) =>
        armRequest(emu.endpoint, emu.caCert, "POST", `/${emu.connection.tenantId}/oauth2/v2.0/token`, {
          rawBody: new URLSearchParams({ grant_type: "client_credentials", client_id: admin.clientId, client_secret: secret, scope }).toString(),
        });
      expect((await form("wrong", "https://management.azure.com/.default")).body.error).toBe("invalid_client");
      expect((await form(admin.clientSecret, "https://graph.microsoft.com/.default")).body.error).toBe("invalid_scope");
      const ok = await form(admin.clientSecret, "https://management.core.windows.net//.default");
      expect(ok.body.token_type).toBe("Bearer");
    });
  });

  describe("authorization (403)", () => {
    it("refuses a Reader's write with AuthorizationFailed naming principal, action and scope", async () => {
      const reader = emu.connection.principals.find((item) => item.name === "reader")!;
      const id = `/subscriptions/${prod}/providers/Microsoft.Authorization/policyAssignments/by-reader`;
      const response = await call("PUT", `${id}?${API}`, { principal: "reader", body: { properties: { policyDefinitionId: BASELINE } } });
      expect([response.status, response.body.error.code]).toEqual([403, "AuthorizationFailed"]);
      expect(response.body.error.message).toContain(reader.clientId);
      expect(response.body.error.message).toContain(reader.objectId);
      expect(response.body.error.message).toContain("'Microsoft.Authorization/policyAssignments/write'");
      expect(response.body.error.message).toContain(`over scope '${id}'`);
    });
    it("refuses an exemption without exempt/action on the assignment", async () => {
      await emu.hooks.seed({
        principals: [{ name: "exemption-writer" }],
        roleAssignments: [
          {
            principal: "exemption-writer",
            role: { actions: ["*/read", "Microsoft.Authorization/policyExemptions/*"], notActions: ["Microsoft.Authorization/policyAssignments/exempt/action"] },
            scope: "/",
          },
        ],
      });
      const writer = (await emu.hooks.listResources("#principal")).find((item) => item.name === "exemption-writer");
      const token = await emu.hooks.issueToken(writer.name);
      const id = `${DEMO.clusters.prodNeu.id}/providers/Microsoft.Authorization/policyExemptions/no-exempt-action`;
      const response = await armRequest(emu.endpoint, emu.caCert, "PUT", `${id}?${EXEMPTION_API}`, {
        token,
        body: { properties: { policyAssignmentId: DEMO.assignments.baseline.id, exemptionCategory: "Waiver" } },
      });
      // ARM's linked-scope form (docs/issues/11.md): the write is allowed, the action on the assignment is not.
      expect([response.status, response.body.error.code]).toEqual([403, "LinkedAuthorizationFailed"]);
      expect(response.body.error.message).toContain("'Microsoft.Authorization/policyAssignments/exempt/action'");
      expect(response.body.error.message).toContain(`on the linked scope(s) '${DEMO.assignments.baseline.id}'`);
      // The policy contributor holds policyAssignments/*, hence exempt/action.
      const allowed = await call("PUT", `${id}?${EXEMPTION_API}`, {
        principal: "policy-contributor",
        body: { properties: { policyAssignmentId: DEMO.assignments.baseline.id, exemptionCategory: "Waiver" } },
      });
      expect(allowed.status).toBe(201);
    });
    it("role assignments set through the hooks take effect and the permissions endpoint reports them", async () => {
      const scope = `/subscriptions/${dev}/resourceGroups/rg-sandbox`;
      const before = await call("GET", `${scope}/providers/Microsoft.Authorization/permissions?api-version=2022-04-01`, { principal: "reader" });
      expect(before.body.value).toEqual([{ actions: ["*/read"], notActions: [], dataActions: [], notDataActions: [] }]);
      await emu.hooks.addRoleAssignment({ principal: "reader", role: "Resource Policy Contributor", scope });
      const write = await call("PUT", `${scope}/providers/Microsoft.Authorization/policyAssignments/reader-now-can?${API}`, {
        principal: "reader",
        body: { properties: { policyDefinitionId: BASELINE } },
      });
      expect(write.status).toBe(201);
      expect((await call("DELETE", `${scope}/providers/Microsoft.Authorization/policyAssignments/reader-now-can?${API}`, { principal: "reader" })).status).toBe(200);
      const elsewhere = await call("PUT", `/subscriptions/${dev}/resourceGroups/rg-aks-dev/providers/Microsoft.Authorization/policyAssignments/reader-cannot?${API}`, {
        principal: "reader",
        body: { properties: { policyDefinitionId: BASELINE } },
      });
      expect(elsewhere.status).toBe(403);
      await emu.hooks.removeRoleAssignments("reader");
      const none = await call("GET", `${scope}/providers/Microsoft.Authorization/permissions?api-version=2022-04-01`, { principal: "reader" });
      expect(none.body.value).toEqual([]);
      await emu.hooks.addRoleAssignment({ principal: "reader", role: "Reader", scope: `/providers/Microsoft.Management/managementGroups/${DEMO.tenantId}` });
    });
  });

  describe("validation and not-found codes", () => {
    const assignmentPath = (name: string, scope = `/subscriptions/${prod}`) => `${scope}/providers/Microsoft.Authorization/policyAssignments/${name}?${API}`;
    const expectError = async (method: string, path: string, body: unknown, status: number, code: string) => {
      const response = await call(method, path, { body });
      expect([response.status, response.body?.error?.code]).toEqual([status, code]);
      return response.body.error;
    };
    it.each([
      ["missing policyDefinitionId", { properties: { displayName: "x" } }, 400, "InvalidRequestContent"],
      ["unknown definition", { properties: { policyDefinitionId: "/providers/Microsoft.Authorization/policyDefinitions/00000000-0000-0000-0000-000000000000" } }, 400, "PolicyDefinitionNotFound"],
      ["undeclared parameter", { properties: { policyDefinitionId: BASELINE, parameters: { nope: { value: 1 } } } }, 400, "UndefinedPolicyParameter"],
      ["value outside allowedValues", { properties: { policyDefinitionId: BASELINE, parameters: { effect: { value: "Block" } } } }, 400, "PolicyParameterValueNotAllowed"],
      ["value of the wrong type", { properties: { policyDefinitionId: BASELINE, parameters: { excludedNamespaces: { value: "kube-system" } } } }, 400, "InvalidPolicyParameters"],
      ["a top-level member ARM does not know", { properties: { policyDefinitionId: BASELINE }, bogus: true }, 400, "InvalidRequestContent"],
      ["malformed JSON", undefined, 400, "InvalidRequestContent"],
    ])("refuses an assignment PUT with %s", async (_label, body, status, code) => {
      if (body === undefined) {
        const response = await call("PUT", assignmentPath("bad-json"), { rawBody: "{not json" });
        expect([response.status, response.body.error.code]).toEqual([status, code]);
        return;
      }
      await expectError("PUT", assignmentPath("invalid"), body, status as number, code as string);
    });
    it("refuses a missing required parameter with MissingPolicyParameter", async () => {
      await emu.hooks.seed({
        policyDefinitions: [
          {
            scope: `/subscriptions/${prod}`,
            name: "needs-tag",
            properties: { mode: "All", parameters: { tagName: { type: "String" } }, policyRule: { if: { field: "type", equals: "x" }, then: { effect: "audit" } } },
          },
        ],
      });
      await expectError(
        "PUT",
        assignmentPath("no-tag"),
        { properties: { policyDefinitionId: `/subscriptions/${prod}/providers/Microsoft.Authorization/policyDefinitions/needs-tag` } },
        400,
        "MissingPolicyParameter",
      );
    });
    it("refuses overrides at 2021-06-01 and accepts them at 2022-06-01", async () => {
      const body = { properties: { policyDefinitionId: BASELINE, overrides: [{ kind: "policyEffect", value: "Audit" }] } };
      const old = await call("PUT", `/subscriptions/${prod}/providers/Microsoft.Authorization/policyAssignments/ovr?api-version=2021-06-01`, { body });
      expect([old.status, old.body.error.code]).toEqual([400, "InvalidRequestContent"]);
      expect(old.body.error.message).toContain("overrides");
      const newer = await call("PUT", `/subscriptions/${prod}/providers/Microsoft.Authorization/policyAssignments/ovr?api-version=2022-06-01`, { body });
      expect(newer.status).toBe(201);
    });
    it("limits names to 64 characters, 24 at management-group scope", async () => {
      const body = { properties: { policyDefinitionId: BASELINE } };
      expect((await call("PUT", assignmentPath("a".repeat(64)), { body })).status).toBe(201);
      await expectError("PUT", assignmentPath("a".repeat(65)), body, 400, "InvalidPolicyAssignmentName");
      await expectError("PUT", assignmentPath("b".repeat(25), DEMO.managementGroupId), body, 400, "InvalidPolicyAssignmentName");
      expect((await call("PUT", assignmentPath("b".repeat(24), DEMO.managementGroupId), { body })).status).toBe(201);
      await expectError("PUT", assignmentPath("bad.name"), body, 400, "InvalidPolicyAssignmentName");
    });
    it("ignores read-only fields in a request and keeps systemData", async () => {
      const response = await call("PUT", assignmentPath("readonly"), {
        body: { id: "/x", name: "other", type: "t", systemData: { createdBy: "me" }, properties: { policyDefinitionId: BASELINE, scope: "/elsewhere", instanceId: "mine" } },
      });
      expect(response.status).toBe(201);
      expect(response.body.name).toBe("readonly");
      expect(response.body.properties.scope).toBe(`/subscriptions/${prod}`);
      expect(response.body.properties.instanceId).not.toBe("mine");
      expect(response.body.systemData.createdBy).not.toBe("me");
    });
    it("answers PATCH of a field ARM does not let PATCH change with InvalidRequestContent", async () => {
      await expectError("PATCH", assignmentPath("pss-baseline"), { properties: { displayName: "renamed" } }, 400, "InvalidRequestContent");
    });
    it("answers missing things with their not-found codes", async () => {
      await expectError("GET", assignmentPath("missing"), undefined, 404, "PolicyAssignmentNotFound");
      await expectError("GET", `/providers/Microsoft.Authorization/policySetDefinitions/00000000-0000-0000-0000-000000000000?${API}`, undefined, 404, "PolicySetDefinitionNotFound");
      await expectError("GET", `/providers/Microsoft.Authorization/policyDefinitions/00000000-0000-0000-0000-000000000000?${API}`, undefined, 404, "PolicyDefinitionNotFound");
      await expectError("GET", `/subscriptions/${prod}/providers/Microsoft.Authorization/policyExemptions/missing?${EXEMPTION_API}`, undefined, 404, "PolicyExemptionNotFound");
      await expectError("GET", `/subscriptions/33333333-3333-4333-8333-333333333333/providers/Microsoft.Authorization/policyAssignments?${API}`, undefined, 404, "SubscriptionNotFound");
      await expectError("PUT", assignmentPath("x", `/subscriptions/${prod}/resourceGroups/rg-missing`), { properties: { policyDefinitionId: BASELINE } }, 404, "ResourceGroupNotFound");
      await expectError(
        "GET",
        `/subscriptions/${prod}/resourceGroups/rg-aks-prod/providers/Microsoft.ContainerService/managedClusters/nope?api-version=2026-06-01`,
        undefined,
        404,
        "ResourceNotFound",
      );
    });
    it("refuses unknown api-versions as ARM does", async () => {
      // ARM answers an unserved version with 404 InvalidResourceType (Azure/bicep#17089).
      await expectError("GET", assignmentPath("pss-baseline").replace(API, "api-version=2020-01-01"), undefined, 404, "InvalidResourceType");
      await expectError("GET", `/subscriptions/${prod}/providers/Microsoft.Authorization/policyExemptions?api-version=2025-03-01`, undefined, 404, "InvalidResourceType");
      await expectError("GET", `/subscriptions/${prod}/providers/Microsoft.ContainerService/managedClusters?api-version=2021-01-01`, undefined, 400, "NoRegisteredProviderFound");
      await expectError("GET", `/subscriptions/${prod}/providers/Microsoft.Authorization/policyAssignments`, undefined, 400, "MissingApiVersionParameter");
    });

    describe("exemptions", () => {
      const exemptionPath = (scope: string, name: string) => `${scope}/providers/Microsoft.Authorization/policyExemptions/${name}?${EXEMPTION_API}`;
      const properties = { policyAssignmentId: DEMO.assignments.restricted.id, exemptionCategory: "Waiver" };
      it("refuses an unknown assignment and a scope outside the assignment's", async () => {
        await expectError(
          "PUT",
          exemptionPath(DEMO.clusters.dev.id, "e1"),
          { properties: { ...properties, policyAssignmentId: `/subscriptions/${dev}/providers/Microsoft.Authorization/policyAssignments/nope` } },
          400,
          "InvalidCreatePolicyExemptionRequest",
        );
        await expectError("PUT", exemptionPath(DEMO.clusters.sandbox.id, "e1"), { properties }, 400, "InvalidCreatePolicyExemptionRequest");
        const bypass = await call("PUT", exemptionPath(DEMO.clusters.sandbox.id, "e1"), { body: { properties: { ...properties, assignmentScopeValidation: "DoNotValidate" } } });
        expect(bypass.status).toBe(201);
      });
      it("refuses reference ids not in the assigned initiative, a changed assignment, a bad category and a bad name", async () => {
        await expectError(
          "PUT",
          exemptionPath(DEMO.clusters.dev.id, "e2"),
          { properties: { ...properties, policyDefinitionReferenceIds: ["NoHostPathVolume"] } },
          400,
          "InvalidPolicyDefinitionReference",
        );
        expect((await call("PUT", exemptionPath(DEMO.clusters.dev.id, "e2"), { body: { properties: { ...properties, policyDefinitionReferenceIds: ["allowedvolumetypes"] } } })).status).toBe(201);
        await expectError(
          "PUT",
          exemptionPath(DEMO.clusters.dev.id, "e2"),
          { properties: { ...properties, policyAssignmentId: DEMO.assignments.baseline.id, assignmentScopeValidation: "DoNotValidate" } },
          400,
          "InvalidPolicyAssignmentIdUpdate",
        );
        await expectError("PUT", exemptionPath(DEMO.clusters.dev.id, "e3"), { properties: { ...properties, exemptionCategory: "Forever" } }, 400, "InvalidRequestContent");
        await expectError("PUT", exemptionPath(DEMO.clusters.dev.id, "bad:name"), { properties }, 400, "InvalidPolicyExemptionName");
      });
    });
  });

  describe("paging and filters", () => {
    it("pages 1,200 assignments with $top and a nextLink that carries the filter", async () => {
      const scope = `/subscriptions/${dev}/resourceGroups/rg-sandbox`;
      const started = Date.now();
      await emu.hooks.seed({
        policyAssignments: Array.from({ length: 1200 }, (_, index) => ({
          scope,
          name: `bulk-${String(index).padStart(4, "0")}`,
          properties: { policyDefinitionId: index % 2 === 0 ? BASELINE : RESTRICTED },
        })),
      });
      expect(Date.now() - started).toBeLessThan(5000);
      const client = new PolicyClient(emu.credentialFor("reader"), dev, emu.clientOptions);
      await emu.hooks.resetRequests();
      const names: string[] = [];
      for await (const item of client.policyAssignments.listForResourceGroup("rg-sandbox", { filter: "atExactScope()", top: 250 })) names.push(item.name!);
      expect(names).toHaveLength(1200);
      expect(new Set(names).size).toBe(1200);
      const requests = await emu.hooks.requests();
      expect(requests).toHaveLength(5);
      const filtered: string[] = [];
      for await (const item of client.policyAssignments.listForResourceGroup("rg-sandbox", { filter: `policyDefinitionId eq '${RESTRICTED}'`, top: 1000 })) filtered.push(item.name!);
      // 600 bulk restricted assignments; pss-restricted sits on another resource group.
      expect(filtered).toHaveLength(600);
      const unpaged = await call("GET", `${scope}/providers/Microsoft.Authorization/policyAssignments?${API}&$filter=atExactScope()`, { principal: "reader" });
      expect(unpaged.body.value).toHaveLength(500);
      expect(unpaged.body.nextLink).toContain("skiptoken");
      const tooBig = await call("GET", `${scope}/providers/Microsoft.Authorization/policyAssignments?${API}&$top=1001`, { principal: "reader" });
      expect(tooBig.status).toBe(400);
    });
    it("filters assignments: atScope() reaches management groups, atExactScope() stays put", async () => {
      await call("PUT", `${DEMO.managementGroupId}/providers/Microsoft.Authorization/policyAssignments/mg-wide?${API}`, { body: { properties: { policyDefinitionId: BASELINE } } });
      const names = async (path: string) => ((await call("GET", path, { principal: "reader" })).body.value as any[]).map((item) => item.name).sort();
      const sub = `/subscriptions/${prod}/providers/Microsoft.Authorization/policyAssignments?${API}`;
      expect(await names(`${sub}&$filter=atScope()`)).toContain("mg-wide");
      expect(await names(`${sub}&$filter=atExactScope()`)).not.toContain("mg-wide");
      expect(await names(`${sub}&$filter=atExactScope()`)).toContain("pss-baseline");
      const unfiltered = await names(`/subscriptions/${dev}/providers/Microsoft.Authorization/policyAssignments?${API}`);
      expect(unfiltered).toContain("pss-restricted"); // applied to a resource group inside the subscription
      expect(await names(`/subscriptions/${dev}/providers/Microsoft.Authorization/policyAssignments?${API}&$filter=atScope()`)).not.toContain("pss-restricted");
    });
    it("filters exemptions: atScope(), atExactScope(), excludeExpired(), policyAssignmentId eq", async () => {
      const names = async (path: string) => ((await call("GET", path, { principal: "reader" })).body.value as any[]).map((item) => item.name).sort();
      const base = `/subscriptions/${dev}/providers/Microsoft.Authorization/policyExemptions?${EXEMPTION_API}`;
      expect(await names(base)).toContain("aks-dev-legacy");
      expect(await names(`${base}&$filter=excludeExpired()`)).not.toContain("aks-dev-legacy");
      expect(await names(`${base}&$filter=atExactScope()`)).toEqual([]);
      expect(await names(`${DEMO.clusters.dev.id}/providers/Microsoft.Authorization/policyExemptions?${EXEMPTION_API}&$filter=atScope()`)).toContain("aks-dev-legacy");
      expect(await names(`${base}&$filter=policyAssignmentId eq '${DEMO.assignments.restricted.id}'`)).toContain("aks-dev-legacy");
      const mg = await names(`${DEMO.managementGroupId}/providers/Microsoft.Authorization/policyExemptions?${EXEMPTION_API}&$filter=atScope()`);
      expect(mg).toEqual([]);
      // The clock moves: advancing past the hostNetwork exemption's expiry hides it from excludeExpired().
      const prodBase = `/subscriptions/${prod}/providers/Microsoft.Authorization/policyExemptions?${EXEMPTION_API}&$filter=excludeExpired()`;
      expect(await names(prodBase)).toContain("aks-prod-weu-hostnetwork");
      await emu.hooks.advanceClock(11 * 24 * 3600 * 1000);
      expect(await names(prodBase)).not.toContain("aks-prod-weu-hostnetwork");
      await emu.hooks.advanceClock(-11 * 24 * 3600 * 1000);
    });
  });

  describe("tolerance and headers", () => {
    it("matches paths case-insensitively with repeated slashes and decodes queries either way", async () => {
      const variants = [
        `/subscriptions/${prod}/providers/Microsoft.Authorization/policyAssignments/pss-baseline?${API}`,
        `//SUBSCRIPTIONS/${prod}//providers/microsoft.authorization/POLICYASSIGNMENTS/PSS-BASELINE?${API}`,
        `/subscriptions/${prod}/providers/Microsoft.Authorization/policyAssignments/pss-baseline/?api%2Dversion=2025-03-01`,
      ];
      for (const path of variants) {
        const response = await call("GET", path, { principal: "reader" });
        expect(response.status).toBe(200);
        expect(response.body.name).toBe("pss-baseline");
      }
      const cluster = `/subscriptions/${dev}/resourceGroups/rg-aks-dev/providers/Microsoft.ContainerService//managedClusters/aks-dev/providers/Microsoft.Authorization/policyAssignments`;
      const encoded = await call("GET", `${cluster}?${API}&%24filter=policyDefinitionId%20eq%20%27${encodeURIComponent(RESTRICTED)}%27`, { principal: "reader" });
      const plain = await call("GET", `${cluster.replace("//", "///")}?${API}&$filter=policyDefinitionId%20eq%20'${RESTRICTED}'`, { principal: "reader" });
      expect(encoded.body.value.map((item: any) => item.name)).toEqual(["pss-restricted"]);
      expect(plain.body).toEqual(encoded.body);
    });
    it("sends x-ms-request-id and rate-limit headers on every response, errors included", async () => {
      for (const response of [
        await call("GET", `/subscriptions/${prod}?api-version=2022-12-01`, { principal: "reader" }),
        await call("GET", `/subscriptions/${prod}/providers/Microsoft.Authorization/policyAssignments/missing?${API}`),
        await call("PUT", `/subscriptions/${prod}/providers/Microsoft.Authorization/policyAssignments/x?${API}`, { principal: "reader", body: {} }),
      ]) {
        expect(response.headers["x-ms-request-id"]).toMatch(/^[0-9a-f-]{36}$/);
        expect(Object.keys(response.headers).some((name) => name.startsWith("x-ms-ratelimit-remaining-"))).toBe(true);
      }
    });
    it("error bodies have ARM's shape", async () => {
      const response = await call("GET", `/subscriptions/${prod}/providers/Microsoft.Authorization/policyAssignments/missing?${API}`);
      expect(Object.keys(response.body)).toEqual(["error"]);
      expect(typeof response.body.error.code).toBe("string");
      expect(typeof response.body.error.message).toBe("string");
    });
    it("the SDK surfaces codes as RestError.code", async () => {
      const client = new PolicyClient(emu.credentialFor("reader"), prod, emu.clientOptions);
      const error = await client.policyAssignments.delete(`/subscriptions/${prod}`, "pss-baseline").catch((caught: unknown) => caught);
      expect(isRestError(error) && [error.statusCode, error.code]).toEqual([403, "AuthorizationFailed"]);
    });
  });
});
