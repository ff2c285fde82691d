import type { PolicyExemption } from "../azure/exemptions-client.js";
import { lastSegment, parseClusterId, parseScope } from "../azure/ids.js";
import { exemptionStatus, type ExemptionStatus } from "../policy/summary.js";
import { isManagedByAkspol, metadataKeys, ownerOf, stringField } from "./metadata.js";
import { exemptionScope, type FieldDiff, type Plan, type PlanAction } from "./plan.js";

/** How an exemption is shown by list, show and the JSON outputs (schemaVersion 1). */
export interface ExemptionView {
  id: string;
  name: string;
  scope: string;
  subscriptionId?: string;
  resourceGroup?: string;
  /** The cluster's name when the exemption is at a cluster's scope. */
  cluster?: string;
  assignmentId: string;
  assignment: string;
  /** Reference ids, or "all" when the whole assignment is exempted. */
  policies: string[] | "all";
  category: string;
  expiresOn: string | null;
  status: ExemptionStatus;
  daysLeft: number | null;
  displayName?: string;
  description?: string;
  managedByAkspol: boolean;
  owner?: string;
  ticket?: string;
  requestedBy?: string;
  createdAt?: string;
  lastModifiedAt?: string;
}

export function exemptionView(exemption: PolicyExemption, now: Date): ExemptionView {
  const scope = exemptionScope(exemption.id);
  let scopeInfo: ReturnType<typeof parseScope> | undefined;
  try {
    scopeInfo = parseScope(scope);
  } catch {
    scopeInfo = undefined;
  }
  const properties = exemption.properties;
  const metadata = properties.metadata;
  const systemData = exemption.systemData as { createdAt?: string; lastModifiedAt?: string } | undefined;
  return {
    id: exemption.id,
    name: exemption.name,
    scope,
    subscriptionId: scopeInfo?.subscriptionId,
    resourceGroup: scopeInfo?.resourceGroup,
    cluster: parseClusterId(scope)?.name,
    assignmentId: properties.policyAssignmentId,
    assignment: lastSegment(properties.policyAssignmentId),
    policies: properties.policyDefinitionReferenceIds && properties.policyDefinitionReferenceIds.length > 0 ? properties.policyDefinitionReferenceIds : "all",
    category: properties.exemptionCategory,
    expiresOn: properties.expiresOn ?? null,
    ...exemptionStatus(properties.expiresOn, now),
    displayName: properties.displayName,
    description: properties.description,
    managedByAkspol: isManagedByAkspol(metadata),
    owner: ownerOf(metadata),
    ticket: stringField(metadata, metadataKeys.ticket),
    requestedBy: stringField(metadata, metadataKeys.requestedBy),
    createdAt: systemData?.createdAt,
    lastModifiedAt: systemData?.lastModifiedAt,
  };
}

export function expiryLabel(view: Pick<ExemptionView, "expiresOn" | "status" | "daysLeft">): string {
  if (!view.expiresOn) return "never";
  if (view.status === "expired") return `${view.expiresOn} (expired ${Math.abs(view.daysLeft ?? 0)} days ago)`;
  return `${view.expiresOn} (${view.daysLeft} days left)`;
}

/** "key: value" lines for `show` and after create/renew. */
export function describeExemption(view: ExemptionView): string {
  const lines: Array<[string, string | undefined]> = [
    ["Name", view.name],
    ["Display name", view.displayName],
    ["Cluster", view.cluster ? `${view.cluster} (${view.resourceGroup})` : undefined],
    ["Scope", view.scope],
    ["Assignment", view.assignmentId],
    ["Policies", view.policies === "all" ? "all policies of the assignment" : view.policies.join(", ")],
    ["Category", view.category],
    ["Expires", expiryLabel(view)],
    ["Status", view.status],
    ["Reason", view.description],
    ["Ticket", view.ticket],
    ["Owner", view.owner],
    ["Managed by akspol", view.managedByAkspol ? "yes" : "no"],
    ["Requested by", view.requestedBy],
    ["Id", view.id],
  ];
  const width = Math.max(...lines.map(([key]) => key.length));
  return lines
    .filter(([, value]) => value !== undefined && value !== "")
    .map(([key, value]) => `${`${key}:`.padEnd(width + 2)}${value}`)
    .join("\n");
}

function show(value: unknown): string {
  if (value === null || value === undefined) return "(none)";
  if (Array.isArray(value)) return `[${value.join(", ")}]`;
  return String(value);
}

export function describeDiffs(diffs: readonly FieldDiff[], indent = "    "): string[] {
  return diffs.map((diff) => `${indent}${diff.field}: ${show(diff.before)} -> ${show(diff.after)}`);
}

const symbols: Record<PlanAction["action"], string> = { create: "+", update: "~", replace: "-/+", unchanged: "=", delete: "-" };

/** The plan for people: one line per exemption, field diffs under updates and replaces. */
export function describePlan(plan: Plan, options: { prune: boolean }): string {
  const lines: string[] = [];
  for (const action of plan.actions) {
    lines.push(`${symbols[action.action].padStart(3)} ${action.action.padEnd(9)} ${action.name}  (cluster ${action.cluster})`);
    if (action.action === "update" || action.action === "replace") lines.push(...describeDiffs(action.diffs, "      "));
    if (action.action === "create") {
      const policies = action.desired.policyDefinitionReferenceIds?.join(", ") ?? "all policies";
      lines.push(`      ${lastSegment(action.desired.policyAssignmentId)}: ${policies}; ${action.desired.exemptionCategory}; expires ${action.desired.expiresOn ?? "never"}`);
    }
  }
  if (!options.prune) {
    for (const action of plan.prunable) {
      lines.push(`    (not in the file) ${action.name}  (cluster ${action.cluster}): owned by ${plan.owner}; --prune would delete it`);
    }
  }
  return lines.join("\n");
}

export function planActionView(action: PlanAction): Record<string, unknown> {
  return {
    action: action.action,
    id: action.id,
    name: action.name,
    cluster: action.cluster,
    ...("diffs" in action ? { diffs: action.diffs } : {}),
    ...("desired" in action ? { desired: action.desired } : {}),
  };
}
