import { isForbidden } from "./arm-errors.js";
import type { AzureSession } from "./session.js";
import { lastSegment } from "./ids.js";

export interface Descendant {
  name: string;
  kind: "managementGroup" | "subscription";
  /** Name of the parent management group. */
  parent: string;
}

/** The names of the management groups the signed-in principal can see (one paged list call). */
export async function listManagementGroupNames(session: AzureSession): Promise<string[]> {
  const client = await session.managementGroupsClient();
  const names: string[] = [];
  for await (const group of client.managementGroups.list()) if (group.name) names.push(group.name);
  return names;
}

/** Everything below a management group, at any depth, with each entry's parent (one paged getDescendants call). */
export async function listDescendants(session: AzureSession, managementGroup: string): Promise<Descendant[]> {
  const client = await session.managementGroupsClient();
  const result: Descendant[] = [];
  for await (const descendant of client.managementGroups.listDescendants(managementGroup)) {
    if (!descendant.name) continue;
    result.push({
      name: descendant.name,
      kind: descendant.type?.toLowerCase().endsWith("subscriptions") ? "subscription" : "managementGroup",
      parent: (descendant.parent?.id ? lastSegment(descendant.parent.id) : undefined) ?? managementGroup,
    });
  }
  return result;
}

/** Subscription ids below a management group, at any depth. */
export async function descendantSubscriptions(session: AzureSession, managementGroup: string): Promise<string[]> {
  return (await listDescendants(session, managementGroup)).filter((entry) => entry.kind === "subscription").map((entry) => entry.name);
}

/**
 * Subscriptions that may lie below a management group: its descendants when the principal may read
 * them, else (a subscription-level principal, docs/issues/11.md) every subscription it can see, which callers
 * then filter by what they read there.
 */
export async function subscriptionsPossiblyBelow(session: AzureSession, managementGroup: string): Promise<string[]> {
  try {
    return await descendantSubscriptions(session, managementGroup);
  } catch (error) {
    if (!isForbidden(error, { unauthenticated: true })) throw error;
    const { listSubscriptions } = await import("./subscriptions.js");
    return (await listSubscriptions(session)).map((subscription) => subscription.id);
  }
}
