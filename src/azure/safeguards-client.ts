import type { TokenCredential } from "@azure/core-auth";
import type { Client, ClientOptions } from "@azure-rest/core-client";
import { segments } from "./ids.js";

/**
 * Deployment Safeguards of an AKS cluster, `{clusterId}/providers/Microsoft.ContainerService/
 * deploymentSafeguards/default`. No JS SDK covers it, so, like exemptions, a small typed client over
 * @azure-rest/core-client (same pipeline: auth, retry, TLS, proxy, --debug).
 * Stable 2025-04-01: level (Warn, Enforce), excludedNamespaces, read-only systemExcludedNamespaces.
 * 2025-05-02-preview adds podSecurityStandardsLevel: akspol reads with it and falls back to the stable
 * version when a cloud does not serve the preview. Writes send If-Match with the eTag read; a stale
 * eTag is answered 412, which akspol reports as a conflict (exit 5).
 */
export const safeguardsApiVersions = { stable: "2025-04-01", preview: "2025-05-02-preview" } as const;

export interface DeploymentSafeguardsProperties {
  level: string;
  excludedNamespaces?: string[];
  systemExcludedNamespaces?: string[];
  podSecurityStandardsLevel?: string;
  provisioningState?: string;
  [other: string]: unknown;
}

export interface DeploymentSafeguards {
  id: string;
  name: string;
  type: string;
  eTag?: string;
  systemData?: Record<string, unknown>;
  properties: DeploymentSafeguardsProperties;
  [other: string]: unknown;
}

export interface SafeguardsRead {
  resource: DeploymentSafeguards;
  /** The api-version that answered (the preview, or the stable one when the preview is not served). */
  apiVersion: string;
}

function path(clusterId: string): string {
  return `/${segments(clusterId).join("/")}/providers/Microsoft.ContainerService/deploymentSafeguards/default`;
}

/** A 400 that means "this api-version is not served here" (so the stable one is tried). */
function isVersionRefusal(response: { status: string; body: unknown }): boolean {
  if (response.status !== "400") return false;
  const code = (response.body as { error?: { code?: string } } | undefined)?.error?.code ?? "";
  return /NoRegisteredProviderFound|InvalidResourceType|InvalidApiVersionParameter|UnsupportedApiVersion/i.test(code);
}

export class SafeguardsClient {
  private constructor(private readonly client: Client) {}

  static async create(endpoint: string, credential: TokenCredential, options: ClientOptions): Promise<SafeguardsClient> {
    const { getClient } = await import("@azure-rest/core-client");
    const client = getClient(endpoint, credential, {
      ...options,
      credentials: { scopes: options.credentials?.scopes ?? [`${endpoint}/.default`] },
    });
    return new SafeguardsClient(client);
  }

  private async fail(response: { status: string; body: unknown; headers: Record<string, string> }): Promise<never> {
    const { createRestError } = await import("@azure-rest/core-client");
    throw createRestError(response as never);
  }

  /** Undefined when Safeguards is not enabled on the cluster (404). */
  async get(clusterId: string): Promise<SafeguardsRead | undefined> {
    for (const apiVersion of [safeguardsApiVersions.preview, safeguardsApiVersions.stable]) {
      const response = await this.client.pathUnchecked(path(clusterId)).get({ queryParameters: { "api-version": apiVersion } });
      if (response.status === "404") return undefined;
      if (response.status === "200") {
        const resource = response.body as DeploymentSafeguards;
        // Some services return the eTag only as a header.
        const eTag = resource.eTag ?? response.headers.etag;
        return { resource: { ...resource, ...(eTag ? { eTag } : {}) }, apiVersion };
      }
      if (apiVersion === safeguardsApiVersions.preview && isVersionRefusal(response)) continue;
      return this.fail(response);
    }
    return undefined;
  }

  /**
   * Full replace at the api-version it was read with, sending every property read back (unknown ones
   * included) and If-Match with the eTag read, so a concurrent change is refused, never overwritten.
   */
  async put(clusterId: string, body: Pick<DeploymentSafeguards, "properties"> & Record<string, unknown>, eTag: string | undefined, apiVersion: string): Promise<DeploymentSafeguards> {
    const response = await this.client.pathUnchecked(path(clusterId)).put({
      queryParameters: { "api-version": apiVersion },
      headers: eTag ? { "If-Match": eTag } : {},
      body,
      contentType: "application/json",
    });
    if (response.status !== "200" && response.status !== "201") return this.fail(response);
    const resource = response.body as DeploymentSafeguards;
    return { ...resource, ...((resource.eTag ?? response.headers.etag) ? { eTag: resource.eTag ?? response.headers.etag } : {}) };
  }
}
