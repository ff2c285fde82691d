// Small durable-file helpers shared by the certificate, key and state code.
import { chmodSync, closeSync, fsyncSync, mkdirSync, openSync, readdirSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";

/**
 * Writes a file atomically: temp file, fsync, rename, fsync of the directory. Private (0600) unless a
 * caller says otherwise: the state dir holds client secrets, so only public material (the CA
 * certificate) is written readable by others.
 */
export function writeFileAtomic(path: string, content: string | Uint8Array, mode = 0o600): void {
  mkdirSync(dirname(path), { recursive: true });
  const temp = `${path}.${process.pid}.${Date.now()}.tmp`;
  writeFileSync(temp, content, { mode });
  chmodSync(temp, mode); // the umask may have narrowed or (with mode) left wider bits; say exactly what we mean
  const fd = openSync(temp, "r+");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temp, path);
  fsyncDirectory(dirname(path));
}

export function fsyncDirectory(path: string): void {
  // Windows cannot open a directory for fsync; there rename is durable enough for an emulator.
  if (process.platform === "win32") return;
  const fd = openSync(path, "r");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Makes a state dir private whether or not it existed before: every directory in it 0700 and every
 * regular file 0600, except the names in `publicFiles` (certificates clients must read).
 */
export function makePrivate(dir: string, publicFiles: readonly string[]): void {
  if (process.platform === "win32") return;
  chmodSync(dir, 0o700);
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) makePrivate(join(dir, entry.name), publicFiles);
    else if (entry.isFile() && !publicFiles.includes(entry.name)) chmodSync(join(dir, entry.name), 0o600);
  }
}
