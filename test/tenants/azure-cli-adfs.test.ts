// docs/issues/11.md: the Azure CLI signs in to the emulator registered as a custom cloud whose Active Directory
// endpoint is <endpoint>/adfs. This test makes the requests MSAL (the CLI's sign-in library) makes for
// an ADFS authority: the OpenID configuration documents, then a client-credentials token request with
// its `claims` and the `<endpoint>//.default` scope; then it lists assignments with the token.
import { request as httpsRequest } from "node:https";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestEmulator, type TestEmulator } from "../helpers/emulator.js";
import { armRequest } from "../helpers/arm-request.js";
import { DEMO } from "../../src/emulator/demo-seed.js";

let emu: TestEmulator;
beforeAll(async () => {
  emu = await startTestEmulator({ seed: "demo" });
});
afterAll(() => emu.close());

function postForm(url: string, form: Record<string, string>): Promise<{ status: number; body: any }> {
  const payload = new URLSearchParams(form).toString();
  return new Promise((resolve, reject) => {
    const request = httpsRequest(
      url,
      { method: "POST", ca: emu.caCert, agent: false, headers: { "content-type": "application/x-www-form-urlencoded", "content-length": Buffer.byteLength(payload) } },
      (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () => resolve({ status: response.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString("utf8")) }));
      },
    );
    request.on("error", reject);
    request.end(payload);
  });
}

describe("Azure CLI sign-in through the ADFS-style routes", () => {
  it("serves the discovery documents, a client-credentials token, and ARM accepts the token", async () => {
    const adfs = `${emu.endpoint}/adfs`;
    const v1 = await armRequest(emu.endpoint, emu.caCert, "GET", "/adfs/.well-known/openid-configuration");
    const v2 = await armRequest(emu.endpoint, emu.caCert, "GET", "/adfs/v2.0/.well-known/openid-configuration");
    for (const document of [v1, v2]) {
      expect(document.status).toBe(200);
      expect(document.body.token_endpoint).toBe(`${adfs}/oauth2/token`);
      expect(document.body.authorization_endpoint).toBe(`${adfs}/oauth2/authorize`);
      expect(document.body.issuer).toBe(adfs);
    }
    const admin = emu.connection.principals.find((principal) => principal.name === "admin")!;
    const token = await postForm(v1.body.token_endpoint, {
      client_id: admin.clientId,
      client_secret: admin.clientSecret,
      grant_type: "client_credentials",
      // `az cloud register --endpoint-resource-manager <endpoint> --endpoint-active-directory-resource-id <endpoint>/`
      // makes the CLI ask for <resource>/.default, hence the double slash.
      scope: `${emu.endpoint}//.default`,
      claims: JSON.stringify({ access_token: { xms_cc: { values: ["CP1"] } } }),
      client_info: "1",
    });
    expect(token.status, JSON.stringify(token.body)).toBe(200);
    expect(token.body.token_type).toBe("Bearer");
    const list = await armRequest(emu.endpoint, emu.caCert, "GET", `/subscriptions/${DEMO.subscriptions.prod.id}/providers/Microsoft.Authorization/policyAssignments?api-version=2022-06-01`, {
      token: token.body.access_token,
    });
    expect(list.status).toBe(200);
    expect(list.body.value.map((assignment: { name: string }) => assignment.name)).toContain("pss-baseline");
  });

  it("refuses a wrong secret as Entra ID does", async () => {
    const admin = emu.connection.principals.find((principal) => principal.name === "admin")!;
    const token = await postForm(`${emu.endpoint}/adfs/oauth2/token`, { client_id: admin.clientId, client_secret: "wrong", grant_type: "client_credentials", scope: `${emu.endpoint}//.default` });
    expect(token.status).toBe(401);
    expect(token.body.error).toBe("invalid_client");
  });
});
