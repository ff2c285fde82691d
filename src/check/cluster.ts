// `check --cluster`: every carrier that applies to the cluster (assignments of any set or single
// definition, and Deployment Safeguards) evaluates every workload; per workload and member the
// strictest outcome wins and names the carrier that decides it. Pure: the sources are read before.
import { BUILTIN_INITIATIVES } from "./builtins.js";
import { evaluateWorkloads, type CheckResult, type EvaluateOptions } from "./evaluate.js";
import { initiativeFromEnforcement, resolveInitiative, type EffectiveInitiative } from "./initiative.js";
import type { WorkloadRecord } from "./manifests.js";
import { isExemptionActive, memberOfDefinition, safeguardsMembers, type ClusterSources } from "../effective/index.js";

export interface CarrierRef {
  kind: "assignment" | "safeguards";
  name: string;
  family: string;
}

export interface ClusterEvaluation {
  carriers: CarrierRef[];
  initiatives: Array<{ carrier: CarrierRef; initiative: EffectiveInitiative }>;
  results: CheckResult[];
}

const OUTCOME_RANK = { deny: 3, audit: 2, none: 1 } as const;
const STATUS_RANK = { violation: 4, unknown: 3, pass: 2, "not-applicable": 1 } as const;

/**
 * The Safeguards setting as an initiative: the pod-security initiative of its Pod Security Standards
 * level (Baseline when the api-version does not serve it), Deny at level Enforce, Audit at Warn,
 * with its excluded and system namespaces. Unverified: the constraint parameters AKS uses for each
 * level; akspol evaluates the initiative's defaults.
 */
export function safeguardsInitiative(sources: ClusterSources): EffectiveInitiative | undefined {
  const setting = sources.safeguards;
  if (!setting) return undefined;
  const { level, members } = safeguardsMembers(setting);
  if (members.length === 0) return undefined;
  const key = level.toLowerCase() === "restricted" ? "restricted" : "baseline";
  const initiative = resolveInitiative({
    setDefinition: BUILTIN_INITIATIVES[key],
    assignment: {
      id: setting.id,
      name: "Deployment Safeguards",
      parameters: {
        effect: { value: setting.level.toLowerCase() === "enforce" ? "Deny" : "Audit" },
        excludedNamespaces: { value: [...setting.systemExcludedNamespaces, ...setting.excludedNamespaces] },
      },
    },
  });
  return { ...initiative, displayName: `Deployment Safeguards (${level}, level ${setting.level})` };
}

/** The carriers on the cluster as the check evaluates them (nothing when the add-on is disabled). */
export function clusterInitiatives(sources: ClusterSources, now: Date): ClusterEvaluation["initiatives"] {
  const initiatives: ClusterEvaluation["initiatives"] = [];
  if (!sources.azurePolicyEnabled) return initiatives;
  for (const enforcement of sources.assignments) {
    const exemptions = sources.exemptions
      .filter((exemption) => exemption.policyAssignmentId.toLowerCase() === enforcement.assignment.id.toLowerCase() && isExemptionActive(exemption, now))
      .map((exemption) => ({ id: exemption.id, name: exemption.name, policyDefinitionReferenceIds: exemption.policyDefinitionReferenceIds }));
    initiatives.push({
      carrier: { kind: "assignment", name: enforcement.assignment.name, family: enforcement.definition.family },
      initiative: initiativeFromEnforcement(enforcement, exemptions),
    });
  }
  const safeguards = safeguardsInitiative(sources);
  if (safeguards) initiatives.push({ carrier: { kind: "safeguards", name: "Deployment Safeguards", family: "safeguards" }, initiative: safeguards });
  return initiatives;
}

/** One workload against every carrier: per member, the strictest result, naming its carrier. */
export function evaluateOnCluster(workload: WorkloadRecord, initiatives: ClusterEvaluation["initiatives"], clusterName: string, options: EvaluateOptions = {}): CheckResult[] {
  const best = new Map<string, CheckResult>();
  for (const { carrier, initiative } of initiatives) {
    const results = evaluateWorkloads([workload], initiative, { ...options, assignmentReference: carrier.kind === "assignment" ? carrier.name : undefined, cluster: clusterName });
    for (const result of results) {
      const key = memberOfDefinition(result.policy.definitionId)?.key ?? result.policy.referenceId;
      const decided: CheckResult = { ...result, decidedBy: carrier };
      const current = best.get(key);
      if (!current || stricter(decided, current)) best.set(key, decided);
    }
  }
  return [...best.values()];
}

function stricter(a: CheckResult, b: CheckResult): boolean {
  const outcome = OUTCOME_RANK[a.outcome] - OUTCOME_RANK[b.outcome];
  if (outcome !== 0) return outcome > 0;
  return STATUS_RANK[a.status] > STATUS_RANK[b.status];
}
