// Undo of a journaled Deployment Safeguards change: put the excluded namespaces back as they were,
// refused without --force when the setting changed since the change.
import type { AzureSession } from "../azure/session.js";
import type { DeploymentSafeguards } from "../azure/safeguards-client.js";
import { ConflictError, NotFoundError } from "../errors.js";
import type { JournalEntry } from "../journal/journal.js";

/** `{cluster id}/providers/Microsoft.ContainerService/deploymentSafeguards/default` → the cluster id. */
export function clusterIdOfSafeguards(id: string): string {
  return id.replace(/\/providers\/Microsoft\.ContainerService\/deploymentSafeguards\/[^/]+$/i, "");
}

export async function readSafeguardsById(session: AzureSession, id: string): Promise<DeploymentSafeguards | null> {
  const client = await session.safeguards();
  return (await client.get(clusterIdOfSafeguards(id)))?.resource ?? null;
}

/** The excluded namespaces of a setting (or a journaled copy), as a comparable string. */
export function safeguardsExclusionsOf(document: unknown): string {
  const properties = (document as { properties?: { excludedNamespaces?: string[] } } | null)?.properties;
  return JSON.stringify(properties?.excludedNamespaces ?? null);
}

export interface SafeguardsUndoPlan {
  clusterId: string;
  current: { resource: DeploymentSafeguards; apiVersion: string };
  restore: string[];
  changedSince: boolean;
}

export async function planSafeguardsUndo(session: AzureSession, entry: JournalEntry, force: boolean): Promise<SafeguardsUndoPlan> {
  const clusterId = clusterIdOfSafeguards(entry.resourceId);
  const client = await session.safeguards();
  const current = await client.get(clusterId);
  if (!current) throw new NotFoundError(`Deployment Safeguards is no longer enabled on ${clusterId}; there is nothing to restore.`);
  const changedSince = safeguardsExclusionsOf(current.resource) !== safeguardsExclusionsOf(entry.after ?? entry.intendedAfter);
  if (changedSince && !force) {
    throw new ConflictError(`Deployment Safeguards exclusions changed since change ${entry.changeId}; undoing would overwrite that.`, {
      suggestion: "Review with 'akspol safeguards show', then pass --force to undo anyway.",
    });
  }
  const before = (entry.before as DeploymentSafeguards | null)?.properties?.excludedNamespaces ?? [];
  return { clusterId, current, restore: [...before], changedSince };
}
