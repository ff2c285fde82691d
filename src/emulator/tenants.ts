// Several Entra ID tenants in one emulator (docs/issues/11.md). The home tenant is the one the emulator was
// created with; seeds add more. Each subscription belongs to one tenant, each tenant has its own root
// management group, and an app has a service principal only in the tenants where it was consented.
import { MANAGEMENT_GROUP_TYPE } from "./hierarchy.js";
import { PRINCIPAL_TYPE, type EmulatorPrincipalRecord } from "./rbac.js";
import { keyOf, managementGroupId, subscriptionScopeId } from "./scopes.js";
import type { Batch, StateReader } from "./store.js";

export const TENANT_TYPE = "#tenant";
export const HOME_TENANT_KEY = "#meta/tenant";

export interface TenantRecord {
  tenantId: string;
  displayName: string;
  defaultDomain: string;
  home: boolean;
}

export function homeTenantId(reader: Pick<StateReader, "get">): string {
  return reader.get(HOME_TENANT_KEY)!.body.tenantId as string;
}

export function tenantKey(tenantId: string): string {
  return `#tenant/${tenantId.toLowerCase()}`;
}

/** Every tenant: the home one first. */
export function listTenants(reader: StateReader): TenantRecord[] {
  const home = homeTenantId(reader);
  const homeRecord: TenantRecord = { tenantId: home, displayName: "akspol emulator", defaultDomain: "emulator.onmicrosoft.com", home: true };
  const others = reader
    .list(TENANT_TYPE)
    .map((record) => record.body as TenantRecord)
    .filter((tenant) => tenant.tenantId.toLowerCase() !== home.toLowerCase());
  return [homeRecord, ...others];
}

export function findTenant(reader: StateReader, tenantId: string | undefined): TenantRecord | undefined {
  if (tenantId === undefined) return undefined;
  return listTenants(reader).find((tenant) => tenant.tenantId.toLowerCase() === tenantId.toLowerCase());
}

/** An extra tenant and its tenant root group. */
export function stageTenant(batch: Batch, tenant: { tenantId: string; displayName?: string; defaultDomain?: string }): void {
  const record: TenantRecord = {
    tenantId: tenant.tenantId,
    displayName: tenant.displayName ?? tenant.tenantId,
    defaultDomain: tenant.defaultDomain ?? `${tenant.tenantId.slice(0, 8)}.onmicrosoft.com`,
    home: false,
  };
  batch.put(tenantKey(tenant.tenantId), { type: TENANT_TYPE, id: tenantKey(tenant.tenantId), body: record });
  const rootId = managementGroupId(tenant.tenantId);
  if (batch.get(keyOf(rootId)) === undefined) {
    batch.put(keyOf(rootId), { type: MANAGEMENT_GROUP_TYPE, id: rootId, body: { name: tenant.tenantId, displayName: "Tenant Root Group", parent: null } });
  }
}

/** The tenant of a subscription (its own, or the home tenant). */
export function subscriptionTenant(reader: StateReader, subscriptionId: string): string {
  const record = reader.get(keyOf(subscriptionScopeId(subscriptionId)));
  return (record?.body?.tenantId as string | undefined) ?? homeTenantId(reader);
}

/** The tenant of a management group: the name of its root group. */
export function managementGroupTenant(reader: StateReader, name: string): string {
  let current: string | undefined = name;
  const seen = new Set<string>();
  while (current !== undefined && !seen.has(current.toLowerCase())) {
    seen.add(current.toLowerCase());
    const record = reader.get(keyOf(managementGroupId(current)));
    if (record === undefined) return homeTenantId(reader);
    if (record.body.parent === null || record.body.parent === undefined) return record.body.name as string;
    current = record.body.parent as string;
  }
  return homeTenantId(reader);
}

/** Whether the app has a service principal in the tenant (every tenant unless its seed names some). */
export function principalInTenant(principal: EmulatorPrincipalRecord & { tenants?: string[] }, tenantId: string): boolean {
  return principal.tenants === undefined || principal.tenants.some((tenant) => tenant.toLowerCase() === tenantId.toLowerCase());
}

export function principals(reader: StateReader): Array<EmulatorPrincipalRecord & { tenants?: string[] }> {
  return reader.list(PRINCIPAL_TYPE).map((record) => record.body);
}
