import type { AzureSession } from "../azure/session.js";
import type { PolicyExemption } from "../azure/exemptions-client.js";
import { parseScope, subscriptionScope } from "../azure/ids.js";
import { subscriptionsPossiblyBelow } from "../azure/management-groups.js";
import { readScopes } from "../azure/scope-pool.js";

/**
 * The exemptions that reference an assignment. Those of a management-group assignment live below the
 * group (on clusters, resource groups and subscriptions), which a list at the group does not return:
 * they are listed per subscription below it, through the scope pool (docs/issues/11.md).
 */
export async function exemptionsOfAssignment(session: AzureSession, assignment: { id?: string; scope?: string }): Promise<PolicyExemption[]> {
  const client = await session.exemptions();
  const id = assignment.id ?? "";
  const scope = assignment.scope ?? "/";
  const filter = `policyAssignmentId eq '${id}'`;
  let info: ReturnType<typeof parseScope> | undefined;
  try {
    info = parseScope(scope);
  } catch {
    info = undefined;
  }
  if (info?.kind !== "managementGroup") return client.list(scope, filter);
  const below = await subscriptionsPossiblyBelow(session, info.managementGroup as string);
  const scopes = [scope, ...below.map((subscription) => subscriptionScope(subscription))];
  const lists = await readScopes(
    session.scopeFailures,
    scopes,
    (item) => item,
    session.globals.concurrency,
    (item) => client.list(item, filter),
  );
  const unique = new Map<string, PolicyExemption>();
  for (const exemption of lists.flatMap((entry) => entry.value)) unique.set(exemption.id.toLowerCase(), exemption);
  return [...unique.values()];
}
