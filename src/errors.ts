/**
 * Typed errors shared by the core (src/policy, src/effective, src/exemptions, ...) and the CLI.
 * The core throws these; src/cli/errors.ts maps them to exit codes and messages in one place
 * (see README "Exit codes"). This module imports nothing, so the core never depends on src/cli/.
 */
export const ExitCode = {
  ok: 0,
  failure: 1,
  usage: 2,
  notFound: 3,
  auth: 4,
  conflict: 5,
  gateFailed: 6,
  partialFailure: 7,
  cancelled: 130,
} as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

export interface ErrorDetails {
  suggestion?: string;
  cause?: unknown;
  /** ARM request id, shown with --debug. */
  requestId?: string;
}

export class AkspolError extends Error {
  readonly exitCode: ExitCodeValue = ExitCode.failure;
  readonly suggestion?: string;
  readonly requestId?: string;
  constructor(message: string, details: ErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = new.target.name;
    this.suggestion = details.suggestion;
    this.requestId = details.requestId;
  }
}

/** Bad flags, bad arguments, invalid input files or values: exit 2, nothing written. */
export class UsageError extends AkspolError {
  override readonly exitCode = ExitCode.usage;
}
export class NotFoundError extends AkspolError {
  override readonly exitCode = ExitCode.notFound;
}
/** Sign-in failed or a permission is missing. */
export class AuthError extends AkspolError {
  override readonly exitCode = ExitCode.auth;
}
/** A concurrent change akspol could not reconcile, or an undo refused because the resource changed. */
export class ConflictError extends AkspolError {
  override readonly exitCode = ExitCode.conflict;
}
/** Findings or violations at or above --fail-on. */
export class GateFailedError extends AkspolError {
  override readonly exitCode = ExitCode.gateFailed;
}
/** Some writes of a batch failed; the report says which. */
export class PartialFailureError extends AkspolError {
  override readonly exitCode = ExitCode.partialFailure;
}
export class CancelledError extends AkspolError {
  override readonly exitCode = ExitCode.cancelled;
  constructor(message = "Cancelled. Nothing was changed.", details: ErrorDetails = {}) {
    super(message, details);
  }
}
