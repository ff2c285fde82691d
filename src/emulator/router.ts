// Maps a normalized ARM path onto a handler. Segments compare case-insensitively.
import { badRequest, ArmError } from "./errors.js";
import type { ArmRequest, ArmResponse, EmulatorContext } from "./context.js";
import { eq, parseScopeSegments } from "./scopes.js";
import { handlePolicyAssignments } from "./resources/policy-assignments.js";
import { handlePolicyExemptions } from "./resources/policy-exemptions.js";
import { definitionKindOf, handleDefinitions, handleListAllVersions } from "./resources/policy-definitions.js";
import { handleManagedClusters } from "./resources/managed-clusters.js";
import { handleManagementGroups, handleResourceGroups, handleSubscriptions, handleTenants } from "./resources/management.js";
import { handlePermissions } from "./resources/permissions.js";
import { handleResourceGraph } from "./resource-graph/handler.js";
import { handleDeploymentSafeguards } from "./resources/deployment-safeguards.js";
import { handlePolicyInsights, policyInsightsProviderIndex } from "./resources/policy-insights.js";

function notServed(request: ArmRequest): ArmError {
  return new ArmError(404, "InvalidRequestUri", `The request uri '${request.path}' is not valid: the emulator serves no resource there.`);
}

/** Where `providers/Microsoft.Authorization` starts (the last occurrence: the scope precedes it). */
function authorizationProviderIndex(segments: string[]): number {
  for (let index = segments.length - 2; index >= 0; index--) {
    if (eq(segments[index], "providers") && eq(segments[index + 1], "Microsoft.Authorization")) return index;
  }
  return -1;
}

export function routeArmRequest(request: ArmRequest, context: EmulatorContext): ArmResponse | Promise<ArmResponse> {
  const segments = request.segments;
  const insightsIndex = policyInsightsProviderIndex(segments);
  if (insightsIndex >= 0) return handlePolicyInsights(request, context, insightsIndex);
  const providerIndex = authorizationProviderIndex(segments);
  if (providerIndex >= 0) {
    const scope = parseScopeSegments(segments.slice(0, providerIndex));
    const rest = segments.slice(providerIndex + 2);
    if (scope === undefined) throw badRequest("InvalidScope", `The scope '/${segments.slice(0, providerIndex).join("/")}' is not a valid scope.`);
    if (rest.length === 0) throw notServed(request);
    const type = rest[0];
    const kind = definitionKindOf(type);
    if (eq(type, "policyAssignments")) return handlePolicyAssignments(request, context, scope, rest.slice(1));
    if (eq(type, "policyExemptions")) return handlePolicyExemptions(request, context, scope, rest.slice(1));
    if (kind !== undefined) return handleDefinitions(request, context, scope, kind, rest.slice(1));
    if (eq(type, "permissions") && rest.length === 1) return handlePermissions(request, context, scope);
    if (eq(type, "listPolicyDefinitionVersions") && rest.length === 1) return handleListAllVersions(request, context, scope, "policyDefinitions");
    if (eq(type, "listPolicySetDefinitionVersions") && rest.length === 1) return handleListAllVersions(request, context, scope, "policySetDefinitions");
    throw badRequest("InvalidResourceType", `The resource type '${type}' could not be found in the namespace 'Microsoft.Authorization' for api version '${request.apiVersion ?? ""}'.`);
  }

  const [first, second, third, fourth, fifth, sixth, seventh, eighth] = segments;
  if (eq(first, "tenants") && segments.length === 1) return handleTenants(request, context);
  if (eq(first, "providers") && eq(second, "Microsoft.Management") && eq(third, "managementGroups")) {
    return handleManagementGroups(request, context, segments.slice(3));
  }
  if (eq(first, "providers") && eq(second, "Microsoft.ResourceGraph") && eq(third, "resources") && segments.length === 3) return handleResourceGraph(request, context);
  if (!eq(first, "subscriptions")) throw notServed(request);
  if (segments.length === 1) return handleSubscriptions(request, context, undefined);
  if (segments.length === 2) return handleSubscriptions(request, context, second);
  const subscriptionId = second;
  // /subscriptions/{s}/providers/Microsoft.ContainerService/managedClusters
  if (eq(third, "providers") && eq(fourth, "Microsoft.ContainerService") && eq(fifth, "managedClusters") && segments.length === 5) {
    return handleManagedClusters(request, context, subscriptionId, undefined, undefined);
  }
  if (eq(third, "resourceGroups")) {
    if (segments.length <= 4) return handleResourceGroups(request, context, subscriptionId, fourth);
    // {cluster}/providers/Microsoft.ContainerService/deploymentSafeguards/{name}
    if (
      eq(fifth, "providers") &&
      eq(sixth, "Microsoft.ContainerService") &&
      eq(seventh, "managedClusters") &&
      segments.length === 12 &&
      eq(segments[8], "providers") &&
      eq(segments[9], "Microsoft.ContainerService") &&
      eq(segments[10], "deploymentSafeguards")
    ) {
      return handleDeploymentSafeguards(request, context, { subscriptionId, resourceGroup: fourth, name: eighth }, segments[11] as string);
    }
    if (eq(fifth, "providers") && eq(sixth, "Microsoft.ContainerService") && eq(seventh, "managedClusters") && segments.length <= 8) {
      return handleManagedClusters(request, context, subscriptionId, fourth, segments.length === 8 ? eighth : undefined);
    }
    if (eq(fifth, "providers") && segments.length >= 6) {
      throw new ArmError(
        400,
        "NoRegisteredProviderFound",
        `No registered resource provider found for namespace '${sixth}'. The emulator serves Microsoft.Authorization and Microsoft.ContainerService only.`,
      );
    }
  }
  throw notServed(request);
}
