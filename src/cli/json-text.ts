/**
 * JSON keeps every value exactly; characters a terminal would act on that JSON.stringify leaves raw
 * (DEL, C1 controls, bidirectional overrides) are written as \\u escapes, so the text is terminal-safe
 * and still parses to the same value. JSON.stringify already escapes C0 controls (ESC included), so the
 * result needs no further cleaning (IO.outJson writes the same text through renderJsonPieces).
 */
export function renderJson(value: unknown): string {
  return terminalSafeJson(JSON.stringify(value, null, 2));
}

const unsafe = /[\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/** Each character of `unsafe` as a \\u escape (one UTF-16 unit each, so a piece of JSON text can be escaped on its own). */
function terminalSafeJson(text: string): string {
  return text.replace(unsafe, (character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/** Elements of a top-level array serialised per piece: large enough to keep the calls few, small enough to keep each piece a few megabytes. */
const ARRAY_PIECE = 64;

/**
 * Whether UTF-8 bytes may hold a character of `unsafe`: DEL (7F), a C1 control (C2 80-9F) or a
 * bidirectional control (E2 80 AA-AE, E2 81 A6-A9). Three native byte searches, where the pattern
 * costs a pass of the regular-expression engine; a false alarm (another C2 or E2 character) only sends
 * the piece through terminalSafeJson.
 */
function mayHoldUnsafe(bytes: Buffer): boolean {
  return bytes.includes(0x7f) || bytes.includes(0xc2) || bytes.includes(0xe2);
}

/**
 * renderJson's text, exactly, as UTF-8 pieces (their concatenation is renderJson(value)): a plain
 * object's top-level arrays are serialised a few elements at a time, so a report of a hundred megabytes
 * is written as it is serialised instead of being built, scanned and encoded as one string first
 * (IO.outJson). Anything other than a plain object is one piece.
 */
export function* renderJsonPieces(value: unknown): Generator<Buffer> {
  for (const text of jsonPieces(value)) {
    const bytes = Buffer.from(text, "utf8");
    yield mayHoldUnsafe(bytes) ? Buffer.from(terminalSafeJson(text), "utf8") : bytes;
  }
}

/** JSON.stringify(value, null, 2) in pieces, unescaped (renderJsonPieces). */
function* jsonPieces(value: unknown): Generator<string> {
  if (value === null || typeof value !== "object" || Array.isArray(value) || typeof (value as { toJSON?: unknown }).toJSON === "function") {
    yield JSON.stringify(value, null, 2);
    return;
  }
  let first = true;
  for (const [key, entry] of Object.entries(value)) {
    // JSON.stringify({ key: entry }, null, 2) indents the entry as a top-level key of the whole document.
    const name = JSON.stringify(key);
    if (Array.isArray(entry) && entry.length > ARRAY_PIECE && typeof (entry as { toJSON?: unknown }).toJSON !== "function") {
      const open = `{\n  ${name}: [`;
      const close = "\n  ]\n}";
      yield `${first ? "{\n" : ",\n"}  ${name}: [`;
      for (let start = 0; start < entry.length; start += ARRAY_PIECE) {
        const text = JSON.stringify({ [key]: entry.slice(start, start + ARRAY_PIECE) }, null, 2);
        yield `${start === 0 ? "" : ","}${text.slice(open.length, text.length - close.length)}`;
      }
      yield "\n  ]";
    } else {
      const text = JSON.stringify({ [key]: entry }, null, 2);
      // "{}": a value JSON leaves out (undefined, a function, a symbol).
      if (text === "{}") continue;
      yield `${first ? "{\n" : ",\n"}${text.slice(2, -2)}`;
    }
    first = false;
  }
  yield first ? "{}" : "\n}";
}
