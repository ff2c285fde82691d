// Reads what the verdicts need from Azure: each assignment named by the pod results (one GET each,
// shared across clusters), its set definition at the version it uses (cached), and the exemptions at
// each cluster (one list per cluster, inherited ones included). The effective model does the rest.
import type { AzureSession } from "../azure/session.js";
import { normalizeId } from "../azure/ids.js";
import type { ExemptionFact } from "../effective/index.js";
import { readAssignment, type PolicyAssignment } from "../azure/assignments.js";
import type { SetDefinitionCache } from "../policy/definitions.js";
import { ClusterVerdicts, enforcementFor } from "./verdicts.js";

/** Exemptions at a cluster (atScope(): at it and above), as the model takes them; [] when they cannot be read. */
export async function exemptionFactsAt(session: AzureSession, clusterId: string): Promise<ExemptionFact[]> {
  try {
    const client = await session.exemptions();
    const list = await client.list(clusterId, "atScope()");
    return list.map((exemption) => ({
      id: exemption.id,
      name: exemption.name,
      policyAssignmentId: exemption.properties.policyAssignmentId,
      policyDefinitionReferenceIds: exemption.properties.policyDefinitionReferenceIds,
      expiresOn: exemption.properties.expiresOn ?? null,
      exemptionCategory: exemption.properties.exemptionCategory,
    }));
  } catch {
    // Without them, members are taken as not exempt.
    return [];
  }
}

export class VerdictLoader {
  private readonly assignments = new Map<string, Promise<PolicyAssignment | undefined>>();

  constructor(
    private readonly session: AzureSession,
    private readonly definitions: SetDefinitionCache,
    private readonly now: Date,
  ) {}

  assignment(id: string): Promise<PolicyAssignment | undefined> {
    const key = normalizeId(id);
    let promise = this.assignments.get(key);
    if (!promise) {
      promise = readAssignment(this.session, id).catch(() => undefined);
      this.assignments.set(key, promise);
    }
    return promise;
  }

  /**
   * The verdicts on one cluster of every assignment named; assignments (or definitions) that cannot
   * be read are left out, and their pods show an unknown effect.
   */
  async verdicts(assignmentIds: string[], cluster: { id: string; name: string }): Promise<ClusterVerdicts | undefined> {
    const unique = [...new Map(assignmentIds.map((id) => [normalizeId(id), id])).values()];
    if (unique.length === 0) return undefined;
    const [enforcements, exemptions] = await Promise.all([
      Promise.all(
        unique.map(async (id) => {
          const assignment = await this.assignment(id);
          if (!assignment) return [];
          try {
            return [enforcementFor(assignment, await this.definitions.forAssignment(assignment))];
          } catch {
            return [];
          }
        }),
      ),
      exemptionFactsAt(this.session, cluster.id),
    ]);
    return new ClusterVerdicts(enforcements.flat(), { clusterId: cluster.id, clusterName: cluster.name, exemptions }, this.now);
  }
}
