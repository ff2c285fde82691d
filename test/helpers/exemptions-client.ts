// A minimal exemptions client over @azure-rest/core-client: no published SDK covers policy exemptions
// with arm-policy 7.x (docs/reference/arm-contract.md §1.1), so tests call the REST API as the tool does.
import { getClient, type Client } from "@azure-rest/core-client";
import type { TokenCredential } from "@azure/core-auth";

export function exemptionsRestClient(endpoint: string, credential: TokenCredential, ca: string): Client {
  return getClient(endpoint, credential, {
    credentials: { scopes: [`${endpoint}/.default`] },
    tlsOptions: { ca },
    retryOptions: { retryDelayInMs: 20, maxRetryDelayInMs: 200 },
  });
}

export function exemptionPath(scope: string, name?: string): string {
  const base = `${scope.replace(/^\/+/, "/")}/providers/Microsoft.Authorization/policyExemptions`;
  return name === undefined ? base : `${base}/${name}`;
}
