// Planning an edit of a cluster's Deployment Safeguards exclusions. Pure.
import type { DeploymentSafeguards } from "../azure/safeguards-client.js";

export interface SafeguardsExclusionOperation {
  add?: string[];
  remove?: string[];
  /** The whole list (undo). */
  set?: string[];
}

export interface SafeguardsPlan {
  before: string[];
  after: string[];
  changed: boolean;
  warnings: string[];
  /** The body to PUT: every property read, only excludedNamespaces changed, read-only ones left out. */
  body: Record<string, unknown> & { properties: Record<string, unknown> };
}

/** Properties ARM computes; sending them back is refused or ignored. */
const READ_ONLY = ["provisioningState", "systemExcludedNamespaces"];

export function planSafeguardsExclusion(current: DeploymentSafeguards, operation: SafeguardsExclusionOperation): SafeguardsPlan {
  const before = [...(current.properties.excludedNamespaces ?? [])];
  const system = current.properties.systemExcludedNamespaces ?? [];
  const warnings: string[] = [];
  const after = [...(operation.set ?? before)];
  for (const namespace of operation.add ?? []) {
    if (system.includes(namespace)) warnings.push(`'${namespace}' is a system namespace Deployment Safeguards always excludes; adding it changes nothing.`);
    if (!after.includes(namespace)) after.push(namespace);
  }
  for (const namespace of operation.remove ?? []) {
    const index = after.indexOf(namespace);
    if (index >= 0) after.splice(index, 1);
    else warnings.push(`'${namespace}' is not excluded in Deployment Safeguards; nothing to remove.`);
  }
  const { id: _id, name: _name, type: _type, systemData: _systemData, eTag: _eTag, ...rest } = current;
  const properties: Record<string, unknown> = { ...current.properties, excludedNamespaces: after };
  for (const key of READ_ONLY) delete properties[key];
  return {
    before,
    after,
    changed: before.length !== after.length || before.some((name, index) => after[index] !== name),
    warnings,
    body: { ...rest, properties },
  };
}
