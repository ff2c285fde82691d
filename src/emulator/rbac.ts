// Role-based access control as ARM applies it: a principal may perform an action at a scope when a
// role assignment at that scope or above grants it (actions minus notActions, wildcards allowed,
// compared case-insensitively). Role definitions are Azure's built-in ones.
import { randomUUID } from "node:crypto";
import { ArmError } from "./errors.js";
import { ancestorKeys } from "./hierarchy.js";
import { keyOf } from "./scopes.js";
import type { StateReader, Batch } from "./store.js";

export type RoleName = "Owner" | "Reader" | "Resource Policy Contributor";
export type RoleSpec = RoleName | { actions: string[]; notActions?: string[] };

export interface Permission {
  actions: string[];
  notActions: string[];
  dataActions: string[];
  notDataActions: string[];
}

export interface RoleAssignmentRecord {
  principal: string;
  role: RoleSpec;
  scope: string;
}

export interface EmulatorPrincipalRecord {
  name: string;
  clientId: string;
  clientSecret: string;
  objectId: string;
  /** Tenants where the app has a service principal; every tenant when absent. */
  tenants?: string[];
  /** Tenants that list the app but refuse it a token until an administrator consents (AADSTS65001). */
  consentMissingIn?: string[];
}

export const ROLE_DEFINITIONS: Record<RoleName, Permission> = {
  Owner: { actions: ["*"], notActions: [], dataActions: [], notDataActions: [] },
  Reader: { actions: ["*/read"], notActions: [], dataActions: [], notDataActions: [] },
  "Resource Policy Contributor": {
    actions: [
      "*/read",
      "Microsoft.Authorization/policyassignments/*",
      "Microsoft.Authorization/policydefinitions/*",
      "Microsoft.Authorization/policyexemptions/*",
      "Microsoft.Authorization/policysetdefinitions/*",
      "Microsoft.PolicyInsights/*",
      "Microsoft.Support/*",
    ],
    notActions: [],
    dataActions: [],
    notDataActions: [],
  },
};

export const PRINCIPAL_TYPE = "#principal";
export const ROLE_ASSIGNMENT_TYPE = "#roleAssignment";

export function principalKey(name: string): string {
  return `#principal/${name.toLowerCase()}`;
}

export function permissionOf(role: RoleSpec): Permission {
  if (typeof role === "string") {
    const definition = ROLE_DEFINITIONS[role];
    if (definition === undefined) throw new Error(`Unknown role '${role}'`);
    return definition;
  }
  return { actions: [...role.actions], notActions: [...(role.notActions ?? [])], dataActions: [], notDataActions: [] };
}

function pattern(action: string): RegExp {
  const escaped = action.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*");
  return new RegExp(`^${escaped}$`, "i");
}

export function permits(permission: Permission, action: string): boolean {
  return permission.actions.some((allowed) => pattern(allowed).test(action)) && !permission.notActions.some((denied) => pattern(denied).test(action));
}

/** The permissions a principal holds at a scope (from assignments at it or above). */
export function permissionsAt(reader: StateReader, principal: string, scope: string): Permission[] {
  const above = new Set(ancestorKeys(reader, scope));
  return reader
    .list(ROLE_ASSIGNMENT_TYPE)
    .map((record) => record.body as RoleAssignmentRecord)
    .filter((assignment) => assignment.principal.toLowerCase() === principal.toLowerCase() && above.has(keyOf(assignment.scope)))
    .map((assignment) => permissionOf(assignment.role));
}

export function isAllowed(reader: StateReader, principal: string, action: string, scope: string): boolean {
  return permissionsAt(reader, principal, scope).some((permission) => permits(permission, action));
}

/** Throws ARM's 403 when the caller may not perform `action` over `scope`. */
export function authorize(reader: StateReader, caller: EmulatorPrincipalRecord, action: string, scope: string): void {
  if (isAllowed(reader, caller.name, action, scope)) return;
  throw new ArmError(
    403,
    "AuthorizationFailed",
    `The client '${caller.clientId}' with object id '${caller.objectId}' does not have authorization to perform action '${action}' over scope '${scope}' or the scope is invalid. If access was recently granted, please refresh your credentials.`,
    { headers: { "x-ms-failure-cause": "gateway" } },
  );
}

export function addRoleAssignment(batch: Batch, assignment: RoleAssignmentRecord): void {
  if (typeof assignment.role === "string" && !(assignment.role in ROLE_DEFINITIONS)) {
    throw new Error(`Unknown role '${assignment.role}'; use Owner, Reader, Resource Policy Contributor or {actions}`);
  }
  const id = `#roleAssignment/${randomUUID()}`;
  batch.put(id, { type: ROLE_ASSIGNMENT_TYPE, id, body: { ...assignment, scope: assignment.scope === "" ? "/" : assignment.scope } });
}

export function removeRoleAssignments(batch: Batch, principal: string): number {
  let removed = 0;
  for (const record of batch.list(ROLE_ASSIGNMENT_TYPE)) {
    if ((record.body as RoleAssignmentRecord).principal.toLowerCase() === principal.toLowerCase()) {
      batch.delete(record.id);
      removed++;
    }
  }
  return removed;
}

export function findPrincipalByClientId(reader: StateReader, clientId: string): EmulatorPrincipalRecord | undefined {
  return reader
    .list(PRINCIPAL_TYPE)
    .map((record) => record.body as EmulatorPrincipalRecord)
    .find((principal) => principal.clientId.toLowerCase() === clientId.toLowerCase());
}
