import type { AccessToken, GetTokenOptions, TokenCredential } from "@azure/core-auth";

/**
 * A credential reaches every tenant it may (docs/issues/11.md): a subscription of another tenant answers a
 * token of the home tenant with 401 InvalidAuthenticationTokenTenant, so requests to it carry a token
 * for its own tenant. @azure/identity credentials are built with additionallyAllowedTenants ["*"],
 * and a token for tenant T is asked for with GetTokenOptions.tenantId (the documented way).
 */
export class TenantRouting {
  private readonly subscriptionTenants = new Map<string, string>();
  private readonly perTenant = new Map<string, Promise<TokenCredential>>();

  constructor(private readonly home: () => Promise<TokenCredential>) {}

  remember(subscriptionId: string, tenantId: string): void {
    this.subscriptionTenants.set(subscriptionId.toLowerCase(), tenantId);
  }

  tenantOf(subscriptionId: string): string | undefined {
    return this.subscriptionTenants.get(subscriptionId.toLowerCase());
  }

  /** One credential object per tenant, so each SDK client's token cache holds one tenant's tokens. */
  credentialFor(tenantId: string): Promise<TokenCredential> {
    const key = tenantId.toLowerCase();
    let credential = this.perTenant.get(key);
    if (!credential) {
      credential = this.home().then((base) => forTenant(base, tenantId));
      this.perTenant.set(key, credential);
    }
    return credential;
  }

  credentialForSubscription(subscriptionId: string | undefined): Promise<TokenCredential> {
    const tenant = subscriptionId === undefined ? undefined : this.tenantOf(subscriptionId);
    return tenant === undefined ? this.home() : this.credentialFor(tenant);
  }
}

export function forTenant(base: TokenCredential, tenantId: string): TokenCredential {
  return {
    getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken | null> {
      return base.getToken(scopes, { ...options, tenantId });
    },
  };
}
