// A JSON document (kubectl get -o json, generated manifests) read with the start of every object
// and array, as `check` needs for its line numbers. js-yaml reads JSON too, but about 7 times
// slower; this reads plain JSON only and returns undefined for anything else (YAML, invalid JSON, a
// duplicate key, `__proto__`), which the caller then reads with js-yaml, so errors and every edge
// case stay js-yaml's.

export interface JsonWithPositions {
  value: unknown;
  /** 0-based line and column of the first character (`{` or `[`) of each object and array. */
  lines: Map<object, number>;
  columns: Map<object, number>;
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

class NotPlainJson extends Error {}
const notPlainJson = new NotPlainJson();

/**
 * `text` as JSON with positions, or undefined when it is not plain JSON (first non-blank character
 * not `{` or `[`, or invalid). Reading starts at `from` (after a `---` marker); lines count from the text's start.
 */
export function parseJsonWithPositions(text: string, from = 0): JsonWithPositions | undefined {
  let index = from;
  let line = 0;
  let lineStart = 0;
  const lines = new Map<object, number>();
  const columns = new Map<object, number>();

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
    if (code === 0x7b) return object();
    if (code === 0x5b) return array();
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

  const object = (): Record<string, unknown> => {
    const result: Record<string, unknown> = {};
    lines.set(result, line);
    columns.set(result, index - lineStart);
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
    lines.set(result, line);
    columns.set(result, index - lineStart);
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
    return { value: parsed, lines, columns };
  } catch (error) {
    if (error === notPlainJson || error instanceof RangeError) return undefined;
    throw error;
  }
}
