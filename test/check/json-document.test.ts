// check reads plain JSON documents with its own reader (json-document.ts) for speed: the values and
// the positions must be exactly js-yaml's, and anything that is not plain JSON must be left to js-yaml.
import { CORE_SCHEMA, load } from "js-yaml";
import { describe, expect, it } from "vitest";
import { parseJsonWithPositions, type JsonWithPositions } from "../../src/check/json-document.js";
import { parseDocument } from "../../src/check/manifests.js";
import { workloadYaml } from "../../src/check/synthetic-workloads.js";

/** js-yaml's value and the start (0-based line, column) of each mapping and sequence, as check recorded them before. */
function yamlPositions(text: string): { value: unknown; lines: Map<object, number>; columns: Map<object, number> } {
  const lines = new Map<object, number>();
  const columns = new Map<object, number>();
  const open: Array<[number, number]> = [];
  const value = load(text, {
    schema: CORE_SCHEMA,
    listener(event, state) {
      if (event === "open") {
        open.push([state.line, state.position - state.lineStart]);
        return;
      }
      const start = open.pop()!;
      if (state.result !== null && typeof state.result === "object") {
        lines.set(state.result as object, start[0]);
        columns.set(state.result as object, start[1]);
      }
    },
  });
  return { value, lines, columns };
}

/** Every collection's position, by its path, from a parse (js-yaml's maps, or the JSON reader's positions). */
function positionsByPath(parsed: { value: unknown; lines: Map<object, number>; columns: Map<object, number> } | JsonWithPositions): Record<string, string> {
  const out: Record<string, string> = {};
  const lineOf = (node: object) => ("positions" in parsed ? parsed.positions.lineOf(node) : parsed.lines.get(node));
  const columnOf = (node: object) => ("positions" in parsed ? parsed.positions.columnOf(node) : parsed.columns.get(node));
  const walk = (node: unknown, path: string) => {
    if (node === null || typeof node !== "object") return;
    out[path] = `${lineOf(node)}:${columnOf(node)}`;
    for (const [key, child] of Object.entries(node)) walk(child, `${path}/${key}`);
  };
  walk(parsed.value, "");
  return out;
}

const documents = [
  '{"a": 1}',
  '{\n "kind": "Pod",\n "spec": {\n  "containers": [\n   {\n    "name": "app"\n   },\n   {"name": "b", "x": [1, {"y": 2}]}\n  ]\n }\n}',
  '  \n\n{"a":{"b":[[],{}]}}  \n',
  '[{"a":1},\n  {"b":"\\u001b[31m\\n"}]',
  '{"s":"é\\"x\\/", "n": -1.5e3, "i": 0, "t": true, "f": false, "z": null, "u": "\\ud83d\\ude00"}',
  // Brackets, commas, quotes and backslashes inside strings; CRLF; empty collections; arrays of scalars.
  '{"a": "[{,}]\\\\", "b": ["\\"", "x\\\\\\"y", {}], "c": [[], [1, 2, [3]], {"d": {}}]}',
  '{\r\n "kind": "Pod",\r\n "spec": {"containers": [\r\n  {"name": "a"},\r\n  {"name": "b"}]}\r\n}',
  // Keys JSON.parse would order first (array indexes), an escaped key, a key like __proto__ in a value:
  // read by the reader that builds value and positions together.
  '{"b": {"x": []}, "1": {"y": [{}]}, "0": [{"z": 1}], "a": {}}',
  '{"b": {"x": 1},\n "1": {"y": 2}}',
  '{"a\\u0062": {"c": [{}]}, "d": [{"e": {}}]}',
  '{"name": "__proto__", "list": ["__proto__", {"k": {}}]}',
  ...[0, 1, 4, 5, 9, 13].map((index) => JSON.stringify(load(workloadYaml(index)), null, 1)),
  ...[3, 7].map((index) => JSON.stringify(load(workloadYaml(index)), null, 2)),
];

