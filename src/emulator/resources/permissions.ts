// `GET {scope}/providers/Microsoft.Authorization/permissions`: what the caller may do at a scope.
import { PERMISSIONS_API_VERSIONS, checkResourceTypeVersion } from "../api-versions.js";
import type { ArmRequest, ArmResponse, EmulatorContext } from "../context.js";
import { permissionsAt } from "../rbac.js";
import type { ParsedScope } from "../scopes.js";
import { assertMethod, checkSubscriptionOf } from "./common.js";

export function handlePermissions(request: ArmRequest, context: EmulatorContext, scope: ParsedScope): ArmResponse {
  checkResourceTypeVersion(request.apiVersion, "Microsoft.Authorization", "permissions", PERMISSIONS_API_VERSIONS);
  assertMethod(request, ["GET"], true);
  checkSubscriptionOf(context.store, scope);
  const value = permissionsAt(context.store, request.caller.name, scope.id === "" ? "/" : scope.id);
  return { status: 200, body: { value } };
}
