import { accessSync, constants, mkdirSync, statSync } from "node:fs";
import { UsageError } from "./errors.js";

/**
 * A write journals before it sends and locks the resource in the state dir, so a state dir that cannot
 * be written would fail mid-way. The frame checks it before any request (docs/issues/09.md): the directory exists
 * (or can be created) and is writable; otherwise exit 2 with the path and the reason.
 */
export function requireUsableStateDir(stateDir: string): void {
  try {
    mkdirSync(stateDir, { recursive: true, mode: 0o700 });
    if (!statSync(stateDir).isDirectory()) throw Object.assign(new Error("it is not a directory"), { code: "ENOTDIR" });
    accessSync(stateDir, constants.W_OK | constants.X_OK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason =
      code === "ENOTDIR" || code === "EEXIST"
        ? "it, or a part of its path, is a file, not a directory"
        : code === "EACCES" || code === "EPERM"
          ? "permission denied"
          : code === "EROFS"
            ? "the file system is read-only"
            : (error as Error).message;
    throw new UsageError(`The state dir '${stateDir}' cannot be used: ${reason}. Nothing was sent to Azure.`, {
      suggestion: "akspol keeps its journal and locks there: pass --state-dir DIR (or set AKSPOL_STATE_DIR) naming a directory you can write.",
    });
  }
}
