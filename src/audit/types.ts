// The audit's plain data: what the collector reads from Azure (AuditData), what the pure engine
// derives (the cluster x member matrix and the findings) and what every output renders (AuditReport).
// Nothing here knows Azure SDK types or the terminal.

export type Severity = "high" | "medium" | "low" | "info";
export const severities: readonly Severity[] = ["high", "medium", "low", "info"];

export type CarrierKind = "baseline" | "restricted" | "custom";

/** A parameter of a carrier with the value in force and where it comes from. */
export interface AuditParameter {
  name: string;
  value: unknown;
  source: "assignment" | "default";
  defaultValue: unknown;
}

/** One member policy as a carrier assigns it. */
export interface CarrierMember {
  referenceId: string;
  definitionId: string;
  /** The effect in force for this member: per-member override, else the effect parameter. */
  effect: string;
  /** Set when a policyEffect override decides the effect. */
  overriddenTo?: string;
}

/** An assignment carrying one or more of the nine pod-security member policies. */
export interface Carrier {
  id: string;
  name: string;
  displayName?: string;
  scope: string;
  kind: CarrierKind;
  setDefinitionId: string;
  setDisplayName?: string;
  /** The version the assignment runs (effectiveDefinitionVersion), and the newest the set offers. */
  version?: string;
  latestVersion?: string;
  definitionVersion?: string;
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

/** AKS Deployment Safeguards on a cluster, when the collector can read it. */
export interface SafeguardsState {
  level: "Off" | "Warn" | "Enforce";
  excludedNamespaces: string[];
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
  safeguards?: SafeguardsState;
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
  /** Every exemption seen in the audited scopes (not only the ones of carriers). */
  exemptions: AuditExemption[];
  /** Ids (lower case) of every assignment seen in the audited scopes, pod-security or not, to tell orphans. */
  assignmentIds: string[];
  /** Names of subscriptions, by id (lower case), for labels. */
  subscriptionNames: Record<string, string>;
}

/** One cell of the cluster x member matrix. */
export type CellState = "deny" | "warn" | "audit" | "disabled" | "excluded" | "exempt" | "exemption-expired" | "no-addon" | "none";

export interface MemberOutcome {
  referenceId: string;
  state: CellState;
  /** The carrier whose outcome wins (strictest effect), when any carrier applies. */
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
