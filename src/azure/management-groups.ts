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
