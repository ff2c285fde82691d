// Pods as the Azure Policy add-on reports them to Microsoft.PolicyInsights (@azure/arm-policyinsights,
// loaded lazily through the session). A cluster or a subscription is read with one componentPolicyStates
// query. Reading never fails a command: missing
// permission or an unavailable service come back as a one-line note.
import type { ComponentPolicyState } from "@azure/arm-policyinsights";
import { isForbidden, statusOf } from "./arm-errors.js";
import type { AzureSession } from "./session.js";
import { memberDefinitionIds } from "../policy/catalog.js";
import { lastSegment, normalizeId } from "./ids.js";

/** One pod against one member policy of one assignment. */
export interface PodState {
  clusterId: string;
  namespace: string;
  pod: string;
  assignmentId: string;
  /** The member's reference id in the assigned set ("" for an assignment of a single policy). */
  referenceId: string;
  policyDefinitionId: string;
  compliant: boolean;
  /** When the add-on last evaluated the pod (ISO). */
  evaluatedAt: string;
}

export type PodStatesResult = { status: "ok"; states: PodState[] } | { status: "no-permission" | "unavailable"; note: string };

/**
 * Azure documents that the add-on reports at most 500 non-compliant records per policy per cluster.
 * A member with this many non-compliant pods may have more than Azure shows.
 */
export const REPORTED_NON_COMPLIANT_CAP = 500;

const POD_FILTER = "componentType eq 'pod'";

function isMember(policyDefinitionId: string | undefined): boolean {
  if (!policyDefinitionId) return false;
  const name = lastSegment(policyDefinitionId).toLowerCase();
  return [...memberDefinitionIds].some((id) => id.endsWith(`/${name}`));
}

function splitComponentId(componentId: string): { namespace: string; pod: string } {
  const slash = componentId.indexOf("/");
  return slash === -1 ? { namespace: "", pod: componentId } : { namespace: componentId.slice(0, slash), pod: componentId.slice(slash + 1) };
}

function timestampOf(value: Date | string | undefined): string {
  if (value === undefined) return "";
  return value instanceof Date ? value.toISOString() : String(value);
}

function fromComponent(row: ComponentPolicyState): PodState | undefined {
  if (String(row.componentType ?? "").toLowerCase() !== "pod" || !isMember(row.policyDefinitionId)) return undefined;
  return {
    clusterId: normalizeId(row.resourceId ?? ""),
    ...splitComponentId(row.componentId ?? row.componentName ?? ""),
    assignmentId: row.policyAssignmentId ?? "",
    referenceId: row.policyDefinitionReferenceId ?? "",
    policyDefinitionId: row.policyDefinitionId ?? "",
    compliant: String(row.complianceState).toLowerCase() === "compliant",
    evaluatedAt: timestampOf(row.timestamp),
  };
}

/** How a failed read is told: one line, never an error. */
function unreadableNote(error: unknown, what: string): { status: "no-permission" | "unavailable"; note: string } {
  const status = statusOf(error);
  const code = (error as { code?: string }).code;
  if (isForbidden(error) || code === "AuthorizationFailed") {
    return {
      status: "no-permission",
      note: `pod results not shown: no permission to read Azure Policy compliance for ${what} (needs Microsoft.PolicyInsights/*/queryResults/read, e.g. the Reader role).`,
    };
  }
  const message = ((error as Error).message ?? String(error)).split("\n")[0];
  return { status: "unavailable", note: `pod results not shown: Azure Policy compliance for ${what} could not be read (${code ?? status ?? "error"}: ${message}).` };
}

/** Every pod result Azure holds for one cluster, for the nine pod-security members. One request. */
export async function readClusterPodStates(session: AzureSession, clusterId: string): Promise<PodStatesResult> {
  try {
    const client = await session.policyInsightsClient();
    const result = await client.componentPolicyStates.listQueryResultsForResource(clusterId.replace(/^\//, ""), "latest", { filter: POD_FILTER });
    const states = (result.value ?? []).map(fromComponent).filter((state): state is PodState => state !== undefined);
    return { status: "ok", states };
  } catch (error) {
    return unreadableNote(error, lastSegment(clusterId));
  }
}

/**
 * Every pod result in a subscription: one componentPolicyStates query at subscription scope. (The SDK
 * sends $expand=components for policyStates only at resource scope, so policyStates would cost one
 * request per cluster.) Unverified: whether the service caps rows for a subscription with many clusters.
 */
export async function readSubscriptionPodStates(session: AzureSession, subscriptionId: string, subscriptionName = subscriptionId): Promise<PodStatesResult> {
  try {
    const client = await session.policyInsightsClient();
    const result = await client.componentPolicyStates.listQueryResultsForSubscription(subscriptionId, "latest", { filter: POD_FILTER });
    const states = (result.value ?? []).map(fromComponent).filter((state): state is PodState => state !== undefined);
    return { status: "ok", states };
  } catch (error) {
    return unreadableNote(error, `subscription ${subscriptionName}`);
  }
}
