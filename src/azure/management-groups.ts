import type { AzureSession } from "./session.js";

/** Subscription ids below a management group, at any depth (one paged getDescendants call). */
export async function descendantSubscriptions(session: AzureSession, managementGroup: string): Promise<string[]> {
  const client = await session.managementGroupsClient();
  const ids: string[] = [];
  for await (const descendant of client.managementGroups.listDescendants(managementGroup)) {
    if (descendant.type?.toLowerCase().endsWith("subscriptions") && descendant.name) ids.push(descendant.name);
  }
  return ids;
}
