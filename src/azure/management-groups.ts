import type { AzureSession } from "./session.js";

export interface Descendant {
  name: string;
  kind: "managementGroup" | "subscription";
  /** Name of the parent management group. */
  parent: string;
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
      parent: descendant.parent?.id?.split("/").pop() ?? managementGroup,
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
    const status = (error as { statusCode?: number }).statusCode;
    if (status !== 403 && status !== 401) throw error;
    const { listSubscriptions } = await import("./subscriptions.js");
    return (await listSubscriptions(session)).map((subscription) => subscription.id);
  }
}
