// A JSON document (kubectl get -o json, generated manifests) read with the start of every object
// and array, as `check` needs for its line numbers. js-yaml reads JSON too, but about 7 times
// slower; this reads plain JSON only and returns undefined for anything else (YAML, invalid JSON, a
// duplicate key, `__proto__`), which the caller then reads with js-yaml, so errors and every edge
// case stay js-yaml's. The value comes from JSON.parse (native, about 3 times faster than a reader in
// JavaScript) and the positions from one scan of the text; a document whose keys could make the
// two disagree (a key starting with a digit, which JSON.parse orders first, an escaped key, a
// duplicate key, `__proto__`) is read again by a reader that builds the value and the positions together.
import { NodePositions } from "./node-positions.js";

export interface JsonWithPositions {
  value: unknown;
  /** 0-based line and column of the first character (`{` or `[`) of each object and array. */
  positions: NodePositions;
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

class NotPlainJson extends Error {}
const notPlainJson = new NotPlainJson();

/**
 * js-yaml refuses a node nested deeper than its maxDepth (100, the root counting 1): a collection at
 * level 100 or deeper is left to it, so that deep documents get js-yaml's answer on every thread
 * (the recursion here would otherwise stop wherever the thread's stack ends).
 */
const MAX_LEVEL = 100;
const tooDeep = Symbol("too deep");

/**
 * `text` as JSON with positions, or undefined when it is not plain JSON (first non-blank character
 * not `{` or `[`, or invalid). Reading starts at `from` (after a `---` marker); lines count from the text's start.
 */
export function parseJsonWithPositions(text: string, from = 0): JsonWithPositions | undefined {
  let index = from;
  for (let code = text.charCodeAt(index); code === 0x20 || code === 0x09 || code === 0x0d || code === 0x0a; code = text.charCodeAt(index)) index += 1;
  const first = text.charCodeAt(index);
  if (first !== 0x7b && first !== 0x5b) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(from === 0 ? text : text.slice(from));
  } catch {
    // Not JSON: nothing the reader below accepts either.
    return undefined;
  }
  const scanned = positionsOfParsed(text, from, value as object);
  if (scanned === tooDeep) return undefined;
  return scanned ?? readJsonWithPositions(text, from);
}

/**
 * The positions of a parsed value's collections from a scan of its text: the text's brackets in
 * order are the value's collections in pre-order, each with as many members as the scan counted.
 * Undefined when that may not hold (see the head of this file); the caller then reads the text again.
 */
function positionsOfParsed(text: string, from: number, value: object): JsonWithPositions | typeof tooDeep | undefined {
  // Per bracket in text order: 0-based line and column, whether it opens an object, and its member count.
  const lines: number[] = [];
  const columns: number[] = [];
  const objects: boolean[] = [];
  const sizes: number[] = [];
  const open: number[] = [];
  let line = 0;
  let lineStart = 0;
  let top = -1;
  let firstMember = false;
  let key = false;
  // JSON.parse accepted the text: it is valid JSON, so only brackets, commas, strings and line breaks matter.
  for (let index = from; index < text.length; index += 1) {
    const code = text.charCodeAt(index);
    // White space (space, tab, CR, LF: valid JSON has no other character below 0x21 outside strings).
    if (code <= 0x20) {
      if (code === 0x0a) {
        line += 1;
        lineStart = index + 1;
      }
      continue;
    }
    if (firstMember) {
      firstMember = false;
      if (code !== 0x7d && code !== 0x5d) sizes[top] = 1;
    }
    if (code === 0x7b || code === 0x5b) {
      // `open` holds the enclosing collections: this one is at level open.length + 1.
      if (open.length + 1 >= MAX_LEVEL) return tooDeep;
      open.push(top);
      top = lines.length;
      lines.push(line);
      columns.push(index - lineStart);
      objects.push(code === 0x7b);
      sizes.push(0);
      firstMember = true;
      key = code === 0x7b;
    } else if (code === 0x7d || code === 0x5d) {
      top = open.pop()!;
      key = false;
    } else if (code === 0x2c) {
      sizes[top]! += 1;
      key = objects[top]!;
    } else if (code === 0x22) {
      let end = text.indexOf('"', index + 1);
      while (isEscapedQuote(text, end)) end = text.indexOf('"', end + 1);
      if (key) {
        key = false;
        const start = text.charCodeAt(index + 1);
        if (start >= 0x30 && start <= 0x39) return undefined;
        if (end - index - 1 === 9 && text.startsWith("__proto__", index + 1)) return undefined;
        for (let at = index + 1; at < end; at += 1) if (text.charCodeAt(at) === 0x5c) return undefined;
      }
      index = end;
    }
  }
  const positions = new NodePositions();
  let next = 0;
  const walk = (node: object): boolean => {
    const at = next;
    next += 1;
    if (at >= lines.length || Array.isArray(node) === objects[at]) return false;
    positions.add(node, lines[at]!, columns[at]!);
    let size = 0;
    if (Array.isArray(node)) {
      for (const item of node as unknown[]) if (item !== null && typeof item === "object" && !walk(item)) return false;
      size = node.length;
    } else {
      for (const name in node) {
        size += 1;
        const item = (node as Record<string, unknown>)[name];
        if (item !== null && typeof item === "object" && !walk(item)) return false;
      }
    }
    return size === sizes[at];
  };
  try {
    if (!walk(value) || next !== lines.length) return undefined;
  } catch (error) {
    if (error instanceof RangeError) return undefined;
    throw error;
  }
  return { value, positions };
}

