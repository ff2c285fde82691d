import type { TokenCredential } from "@azure/core-auth";
import { isMissingResponse } from "./arm-errors.js";
import type { Client, ClientOptions } from "@azure-rest/core-client";
import { apiVersions } from "./clouds.js";
import { segments } from "./ids.js";

/**
 * Policy exemptions are in no released SDK (arm-policy 6 removed them), so this small typed module
 * calls them through @azure-rest/core-client, the same pipeline (auth, retry, TLS, proxy) the SDKs use.
 * Spec: policy/preview/2022-07-01-preview/policyExemptions.json.
 */
export type ExemptionCategory = "Waiver" | "Mitigated";

export interface PolicyExemptionProperties {
  policyAssignmentId: string;
  policyDefinitionReferenceIds?: string[];
  exemptionCategory: ExemptionCategory | string;
  expiresOn?: string | null;
  displayName?: string;
  description?: string;
  metadata?: Record<string, unknown>;
  resourceSelectors?: unknown[];
  assignmentScopeValidation?: "Default" | "DoNotValidate" | string;
}

export interface PolicyExemption {
  id: string;
  name: string;
  type: string;
  systemData?: Record<string, unknown>;
  properties: PolicyExemptionProperties;
}

export interface PolicyExemptionUpdate {
  properties: Pick<PolicyExemptionProperties, "resourceSelectors" | "assignmentScopeValidation">;
}

function path(scope: string, name?: string): string {
  const base = `/${segments(scope).join("/")}/providers/Microsoft.Authorization/policyExemptions`;
  return name === undefined ? base : `${base}/${encodeURIComponent(name)}`;
}

export class ExemptionsClient {
  private readonly clients = new Map<TokenCredential, Client>();

  private constructor(
    private readonly build: (credential: TokenCredential) => Client,
    private readonly credentialFor: (scope: string) => TokenCredential | Promise<TokenCredential>,
    private readonly apiVersion: string,
  ) {}

  /**
   * `credential` may depend on the scope: a subscription of another tenant is reached with a token
   * for that tenant (docs/issues/11.md), so each credential gets its own pipeline (and token cache).
   */
  static async create(
    endpoint: string,
    credential: TokenCredential | ((scope: string) => TokenCredential | Promise<TokenCredential>),
    options: ClientOptions & { apiVersion?: string },
  ): Promise<ExemptionsClient> {
    const { getClient } = await import("@azure-rest/core-client");
    const { apiVersion, ...clientOptions } = options;
    const build = (forCredential: TokenCredential): Client =>
      getClient(endpoint, forCredential, {
        ...clientOptions,
        credentials: { scopes: clientOptions.credentials?.scopes ?? [`${endpoint}/.default`] },
      });
    const credentialFor = typeof credential === "function" ? credential : () => credential;
    return new ExemptionsClient(build, credentialFor, apiVersion ?? apiVersions.exemptions);
  }

  private async clientFor(scope: string): Promise<Client> {
    const credential = await this.credentialFor(scope);
    let client = this.clients.get(credential);
    if (!client) {
      client = this.build(credential);
      this.clients.set(credential, client);
    }
    return client;
  }

  private async fail(response: { status: string; body: unknown; headers: Record<string, string> }): Promise<never> {
    const { createRestError } = await import("@azure-rest/core-client");
    throw createRestError(response as never);
  }

  /** Returns undefined when the exemption does not exist. */
  async get(scope: string, name: string): Promise<PolicyExemption | undefined> {
    const response = await (await this.clientFor(scope)).pathUnchecked(path(scope, name)).get({ queryParameters: { "api-version": this.apiVersion } });
    if (isMissingResponse(response.status, response.body)) return undefined;
    if (response.status !== "200") return this.fail(response);
    return response.body as PolicyExemption;
  }

  /** PUT is a full replace: ARM's PATCH cannot change anything but selectors and scope validation. */
  async createOrUpdate(scope: string, name: string, properties: PolicyExemptionProperties): Promise<{ exemption: PolicyExemption; created: boolean }> {
    const response = await (
      await this.clientFor(scope)
    )
      .pathUnchecked(path(scope, name))
      .put({ queryParameters: { "api-version": this.apiVersion }, body: { properties }, contentType: "application/json" });
    if (response.status !== "200" && response.status !== "201") return this.fail(response);
    return { exemption: response.body as PolicyExemption, created: response.status === "201" };
  }

  async update(scope: string, name: string, update: PolicyExemptionUpdate): Promise<PolicyExemption> {
    const response = await (await this.clientFor(scope)).pathUnchecked(path(scope, name)).patch({ queryParameters: { "api-version": this.apiVersion }, body: update, contentType: "application/json" });
    if (response.status !== "200") return this.fail(response);
    return response.body as PolicyExemption;
  }

  /** True when it was deleted, false when it did not exist (204). */
  async delete(scope: string, name: string): Promise<boolean> {
    const response = await (await this.clientFor(scope)).pathUnchecked(path(scope, name)).delete({ queryParameters: { "api-version": this.apiVersion } });
    if (response.status === "204") return false;
    if (response.status !== "200") return this.fail(response);
    return true;
  }

  /**
   * Lists exemptions at a scope (subscription, resource group, resource or management group),
   * following nextLink. `filter` is one of ARM's: atScope(), atExactScope(), excludeExpired(),
   * policyAssignmentId eq '<id>'.
   */
  async list(scope: string, filter?: string): Promise<PolicyExemption[]> {
    const results: PolicyExemption[] = [];
    const query: Record<string, string> = { "api-version": this.apiVersion };
    if (filter) query.$filter = filter;
    const client = await this.clientFor(scope);
    let response = await client.pathUnchecked(path(scope)).get({ queryParameters: query });
    for (;;) {
      if (response.status !== "200") return this.fail(response);
      const page = response.body as { value?: PolicyExemption[]; nextLink?: string | null };
      results.push(...(page.value ?? []));
      if (!page.nextLink) return results;
      response = await client.pathUnchecked(page.nextLink).get();
    }
  }
}
