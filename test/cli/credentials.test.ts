import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createCredential, principalFromClaims, tokenClaims } from "../../src/azure/credentials.js";
import { UsageError } from "../../src/cli/errors.js";
import type { AuthMethod } from "../../src/cli/global-options.js";

const base = { authorityHost: "https://login.microsoftonline.com", log: () => undefined };
const tokenFile = join(mkdtempSync(join(tmpdir(), "akspol-wi-")), "token");
writeFileSync(tokenFile, "federated-token");

describe("credential selection per --auth", () => {
  it.each<[AuthMethod, NodeJS.ProcessEnv, string]>([
    ["default", {}, "DefaultAzureCredential"],
    ["cli", {}, "AzureCliCredential"],
    ["device-code", {}, "DeviceCodeCredential"],
    ["browser", {}, "InteractiveBrowserCredential"],
    ["service-principal", { AZURE_TENANT_ID: "t", AZURE_CLIENT_ID: "c", AZURE_CLIENT_SECRET: "s" }, "ClientSecretCredential"],
    ["service-principal", { AZURE_TENANT_ID: "t", AZURE_CLIENT_ID: "c", AZURE_CLIENT_CERTIFICATE_PATH: "/cert.pem" }, "ClientCertificateCredential"],
    ["managed-identity", {}, "ManagedIdentityCredential"],
    ["managed-identity", { AZURE_CLIENT_ID: "user-assigned" }, "ManagedIdentityCredential"],
    ["workload-identity", { AZURE_TENANT_ID: "t", AZURE_CLIENT_ID: "c", AZURE_FEDERATED_TOKEN_FILE: tokenFile }, "WorkloadIdentityCredential"],
  ])("--auth %s builds the matching @azure/identity credential", async (auth, env, kind) => {
    const choice = await createCredential({ ...base, auth, env });
    expect(choice.kind).toBe(kind);
    expect(choice.credential.constructor.name).toBe(kind);
  });

  it("refuses a service principal without tenant, client id or secret, naming what to set", async () => {
    await expect(createCredential({ ...base, auth: "service-principal", env: {} })).rejects.toThrow(UsageError);
    await expect(createCredential({ ...base, auth: "service-principal", env: { AZURE_TENANT_ID: "t", AZURE_CLIENT_ID: "c" } })).rejects.toThrow(/AZURE_CLIENT_SECRET/);
  });

  it("refuses workload identity without a federated token file", async () => {
    await expect(createCredential({ ...base, auth: "workload-identity", env: { AZURE_TENANT_ID: "t", AZURE_CLIENT_ID: "c" } })).rejects.toThrow(/AZURE_FEDERATED_TOKEN_FILE/);
  });

  it("names the principal from token claims without exposing the token", () => {
    const payload = Buffer.from(JSON.stringify({ oid: "o-1", upn: "ada@contoso.com" })).toString("base64url");
    const claims = tokenClaims(`h.${payload}.sig`);
    expect(principalFromClaims(claims)).toEqual({ id: "o-1", name: "ada@contoso.com" });
    expect(principalFromClaims(tokenClaims("not-a-jwt"))).toEqual({ id: "unknown", name: "unknown" });
  });
});
