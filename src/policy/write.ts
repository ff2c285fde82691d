import { putAssignment, readAssignment, updateAssignmentOverrides, type PolicyAssignment } from "../azure/assignments.js";
import type { AzureSession, Principal } from "../azure/session.js";
import { CancelledError, ConflictError, NotFoundError } from "../errors.js";
import { toAkspolError } from "../azure/error-classifier.js";
import { writtenButUnverified } from "../journal/outcomes.js";
import type { JournaledWriteFields } from "../journal/journal.js";
import { withResourceLock, type LockOptions, type LockOwner } from "../journal/lock.js";
import type { SetDefinition, SetDefinitionCache } from "./definitions.js";
import { changedFields } from "./assignment-compare.js";
import { applyEdit, operationPresent, type EditOperation, type EditPlan } from "./edit.js";

/** Ctrl+C while akspol holds the lock. Tests pass their own; the CLI listens for SIGINT. */
export interface InterruptSource {
  /** Registers a listener; returns the function that removes it. */
  listen(listener: () => void): () => void;
}

export const processInterrupts: InterruptSource = {
  listen(listener) {
    process.on("SIGINT", listener);
    return () => process.off("SIGINT", listener);
  },
};

export interface WriteRequest extends JournaledWriteFields {
  session: AzureSession;
  definitions: SetDefinitionCache;
  /** Whether the operation needs the set's default values on a given read (SetDefinitionCache.forEdit); absent: always. */
  needsDefaults?: (assignment: PolicyAssignment, declaration: SetDefinition) => boolean;
  assignmentId: string;
  operation: EditOperation;
  principal: () => Promise<Principal>;
  /** Re-applications after the first write when the read-back shows the operation lost (default 3). */
  maxRetries?: number;
  interrupts?: InterruptSource;
  onLockWait?: (owner: LockOwner) => void;
  /** Status lines (retries, Ctrl+C handling) for stderr. */
  onStatus?: (text: string) => void;
  /** Test seam: runs after the write request was sent, before its answer is awaited. */
  afterSend?: () => void;
  /** Test seam: runs after the write was answered, before the read-back (another writer acts here). */
  afterWrite?: () => Promise<void>;
  /** Pause before a re-application, in ms (random jitter keeps two writers from lock-stepping). */
  backoff?: (attempt: number) => number;
  /**
   * The verifying read happens this many ms after the write: another writer (another machine or
   * state dir, which the lock cannot see) whose read came before our write and whose write comes
   * after it removes our change, and this catches those that land within the interval. 0: read back at once.
   */
  settleMs?: number;
  /**
   * The caller already holds this assignment's lock (withResourceLock) and read the assignment under
   * it to plan: the first attempt starts from that read instead of reading again, and writeEdit does
   * not take the lock itself (README "Performance": GET, PUT, verifying GET).
   */
  heldRead?: PolicyAssignment;
}

export interface WriteResult {
  status: "applied" | "no-change";
  changeId: string | null;
  /** The plan computed on the read just before the first write. */
  plan: EditPlan;
  /** The assignment as read just before the first write, and as read back at the end. */
  before: PolicyAssignment;
  after: PolicyAssignment;
  /** Writes sent (0 for no change). */
  writes: number;
  interrupted: boolean;
}

/** The assignment as it is now; not found (exit 3) when it was deleted meanwhile. */
export async function requireAssignment(session: AzureSession, assignmentId: string): Promise<PolicyAssignment> {
  const assignment = await readAssignment(session, assignmentId);
  if (!assignment) {
    throw new NotFoundError(`Policy assignment '${assignmentId}' does not exist (any more).`, { suggestion: "List the pod-security assignments with 'akspol find'." });
  }
  return assignment;
}

async function send(session: AzureSession, assignmentId: string, current: PolicyAssignment, plan: EditPlan): Promise<void> {
  if (plan.method === "PATCH") await updateAssignmentOverrides(session, assignmentId, plan.body.overrides ?? []);
  else await putAssignment(session, assignmentId, current, plan.body);
}

/**
 * The safe write (README "Concurrency"): under a per-assignment lock, read (or take the caller's
 * read made under the same lock), plan, journal a pending record, PUT the full body (PATCH for
 * overrides only), read back once after the settle interval, and check that the operation is
 * in force and no other field changed between the two reads. Otherwise re-apply the operation to the
 * fresh read, at most `maxRetries` times, then fail with exit 5 naming systemData.lastModifiedBy.
 * ARM has no ETag on assignments (docs/reference/arm-contract.md §8): this narrows, but cannot close, the lost-update window.
 */
export async function writeEdit(request: WriteRequest): Promise<WriteResult> {
  if (request.heldRead) return writeUnderLock(request, request.heldRead);
  return withResourceLock(assignmentLockOptions(request), () => writeUnderLock(request, undefined));
}

/** The per-assignment lock of an edit, for callers that hold it across their planning read (heldRead). */
export function assignmentLockOptions(request: Pick<WriteRequest, "stateDir" | "assignmentId" | "onLockWait" | "onStatus">): LockOptions {
  return { stateDir: request.stateDir, resourceId: request.assignmentId, onWait: request.onLockWait, onStale: request.onStatus };
}

