// The audit's plain data: what the collector reads from Azure (AuditData), what the pure engine
// derives (the cluster x member matrix and the findings) and what every output renders (AuditReport).
// What an assignment enforces and the outcome on a cluster come from the ONE model in src/effective;
// nothing here re-derives effects or exclusions. Nothing here knows Azure SDK types or the terminal.
import type { AssignmentEnforcement, CarrierFamily, MemberKey, SafeguardsSetting } from "../effective/index.js";

export type Severity = "high" | "medium" | "low" | "info";
export const severities: readonly Severity[] = ["high", "medium", "low", "info"];

/** A parameter of a carrier with the value in force and where it comes from. */
export interface AuditParameter {
  name: string;
  value: unknown;
  source: "assignment" | "default";
  defaultValue: unknown;
}

/** One member policy as a carrier assigns it: a summary of the model's MemberEnforcement. */
export interface CarrierMember {
  member: MemberKey;
  referenceId: string;
  definitionId: string;
  /** The effect in force (lower case), from the model: override, parameter, constant or default. */
  effect: "deny" | "audit" | "disabled";
  warn: boolean;
  excludedNamespaces: string[];
  /** Include-list: when non-empty, only these namespaces are reviewed. */
  namespaces: string[];
  /** Set when a policyEffect override decides the effect. */
  overriddenTo?: string;
}

/** An assignment carrying one or more of the nine pod-security member policies. */
export interface Carrier {
  id: string;
  name: string;
  displayName?: string;
  scope: string;
  kind: CarrierFamily;
  setDefinitionId: string;
  setDisplayName?: string;
  /** The version the assignment runs (effectiveDefinitionVersion), and the newest the set offers. */
  version?: string;
  latestVersion?: string;
  definitionVersion?: string;
  /** An akspol custom initiative (issue 17): the built-in set and version it was made from, and the newest version of that built-in. */
  madeFrom?: { id: string; version: string; latestVersion?: string };
  enforcementMode: string;
  notScopes: string[];
  resourceSelectors: Array<{ name?: string; selectors?: Array<{ kind?: string; in?: string[]; notIn?: string[] }> }>;
  overrides: Array<{ kind?: string; value?: string; selectors?: Array<{ kind?: string; in?: string[]; notIn?: string[] }> }>;
  parameters: AuditParameter[];
  /** Reference ids the assigned version declares (for stale exemption references). */
  referenceIds: string[];
  members: CarrierMember[];
  metadata: Record<string, unknown>;
}

export interface AuditCluster {
  id: string;
  name: string;
  subscriptionId: string;
  resourceGroup: string;
  location?: string;
  azurePolicyEnabled: boolean;
  tags: Record<string, string>;
  /** Management groups above the cluster's subscription, nearest first, as far as the collector knows them. */
  managementGroups: string[];
  /** The cluster's Deployment Safeguards setting, when the collector read one. */
  safeguards?: SafeguardsSetting;
}

export interface AuditExemption {
  id: string;
  name: string;
  scope: string;
  policyAssignmentId: string;
  policyDefinitionReferenceIds: string[];
  category: string;
  expiresOn?: string | null;
  displayName?: string;
  description?: string;
  metadata: Record<string, unknown>;
}

/** A scope the collector read (or failed to read). */
export interface ScopeResult {
  scope: string;
  label: string;
  status: "ok" | "failed";
  error?: { status?: number; code?: string; message: string };
}

/** Everything the findings engine looks at, collected once. */
export interface AuditData {
  generatedAt: string;
  scopes: ScopeResult[];
  clusters: AuditCluster[];
  carriers: Carrier[];
  /** The model's enforcement of each carrier, by carrier id (not printed: the carriers summarise it). */
  enforcements: Record<string, AssignmentEnforcement>;
  /** Every exemption seen in the audited scopes (not only the ones of carriers). */
  exemptions: AuditExemption[];
  /** Ids (lower case) of every assignment seen in the audited scopes, pod-security or not, to tell orphans. */
  assignmentIds: string[];
  /** Names of subscriptions, by id (lower case), for labels. */
  subscriptionNames: Record<string, string>;
}

/** One cell of the cluster x member matrix. */
export type CellState = "deny" | "warn" | "audit" | "disabled" | "excluded" | "exempt" | "exemption-expired" | "no-addon" | "none";

/** One cell: the model's outcome for any namespace no source names (`*`), as a matrix state. */
export interface MemberOutcome {
  referenceId: MemberKey;
  state: CellState;
  /** The model's reason for the outcome. */
  reason: string;
  /** The source whose outcome wins (an assignment id, or the Safeguards setting id). */
  winner?: string;
  /** Every carrier that applies to the cluster and carries this member. */
  carriers: Array<{ id: string; effect: string; enforcementMode: string }>;
  exemption?: string;
}

export interface ClusterView extends AuditCluster {
  subscriptionName: string;
  /** One entry per member in memberOrder. */
  members: MemberOutcome[];
  /** Carriers that apply to the cluster. */
  carriers: string[];
  /** Members some carrier or the Safeguards setting delivers to the cluster. */
  carried: MemberKey[];
  /** Carriers whose scope contains the cluster but that leave it out, with why. */
  removedBy: Array<{ carrier: string; reason: string }>;
}

export interface Finding {
  /** Stable: `${ruleId}:${resource}` (lower case resource). */
  id: string;
  ruleId: string;
  severity: Severity;
  title: string;
  /** The ARM id the finding is about (cluster, assignment or exemption). */
  resource: string;
  /** Clusters the finding concerns (for grouping and filtering). */
  clusters: string[];
  subscriptionId?: string;
  message: string;
  evidence: Record<string, unknown>;
  recommendation: string;
  /** The akspol command that acts on it. */
  command?: string;
}

/** An entry of the --accepted file. */
export interface Acceptance {
  ruleId: string;
  resource: string;
  reason: string;
  expires: string;
}

export interface AuditOptions {
  expect?: "baseline" | "restricted";
  expectEffect?: "deny" | "audit";
  maxDays: number;
  expiringWithinDays: number;
  /** Assignment metadata key whose value groups assignments for exclusion drift. */
  groupBy?: string;
}

export interface AuditReport {
  schemaVersion: 1;
  generatedAt: string;
  tool: { name: "akspol"; version: string };
  options: AuditOptions;
  summary: {
    clusters: number;
    subscriptions: number;
    carriers: number;
    findings: Record<Severity, number>;
    accepted: number;
    /** Clusters with every member of the expectation (or any member) denied or warned. */
    coverage: { protected: number; partial: number; unprotected: number; noAddOn: number };
    incomplete: boolean;
  };
  scopes: ScopeResult[];
  members: string[];
  clusters: ClusterView[];
  carriers: Carrier[];
  findings: Finding[];
  accepted: Array<{ finding: string; reason: string; expires: string }>;
}
