// The api-versions the emulator serves, and what each version knows. ARM refuses other versions
// before the resource provider sees the request; the codes and messages follow what ARM returns
// (e.g. Azure/azure-powershell#25483 for InvalidResourceType).
import { ArmError, badRequest } from "./errors.js";

/**
 * Microsoft.Authorization policy types in the public cloud: the list ARM's InvalidResourceType message
 * gave in 2025 (Azure/bicep#17089: up to 2025-01-01), plus 2025-03-01, which @azure/arm-policy 7 sends.
 */
export const POLICY_API_VERSIONS = [
  "2015-10-01-preview",
  "2016-04-01",
  "2016-12-01",
  "2017-06-01-preview",
  "2018-03-01",
  "2018-05-01",
  "2019-01-01",
  "2019-06-01",
  "2019-09-01",
  "2020-03-01",
  "2020-08-01",
  "2020-09-01",
  "2021-06-01",
  "2022-06-01",
  "2023-04-01",
  "2024-04-01",
  "2024-05-01",
  "2025-01-01",
  "2025-03-01",
] as const;
export const EXEMPTION_API_VERSIONS = ["2020-07-01-preview", "2022-07-01-preview", "2024-12-01-preview"] as const;

export type CloudProfile = "AzureCloud" | "AzureUSGovernment";
export const CLOUD_KEY = "#meta/cloud";

/**
 * What each cloud serves. Azure Government lags: in 2024 it answered 2023-04-01 with InvalidResourceType
 * (Azure/azure-powershell#25483), by 2025 it served 2023-04-01 for set definitions
 * (Azure/enterprise-azure-policy-as-code#905) but not 2024-04-01 for assignments
 * (Azure/Azure-Landing-Zones#1502). Unverified: the exact lists Government serves today.
 */
export const CLOUD_API_VERSIONS: Record<CloudProfile, { policy: readonly string[]; exemptions: readonly string[] }> = {
  AzureCloud: { policy: POLICY_API_VERSIONS, exemptions: EXEMPTION_API_VERSIONS },
  AzureUSGovernment: {
    policy: POLICY_API_VERSIONS.filter((version) => version <= "2023-04-01"),
    exemptions: ["2020-07-01-preview", "2022-07-01-preview"],
  },
};

export function cloudProfileOf(reader: { get(key: string): { body: any } | undefined }): CloudProfile {
  return reader.get(CLOUD_KEY)?.body?.cloud === "AzureUSGovernment" ? "AzureUSGovernment" : "AzureCloud";
}

/** The api-versions the emulator's cloud profile serves for policy types and for exemptions. */
export function servedApiVersions(reader: { get(key: string): { body: any } | undefined }): { policy: readonly string[]; exemptions: readonly string[] } {
  return CLOUD_API_VERSIONS[cloudProfileOf(reader)];
}
/**
 * AKS stable versions from 2022-11-01 to the one @azure/arm-containerservice 25.5.0 sends (2026-06-01).
 * The 2025-10-01+ entries are the SDK's KnownVersions; the earlier ones are the AKS stable releases.
 */
export const MANAGED_CLUSTER_API_VERSIONS = [
  "2022-11-01",
  "2023-01-01",
  "2023-02-01",
  "2023-03-01",
  "2023-04-01",
  "2023-05-01",
  "2023-06-01",
  "2023-07-01",
  "2023-08-01",
  "2023-09-01",
  "2023-10-01",
  "2023-11-01",
  "2024-01-01",
  "2024-02-01",
  "2024-05-01",
  "2024-06-01",
  "2024-07-01",
  "2024-08-01",
  "2024-09-01",
  "2024-10-01",
  "2025-01-01",
  "2025-02-01",
  "2025-03-01",
  "2025-04-01",
  "2025-05-01",
  "2025-06-01",
  "2025-07-01",
  "2025-08-01",
  "2025-09-01",
  "2025-10-01",
  "2026-01-01",
  "2026-02-01",
  "2026-03-01",
  "2026-04-01",
  "2026-05-01",
  "2026-06-01",
] as const;
/** @azure/arm-resources-subscriptions 3.0.0 sends 2022-12-01. */
export const SUBSCRIPTION_API_VERSIONS = ["2016-06-01", "2019-06-01", "2019-11-01", "2020-01-01", "2021-01-01", "2022-01-01", "2022-12-01"] as const;
/** @azure/arm-resources 8.0.0 sends 2025-04-01. */
export const RESOURCE_GROUP_API_VERSIONS = [
  "2019-05-01",
  "2019-05-10",
  "2019-07-01",
  "2019-08-01",
  "2019-10-01",
  "2020-06-01",
  "2020-08-01",
  "2020-10-01",
  "2021-01-01",
  "2021-04-01",
  "2022-09-01",
  "2023-07-01",
  "2024-03-01",
  "2024-07-01",
  "2024-11-01",
  "2025-03-01",
  "2025-04-01",
] as const;
/** @azure/arm-managementgroups 2.0.2 sends 2021-04-01. */
export const MANAGEMENT_GROUP_API_VERSIONS = ["2020-02-01", "2020-05-01", "2020-10-01", "2021-04-01", "2023-04-01"] as const;
export const PERMISSIONS_API_VERSIONS = ["2015-07-01", "2018-01-01-preview", "2022-04-01"] as const;