/** Whether the quote at `at` is escaped (an odd run of backslashes before it). */
function isEscapedQuote(text: string, at: number): boolean {
  let slashes = 0;
  while (text.charCodeAt(at - 1 - slashes) === 0x5c) slashes += 1;
  return slashes % 2 === 1;
}

/** The value and positions read together, character by character: for what positionsOfParsed leaves. */
function readJsonWithPositions(text: string, from: number): JsonWithPositions | undefined {
  let index = from;
  let line = 0;
  let lineStart = 0;
  const positions = new NodePositions();

  const blank = (): void => {
    for (;;) {
      const code = text.charCodeAt(index);
      if (code === 0x20 || code === 0x09 || code === 0x0d) index += 1;
      else if (code === 0x0a) {
        index += 1;
        line += 1;
        lineStart = index;
      } else return;
    }
  };

  const string = (): string => {
    // index is at the opening quote.
    const start = index + 1;
    let end = start;
    let escaped = false;
    for (;;) {
      const code = text.charCodeAt(end);
      if (code === 0x22) break;
      if (code === 0x5c) {
        escaped = true;
        end += 2;
        continue;
      }
      // A raw control character (a line break included) is not allowed in a JSON string; NaN: the text ended.
      if (!(code >= 0x20)) throw notPlainJson;
      end += 1;
    }
    index = end + 1;
    if (!escaped) return text.slice(start, end);
    try {
      return JSON.parse(text.slice(start - 1, end + 1)) as string;
    } catch {
      throw notPlainJson;
    }
  };

  const value = (): unknown => {
    blank();
    const code = text.charCodeAt(index);
    if (code === 0x7b) return nested(object);
    if (code === 0x5b) return nested(array);
    if (code === 0x22) return string();
    if (text.startsWith("true", index)) {
      index += 4;
      return true;
    }
    if (text.startsWith("false", index)) {
      index += 5;
      return false;
    }
    if (text.startsWith("null", index)) {
      index += 4;
      return null;
    }
    NUMBER.lastIndex = index;
    const match = NUMBER.exec(text);
    if (match === null) throw notPlainJson;
    index += match[0].length;
    return Number(match[0]);
  };

  // Nesting of the collection being read (the root is 1); a throw ends the whole reading, so only a
  // collection read to its end steps back out.
  let level = 0;
  const nested = <T>(read: () => T): T => {
    level += 1;
    if (level >= MAX_LEVEL) throw notPlainJson;
    const collection = read();
    level -= 1;
    return collection;
  };

  const object = (): Record<string, unknown> => {
    const result: Record<string, unknown> = {};
    positions.add(result, line, index - lineStart);
    index += 1;
    blank();
    if (text.charCodeAt(index) === 0x7d) {
      index += 1;
      return result;
    }
    for (;;) {
      blank();
      if (text.charCodeAt(index) !== 0x22) throw notPlainJson;
      const key = string();
      // js-yaml refuses a duplicate key; __proto__ needs care: both are left to it.
      if (key === "__proto__" || Object.hasOwn(result, key)) throw notPlainJson;
      blank();
      if (text.charCodeAt(index) !== 0x3a) throw notPlainJson;
      index += 1;
      result[key] = value();
      blank();
      const next = text.charCodeAt(index);
      index += 1;
      if (next === 0x7d) return result;
      if (next !== 0x2c) throw notPlainJson;
    }
  };

  const array = (): unknown[] => {
    const result: unknown[] = [];
    positions.add(result, line, index - lineStart);
    index += 1;
    blank();
    if (text.charCodeAt(index) === 0x5d) {
      index += 1;
      return result;
    }
    for (;;) {
      result.push(value());
      blank();
      const next = text.charCodeAt(index);
      index += 1;
      if (next === 0x5d) return result;
      if (next !== 0x2c) throw notPlainJson;
    }
  };

  blank();
  const first = text.charCodeAt(index);
  if (first !== 0x7b && first !== 0x5b) return undefined;
  try {
    const parsed = value();
    blank();
    if (index !== text.length) return undefined;
    return { value: parsed, positions };
  } catch (error) {
    if (error === notPlainJson || error instanceof RangeError) return undefined;
    throw error;
  }
}
