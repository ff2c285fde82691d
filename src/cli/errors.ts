// The typed errors (src/errors.ts) and the classifier that maps any error to one of them
// (src/azure/error-classifier.ts), in one import for commands.
export { AkspolError, AuthError, CancelledError, ConflictError, ExitCode, GateFailedError, NotFoundError, PartialFailureError, UsageError, type ErrorDetails, type ExitCodeValue } from "../errors.js";
export { parseAuthorizationFailure, toAkspolError } from "../azure/error-classifier.js";
