import { UsageError, type AkspolError, type ErrorDetails } from "../errors.js";

/**
 * What a write's outcome may claim. A write that was sent and answered but could not be read back
 * is not "failed" (it probably landed) and not "applied" (nobody saw it): it is journaled
 * `unverified`, which `history` settles, and the error says so.
 */

/** "Written; verification failed: ...": keeps the exit code of what failed (1 Azure or network, 4 permission). */
export function writtenButUnverified(failure: AkspolError, changeId: string): AkspolError {
  const Kind = failure.constructor as new (message: string, details?: ErrorDetails) => AkspolError;
  return new Kind(`Written; verification failed: ${failure.message} The write was sent and answered; recorded as change ${changeId} (unverified).`, {
    cause: failure,
    suggestion: `Run 'akspol history': it settles ${changeId} from the resource's state in Azure.`,
  });
}

export const DEFAULT_SETTLE_MS = 1000;

/**
 * The verification settle interval from AKSPOL_VERIFY_SETTLE_MS (ms, 0 to 60000, default 1000):
 * after a verified write akspol reads once more this much later, which catches another writer
 * (another machine or state dir, which the lock cannot see) that removed the change meanwhile.
 */
export function settleIntervalMs(env: NodeJS.ProcessEnv): number {
  const raw = env.AKSPOL_VERIFY_SETTLE_MS;
  if (raw === undefined || raw === "") return DEFAULT_SETTLE_MS;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0 || value > 60_000) {
    throw new UsageError(`Invalid AKSPOL_VERIFY_SETTLE_MS '${raw}'.`, { suggestion: "Use a whole number of milliseconds from 0 to 60000 (default 1000; 0 turns the second verifying read off)." });
  }
  return value;
}
