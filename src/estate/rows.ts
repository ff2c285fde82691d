import { MODELLED_ASSIGNMENT_PROPERTIES, type PolicyAssignment } from "../azure/assignments.js";
import type { ManagedCluster } from "../azure/clusters.js";
import type { PolicyExemption } from "../azure/exemptions-client.js";
import { memberDefinitionIds } from "../policy/catalog.js";

/**
 * The Resource Graph queries akspol sends, and the conversion of their rows into the same shapes the
 * ARM path reads (the SDKs' flattened PolicyAssignment and ManagedCluster, the exemptions REST JSON),
 * so both engines feed one model. Every query projects `id`, which paging needs.
 */
const quote = (text: string): string => `'${text.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;

/** Assignments of any policy set (built-in or custom: classification reads the sets) or of a member policy. */
export const ASSIGNMENTS_QUERY = `policyresources
| where type =~ 'microsoft.authorization/policyassignments'
| where tolower(tostring(properties.policyDefinitionId)) contains '/providers/microsoft.authorization/policysetdefinitions/'
    or tolower(tostring(properties.policyDefinitionId)) in~ (${[...memberDefinitionIds].sort().map(quote).join(", ")})
| project id, name, location, identity, properties
| order by id asc`;

export const EXEMPTIONS_QUERY = `policyresources
| where type =~ 'microsoft.authorization/policyexemptions'
| project id, name, type, properties
| order by id asc`;

export const CLUSTERS_QUERY = `resources
| where type =~ 'microsoft.containerservice/managedclusters'
| project id, name, type, location, tags, sku, identity, properties
| order by id asc`;

/** Subscriptions with the management groups above them, nearest first (ARG's managementGroupAncestorsChain). */
export const SUBSCRIPTIONS_QUERY = `resourcecontainers
| where type =~ 'microsoft.resources/subscriptions'
| project id, subscriptionId, managementGroups = properties.managementGroupAncestorsChain
| order by id asc`;

export function resourceGroupsQuery(name: string): string {
  return `resourcecontainers
| where type =~ 'microsoft.resources/subscriptions/resourcegroups' and name =~ ${quote(name)}
| project id
| order by id asc`;
}

const present = (value: unknown): boolean => value !== undefined && value !== null && value !== "";

/** A policyresources row as @azure/arm-policy's deserializer shapes a listed assignment. */
export function rowToAssignment(row: Record<string, any>): PolicyAssignment {
  const properties = (row.properties ?? {}) as Record<string, unknown>;
  const assignment: Record<string, unknown> = { id: row.id, name: row.name, type: "Microsoft.Authorization/policyAssignments" };
  for (const key of MODELLED_ASSIGNMENT_PROPERTIES) if (properties[key] !== undefined) assignment[key] = properties[key];
  if (present(row.location)) assignment.location = row.location;
  if (present(row.identity)) assignment.identity = row.identity;
  return assignment as PolicyAssignment;
}

/** A policyresources row as the exemptions REST client returns an exemption (without systemData: ARG has none). */
export function rowToExemption(row: Record<string, any>): PolicyExemption {
  return { id: row.id, name: row.name, type: "Microsoft.Authorization/policyExemptions", properties: row.properties };
}

/** A resources row as @azure/arm-containerservice's deserializer shapes a managed cluster. */
export function rowToManagedCluster(row: Record<string, any>): ManagedCluster {
  const cluster: Record<string, unknown> = { ...(row.properties ?? {}), id: row.id, name: row.name, type: "Microsoft.ContainerService/managedClusters", location: row.location };
  if (present(row.tags)) cluster.tags = row.tags;
  if (present(row.sku)) cluster.sku = row.sku;
  if (present(row.identity)) cluster.identity = row.identity;
  return cluster as unknown as ManagedCluster;
}
