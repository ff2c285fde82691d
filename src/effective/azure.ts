// The reader's functions over an AzureSession: definitions through src/azure/set-definitions.ts (built-in,
// subscription or management-group ones, latest or a version), exemptions and Safeguards through
// the small REST clients, and the assignments that apply to a cluster.
import { listAssignmentsAt, type PolicyAssignment } from "../azure/assignments.js";
import type { AzureSession } from "../azure/session.js";
import type { ClusterRecord } from "../azure/clusters.js";
import { locateDefinition, readDefinition } from "../azure/set-definitions.js";
import { assignmentAppliesToCluster } from "../policy/applicability.js";
import { clusterManagementGroups } from "../policy/affected-clusters.js";
import type { SetDefinitionCache } from "../policy/definitions.js";
import { NotFoundError } from "../errors.js";
import type { DefinitionDocument } from "./assignment.js";
import { EffectiveReader, type EffectiveReaderDeps } from "./reader.js";
import type { ClusterSources, ExemptionFact, SafeguardsSetting } from "./types.js";

/** Reads the cluster's Safeguards setting as the model's plain data. */
export async function readSafeguardsSetting(session: AzureSession, clusterId: string): Promise<SafeguardsSetting | undefined> {
  const client = await session.safeguards();
  const read = await client.get(clusterId);
  if (!read) return undefined;
  const properties = read.resource.properties ?? { level: "Warn" };
  return {
    id: read.resource.id,
    clusterId,
    level: String(properties.level ?? "Warn"),
    excludedNamespaces: properties.excludedNamespaces ?? [],
    systemExcludedNamespaces: properties.systemExcludedNamespaces ?? [],
    podSecurityStandardsLevel: typeof properties.podSecurityStandardsLevel === "string" ? properties.podSecurityStandardsLevel : undefined,
    apiVersion: read.apiVersion,
    eTag: read.resource.eTag,
  };
}

export async function listClusterExemptions(session: AzureSession, clusterId: string): Promise<ExemptionFact[]> {
  const client = await session.exemptions();
  return (await client.list(clusterId, "atScope()")).map((exemption) => ({
    id: exemption.id,
    name: exemption.name,
    policyAssignmentId: exemption.properties.policyAssignmentId,
    policyDefinitionReferenceIds: exemption.properties.policyDefinitionReferenceIds,
    expiresOn: exemption.properties.expiresOn,
    exemptionCategory: exemption.properties.exemptionCategory,
  }));
}

export function sessionReaderDeps(session: AzureSession): EffectiveReaderDeps {
  return {
    async readDefinition(id, version) {
      const location = locateDefinition(id);
      if (!location) throw new NotFoundError(`'${id}' is not a policy definition or set definition id.`);
      return (await readDefinition(session, location, version)) as DefinitionDocument;
    },
    listExemptions: (clusterId) => listClusterExemptions(session, clusterId),
    readSafeguards: (clusterId) => readSafeguardsSetting(session, clusterId),
    concurrency: session.globals.concurrency,
  };
}

/**
 * One reader per run: every definition is read once per version. Given the run's SetDefinitionCache,
 * the reader shares its reads, so an edit and its warnings never read a set twice.
 */
export function sessionReader(session: AzureSession, definitions?: SetDefinitionCache): EffectiveReader {
  const deps = sessionReaderDeps(session);
  if (!definitions) return new EffectiveReader(deps);
  return new EffectiveReader({
    ...deps,
    readDefinition: (id, version) => (version === undefined ? definitions.latest(id) : definitions.version(id, version)) as Promise<DefinitionDocument>,
  });
}

/** The assignments that apply to the cluster (atScope() list, then scope, notScopes and selectors). */
export async function assignmentsApplyingTo(session: AzureSession, cluster: ClusterRecord): Promise<PolicyAssignment[]> {
  const listed = await listAssignmentsAt(session, { kind: "cluster", subscriptionId: cluster.subscriptionId, resourceGroup: cluster.resourceGroup, name: cluster.name });
  cluster.managementGroups ??= await clusterManagementGroups(session, cluster, listed);
  return listed.filter((assignment) => assignmentAppliesToCluster(assignment, cluster).applies);
}

/** Everything acting on a cluster, read from Azure. */
export async function readClusterSources(session: AzureSession, reader: EffectiveReader, cluster: ClusterRecord): Promise<ClusterSources> {
  const assignments = await assignmentsApplyingTo(session, cluster);
  return reader.clusterSources({ id: cluster.id, name: cluster.name, azurePolicyEnabled: cluster.azurePolicyEnabled }, assignments as never);
}
