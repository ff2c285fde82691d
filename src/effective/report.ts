// The data `akspol effective -o json` prints (schema: docs/effective.schema.json). Pure.
import { effectiveOutcomes, type OutcomeQuery } from "./outcome.js";
import { safeguardsMembers } from "./safeguards.js";
import type { ClusterSources, MemberKey, MemberOutcome, SourceRef } from "./types.js";

export interface EffectiveReport {
  schemaVersion: 1;
  cluster: { id: string; name: string; azurePolicyEnabled: boolean };
  sources: {
    assignments: Array<{
      id: string;
      name: string;
      displayName?: string;
      scope: string;
      family: string;
      definitionId: string;
      definitionVersion?: string;
      /** An akspol custom initiative: the built-in set and version it was made from. */
      madeFrom?: { id: string; version: string };
      enforcementMode: string;
      members: Array<{
        member: MemberKey;
        referenceId: string;
        definitionVersion?: string;
        effect: string;
        warn: boolean;
        excludedNamespaces: string[];
        namespaces: string[];
        labelSelector: Record<string, unknown>;
        excludedImages: string[];
        excludedContainers: string[];
        origins: Record<string, unknown>;
        status: string;
        unknownReason?: string;
      }>;
    }>;
    safeguards: null | {
      id: string;
      level: string;
      excludedNamespaces: string[];
      systemExcludedNamespaces: string[];
      podSecurityStandardsLevel: string | null;
      podSecurityStandardsLevelAssumed: boolean;
      apiVersion: string;
      members: MemberKey[];
    };
    exemptions: Array<{ id: string; name: string; policyAssignmentId: string; policyDefinitionReferenceIds: string[]; expiresOn: string | null }>;
  };
  outcomes: MemberOutcome[];
  /** Outcomes that rely on exemptions removing the in-cluster constraint (see README). */
  assumptions: string[];
}

export function describeSource(source: SourceRef | undefined): string {
  if (!source) return "-";
  if (source.kind === "safeguards") return "Deployment Safeguards";
  return `${source.name} (${source.family === "definition" ? "single definition" : source.family}: ${source.referenceId})`;
}

export function effectiveReport(sources: ClusterSources, query: OutcomeQuery): EffectiveReport {
  const outcomes = effectiveOutcomes(sources, query);
  const assumptions: string[] = [];
  if (outcomes.some((outcome) => outcome.verdicts.some((verdict) => verdict.exemptedBy))) {
    assumptions.push(
      "Exempted outcomes assume the Azure Policy add-on stops enforcing a Kubernetes policy on an exempted cluster; Azure documents that exemptions apply to Kubernetes policies at cluster scope or above, not whether the in-cluster constraint is removed or only compliance reporting changes.",
    );
  }
  if (sources.safeguards && safeguardsMembers(sources.safeguards).assumed) {
    assumptions.push(`The Deployment Safeguards Pod Security Standards level is not served by api-version ${sources.safeguards.apiVersion}; akspol assumes Baseline.`);
  }
  return {
    schemaVersion: 1,
    cluster: { id: sources.clusterId, name: sources.clusterName, azurePolicyEnabled: sources.azurePolicyEnabled },
    sources: {
      assignments: sources.assignments.map((enforcement) => ({
        id: enforcement.assignment.id,
        name: enforcement.assignment.name,
        displayName: enforcement.assignment.displayName,
        scope: enforcement.assignment.scope,
        family: enforcement.definition.family,
        definitionId: enforcement.definition.id,
        definitionVersion: enforcement.definition.version,
        ...(enforcement.definition.madeFrom ? { madeFrom: enforcement.definition.madeFrom } : {}),
        enforcementMode: enforcement.enforcementMode,
        members: enforcement.members.map((member) => ({
          member: member.member,
          referenceId: member.referenceId,
          definitionVersion: member.definitionVersion,
          effect: member.effect,
          warn: member.warn,
          excludedNamespaces: member.excludedNamespaces,
          namespaces: member.namespaces,
          labelSelector: member.labelSelector,
          excludedImages: member.excludedImages,
          excludedContainers: member.excludedContainers,
          origins: member.origins,
          status: member.status,
          ...(member.unknownReason ? { unknownReason: member.unknownReason } : {}),
        })),
      })),
      safeguards: sources.safeguards
        ? {
            id: sources.safeguards.id,
            level: sources.safeguards.level,
            excludedNamespaces: sources.safeguards.excludedNamespaces,
            systemExcludedNamespaces: sources.safeguards.systemExcludedNamespaces,
            podSecurityStandardsLevel: sources.safeguards.podSecurityStandardsLevel ?? null,
            podSecurityStandardsLevelAssumed: safeguardsMembers(sources.safeguards).assumed,
            apiVersion: sources.safeguards.apiVersion,
            members: safeguardsMembers(sources.safeguards).members,
          }
        : null,
      exemptions: sources.exemptions.map((exemption) => ({
        id: exemption.id,
        name: exemption.name,
        policyAssignmentId: exemption.policyAssignmentId,
        policyDefinitionReferenceIds: exemption.policyDefinitionReferenceIds ?? [],
        expiresOn: exemption.expiresOn ?? null,
      })),
    },
    outcomes,
    assumptions,
  };
}
