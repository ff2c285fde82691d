// The one safe write of a Deployment Safeguards setting: under the resource lock, journaled before
// and after, sent with If-Match of the eTag the plan was made from, so a change made in between is
// refused by ARM (412) and reported as a conflict (exit 5), never overwritten.
import { isPreconditionFailed } from "../azure/arm-errors.js";
import type { AzureSession } from "../azure/session.js";
import type { DeploymentSafeguards } from "../azure/safeguards-client.js";
import { ConflictError, NotFoundError } from "../errors.js";
import type { JournaledWriteFields } from "../journal/journal.js";
import { withResourceLock } from "../journal/lock.js";
import { planSafeguardsExclusion, type SafeguardsExclusionOperation, type SafeguardsPlan } from "./plan.js";

export interface SafeguardsWriteRequest extends JournaledWriteFields {
  session: AzureSession;
  clusterId: string;
  operation: SafeguardsExclusionOperation;
  /** The setting the plan was shown from: its eTag guards the write. */
  planned: { resource: DeploymentSafeguards; apiVersion: string };
}

export interface SafeguardsWriteResult {
  changeId: string;
  plan: SafeguardsPlan;
  after: DeploymentSafeguards;
}

export async function writeSafeguards(request: SafeguardsWriteRequest): Promise<SafeguardsWriteResult> {
  const { planned } = request;
  return withResourceLock({ stateDir: request.stateDir, resourceId: planned.resource.id }, async () => {
    const client = await request.session.safeguards();
    const plan = planSafeguardsExclusion(planned.resource, request.operation);
    const changeId = await request.journal.begin(
      {
        principal: await request.principal(),
        command: request.command,
        reason: request.reason,
        ticket: request.ticket,
        resourceKind: "deploymentSafeguards",
        resourceId: planned.resource.id,
        operation: "update",
        summary: request.summary,
        before: planned.resource,
        intendedAfter: plan.body,
        touched: ["excludedNamespaces"],
        undoOf: request.undoOf,
      },
      request.now(),
    );
    try {
      await client.put(request.clusterId, plan.body as never, planned.resource.eTag, planned.apiVersion);
      const read = await client.get(request.clusterId);
      if (!read) throw new NotFoundError(`Deployment Safeguards disappeared from ${request.clusterId} right after the write.`);
      await request.journal.finish(changeId, { status: "applied", after: read.resource, attempts: 1 }, request.now());
      return { changeId, plan, after: read.resource };
    } catch (error) {
      if (isPreconditionFailed(error)) {
        await request.journal.finish(changeId, { status: "not-applied", error: "the setting changed since it was read (eTag mismatch)", attempts: 1 }, request.now());
        throw new ConflictError("Deployment Safeguards of this cluster changed since akspol read it (its eTag no longer matches); nothing was written.", {
          suggestion: "Run the command again to plan from the current setting.",
          cause: error,
        });
      }
      await request.journal.finish(changeId, { status: "failed", error: (error as Error).message, attempts: 1 }, request.now());
      throw error;
    }
  });
}
