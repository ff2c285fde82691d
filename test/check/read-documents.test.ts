// check cuts its input into YAML documents chunk by chunk (DocumentSplitter, readDocuments): wherever a
// chunk ends, the documents, their text and the line each starts on are those of reading the input
// line by line (the reference below, as check read it before), with CRLF, a byte-order mark, `...`,
// directives and `---` followed by content on its line.
import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { DocumentSplitter, type ManifestDocument } from "../../src/check/manifests.js";
import { readDocuments } from "../../src/check/read-documents.js";
import { workloadsYaml } from "../../src/check/synthetic-workloads.js";

/** The documents of `text` read a line at a time: a line ends at LF (a CR before it dropped). */
function referenceDocuments(file: string, text: string): ManifestDocument[] {
  const documents: ManifestDocument[] = [];
  let lines: string[] = [];
  let firstLine = 1;
  let directivesOnly = true;
  const flush = () => {
    if (lines.length > 0) documents.push({ file, line: firstLine, text: lines.join("\n") });
    lines = [];
    directivesOnly = true;
  };
  const all = text.split("\n");
  // A last line break ends the last line; it does not start an empty one.
  if (all.at(-1) === "") all.pop();
  all.forEach((raw, index) => {
    let line = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
    if (index === 0 && line.startsWith("\uFEFF")) line = line.slice(1);
    const lineNumber = index + 1;
    if (/^---(\s|$)/.test(line) && !(directivesOnly && lines.length > 0)) {
      flush();
      firstLine = lineNumber;
      lines.push(line);
      directivesOnly = false;
      return;
    }
    if (/^\.\.\.(\s|$)/.test(line)) {
      flush();
      firstLine = lineNumber + 1;
      return;
    }
    if (!line.startsWith("%")) directivesOnly = false;
    lines.push(line);
  });
  flush();
  return documents;
}

function split(chunks: readonly string[]): ManifestDocument[] {
  const splitter = new DocumentSplitter("in.yaml");
  const documents: ManifestDocument[] = [];
  for (const chunk of chunks) documents.push(...splitter.write(chunk));
  documents.push(...splitter.end());
  return documents;
}

function chunksOf(text: string, size: number): string[] {
  const chunks: string[] = [];
  for (let index = 0; index < text.length; index += size) chunks.push(text.slice(index, index + size));
  return chunks;
}

const EDGES = [
  "%YAML 1.2\n---\nkind: Pod\nmetadata: {name: a}\n",
  "...\n%YAML 1.2\n%TAG ! tag:example.com,2000:\n--- {kind: Pod, metadata: {name: inline}}\n",
  "...\n# only a comment\n\n",
  "--- # a comment after the marker\nkind: Pod\n",
  "---\nkind: Pod\n...\n",
  "---\t\nkind: Pod\n",
  "---x: not a marker\n----\n-- x\n- item\n",
  "--- |\n  a scalar document\n",
  "%YAML 1.2\n\n---\nkind: Pod\n",
  '---\n{"kind": "Pod",\n "metadata": {"name": "j"}}\n',
  "--- >\n  folded\n... # end\n---\nkind: Pod\n....\n.. x\n",
  "---\n---\n\n---\n",
  "kind: Pod\n  ---\n",
].join("");

const TEXTS: Array<[string, string]> = [
  ["markers, directives, comments and empty documents", EDGES],
  ["the same with CRLF line breaks", EDGES.replace(/\n/g, "\r\n")],
  ["a byte-order mark, CRLF and no last line break", `\uFEFF${EDGES.replace(/\n/g, "\r\n")}kind: Pod`],
  ["a byte-order mark before a marker", "\uFEFF---\nkind: Pod\n"],
  ["a last line that is only a CR", "kind: Pod\n\r"],
  ["CRs that do not end a line", "a: 'x\ry'\r\r\nb: 1\r"],
  ["blank lines after the last document", "kind: Pod\n\n\n"],
  ["no line break at all", "--- {kind: Pod}"],
  ["only line breaks", "\n\n"],
  ["nothing", ""],
  ["generated workloads", workloadsYaml(12)],
];

describe("DocumentSplitter", () => {
  it.each(TEXTS)("%s: the documents of a line-by-line reading, in one chunk", (_label, text) => {
    expect(split([text])).toEqual(referenceDocuments("in.yaml", text));
  });

  it.each(TEXTS)("%s: the same documents wherever a chunk ends", (_label, text) => {
    const expected = referenceDocuments("in.yaml", text);
    // Two chunks cut at every position, then chunks of a few sizes (a marker, a CRLF or a BOM cut in two).
    for (let cut = 0; cut <= text.length; cut += 1) expect(split([text.slice(0, cut), text.slice(cut)])).toEqual(expected);
    for (const size of [1, 2, 3, 5, 64]) expect(split(chunksOf(text, size))).toEqual(expected);
  });

  it("counts lines across documents: each document starts at its marker's line", () => {
    expect(split(["kind: A\n---\nkind: B\n...\n\nkind: C\n--- {kind: D}\n"]).map(({ line, text }) => [line, text])).toEqual([
      [1, "kind: A"],
      [2, "---\nkind: B"],
      [5, "\nkind: C"],
      [7, "--- {kind: D}"],
    ]);
  });
});

describe("readDocuments", () => {
  it("reads stdin chunk by chunk into the documents of a line-by-line reading (CRLF, a byte-order mark, markers)", async () => {
    const text = `\uFEFF${EDGES}${workloadsYaml(5)}`.replace(/\n/g, "\r\n");
    const documents: ManifestDocument[] = [];
    for await (const document of readDocuments([{ kind: "stdin" }], Readable.from(chunksOf(text, 7)))) documents.push(document);
    expect(documents).toEqual(referenceDocuments("<stdin>", text));
    expect(documents.length).toBeGreaterThan(10);
  });
});