describe("plain JSON documents", () => {
  it.each(documents.map((text) => [text.slice(0, 40), text]))("%s: the same value and positions as js-yaml", (_label, text) => {
    const fast = parseJsonWithPositions(text);
    expect(fast).toBeDefined();
    const reference = yamlPositions(text);
    expect(fast!.value).toEqual(reference.value);
    expect(positionsByPath(fast!)).toEqual(positionsByPath(reference));
  });

  it("reads after a document marker, counting lines from the document's start", () => {
    const text = '---\n{\n "kind": "Pod",\n "spec": {"containers": [{"name": "app"}]}\n}';
    const fast = parseJsonWithPositions(text, 3)!;
    const reference = yamlPositions(text);
    expect(positionsByPath(fast)).toEqual(positionsByPath(reference));
  });

  it.each([
    ["a duplicate key (js-yaml refuses it)", '{"a":1,"a":2}'],
    ["a duplicate key deeper, its first value a collection", '{"a": {"x": {"y": [1]}, "x": 2}, "b": []}'],
    ["a duplicate key deeper, its last value a collection", '[{"x": 1, "x": {"y": [1]}}]'],
    ["an escaped __proto__", '{"a": {"\\u005f_proto__": {}}}'],
    ["unterminated", '{"a":1'],
    ["YAML", "kind: Pod"],
    ["a leading zero", '{"a": 01}'],
    ["a raw line break in a string", '{"a":"x\ny"}'],
    ["__proto__", '{"__proto__": {}}'],
    ["text after the value", '{"a":1} x'],
    ["a trailing comma", "[1,]"],
    ["a comment", '{"a":1} # note'],
    ["a scalar document", '"just a string"'],
  ])("%s: left to js-yaml", (_label, text) => {
    expect(parseJsonWithPositions(text)).toBeUndefined();
  });

  it("check's result for a JSON workload is the same through either reader: lines of the workload, its containers and volumes", () => {
    const text = `---\n${JSON.stringify(load(workloadYaml(36)), null, 1)}`;
    const parsed = parseDocument({ file: "w.json", line: 10, text });
    expect(parsed.errors).toEqual([]);
    const [workload] = parsed.workloads;
    // The same document with a trailing comment is not plain JSON: js-yaml reads it, positions included.
    const viaYaml = parseDocument({ file: "w.json", line: 10, text: `${text}\n# end` });
    expect(viaYaml.workloads).toEqual([workload]);
    expect(workload!.line).toBe(11);
    expect(Object.keys(workload!.containerLines)).toEqual(["app", "sidecar", "init"]);
    expect(Object.keys(workload!.volumeLines)).toEqual(["data", "host"]);
  });

  it("a JSON document with an error gets js-yaml's message and position", () => {
    const parsed = parseDocument({ file: "bad.json", line: 5, text: '{\n "kind": "Pod",\n "kind": "Pod"\n}' });
    expect(parsed.errors).toHaveLength(1);
    expect(parsed.errors[0]).toMatchObject({ file: "bad.json", line: 7 });
    expect(parsed.errors[0]!.message).toMatch(/duplicated mapping key/);
  });
});

describe("deep JSON is js-yaml's to decide, on every thread", () => {
  // A Pod whose spec holds an array nested `levels` deep (the document itself is level 1, spec 2).
  const deepPod = (levels: number) =>
    `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"deep","namespace":"a"},"spec":{"containers":[{"name":"a","image":"nginx"}],"x":${"[".repeat(levels)}${"]".repeat(levels)}}}`;

  it("collections up to level 99 are read here; from level 100 the reader declines (js-yaml's maxDepth is 100)", () => {
    expect(parseJsonWithPositions(deepPod(97))).toBeDefined();
    expect(parseJsonWithPositions(deepPod(98))).toBeUndefined();
    // The exact reader (reached for a duplicate key elsewhere, here the metadata name) declines too.
    const duplicate = (levels: number) => deepPod(levels).replace('"namespace":"a"', '"namespace":"a","name":"again"');
    expect(parseJsonWithPositions(duplicate(98))).toBeUndefined();
  });

  it("a document nested thousands deep gets js-yaml's error, never one that depends on the stack", () => {
    const parsed = parseDocument({ file: "deep.json", line: 1, text: deepPod(10_000) });
    expect(parsed.workloads).toEqual([]);
    expect(parsed.errors[0]?.message).toBe("nesting exceeded maxDepth (100)");
    // At level 99 the array is js-yaml's to read as well: both readers agree.
    const shallow = parseDocument({ file: "ok.json", line: 1, text: deepPod(97) });
    expect(shallow.errors).toEqual([]);
    expect(shallow.workloads).toHaveLength(1);
    expect(load(deepPod(97), { schema: CORE_SCHEMA })).toBeDefined();
    expect(() => load(deepPod(98), { schema: CORE_SCHEMA })).toThrow(/maxDepth/);
  });
});
