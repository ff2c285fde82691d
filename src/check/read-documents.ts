// The manifests `check` reads, as a stream of YAML documents: files, directories (recursively, .yaml,
// .yml and .json) and stdin, chunk by chunk, so no input is ever held whole in memory.
import { createReadStream } from "node:fs";
import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { UsageError } from "../errors.js";
import { DocumentSplitter, type ManifestDocument } from "./manifests.js";

const MANIFEST_EXTENSIONS = /\.(ya?ml|json)$/i;

export type ManifestInput = { kind: "stdin" } | { kind: "file"; path: string };

/** Every input resolved before anything is read: a missing path or an empty directory is a usage error up front. */
export async function resolveInputs(inputs: readonly string[]): Promise<ManifestInput[]> {
  const resolved: ManifestInput[] = [];
  for (const input of inputs) {
    if (input === "-") {
      resolved.push({ kind: "stdin" });
      continue;
    }
    let info;
    try {
      info = await stat(input);
    } catch (error) {
      throw new UsageError(`Cannot read ${input}: ${(error as NodeJS.ErrnoException).code === "ENOENT" ? "no such file or directory" : (error as Error).message}`);
    }
    if (!info.isDirectory()) {
      resolved.push({ kind: "file", path: input });
      continue;
    }
    const files = await manifestFilesUnder(input);
    if (files.length === 0) throw new UsageError(`${input} holds no .yaml, .yml or .json file.`);
    for (const path of files) resolved.push({ kind: "file", path });
  }
  return resolved;
}

async function manifestFilesUnder(directory: string): Promise<string[]> {
  const entries = await readdir(directory, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile() && MANIFEST_EXTENSIONS.test(entry.name))
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
}

/**
 * The documents of every input in order, one at a time. Documents are cut from each chunk synchronously
 * (one await per chunk, not per line as readline's iterator costs).
 */
export async function* readDocuments(inputs: readonly ManifestInput[], stdin: NodeJS.ReadableStream): AsyncGenerator<ManifestDocument> {
  for (const input of inputs) {
    const file = input.kind === "stdin" ? "<stdin>" : input.path;
    const stream = input.kind === "stdin" ? stdin : createReadStream(input.path, { encoding: "utf8" });
    if (input.kind === "stdin") (stream as NodeJS.ReadStream).setEncoding?.("utf8");
    const splitter = new DocumentSplitter(file);
    try {
      for await (const chunk of stream) for (const document of splitter.write(typeof chunk === "string" ? chunk : String(chunk))) yield document;
    } catch (error) {
      throw new UsageError(`Cannot read ${file}: ${(error as Error).message}`);
    }
    for (const document of splitter.end()) yield document;
  }
}