export function requireApiVersion(apiVersion: string | undefined): string {
  if (apiVersion === undefined || apiVersion === "") {
    throw badRequest("MissingApiVersionParameter", "The api-version query parameter (?api-version=) is required for all requests.");
  }
  return apiVersion;
}

/**
 * ARM's answer for a Microsoft.Authorization (or other RP-registered) type at a version it does not
 * serve: 404 InvalidResourceType listing the supported versions (Azure/bicep#17089).
 */
export function checkResourceTypeVersion(apiVersion: string | undefined, namespace: string, type: string, supported: readonly string[]): string {
  const version = requireApiVersion(apiVersion);
  if (!supported.includes(version.toLowerCase())) {
    throw new ArmError(
      404,
      "InvalidResourceType",
      `The resource type '${type}' could not be found in the namespace '${namespace}' for api version '${version}'. The supported api-versions are '${supported.join(",")}'.`,
    );
  }
  return version.toLowerCase();
}

export function checkManagedClusterVersion(apiVersion: string | undefined, location = "westeurope"): string {
  const version = requireApiVersion(apiVersion);
  if (!(MANAGED_CLUSTER_API_VERSIONS as readonly string[]).includes(version.toLowerCase())) {
    throw badRequest(
      "NoRegisteredProviderFound",
      `No registered resource provider found for location '${location}' and API version '${version}' for type 'managedClusters'. The supported api-versions are '${MANAGED_CLUSTER_API_VERSIONS.join(", ")}'. The supported locations are 'westeurope, northeurope, eastus, westus'.`,
    );
  }
  return version.toLowerCase();
}

/** Microsoft.Resources (subscriptions, resource groups) answers unknown versions with InvalidApiVersionParameter. */
export function checkResourcesVersion(apiVersion: string | undefined, supported: readonly string[]): string {
  const version = requireApiVersion(apiVersion);
  if (!supported.includes(version.toLowerCase())) {
    throw new ArmError(400, "InvalidApiVersionParameter", `The api-version '${version}' is invalid. The supported versions are '${supported.join(",")}'.`);
  }
  return version.toLowerCase();
}

/** ISO dates compare as strings; previews sort with their date. */
export function atLeast(apiVersion: string, minimum: string): boolean {
  return apiVersion.slice(0, 10) >= minimum.slice(0, 10);
}

// Fields each api-version knows. A request naming a field its version does not know is refused by the
// policy RP's strict deserializer ("Could not find member ..."); a response leaves such fields out.

export function assignmentPropertyNames(apiVersion: string): Set<string> {
  const names = ["displayName", "policyDefinitionId", "scope", "notScopes", "parameters", "description", "metadata", "enforcementMode", "nonComplianceMessages"];
  if (atLeast(apiVersion, "2022-06-01")) names.push("resourceSelectors", "overrides");
  if (atLeast(apiVersion, "2023-04-01")) names.push("definitionVersion", "latestDefinitionVersion", "effectiveDefinitionVersion");
  // Unverified: assignmentType and instanceId first appear in the 2024-04-01 spec as far as we know.
  if (atLeast(apiVersion, "2024-04-01")) names.push("assignmentType", "instanceId");
  return new Set(names);
}

/** Every assignment property of every version the emulator models; others are kept as sent. */
export const MODELLED_ASSIGNMENT_PROPERTIES = assignmentPropertyNames("9999-12-31");

export function exemptionPropertyNames(apiVersion: string): Set<string> {
  const names = ["policyAssignmentId", "policyDefinitionReferenceIds", "exemptionCategory", "expiresOn", "displayName", "description", "metadata"];
  if (atLeast(apiVersion, "2022-07-01")) names.push("resourceSelectors", "assignmentScopeValidation");
  return new Set(names);
}

export function definitionPropertyNames(apiVersion: string, set: boolean): Set<string> {
  const names = set
    ? ["policyType", "displayName", "description", "metadata", "parameters", "policyDefinitions", "policyDefinitionGroups"]
    : ["policyType", "mode", "displayName", "description", "policyRule", "metadata", "parameters"];
  if (atLeast(apiVersion, "2023-04-01")) names.push("version", "versions");
  if (!set && atLeast(apiVersion, "2024-05-01")) names.push("externalEvaluationEnforcementSettings");
  return new Set(names);
}

/** Every exemption property of every version the emulator models; others are kept as sent. */
export const MODELLED_EXEMPTION_PROPERTIES = exemptionPropertyNames("9999-12-31");
