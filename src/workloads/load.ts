// Reads what the verdicts need from Azure: each assignment named by the pod results (one GET each,
// shared across clusters), its set definition at the version it uses (cached), and the exemptions at
// each cluster (one list per cluster). Then resolves the initiative as `check` does.
import type { PolicyAssignment } from "@azure/arm-policy";
import type { AzureSession } from "../azure/session.js";
import { normalizeId } from "../azure/ids.js";
import { resolveInitiative, type ExemptionInput, type PolicySetDefinitionDocument } from "../check/initiative.js";
import { getAssignmentById } from "../policy/assignments.js";
import type { SetDefinitionCache } from "../policy/definitions.js";
import { verdictKey, verdictsOf, type MemberVerdict } from "./verdicts.js";

export class VerdictLoader {
  private readonly assignments = new Map<string, Promise<PolicyAssignment | undefined>>();
  private readonly exemptions = new Map<string, Promise<ExemptionInput[] & { assignmentIds?: string[] }>>();

  constructor(
    private readonly session: AzureSession,
    private readonly definitions: SetDefinitionCache,
    private readonly now: Date,
  ) {}

  assignment(id: string): Promise<PolicyAssignment | undefined> {
    const key = normalizeId(id);
    let promise = this.assignments.get(key);
    if (!promise) {
      promise = getAssignmentById(this.session, id).catch(() => undefined);
      this.assignments.set(key, promise);
    }
    return promise;
  }

  /** Exemptions at the cluster (and inherited from above), as the resolver takes them, keyed by assignment. */
  private async exemptionsAt(clusterId: string): Promise<Array<ExemptionInput & { assignmentId: string }>> {
    const key = normalizeId(clusterId);
    let promise = this.exemptions.get(key) as Promise<Array<ExemptionInput & { assignmentId: string }>> | undefined;
    if (!promise) {
      promise = (async () => {
        try {
          const client = await this.session.exemptions();
          const list = await client.list(clusterId, "atScope()");
          return list.map((exemption) => ({
            id: exemption.id,
            name: exemption.name,
            exemptionCategory: exemption.properties.exemptionCategory,
            policyDefinitionReferenceIds: exemption.properties.policyDefinitionReferenceIds,
            expiresOn: exemption.properties.expiresOn ?? undefined,
            assignmentId: exemption.properties.policyAssignmentId,
          }));
        } catch {
          return [];
        }
      })();
      this.exemptions.set(key, promise as never);
    }
    return promise;
  }

  /** The verdict of every member of `assignment` on this cluster. */
  async verdictsFor(assignment: PolicyAssignment, clusterId: string): Promise<MemberVerdict[]> {
    const setDefinition = (await this.definitions.forAssignment(assignment)) as unknown as PolicySetDefinitionDocument;
    const id = normalizeId(assignment.id ?? "");
    const exemptions = (await this.exemptionsAt(clusterId)).filter((exemption) => normalizeId(exemption.assignmentId) === id);
    const initiative = resolveInitiative({
      setDefinition: { ...setDefinition, id: setDefinition.id ?? assignment.policyDefinitionId },
      assignment,
      exemptions,
      now: this.now,
    });
    return verdictsOf(initiative);
  }

  /** Verdicts for every assignment id named, on one cluster; assignments that cannot be read are skipped. */
  async verdicts(assignmentIds: string[], clusterId: string): Promise<Map<string, MemberVerdict>> {
    const result = new Map<string, MemberVerdict>();
    const unique = [...new Map(assignmentIds.map((id) => [normalizeId(id), id])).values()];
    await Promise.all(
      unique.map(async (id) => {
        const assignment = await this.assignment(id);
        if (!assignment) return;
        try {
          for (const verdict of await this.verdictsFor(assignment, clusterId)) result.set(verdictKey(verdict.assignmentId || id, verdict.referenceId), verdict);
        } catch {
          // Without its definition the effect is unknown; the findings say so.
        }
      }),
    );
    return result;
  }
}