async function writeUnderLock(request: WriteRequest, heldRead: PolicyAssignment | undefined): Promise<WriteResult> {
  const maxRetries = request.maxRetries ?? 3;
  const interrupts = request.interrupts ?? processInterrupts;
  const status = request.onStatus ?? (() => undefined);
  let interrupted = false;
  let inFlight = false;
  const stopListening = interrupts.listen(() => {
    interrupted = true;
    if (inFlight) status("Interrupted: the write was already sent to Azure; waiting for its result to record it in the journal...");
  });
  let changeId: string | null = null;
  let firstPlan: EditPlan | undefined;
  let firstRead: PolicyAssignment | undefined;
  let writes = 0;
  let lastModifiedBy: string | undefined;
  let lastReason = "";
  try {
    for (let attempt = 0; attempt <= maxRetries; attempt += 1) {
      const current = attempt === 0 && heldRead ? heldRead : await requireAssignment(request.session, request.assignmentId);
      const definition = await request.definitions.forEdit(current, request.needsDefaults);
      const plan = applyEdit(current, definition, request.operation);
      firstPlan ??= plan;
      firstRead ??= current;
      if (!plan.changed) {
        if (changeId) {
          await request.journal.finish(changeId, { status: "applied", after: current, attempts: writes }, request.now());
          return { status: "applied", changeId, plan: firstPlan, before: firstRead, after: current, writes, interrupted };
        }
        return { status: "no-change", changeId: null, plan, before: current, after: current, writes: 0, interrupted };
      }
      if (interrupted) {
        if (changeId) await request.journal.finish(changeId, { status: "not-applied", error: "interrupted before the next write", attempts: writes }, request.now());
        throw new CancelledError(changeId ? `Cancelled before re-applying; change ${changeId} is recorded as not applied.` : undefined);
      }
      if (!changeId) {
        const principal = await request.principal();
        changeId = await request.journal.begin(
          {
            principal,
            command: request.command,
            reason: request.reason,
            ticket: request.ticket,
            resourceKind: "policyAssignment",
            resourceId: current.id ?? request.assignmentId,
            operation: "update",
            summary: request.summary,
            before: current,
            intendedAfter: plan.body,
            touched: plan.touched,
            undoOf: request.undoOf,
          },
          request.now(),
        );
      }
      inFlight = true;
      writes += 1;
      try {
        const sending = send(request.session, request.assignmentId, current, plan);
        request.afterSend?.();
        await sending;
      } catch (error) {
        await request.journal.finish(changeId, { status: "failed", error: toAkspolError(error).message, attempts: writes }, request.now());
        throw error;
      } finally {
        inFlight = false;
      }
      await request.afterWrite?.();
      let readBack: PolicyAssignment;
      try {
        // One verifying read, `settleMs` after the write: it sees what an immediate read-back would
        // see, and also another writer (another machine or state dir, which the lock cannot see)
        // whose read came before our write and whose write landed within the interval.
        if ((request.settleMs ?? 0) > 0) await new Promise((resolve) => setTimeout(resolve, request.settleMs));
        readBack = await requireAssignment(request.session, request.assignmentId);
      } catch (error) {
        // The write was answered; only reading it back failed. Say so, and leave history to settle it.
        const failure = toAkspolError(error);
        await request.journal.finish(changeId, { status: "unverified", error: failure.message, attempts: writes }, request.now());
        throw writtenButUnverified(failure, changeId);
      }
      const present = operationPresent(readBack, definition, request.operation);
      const others = changedFields(current, readBack, plan.touched);
      if (present && others.length === 0) {
        await request.journal.finish(changeId, { status: "applied", after: readBack, attempts: writes }, request.now());
        if (interrupted) {
          throw new CancelledError(`Interrupted after the write was sent; it was applied and recorded as change ${changeId}.`, {
            suggestion: `Review it with 'akspol history', reverse it with 'akspol undo ${changeId}'.`,
          });
        }
        return { status: "applied", changeId, plan: firstPlan, before: firstRead, after: readBack, writes, interrupted };
      }
      lastModifiedBy = readBack.systemData?.lastModifiedBy;
      lastReason = present ? `another writer changed ${others.join(", ")} meanwhile` : "the change is missing from the read-back (another writer replaced the assignment)";
      if (interrupted) {
        await request.journal.finish(changeId, { status: present ? "applied" : "failed", after: readBack, error: lastReason, attempts: writes }, request.now());
        throw new CancelledError(`Interrupted after the write was sent; ${lastReason}. Recorded as change ${changeId}.`);
      }
      if (attempt < maxRetries) {
        status(`Read-back after the write: ${lastReason}; re-applying (${attempt + 1} of ${maxRetries}).`);
        const pause = request.backoff?.(attempt) ?? 100 + Math.random() * 400 * (attempt + 1);
        await new Promise((resolve) => setTimeout(resolve, pause));
      }
    }
    const message = `The edit did not hold after ${writes} writes: ${lastReason}. The assignment was last modified by ${lastModifiedBy ?? "an unknown principal"} (systemData.lastModifiedBy).`;
    if (changeId) await request.journal.finish(changeId, { status: "failed", error: message, attempts: writes }, request.now());
    throw new ConflictError(message, {
      suggestion: `Someone else is editing this assignment. Coordinate with ${lastModifiedBy ?? "them"}, check it with 'akspol exclude list' / 'akspol params get', then run the command again.`,
    });
  } finally {
    stopListening();
  }
}
