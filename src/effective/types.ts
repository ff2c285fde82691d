// Plain data of the effective pod-security model (see index.ts for the API).

/** One of the nine member policies, named by its reference id in the pod-security initiatives. */
export type MemberKey =
  | "NoPrivilegedContainers"
  | "NoPrivilegeEscalation"
  | "BlockUsingHostNetwork"
  | "BlockUsingHostProcessIDAndIPC"
  | "ContainerCapabilities"
  | "AllowedVolumeTypes"
  | "AllowedUsersGroups"
  | "AllowedSeccompProfiles"
  | "NoHostPathVolume";

/** A member's policy effect, lower case ("Deny", "deny" and "DENY" are one effect in Azure). */
export type Effect = "deny" | "audit" | "disabled";

/** What happens to a violating pod: deny beats warn beats audit beats none. */
export type Outcome = "deny" | "warn" | "audit" | "none";

export const OUTCOME_ORDER: readonly Outcome[] = ["deny", "warn", "audit", "none"];

/** Which kind of definition an assignment assigns. */
export type CarrierFamily = "baseline" | "restricted" | "safeguards" | "benchmark" | "builtin-set" | "custom-set" | "definition";

/** Where a member's value comes from: the lever that changes it. */
export type ValueOrigin =
  /** A parameter of the assignment: the set's parameter the member reads, or the definition's own. */
  | { kind: "parameter"; parameter: string; source: "assignment" | "default" }
  /** A policyEffect (or definitionVersion) override of the assignment, by index in `overrides`. */
  | { kind: "override"; index: number }
  /** A literal the set passes (e.g. the benchmark's `runAsUserRule: MustRunAsNonRoot`). */
  | { kind: "constant" }
  /** The set passes nothing: the member definition's default applies and no parameter changes it. */
  | { kind: "definition-default" };

export type MemberField = "effect" | "warn" | "excludedNamespaces" | "namespaces" | "labelSelector" | "excludedImages" | "excludedContainers";

/** What one assignment enforces for one member, at the member definition version the set pins. */
export interface MemberEnforcement {
  member: MemberKey;
  /** The member's reference id in the assigned set; for a single-definition assignment, the member key. */
  referenceId: string;
  definitionId: string;
  /** The set's pin (`9.*.*`), after a definitionVersion override. */
  definitionVersionPin?: string;
  /** The member definition version used; undefined when it could not be read. */
  definitionVersion?: string;
  displayName: string;
  effect: Effect;
  /** The definition's `warn` (kubectl warnings on audit). */
  warn: boolean;
  excludedNamespaces: string[];
  /** Include-list: when non-empty, only these namespaces are reviewed. */
  namespaces: string[];
  labelSelector: Record<string, unknown>;
  excludedImages: string[];
  excludedContainers: string[];
  /** The constraint's parameters (the definition's `details.values`, resolved). */
  templateParameters: Record<string, unknown>;
  /** `<template>/<vN>` from the definition's templateInfo URL. */
  template?: string;
  origins: Record<MemberField, ValueOrigin>;
  /** `unknown` when the definition or an expression could not be read; the values are then guesses. */
  status: "ok" | "unknown";
  unknownReason?: string;
}

export interface AssignmentRef {
  id: string;
  name: string;
  displayName?: string;
  scope: string;
}

/** What one assignment (of a set or of a single member definition) enforces. */
export interface AssignmentEnforcement {
  assignment: AssignmentRef;
  definition: {
    id: string;
    kind: "set" | "definition";
    family: CarrierFamily;
    displayName?: string;
    version?: string;
    /** An akspol custom initiative (issue 17): the built-in set and version it was made from. */
    madeFrom?: { id: string; version: string };
  };
  enforcementMode: "Default" | "DoNotEnforce";
  /** Parameters of the assigned definition with the value in force and where it comes from. */
  parameters: Record<string, { value: unknown; source: "assignment" | "default" }>;
  /** Only the members it carries, in the set's order. */
  members: MemberEnforcement[];
}

/** An exemption as the outcome needs it. */
export interface ExemptionFact {
  id: string;
  name: string;
  policyAssignmentId: string;
  /** Empty or absent: every member of the assignment. */
  policyDefinitionReferenceIds?: string[];
  expiresOn?: string | null;
  exemptionCategory?: string;
}

/** The cluster's Deployment Safeguards setting (`.../deploymentSafeguards/default`). */
export interface SafeguardsSetting {
  id: string;
  clusterId: string;
  /** `Warn` or `Enforce`. */
  level: string;
  excludedNamespaces: string[];
  systemExcludedNamespaces: string[];
  /** `Privileged`, `Baseline` or `Restricted`; undefined when the api-version read does not serve it. */
  podSecurityStandardsLevel?: string;
  /** The api-version the setting was read with. */
  apiVersion: string;
  eTag?: string;
}

/** Who decides an outcome. */
export type SourceRef =
  { kind: "assignment"; assignmentId: string; name: string; displayName?: string; family: CarrierFamily; referenceId: string } | { kind: "safeguards"; id: string; clusterId: string };

/** What would change an outcome. `command` is an akspol command when one does it. */
export interface Lever {
  kind: "parameter" | "override" | "exemption" | "safeguards-exclusion" | "not-a-parameter";
  description: string;
  command?: string;
  assignmentId?: string;
  parameter?: string;
  referenceId?: string;
}

/** One source's verdict on one member in one namespace. */
export interface SourceVerdict {
  source: SourceRef;
  outcome: Outcome;
  reason: string;
  /** The outcome holds only for some pods (label selector, excluded images or containers). */
  conditions: string[];
  /** Set when an exemption removes the outcome: akspol assumes the add-on honours it (see README). */
  exemptedBy?: string;
  levers: Lever[];
}

/** The outcome that wins for one member in one namespace of one cluster. */
export interface MemberOutcome {
  namespace: string;
  member: MemberKey;
  outcome: Outcome;
  decidedBy?: SourceRef;
  reason: string;
  /** Every source that carries the member, strictest first. */
  verdicts: SourceVerdict[];
  /** The levers of the deciding source (and of every other source that would still act after it). */
  levers: Lever[];
}

/** Everything that acts on one cluster. */
export interface ClusterSources {
  clusterId: string;
  clusterName: string;
  /** false: the add-on is disabled and nothing is enforced. */
  azurePolicyEnabled: boolean;
  /** Assignments that apply to the cluster and carry at least one member. */
  assignments: AssignmentEnforcement[];
  /** Exemptions at the cluster scope or above. */
  exemptions: ExemptionFact[];
  safeguards?: SafeguardsSetting;
}
