import type { TokenCredential } from "@azure/core-auth";
import type { AuthMethod } from "../cli/global-options.js";
import { UsageError } from "../errors.js";

export interface CredentialRequest {
  auth: AuthMethod;
  tenantId?: string;
  clientId?: string;
  authorityHost: string;
  env: NodeJS.ProcessEnv;
  /** Where device-code instructions go (stderr). */
  log: (text: string) => void;
  /** Extra pipeline options (TLS trust for the emulator). */
  tlsCa?: string;
}

export interface CredentialChoice {
  /** The @azure/identity class used, for --debug and tests. */
  kind: string;
  credential: TokenCredential;
}

/**
 * Maps --auth to the matching @azure/identity credential. Loaded lazily: @azure/identity is heavy.
 * Secrets come only from the environment (AZURE_CLIENT_SECRET, AZURE_CLIENT_CERTIFICATE_PATH),
 * never from flags, so they do not land in shell history or process listings.
 */
export async function createCredential(request: CredentialRequest): Promise<CredentialChoice> {
  const identity = await import("@azure/identity");
  const { env } = request;
  const tenantId = request.tenantId ?? env.AZURE_TENANT_ID;
  const clientId = request.clientId ?? env.AZURE_CLIENT_ID;
  const common = {
    authorityHost: request.authorityHost,
    // Tokens for other tenants are asked for per request (src/azure/tenants.ts, README "Several tenants").
    additionallyAllowedTenants: ["*"],
    ...(request.tlsCa ? { tlsOptions: { ca: request.tlsCa } } : {}),
  };
  switch (request.auth) {
    case "default":
      return {
        kind: "DefaultAzureCredential",
        credential: new identity.DefaultAzureCredential({ ...common, tenantId, managedIdentityClientId: clientId }),
      };
    case "cli":
      return { kind: "AzureCliCredential", credential: new identity.AzureCliCredential({ tenantId, additionallyAllowedTenants: ["*"] }) };
    case "device-code":
      return {
        kind: "DeviceCodeCredential",
        credential: new identity.DeviceCodeCredential({
          ...common,
          tenantId,
          clientId,
          userPromptCallback: (info) => request.log(info.message),
        }),
      };
    case "browser":
      return {
        kind: "InteractiveBrowserCredential",
        credential: new identity.InteractiveBrowserCredential({ ...common, tenantId, clientId }),
      };
    case "service-principal": {
      if (!tenantId || !clientId) {
        throw new UsageError("--auth service-principal needs a tenant and a client id.", {
          suggestion: "Pass --tenant and --client-id (or AZURE_TENANT_ID and AZURE_CLIENT_ID), and set AZURE_CLIENT_SECRET or AZURE_CLIENT_CERTIFICATE_PATH.",
        });
      }
      if (env.AZURE_CLIENT_SECRET) {
        return {
          kind: "ClientSecretCredential",
          credential: new identity.ClientSecretCredential(tenantId, clientId, env.AZURE_CLIENT_SECRET, common),
        };
      }
      if (env.AZURE_CLIENT_CERTIFICATE_PATH) {
        return {
          kind: "ClientCertificateCredential",
          credential: new identity.ClientCertificateCredential(
            tenantId,
            clientId,
            { certificatePath: env.AZURE_CLIENT_CERTIFICATE_PATH, certificatePassword: env.AZURE_CLIENT_CERTIFICATE_PASSWORD },
            common,
          ),
        };
      }
      throw new UsageError("--auth service-principal needs a secret (AZURE_CLIENT_SECRET) or a certificate (AZURE_CLIENT_CERTIFICATE_PATH).", {
        suggestion: "Set AZURE_CLIENT_SECRET, or AZURE_CLIENT_CERTIFICATE_PATH (and AZURE_CLIENT_CERTIFICATE_PASSWORD if it has one).",
      });
    }
    case "managed-identity":
      return {
        kind: "ManagedIdentityCredential",
        credential: clientId ? new identity.ManagedIdentityCredential({ clientId }) : new identity.ManagedIdentityCredential(),
      };
    case "workload-identity": {
      const tokenFilePath = env.AZURE_FEDERATED_TOKEN_FILE;
      if (!tokenFilePath || !tenantId || !clientId) {
        throw new UsageError("--auth workload-identity needs AZURE_FEDERATED_TOKEN_FILE, a tenant and a client id.", {
          suggestion: "Run inside a pod with Azure Workload Identity enabled, or set AZURE_FEDERATED_TOKEN_FILE, AZURE_TENANT_ID and AZURE_CLIENT_ID.",
        });
      }
      return {
        kind: "WorkloadIdentityCredential",
        credential: new identity.WorkloadIdentityCredential({ ...common, tenantId, clientId, tokenFilePath }),
      };
    }
  }
}

/** Decodes the claims of a JWT access token (no verification: only to name the principal). */
export function tokenClaims(token: string): Record<string, unknown> {
  const payload = token.split(".")[1];
  if (!payload) return {};
  try {
    return JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as Record<string, unknown>;
  } catch {
    return {};
  }
}

/** A display name for the signed-in principal, for journals and exemption metadata. Never a secret. */
export function principalFromClaims(claims: Record<string, unknown>): { id: string; name: string } {
  const id = String(claims.oid ?? claims.sub ?? "unknown");
  const name = String(claims.upn ?? claims.unique_name ?? claims.preferred_username ?? claims.name ?? claims.app_displayname ?? claims.appid ?? claims.azp ?? id);
  return { id, name };
}
